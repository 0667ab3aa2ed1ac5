"""Lion (Chen et al. 2023), as optax.lion: the sign of an interpolation of momentum and gradient."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class LionState(NamedTuple):
    count: np.ndarray
    c: np.ndarray  # β₁m + (1−β₁)g: the direction whose sign is taken
    m: np.ndarray  # momentum, kept with its own decay β₂


@dataclasses.dataclass(frozen=True)
class Lion(base.Optimizer):
    """Lion: step γ along the sign of β₁m + (1−β₁)g in every coordinate; m decays with a slower β₂."""

    lr: float = 0.02
    beta1: float = 0.9
    beta2: float = 0.99
    weight_decay: float = 0.0

    name = "lion"
    title = "Lion"
    description = N_("Every coordinate moves exactly γ per step: the sign of a blend of momentum and gradient.")
    paper = "Chen et al. (2023), Symbolic Discovery of Optimization Algorithms"
    torch_equivalent = "(no torch.optim equivalent; optax.lion(γ, b1=β₁, b2=β₂, weight_decay=λ))"
    HYPERS = {
        "lr": base.lr(0.02),
        "beta1": Hyper(
            0.9,
            0.0,
            1.0,
            high_open=True,
            symbol=r"\beta_1",
            help=N_(
                "β₁: how much of the momentum m goes into the step's direction (the rest is the new g). 0.9 usual."
            ),
        ),
        "beta2": Hyper(
            0.99,
            0.0,
            1.0,
            high_open=True,
            symbol=r"\beta_2",
            help=N_("β₂: decay of the momentum m kept for the next steps. 0.99 is the paper's value."),
        ),
        "weight_decay": base.weight_decay(
            0.0, help=N_("Weight decay λ, decoupled and multiplied by γ: the step is γ(sign(c) + λθ).")
        ),
    }
    QUANTITIES = {
        "c": ("c", N_("interpolation β₁m + (1−β₁)g, whose sign is the step's direction")),
        "m": ("m", N_("momentum: running average of g with decay β₂")),
    }
    LINES = (
        Line("c", r"c_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("m", r"m_t = \beta_2 m_{t-1} + (1-\beta_2)\, g_t", "beta2*m_prev + (1 - beta2)*g"),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1} - \gamma\, (\operatorname{sign}(c_t) + \lambda\theta_{t-1})",
            "theta_prev - lr*(sign(c) + weight_decay*theta_prev)",
        ),
    )
    State = LionState

    def init(self, params):
        z = base.zeros(params)
        return LionState(base.step_count(), z, z)

    def update(self, grad, state, params):
        c = self.beta1 * state.m + (1 - self.beta1) * grad
        m = self.beta2 * state.m + (1 - self.beta2) * grad
        new_params = params - self.lr * (np.sign(c) + self.weight_decay * params)
        return new_params, LionState(state.count + 1, c, m)
