"""Adagrad, as torch.optim.Adagrad (ε outside the square root)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class AdagradState(NamedTuple):
    count: np.ndarray
    s: np.ndarray  # sum of squared gradients
    step_size: np.ndarray  # γ / (√s + ε)


@dataclasses.dataclass(frozen=True)
class Adagrad(base.Optimizer):
    """Adagrad: divide each coordinate's step by the root of its summed squared gradients."""

    lr: float = 0.5
    eps: float = 1e-10
    initial_accumulator: float = 0.0

    name = "adagrad"
    title = "Adagrad"
    description = N_("Per-coordinate steps that shrink with the sum of past squared gradients; they never grow back.")
    paper = "Duchi, Hazan & Singer (2011), Adaptive Subgradient Methods"
    torch_equivalent = "torch.optim.Adagrad(params, lr, eps=ε, initial_accumulator_value=s₀)"
    HYPERS = {
        "lr": base.lr(0.5),
        "eps": base.eps(1e-10),
        "initial_accumulator": Hyper(
            0.0, 0.0, 1e6, symbol="s_0", help=N_("s₀, the starting value of the sum of squared gradients.")
        ),
    }
    QUANTITIES = {
        "s": ("s", N_("sum of squared gradients")),
        "step_size": (r"\gamma/(\sqrt{s}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("s", r"s_t = s_{t-1} + g_t^2", "s_prev + g**2"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{s_t} + \varepsilon)", "lr/(sqrt(s) + eps)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, g_t", "theta_prev - step_size*g"),
    )
    State = AdagradState

    def init(self, params):
        s0 = np.full(np.shape(params), self.initial_accumulator, dtype=np.float64)
        return AdagradState(base.step_count(), s0, base.zeros(params))

    def update(self, grad, state, params):
        s = state.s + grad**2
        step_size = self.lr / (np.sqrt(s) + self.eps)
        new_params = params - step_size * grad
        return new_params, AdagradState(state.count + 1, s, step_size)
