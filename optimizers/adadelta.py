"""Adadelta, as torch.optim.Adadelta (ε inside both roots)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class AdadeltaState(NamedTuple):
    count: np.ndarray
    v: np.ndarray  # running average of g²
    u: np.ndarray  # running average of Δ²
    delta: np.ndarray  # Δ, the unit-corrected step before γ
    step_size: np.ndarray  # γ √(u+ε)/√(v+ε) (with the previous u)


@dataclasses.dataclass(frozen=True)
class Adadelta(base.Optimizer):
    """Adadelta: like RMSprop, but the step's scale comes from a running average of past steps."""

    lr: float = 1.0
    rho: float = 0.9
    eps: float = 1e-3

    name = "adadelta"
    title = "Adadelta"
    description = N_("RMSprop whose numerator is the RMS of past steps: no learning rate to pick (γ = 1).")
    paper = "Zeiler (2012), ADADELTA: An Adaptive Learning Rate Method"
    torch_equivalent = "torch.optim.Adadelta(params, lr, rho=ρ, eps=ε)"
    HYPERS = {
        "lr": base.lr(1.0),
        "rho": Hyper(0.9, 0.0, 1.0, symbol=r"\rho", help=N_("ρ: decay of both running averages (of g² and of Δ²).")),
        "eps": base.eps(
            1e-3,
            help=N_(
                "ε, inside both square roots; it sets the size of the very first steps "
                "(torch's default 1e-6 makes them tiny)."
            ),
        ),
    }
    QUANTITIES = {
        "v": ("v", N_("running average of g²")),
        "u": ("u", N_("running average of Δ²")),
        "delta": (r"\Delta", N_("step before the learning rate")),
        "step_size": (
            r"\gamma\sqrt{u+\varepsilon}/\sqrt{v+\varepsilon}",
            N_("effective step size per coordinate"),
        ),
    }
    LINES = (
        Line("v", r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2", "rho*v_prev + (1 - rho)*g**2"),
        Line(
            "delta",
            r"\Delta_t = \frac{\sqrt{u_{t-1}+\varepsilon}}{\sqrt{v_t+\varepsilon}}\, g_t",
            "sqrt(u_prev + eps)/sqrt(v + eps)*g",
        ),
        Line("u", r"u_t = \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2", "rho*u_prev + (1 - rho)*delta**2"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, \Delta_t", "theta_prev - lr*delta"),
    )
    State = AdadeltaState

    def init(self, params):
        z = base.zeros(params)
        return AdadeltaState(base.step_count(), z, z, z, z)

    def update(self, grad, state, params):
        v = self.rho * state.v + (1 - self.rho) * grad**2
        ratio = np.sqrt(state.u + self.eps) / np.sqrt(v + self.eps)
        delta = ratio * grad
        u = self.rho * state.u + (1 - self.rho) * delta**2
        new_params = params - self.lr * delta
        return new_params, AdadeltaState(state.count + 1, v, u, delta, self.lr * ratio)
