"""Signum and signSGD (Bernstein et al. 2018), as optax.signum / optax.sign_sgd: step along the sign."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class SignumState(NamedTuple):
    count: np.ndarray
    m: np.ndarray  # momentum: running average of g (m = g when μ = 0)


@dataclasses.dataclass(frozen=True)
class Signum(base.Optimizer):
    """Signum: θ moves γ against the sign of a running average of g; with μ = 0 it is signSGD."""

    lr: float = 0.02
    momentum: float = 0.9

    name = "signum"
    title = "Signum"
    description = N_("Only the sign of (averaged) gradients counts: every coordinate moves exactly γ per step.")
    paper = "Bernstein et al. (2018), signSGD: Compressed Optimisation for Non-Convex Problems"
    torch_equivalent = "(no torch.optim equivalent; optax.signum(γ, beta=μ), optax.sign_sgd(γ) for μ = 0)"
    HYPERS = {
        "lr": base.lr(0.02),
        "momentum": Hyper(
            0.9,
            0.0,
            1.0,
            high_open=True,
            symbol=r"\mu",
            help=N_("Momentum μ: decay of the running average of g whose sign is taken. 0 is signSGD."),
        ),
    }
    QUANTITIES = {"m": ("m", N_("running average of g, not bias-corrected (only its sign is used)"))}
    LINES = (
        Line("m", r"m_t = \mu\, m_{t-1} + (1-\mu)\, g_t", "momentum*m_prev + (1 - momentum)*g"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, \operatorname{sign}(m_t)", "theta_prev - lr*sign(m)"),
    )
    State = SignumState

    def init(self, params):
        return SignumState(base.step_count(), base.zeros(params))

    def update(self, grad, state, params):
        m = self.momentum * state.m + (1 - self.momentum) * grad
        new_params = params - self.lr * np.sign(m)
        return new_params, SignumState(state.count + 1, m)
