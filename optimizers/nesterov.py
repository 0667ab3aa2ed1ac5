"""Nesterov momentum in the form torch.optim.SGD(momentum=μ, nesterov=True) uses."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class NesterovState(NamedTuple):
    count: np.ndarray
    b: np.ndarray  # momentum buffer
    direction: np.ndarray  # g + μ b: the look-ahead direction actually stepped along


@dataclasses.dataclass(frozen=True)
class Nesterov(base.Optimizer):
    """Nesterov accelerated gradient, reformulated so the gradient is taken at the current point (torch)."""

    lr: float = 0.02
    momentum: float = 0.9

    name = "nesterov"
    title = "Nesterov"
    description = N_("Momentum that looks ahead: step along g + μ·b, correcting before overshooting.")
    paper = "Nesterov (1983); Sutskever et al. (2013), On the importance of initialization and momentum"
    torch_equivalent = "torch.optim.SGD(params, lr, momentum=μ, nesterov=True)"
    HYPERS = {"lr": base.lr(0.02), "momentum": base.momentum(0.9)}
    QUANTITIES = {
        "b": ("b", N_("momentum buffer (velocity): μ·b + g")),
        "direction": ("d", N_("look-ahead direction g + μ·b")),
    }
    LINES = (
        Line("b", r"b_t = \mu\, b_{t-1} + g_t", "momentum*b_prev + g"),
        Line("direction", r"d_t = g_t + \mu\, b_t", "g + momentum*b"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, d_t", "theta_prev - lr*direction"),
    )
    State = NesterovState

    def init(self, params):
        return NesterovState(base.step_count(), base.zeros(params), base.zeros(params))

    def update(self, grad, state, params):
        b = self.momentum * state.b + grad
        direction = grad + self.momentum * b
        new_params = params - self.lr * direction
        return new_params, NesterovState(state.count + 1, b, direction)
