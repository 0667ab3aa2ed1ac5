"""AdamW, as torch.optim.AdamW: decoupled weight decay θ ← θ(1 − γλ) first, then the Adam step."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class AdamWState(NamedTuple):
    count: np.ndarray
    decayed: np.ndarray  # θ(1 − γλ), the parameters after weight decay
    m: np.ndarray
    v: np.ndarray
    m_hat: np.ndarray
    v_hat: np.ndarray
    step_size: np.ndarray


@dataclasses.dataclass(frozen=True)
class AdamW(base.Optimizer):
    """AdamW: Adam plus weight decay applied to the parameters directly, not through the gradient."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.01

    name = "adamw"
    title = "AdamW"
    description = N_("Adam with decoupled weight decay: shrink θ towards 0, then take the Adam step.")
    paper = "Loshchilov & Hutter (2019), Decoupled Weight Decay Regularization"
    torch_equivalent = "torch.optim.AdamW(params, lr, betas=(β₁, β₂), eps=ε, weight_decay=λ)"
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": base.beta1(),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v̂ after bias correction.")),
        "weight_decay": Hyper(
            0.01,
            0.0,
            100.0,
            symbol=r"\lambda",
            help=N_("Weight decay λ: each step first multiplies θ by (1 − γλ)."),
        ),
    }
    QUANTITIES = {
        "decayed": (r"\theta'", N_("parameters after weight decay")),
        "m": ("m", N_("first-moment estimate: running average of g")),
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "m_hat": (r"\hat m", N_("bias-corrected m")),
        "v_hat": (r"\hat v", N_("bias-corrected v")),
        "step_size": (r"\gamma/(\sqrt{\hat v}+\varepsilon)", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("decayed", r"\theta'_t = \theta_{t-1}\, (1 - \gamma\lambda)", "theta_prev*(1 - lr*weight_decay)"),
        Line("m", r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", "beta1*m_prev + (1 - beta1)*g"),
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("m_hat", r"\hat m_t = m_t / (1-\beta_1^t)", "m/(1 - beta1**t)"),
        Line("v_hat", r"\hat v_t = v_t / (1-\beta_2^t)", "v/(1 - beta2**t)"),
        Line("step_size", r"\eta_t = \gamma / (\sqrt{\hat v_t} + \varepsilon)", "lr/(sqrt(v_hat) + eps)"),
        Line("theta", r"\theta_t = \theta'_t - \eta_t\, \hat m_t", "decayed - step_size*m_hat"),
    )
    State = AdamWState

    def init(self, params):
        z = base.zeros(params)
        return AdamWState(base.step_count(), z, z, z, z, z, z)

    def update(self, grad, state, params):
        t = state.count + 1
        decayed = params * (1 - self.lr * self.weight_decay)
        m = self.beta1 * state.m + (1 - self.beta1) * grad
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        step_size = self.lr / (np.sqrt(v_hat) + self.eps)
        new_params = decayed - step_size * m_hat
        return new_params, AdamWState(t, decayed, m, v, m_hat, v_hat, step_size)
