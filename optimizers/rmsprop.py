"""RMSprop, as torch.optim.RMSprop (alpha = ρ; optional centring and momentum)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class RMSpropState(NamedTuple):
    count: np.ndarray
    v: np.ndarray  # running average of g²
    gbar: np.ndarray  # running average of g (centred only)
    d: np.ndarray  # denominator √v + ε (or √(v − ḡ²) + ε)
    b: np.ndarray  # momentum buffer (momentum > 0 only)
    step_size: np.ndarray  # γ / d


@dataclasses.dataclass(frozen=True)
class RMSprop(base.Optimizer):
    """RMSprop: divide the step by the root of a decaying average of squared gradients."""

    lr: float = 0.01
    rho: float = 0.99
    eps: float = 1e-8
    momentum: float = 0.0
    centered: bool = False

    name = "rmsprop"
    title = "RMSprop"
    description = N_("Adagrad with a decaying average instead of a sum, so the steps can grow back.")
    paper = "Hinton, Srivastava & Swersky (2012), Neural Networks for Machine Learning, lecture 6e"
    torch_equivalent = "torch.optim.RMSprop(params, lr, alpha=ρ, eps=ε, momentum=μ, centered=...)"
    HYPERS = {
        "lr": base.lr(0.01),
        "rho": Hyper(
            0.99,
            0.0,
            1.0,
            symbol=r"\rho",
            help=N_("ρ (torch's alpha): decay of the average of g². 0.9 to 0.99 are usual."),
        ),
        "eps": base.eps(1e-8, help=N_("ε, added to √v, outside the root (Keras puts it inside).")),
        "momentum": Hyper(
            0.0,
            0.0,
            1.0,
            high_open=True,
            symbol=r"\mu",
            help=N_("Momentum μ on top of the scaled gradient; 0 turns it off."),
        ),
        "centered": Hyper(
            False, kind=bool, help=N_("Divide by an estimate of the variance, √(v − ḡ²), instead of √v.")
        ),
    }
    QUANTITIES = {
        "v": ("v", N_("running average of g²")),
        "gbar": (r"\bar g", N_("running average of g (centred)")),
        "d": ("d", N_("denominator")),
        "b": ("b", N_("momentum buffer")),
        "step_size": (r"\gamma/d", N_("effective step size per coordinate")),
    }
    LINES = (
        Line("v", r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2", "rho*v_prev + (1 - rho)*g**2"),
        Line(
            "gbar",
            r"\bar g_t = \rho\, \bar g_{t-1} + (1-\rho)\, g_t",
            "rho*gbar_prev + (1 - rho)*g",
            when="centered",
        ),
        Line("d", r"d_t = \sqrt{v_t - \bar g_t^2} + \varepsilon", "sqrt(v - gbar**2) + eps", when="centered"),
        Line("d", r"d_t = \sqrt{v_t} + \varepsilon", "sqrt(v) + eps", when="not centered"),
        Line("b", r"b_t = \mu\, b_{t-1} + g_t / d_t", "momentum*b_prev + g/d", when="momentum > 0"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, b_t", "theta_prev - lr*b", when="momentum > 0"),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1} - \gamma\, g_t / d_t",
            "theta_prev - lr*g/d",
            when="momentum == 0",
        ),
    )
    State = RMSpropState

    def init(self, params):
        z = base.zeros(params)
        return RMSpropState(base.step_count(), z, z, z, z, z)

    def update(self, grad, state, params):
        v = self.rho * state.v + (1 - self.rho) * grad**2
        if self.centered:
            gbar = self.rho * state.gbar + (1 - self.rho) * grad
            d = np.sqrt(v - gbar**2) + self.eps
        else:
            gbar = state.gbar
            d = np.sqrt(v) + self.eps
        if self.momentum > 0:
            b = self.momentum * state.b + grad / d
            new_params = params - self.lr * b
        else:
            b = state.b
            new_params = params - self.lr * grad / d
        return new_params, RMSpropState(state.count + 1, v, gbar, d, b, self.lr / d)
