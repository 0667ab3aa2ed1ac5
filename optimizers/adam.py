"""Adam (Kingma & Ba 2014, Algorithm 1), as torch.optim.Adam: ε is added after bias correction."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class AdamState(NamedTuple):
    count: np.ndarray
    m: np.ndarray  # first-moment estimate
    v: np.ndarray  # second-moment estimate
    m_hat: np.ndarray  # bias-corrected m
    v_hat: np.ndarray  # bias-corrected v
    step_size: np.ndarray  # γ / (√v̂ + ε)


@dataclasses.dataclass(frozen=True)
class Adam(base.Optimizer):
    """Adam: momentum on g (m) divided by the root of an average of g² (v), both bias-corrected."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True

    name = "adam"
    title = "Adam"
    description = N_("Momentum (m) over RMSprop's scale (√v), both corrected for starting at zero.")
    paper = "Kingma & Ba (2014), Adam: A Method for Stochastic Optimization"
    torch_equivalent = "torch.optim.Adam(params, lr, betas=(β₁, β₂), eps=ε)"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v̂ after bias correction (as torch and the paper's Algorithm 1).")),
        "bias_correction": base.bias_correction(),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "v_hat": (r"\hat v", N_("bias-corrected v")),
        "step_size": (r"\gamma/(\sqrt{\hat v}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)", when="bias_correction"),
        Line("v_hat", r"\hat v_t = v_t / (1-\beta_2^t)", "v/(1 - beta2**t)", when="bias_correction"),
        Line("m_hat", r"\hat m_t = m_t", "m", when="not bias_correction"),
        Line("v_hat", r"\hat v_t = v_t", "v", when="not bias_correction"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{\hat v_t} + \varepsilon)", "lr/(sqrt(v_hat) + eps)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, \hat m_t", "theta_prev - step_size*m_hat"),
    )
    State = AdamState

    def init(self, params):
        z = base.zeros(params)
        return AdamState(base.step_count(), z, z, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        if self.bias_correction:
            m_hat = m / (1 - self.beta1**t)
            v_hat = v / (1 - self.beta2**t)
        else:
            m_hat, v_hat = m, v
        step_size = self.lr / (np.sqrt(v_hat) + self.eps)
        new_params = params - step_size * m_hat
        return new_params, AdamState(t, m, v, m_hat, v_hat, step_size)
