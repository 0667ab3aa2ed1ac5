"""Schedule-Free SGD and AdamW (Defazio et al. 2024), as optax.contrib.schedule_free_sgd / schedule_free_adamw.

Three sequences, all started at θ₀:
    z  the base optimizer's iterates: a plain SGD (or AdamW) step, taken with the gradient at y;
    x  the running average of the z's, x_t = (1 − c_t) x_{t−1} + c_t z_t with c_t = 1/t: the point to evaluate;
    y  the interpolation (1 − β) z + β x, where the next gradient is taken.

The engine's θ (the path on the map, its loss, the gradient g) is y: what optax returns as `params`, and the only
point at which a gradient is ever computed. x and z are in the state; optax gives x as
`optax.contrib.schedule_free_eval_params(state, params)`, and x is the point whose loss the method's guarantees
are about. With a constant γ and no warm-up, optax's averaging weight γ²/Σγ² is exactly 1/t, as written here.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from i18n import N_

from . import base
from .base import Hyper, Line


def _interpolation(default: float, name: str) -> Hyper:
    return Hyper(
        default,
        0.0,
        1.0,
        high_open=True,
        symbol=r"\beta_1" if name == "beta1" else r"\mu",
        help=N_(
            "β: where the gradient is taken, y = (1 − β) z + β x: 0 is at z (plain SGD), near 1 at the average "
            "x. 0.9 in the paper."
        ),
    )


def _schedule_free_lines(z_line: Line, weight: str) -> tuple[Line, ...]:
    return (
        z_line,
        Line("c", r"c_t = 1/t", "1/t"),
        Line("x", r"x_t = (1 - c_t)\, x_{t-1} + c_t\, z_t", "(1 - c)*x_prev + c*z"),
        Line(
            "theta",
            rf"\theta_t = y_t = (1 - {weight})\, z_t + {weight}\, x_t",
            f"(1 - {_expr(weight)})*z + {_expr(weight)}*x",
        ),
    )


def _expr(weight_tex: str) -> str:
    return "beta1" if weight_tex == r"\beta_1" else "momentum"


_X = ("x", N_("average of the z's: the point to evaluate (optax's schedule_free_eval_params)"))
_Z = ("z", N_("base iterates: the base optimizer's own, stepped with the gradient at y"))
_C = ("c_t", N_("averaging weight 1/t"))


class ScheduleFreeSGDState(NamedTuple):
    count: np.ndarray
    z: np.ndarray
    c: np.ndarray  # c_t = 1/t (scalar)
    x: np.ndarray


@dataclasses.dataclass(frozen=True)
class ScheduleFreeSGD(base.Optimizer):
    """Schedule-Free SGD: SGD steps on z, the gradient taken at y, between z and the average x of the z's."""

    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 0.0

    name = "sf_sgd"
    title = "Schedule-Free SGD"
    description = N_("SGD on z, evaluated at the running average x, with gradients at a point y in between.")
    paper = "Defazio et al. (2024), The Road Less Scheduled"
    torch_equivalent = "schedulefree.SGDScheduleFree(params, lr, momentum=β); optax.contrib.schedule_free_sgd"
    HYPERS = {
        "lr": base.lr(0.1),
        "momentum": _interpolation(0.9, "momentum"),
        "weight_decay": base.weight_decay(
            0.0, help=N_("Weight decay λ, coupled: λy is added to the gradient, as optax does.")
        ),
    }
    QUANTITIES = {"z": _Z, "c": _C, "x": _X}
    LINES = _schedule_free_lines(
        Line("z", r"z_t = z_{t-1} - \gamma\, (g_t + \lambda y_{t-1})", "z_prev - lr*(g + weight_decay*theta_prev)"),
        r"\mu",
    )
    State = ScheduleFreeSGDState

    def init(self, params):
        p = np.array(params, dtype=np.float64)
        return ScheduleFreeSGDState(base.step_count(), p, np.full((), np.nan), p)

    def update(self, grad, state, params):
        t = state.count + 1
        z = state.z - self.lr * (grad + self.weight_decay * params)
        c = np.float64(1 / t)
        x = (1 - c) * state.x + c * z
        new_params = (1 - self.momentum) * z + self.momentum * x
        return new_params, ScheduleFreeSGDState(t, z, c, x)


class ScheduleFreeAdamWState(NamedTuple):
    count: np.ndarray
    v: np.ndarray
    v_hat: np.ndarray
    z: np.ndarray
    c: np.ndarray
    x: np.ndarray


@dataclasses.dataclass(frozen=True)
class ScheduleFreeAdamW(base.Optimizer):
    """Schedule-Free AdamW: AdamW without its momentum (β₁ = 0) steps z; y and x as in Schedule-Free SGD."""

    lr: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    name = "sf_adamw"
    title = "Schedule-Free AdamW"
    description = N_("RMSprop-scaled steps on z, evaluated at their running average x, gradients at y in between.")
    paper = "Defazio et al. (2024), The Road Less Scheduled"
    torch_equivalent = (
        "schedulefree.AdamWScheduleFree (warm-up and bias correction differ); optax.contrib.schedule_free_adamw"
    )
    HYPERS = {
        "lr": base.lr(0.05),
        "beta1": _interpolation(0.9, "beta1"),
        "beta2": base.beta2(),
        "eps": base.eps(1e-8, help=N_("ε, added to √v̂.")),
        "weight_decay": base.weight_decay(
            0.0, help=N_("Weight decay λ, added to the scaled step as λy and multiplied by γ, as optax does.")
        ),
    }
    QUANTITIES = {
        "v": ("v", N_("second-moment estimate: running average of g²")),
        "v_hat": (r"\hat v", N_("bias-corrected v")),
        "z": _Z,
        "c": _C,
        "x": _X,
    }
    LINES = (
        Line("v", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2", "beta2*v_prev + (1 - beta2)*g**2"),
        Line("v_hat", r"\hat v_t = v_t / (1-\beta_2^t)", "v/(1 - beta2**t)"),
        *_schedule_free_lines(
            Line(
                "z",
                r"z_t = z_{t-1} - \gamma\, (g_t / (\sqrt{\hat v_t} + \varepsilon) + \lambda y_{t-1})",
                "z_prev - lr*(g/(sqrt(v_hat) + eps) + weight_decay*theta_prev)",
            ),
            r"\beta_1",
        ),
    )
    State = ScheduleFreeAdamWState

    def init(self, params):
        p = np.array(params, dtype=np.float64)
        z = base.zeros(params)
        return ScheduleFreeAdamWState(base.step_count(), z, z, p, np.full((), np.nan), p)

    def update(self, grad, state, params):
        t = state.count + 1
        v = self.beta2 * state.v + (1 - self.beta2) * grad**2
        v_hat = v / (1 - self.beta2**t)
        z = state.z - self.lr * (grad / (np.sqrt(v_hat) + self.eps) + self.weight_decay * params)
        c = np.float64(1 / t)
        x = (1 - c) * state.x + c * z
        new_params = (1 - self.beta1) * z + self.beta1 * x
        return new_params, ScheduleFreeAdamWState(t, v, v_hat, z, c, x)
