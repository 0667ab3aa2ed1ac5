"""Yogi (Zaheer et al. 2018), as optax.yogi: Adam whose v moves by at most (1−β₂)g² per step."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class YogiState(NamedTuple):
    count: np.ndarray
    m: np.ndarray
    v: np.ndarray
    m_hat: np.ndarray
    v_hat: np.ndarray
    step_size: np.ndarray  # γ / (√v̂ + ε)


@dataclasses.dataclass(frozen=True)
class Yogi(base.Optimizer):
    """Yogi: Adam with an additive v update, v −= (1−β₂)·sign(v − g²)·g², so v cannot drop fast."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-3
    initial_accumulator: float = 1e-6

    name = "yogi"
    title = "Yogi"
    description = N_("Adam whose v changes by at most (1−β₂)g² a step: the step size cannot suddenly grow.")
    paper = "Zaheer et al. (2018), Adaptive Methods for Nonconvex Optimization"
    torch_equivalent = "(no torch.optim equivalent; optax.yogi(γ, b1=β₁, b2=β₂, eps=ε))"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-3, help=N_("ε, added to √v̂ (1e-3 in the paper and optax, far larger than Adam's).")),
        "initial_accumulator": Hyper(
            1e-6,
            0.0,
            10.0,
            log=True,
            symbol="s_0",
            help=N_("The value m and v start from (optax starts both at 1e-6, so v is positive from the start)."),
        ),
    }
    QUANTITIES = {
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate, moved additively towards g²")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "v_hat": (r"\hat v", N_("bias-corrected v")),
        "step_size": (r"\gamma/(\sqrt{\hat v}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line(
            "v",
            r"v_t = v_{t-1} - (1-\beta_2)\, \operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2",
            "v_prev - (1 - beta2)*sign(v_prev - g**2)*g**2",
        ),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)"),
        Line("v_hat", r"\hat v_t = v_t / (1-\beta_2^t)", "v/(1 - beta2**t)"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{\hat v_t} + \varepsilon)", "lr/(sqrt(v_hat) + eps)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \eta_t\, \hat m_t", "theta_prev - step_size*m_hat"),
    )
    State = YogiState

    def init(self, params):
        s0 = np.full(np.shape(params), float(self.initial_accumulator))
        z = base.zeros(params)
        return YogiState(base.step_count(), s0, s0, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        g2 = grad**2
        v = state.v - (1 - self.beta2) * np.sign(state.v - g2) * g2
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        step_size = self.lr / (np.sqrt(v_hat) + self.eps)
        new_params = params - step_size * m_hat
        return new_params, YogiState(t, m, v, m_hat, v_hat, step_size)
