"""AMSGrad, as torch.optim.Adam(amsgrad=True): the maximum is taken over the raw v, then bias-corrected."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Line


class AMSGradState(NamedTuple):
    count: np.ndarray
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # running maximum of v
    m_hat: np.ndarray
    v_hat: np.ndarray  # bias-corrected v_max
    step_size: np.ndarray


@dataclasses.dataclass(frozen=True)
class AMSGrad(base.Optimizer):
    """AMSGrad: Adam whose denominator never shrinks (it uses the largest v so far)."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True

    name = "amsgrad"
    title = "AMSGrad"
    description = N_("Adam with a non-decreasing denominator (max of v), so the step size can only shrink.")
    paper = "Reddi, Kale & Kumar (2018), On the Convergence of Adam and Beyond"
    torch_equivalent = "torch.optim.Adam(params, lr, betas=(β₁, β₂), eps=ε, amsgrad=True)"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v̂ after bias correction.")),
        "bias_correction": base.bias_correction(),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "v_max": (r"v^{\max}", N_("largest v so far")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "v_hat": (r"\hat v", N_("bias-corrected v_max")),
        "step_size": (r"\gamma/(\sqrt{\hat v}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("v_max", r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t)", "maximum(v_max_prev, v)"),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)", when="bias_correction"),
        Line("v_hat", r"\hat v_t = v^{\max}_t / (1-\beta_2^t)", "v_max/(1 - beta2**t)", when="bias_correction"),
        Line("m_hat", r"\hat m_t = m_t", "m", when="not bias_correction"),
        Line("v_hat", r"\hat v_t = v^{\max}_t", "v_max", when="not bias_correction"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{\hat v_t} + \varepsilon)", "lr/(sqrt(v_hat) + eps)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, \hat m_t", "theta_prev - step_size*m_hat"),
    )
    State = AMSGradState

    def init(self, params):
        z = base.zeros(params)
        return AMSGradState(base.step_count(), z, z, z, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        v_max = np.maximum(state.v_max, v)
        if self.bias_correction:
            m_hat = m / (1 - self.beta1**t)
            v_hat = v_max / (1 - self.beta2**t)
        else:
            m_hat, v_hat = m, v_max
        step_size = self.lr / (np.sqrt(v_hat) + self.eps)
        new_params = params - step_size * m_hat
        return new_params, AMSGradState(t, m, v, v_max, m_hat, v_hat, step_size)
