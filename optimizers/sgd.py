"""Plain (stochastic) gradient descent, as torch.optim.SGD without momentum."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class SGDState(NamedTuple):
    count: np.ndarray  # t, the number of updates done
    step_size: np.ndarray  # γ per coordinate


@dataclasses.dataclass(frozen=True)
class SGD(base.Optimizer):
    """Gradient descent: step against the gradient, scaled by the learning rate."""

    lr: float = 0.05

    name = "sgd"
    title = "SGD"
    description = N_("Step straight downhill: θ ← θ − γ·g. The baseline every other method improves on.")
    paper = "Robbins & Monro (1951), A Stochastic Approximation Method"
    torch_equivalent = "torch.optim.SGD(params, lr)"
    HYPERS = {"lr": base.lr(0.05)}
    QUANTITIES = {"step_size": (r"\gamma", N_("effective step size per coordinate (here just γ)"))}
    LINES = (Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, g_t", "theta_prev - lr*g"),)
    State = SGDState

    def init(self, params):
        return SGDState(base.step_count(), base.zeros(params))

    def update(self, grad, state, params):
        step_size = np.full_like(params, self.lr, dtype=np.float64)
        new_params = params - self.lr * grad
        return new_params, SGDState(state.count + 1, step_size)
