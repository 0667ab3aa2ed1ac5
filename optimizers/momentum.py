"""Gradient descent with (heavy-ball) momentum, as torch.optim.SGD(momentum=μ)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class MomentumState(NamedTuple):
    count: np.ndarray
    b: np.ndarray  # momentum buffer


@dataclasses.dataclass(frozen=True)
class Momentum(base.Optimizer):
    """Momentum: accumulate past gradients in a buffer and step along it (torch's form, lr outside)."""

    lr: float = 0.02
    momentum: float = 0.9

    name = "momentum"
    title = "Momentum"
    description = N_("Keep a running sum of gradients (a velocity): it speeds along valleys and damps zig-zags.")
    paper = "Polyak (1964), Some methods of speeding up the convergence of iteration methods"
    torch_equivalent = "torch.optim.SGD(params, lr, momentum=μ)"
    HYPERS = {"lr": base.lr(0.02), "momentum": base.momentum(0.9)}
    QUANTITIES = {"b": ("b", N_("momentum buffer (velocity): μ·b + g"))}
    LINES = (
        Line("b", r"b_t = \mu\, b_{t-1} + g_t", "momentum*b_prev + g"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, b_t", "theta_prev - lr*b"),
    )
    State = MomentumState

    def init(self, params):
        return MomentumState(base.step_count(), base.zeros(params))

    def update(self, grad, state, params):
        b = self.momentum * state.b + grad  # b_1 = g, since b_0 = 0 (torch clones g at the first step)
        new_params = params - self.lr * b
        return new_params, MomentumState(state.count + 1, b)
