"""Adafactor (Shazeer & Stern 2018) on a vector, as torch.optim.Adafactor: no factoring, relative step, clipping.

On a matrix Adafactor keeps only row and column sums of g² (hence its name); a point on a 2-D surface, and the
network page's flat weight vector, are vectors, for which torch keeps the full v, as here. Two of its quantities
are read over the whole vector, not per coordinate: the root-mean-square of θ (the relative step) and of the
update (the clipping). A batch of starts still runs as each start alone: the vector is a point's last axis.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


class AdafactorState(NamedTuple):
    count: np.ndarray
    beta2_hat: np.ndarray  # β̂₂ₜ = 1 − t^c (scalar)
    v: np.ndarray  # running average of g² with decay β̂₂ₜ
    rho: np.ndarray  # relative step min(γ, 1/√t) (scalar)
    alpha: np.ndarray  # step size max(ε₂, RMS(θ)) ρₜ (one per point)
    u: np.ndarray  # g / √max(v, ε₁²)
    denom: np.ndarray  # clipping max(1, RMS(u)/d) (one per point)


EPS1 = float(np.finfo(np.float64).eps)  # torch's default ε₁ (None): the parameter dtype's machine epsilon


@dataclasses.dataclass(frozen=True)
class Adafactor(base.Optimizer):
    """Adafactor: RMSprop with a decay that tends to 1, steps relative to the size of θ, and update clipping."""

    lr: float = 0.05
    beta2_decay: float = -0.8
    eps1: float = EPS1
    eps2: float = 1e-3
    d: float = 1.0
    weight_decay: float = 0.0

    name = "adafactor"
    title = "Adafactor"
    description = N_("Steps relative to θ's own size, a second moment with a growing memory, and clipped updates.")
    paper = "Shazeer & Stern (2018), Adafactor: Adaptive Learning Rates with Sublinear Memory Cost"
    torch_equivalent = "torch.optim.Adafactor(params, lr, beta2_decay=c, eps=(ε₁, ε₂), d=d, weight_decay=λ)"
    elementwise = False
    HYPERS = {
        "lr": Hyper(
            0.05,
            0.0,
            10.0,
            low_open=True,
            log=True,
            symbol=r"\gamma",
            help=N_("Learning rate γ: the cap of the relative step ρₜ = min(γ, 1/√t), a fraction of RMS(θ)."),
        ),
        "beta2_decay": Hyper(
            -0.8,
            -10.0,
            0.0,
            symbol="c",
            help=N_(
                "c: the decay of v is β̂₂ₜ = 1 − tᶜ, so v's memory grows with t. −0.8 in the paper and torch; "
                "0 keeps no memory (v = g²)."
            ),
        ),
        "eps1": base.eps(
            EPS1, help=N_("ε, ε₁: v is floored at ε₁² before the root (torch's default: float64's machine ε).")
        ),
        "eps2": Hyper(
            1e-3,
            0.0,
            1.0,
            log=True,
            symbol=r"\varepsilon_2",
            help=N_("ε₂: the smallest RMS(θ) the relative step uses, so θ = 0 can still move."),
        ),
        "d": Hyper(
            1.0,
            1.0,
            100.0,
            symbol="d",
            help=N_("Clipping threshold d: the update is scaled down whenever its RMS exceeds d."),
        ),
        "weight_decay": base.weight_decay(
            0.0, help=N_("Weight decay λ, decoupled: θ is first multiplied by (1 − γλ), as torch does.")
        ),
    }
    QUANTITIES = {
        "beta2_hat": (r"\hat\beta_2", N_("decay of v at this step, 1 − tᶜ")),
        "v": ("v", N_("running average of g²")),
        "rho": (r"\rho_t", N_("relative step size min(γ, 1/√t)")),
        "alpha": (r"\alpha_t", N_("step size: ρₜ times RMS(θ) (at least ε₂)")),
        "u": ("u", N_("update direction g/√v")),
        "denom": (r"\max(1, \mathrm{RMS}(u)/d)", N_("clipping divisor (1 unless RMS(u) > d)")),
    }
    LINES = (
        Line("beta2_hat", r"\hat\beta_{2,t} = 1 - t^{c}", "1 - t**beta2_decay"),
        Line(
            "v",
            r"v_t = \hat\beta_{2,t}\, v_{t-1} + (1-\hat\beta_{2,t})\, g_t^2",
            "beta2_hat*v_prev + (1 - beta2_hat)*g**2",
        ),
        # Two cases rather than a min(): the inspector writes max() as maths, and its condition shows which applies.
        Line("rho", r"\rho_t = \gamma", "lr", when="lr <= 1/sqrt(t)", when_tex=r"\gamma \le 1/\sqrt{t}"),
        Line("rho", r"\rho_t = 1/\sqrt{t}", "1/sqrt(t)", when="lr > 1/sqrt(t)", when_tex=r"\gamma > 1/\sqrt{t}"),
        Line(
            "alpha",
            r"\alpha_t = \max(\varepsilon_2, \mathrm{RMS}(\theta_{t-1}))\, \rho_t",
            "maximum(eps2, rms(theta_prev))*rho",
        ),
        Line("u", r"u_t = g_t / \sqrt{\max(v_t, \varepsilon_1^2)}", "g/sqrt(maximum(v, eps1*eps1))"),
        Line("denom", r"D_t = \max(1, \mathrm{RMS}(u_t)/d)", "maximum(1, rms(u)/d)"),
        Line(
            "theta",
            r"\theta_t = \theta_{t-1}\, (1 - \gamma\lambda) - (\alpha_t / D_t)\, u_t",
            "theta_prev*(1 - lr*weight_decay) - alpha/denom*u",
        ),
    )
    State = AdafactorState

    def init(self, params):
        point = np.shape(params)[:-1]
        nan = np.full((), np.nan)
        rho = np.full(np.shape(self.lr), np.nan)  # ρₜ has the learning rate's shape ((k, 1) in a sweep)
        return AdafactorState(
            base.step_count(), nan, base.zeros(params), rho, np.zeros(point), base.zeros(params), np.ones(point)
        )

    def update(self, grad, state, params):
        # Written as torch computes it, operation for operation (its lerp, its rsqrt, its norm / (√n·d)), so
        # that the iterates agree to the last bits over a long run, not only to the formula's precision.
        t = state.count + 1
        w = float(t) ** self.beta2_decay  # 1 − β̂₂ₜ
        beta2_hat = np.float64(1 - w)
        g2 = grad * grad
        v = state.v + w * (g2 - state.v) if w < 0.5 else g2 - (g2 - state.v) * (1 - w)  # torch's lerp
        rho = np.minimum(self.lr, 1 / float(t) ** 0.5)  # an lr of shape (k, 1) (a sweep) gives ρ of shape (k, 1)
        n = np.shape(params)[-1]
        # Per point, kept with a trailing axis of 1 while computing so that it broadcasts against ρ and u.
        alpha = np.maximum(self.eps2, np.linalg.norm(params, axis=-1, keepdims=True) / n**0.5) * rho
        u = 1 / np.sqrt(np.maximum(v, self.eps1 * self.eps1)) * grad
        denom = np.maximum(1.0, np.linalg.norm(u, axis=-1, keepdims=True) / (n**0.5 * self.d))
        new_params = params * (1 - self.lr * self.weight_decay) + -(alpha / denom) * u
        return new_params, AdafactorState(t, beta2_hat, v, rho, alpha[..., 0], u, denom[..., 0])
