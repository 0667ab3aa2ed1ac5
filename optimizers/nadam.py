"""NAdam, as torch.optim.NAdam: Adam with Nesterov momentum and a momentum schedule μ_t."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class NAdamState(NamedTuple):
    count: np.ndarray
    mu: np.ndarray  # μ_t (scalar)
    mu_next: np.ndarray  # μ_{t+1} (scalar)
    mu_product: np.ndarray  # Π_t = μ₁⋯μ_t (scalar)
    m: np.ndarray
    v: np.ndarray
    d: np.ndarray  # √(v/(1 − β₂ᵗ)) + ε


@dataclasses.dataclass(frozen=True)
class NAdam(base.Optimizer):
    """NAdam: Adam whose momentum step looks ahead, Nesterov-style, with a warming momentum schedule."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    momentum_decay: float = 4e-3

    name = "nadam"
    title = "NAdam"
    description = N_("Adam with Nesterov's look-ahead on the momentum term, and a schedule μ_t that warms up.")
    paper = "Dozat (2016), Incorporating Nesterov Momentum into Adam"
    torch_equivalent = "torch.optim.NAdam(params, lr, betas=(β₁, β₂), eps=ε, momentum_decay=ψ)"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v̂.")),
        "momentum_decay": Hyper(
            4e-3,
            0.0,
            1.0,
            symbol=r"\psi",
            help=N_("ψ: how fast the momentum schedule μ_t warms up to β₁ (torch default 4e-3)."),
        ),
    }
    QUANTITIES = {
        "mu": (r"\mu_t", N_("momentum coefficient at this step")),
        "mu_next": (r"\mu_{t+1}", N_("momentum coefficient at the next step")),
        "mu_product": (r"\Pi_t", N_("product of the μ so far")),
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "d": ("d", N_(r"denominator √v̂ + ε")),
    }
    LINES = (
        Line("mu", r"\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})", "beta1*(1 - 0.5*0.96**(t*momentum_decay))"),
        Line(
            "mu_next",
            r"\mu_{t+1} = \beta_1 (1 - \tfrac12\, 0.96^{(t+1)\psi})",
            "beta1*(1 - 0.5*0.96**((t + 1)*momentum_decay))",
        ),
        Line("mu_product", r"\Pi_t = \Pi_{t-1}\, \mu_t", "mu_product_prev*mu"),
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("d", r"d_t = \sqrt{v_t / (1-\beta_2^t)} + \varepsilon", "sqrt(v/(1 - beta2**t)) + eps"),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1} - \gamma \frac{1-\mu_t}{1-\Pi_t} \frac{g_t}{d_t}"
            r" - \gamma \frac{\mu_{t+1}}{1-\Pi_t \mu_{t+1}} \frac{m_t}{d_t}",
            "theta_prev - lr*(1 - mu)/(1 - mu_product)*g/d - lr*mu_next/(1 - mu_product*mu_next)*m/d",
        ),
    )
    State = NAdamState

    def init(self, params):
        z = base.zeros(params)
        one = np.ones((), dtype=np.float64)
        return NAdamState(base.step_count(), one * 0, one * 0, one, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        mu = self.beta1 * (1 - 0.5 * 0.96 ** (t * self.momentum_decay))
        mu_next = self.beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * self.momentum_decay))
        mu_product = state.mu_product * mu
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        d = np.sqrt(v / (1 - self.beta2**t)) + self.eps
        new_params = (
            params
            - self.lr * (1 - mu) / (1 - mu_product) * grad / d
            - self.lr * mu_next / (1 - mu_product * mu_next) * m / d
        )
        return new_params, NAdamState(t, mu, mu_next, mu_product, m, v, d)
