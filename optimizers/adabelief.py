"""AdaBelief (Zhuang et al. 2020), as optax.adabelief: Adam dividing by the spread of g around m."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class AdaBeliefState(NamedTuple):
    count: np.ndarray
    m: np.ndarray  # first-moment estimate
    s: np.ndarray  # running average of (g − m)² + ε_root: how far g strays from its prediction m
    m_hat: np.ndarray
    s_hat: np.ndarray
    step_size: np.ndarray  # γ / (√ŝ + ε)


@dataclasses.dataclass(frozen=True)
class AdaBelief(base.Optimizer):
    """AdaBelief: Adam with v replaced by s, the running average of (g − m)²: large steps while g is predictable."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-16
    eps_root: float = 1e-16

    name = "adabelief"
    title = "AdaBelief"
    description = N_("Adam that divides by how far g strays from m: big steps where the gradient is as predicted.")
    paper = "Zhuang et al. (2020), AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients"
    torch_equivalent = "(no torch.optim equivalent; optax.adabelief(γ, b1=β₁, b2=β₂, eps=ε, eps_root=ε_root))"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.Hyper(
            0.999,
            0.0,
            1.0,
            high_open=True,
            symbol=r"\beta_2",
            help=N_("β₂: decay of s, the running average of (g − m)². 0.999 is the usual value."),
        ),
        "eps": base.eps(1e-16, help=N_("ε, added to √ŝ (the paper's and optax's default is 1e-16).")),
        "eps_root": base.Hyper(
            1e-16,
            0.0,
            1.0,
            log=True,
            symbol=r"\varepsilon_r",
            help=N_("ε_root, added to s at every step (the paper's ε inside the root), so s is never zero."),
        ),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g, the prediction of the next g")),
        "s": ("s", N_("running average of (g − m)²: the belief's error")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "s_hat": (r"\hat s", N_("bias-corrected s")),
        "step_size": (r"\gamma/(\sqrt{\hat s}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line(
            "s",
            r"s_t = \beta_2 s_{t-1} + (1-\beta_2)\, (g_t - m_t)^2 + \varepsilon_r",
            "beta2*s_prev + (1 - beta2)*(g - m)**2 + eps_root",
        ),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)"),
        Line("s_hat", r"\hat s_t = s_t / (1-\beta_2^t)", "s/(1 - beta2**t)"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{\hat s_t} + \varepsilon)", "lr/(sqrt(s_hat) + eps)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, \hat m_t", "theta_prev - step_size*m_hat"),
    )
    State = AdaBeliefState

    def init(self, params):
        z = base.zeros(params)
        return AdaBeliefState(base.step_count(), z, z, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        s = self.beta2 * state.s + (1 - self.beta2) * (grad - m) ** 2 + self.eps_root
        m_hat = m / (1 - self.beta1**t)
        s_hat = s / (1 - self.beta2**t)
        step_size = self.lr / (np.sqrt(s_hat) + self.eps)
        new_params = params - step_size * m_hat
        return new_params, AdaBeliefState(t, m, s, m_hat, s_hat, step_size)
