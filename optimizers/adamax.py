"""AdaMax, as torch.optim.Adamax: u = max(β₂u, |g| + ε) (the paper has no ε)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class AdamaxState(NamedTuple):
    count: np.ndarray
    m: np.ndarray
    u: np.ndarray  # exponentially weighted infinity norm
    step_size: np.ndarray  # γ / ((1 − β₁ᵗ) u)


@dataclasses.dataclass(frozen=True)
class Adamax(base.Optimizer):
    """AdaMax: Adam with the L2 average of g² replaced by a decaying maximum of |g| (the ∞-norm)."""

    lr: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name = "adamax"
    title = "AdaMax"
    description = N_("Adam's ∞-norm variant: divide by a decaying maximum of |g| instead of √v.")
    paper = "Kingma & Ba (2014), Adam, section 7.1"
    torch_equivalent = "torch.optim.Adamax(params, lr, betas=(β₁, β₂), eps=ε)"
    HYPERS = {
        "lr": base.lr(0.1),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to |g| inside the maximum (torch; the paper has none).")),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g")),
        "u": ("u", N_("decaying maximum of |g|")),
        "step_size": (r"\gamma/((1-\beta_1^t)u)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("u", r"u_t = \max(\beta_2 u_{t-1},\, |g_t| + \varepsilon)", "maximum(beta2*u_prev, abs(g) + eps)"),
        Line("step_size", r"\eta_t = \gamma / ((1-\beta_1^t)\, u_t)", "lr/((1 - beta1**t)*u)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, m_t", "theta_prev - step_size*m"),
    )
    State = AdamaxState

    def init(self, params):
        z = base.zeros(params)
        return AdamaxState(base.step_count(), z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        u = np.maximum(self.beta2 * state.u, np.abs(grad) + self.eps)
        step_size = self.lr / ((1 - self.beta1**t) * u)
        new_params = params - step_size * m
        return new_params, AdamaxState(t, m, u, step_size)
