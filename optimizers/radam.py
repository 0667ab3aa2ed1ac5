"""RAdam, as torch.optim.RAdam: Adam's adaptive step only once its variance is tractable (ρ_t > 5)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class RAdamState(NamedTuple):
    count: np.ndarray
    m: np.ndarray
    v: np.ndarray
    m_hat: np.ndarray
    rho_inf: np.ndarray  # ρ∞ (scalar)
    rho: np.ndarray  # ρ_t (scalar)
    r: np.ndarray  # rectification term r_t (scalar; NaN while ρ_t ≤ 5)
    l: np.ndarray  # adaptive scale √(1−β₂ᵗ)/(√v + ε) (NaN while ρ_t ≤ 5)
    step_size: np.ndarray  # γ r_t l_t, or γ while ρ_t ≤ 5


@dataclasses.dataclass(frozen=True)
class RAdam(base.Optimizer):
    """RAdam: plain momentum SGD for the first steps, then Adam's step scaled by a rectification r_t."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name = "radam"
    title = "RAdam"
    description = N_(
        "Adam with a warm-up derived from theory: momentum SGD until v is trustworthy, then rectified Adam."
    )
    paper = "Liu et al. (2020), On the Variance of the Adaptive Learning Rate and Beyond"
    torch_equivalent = "torch.optim.RAdam(params, lr, betas=(β₁, β₂), eps=ε)"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v.")),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "rho_inf": (r"\rho_\infty", N_("maximum length of the approximated SMA")),
        "rho": (r"\rho_t", N_("length of the approximated SMA at step t")),
        "r": ("r_t", N_("variance rectification term")),
        "l": ("l_t", N_("adaptive scale √(1−β₂ᵗ)/(√v + ε)")),
        "step_size": (r"\gamma r_t l_t", N_("effective step size per coordinate (γ while ρ_t ≤ 5)")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)"),
        Line("rho_inf", r"\rho_\infty = 2/(1-\beta_2) - 1", "2/(1 - beta2) - 1"),
        Line(
            "rho",
            r"\rho_t = \rho_\infty - 2t\beta_2^t / (1-\beta_2^t)",
            "rho_inf - 2*t*beta2**t/(1 - beta2**t)",
        ),
        Line(
            "r",
            r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}",
            "sqrt((rho - 4)*(rho - 2)*rho_inf/((rho_inf - 4)*(rho_inf - 2)*rho))",
            when="rho > 5",
            when_tex=r"\rho_t > 5",
        ),
        Line(
            "l",
            r"l_t = \sqrt{1-\beta_2^t} / (\sqrt{v_t} + \varepsilon)",
            "sqrt(1 - beta2**t)/(sqrt(v) + eps)",
            when="rho > 5",
            when_tex=r"\rho_t > 5",
        ),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1} - \gamma\, \hat m_t\, r_t\, l_t",
            "theta_prev - lr*m_hat*r*l",
            when="rho > 5",
            when_tex=r"\rho_t > 5",
        ),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1} - \gamma\, \hat m_t",
            "theta_prev - lr*m_hat",
            when="rho <= 5",
            when_tex=r"\rho_t \le 5",
        ),
    )
    State = RAdamState

    def init(self, params):
        z = base.zeros(params)
        nan = np.full((), np.nan)
        return RAdamState(base.step_count(), z, z, z, nan, nan, nan, np.full(np.shape(params), np.nan), z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        m_hat = m / (1 - self.beta1**t)
        rho_inf = np.float64(2 / (1 - self.beta2) - 1)
        rho = rho_inf - 2 * t * self.beta2**t / (1 - self.beta2**t)
        if rho > 5:
            r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            l = np.sqrt(1 - self.beta2**t) / (np.sqrt(v) + self.eps)
            step_size = self.lr * r * l
            new_params = params - self.lr * m_hat * r * l
        else:
            r = np.full((), np.nan)
            l = np.full(np.shape(params), np.nan)
            step_size = np.full(np.shape(params), self.lr)
            new_params = params - self.lr * m_hat
        return new_params, RAdamState(t, m, v, m_hat, rho_inf, rho, r, l, step_size)
