"""Damped Newton's method: θ ← θ − γ (H + δI)⁻¹ g. Second order; it heads for any stationary point."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from . import base
from .base import Hyper, Line


class NewtonState(NamedTuple):
    count: np.ndarray
    H: np.ndarray  # Hessian at θ_{t−1}, shape (..., d, d)
    direction: np.ndarray  # (H + δI)⁻¹ g


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve a x = b over leading axes; a singular system gives NaN (divergence data, not an exception)."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(np.shape(b), np.nan)
        flat_a = a.reshape(-1, *a.shape[-2:])
        flat_b = b.reshape(-1, b.shape[-1])
        flat_out = out.reshape(-1, b.shape[-1])
        for i in range(flat_a.shape[0]):
            try:
                flat_out[i] = np.linalg.solve(flat_a[i], flat_b[i])
            except np.linalg.LinAlgError:
                pass
        return out


@dataclasses.dataclass(frozen=True)
class Newton(base.Optimizer):
    """Newton's method with damping: rescale the gradient by the inverse curvature."""

    lr: float = 1.0
    damping: float = 0.0

    name = "newton"
    title = "Newton"
    description = (
        "Jump to the stationary point of the local quadratic model: fast, but saddles attract it too."
    )
    paper = "Newton (1669) and Raphson (1690); see Nocedal & Wright, Numerical Optimization, ch. 3"
    torch_equivalent = "(no torch.optim equivalent; θ -= γ·torch.linalg.solve(H + δI, g))"
    HYPERS = {
        "lr": base.lr(1.0),
        "damping": Hyper(
            0.0,
            0.0,
            1e6,
            symbol=r"\delta",
            help="Damping δ added to the Hessian's diagonal: larger is closer to gradient descent.",
        ),
    }
    QUANTITIES = {
        "H": ("H", "Hessian ∇²f at θ_{t−1}"),
        "direction": (r"(H+\delta I)^{-1} g", "Newton direction"),
    }
    LINES = (
        Line("H", r"H_t = \nabla^2 f(\theta_{t-1})", "H"),
        Line("direction", r"d_t = (H_t + \delta I)^{-1} g_t", "solve(H + damping*eye, g)"),
        Line("theta", r"\theta_t = \theta_{t-1} - \gamma\, d_t", "theta_prev - lr*direction"),
    )
    needs_hessian = True
    State = NewtonState

    def init(self, params):
        d = np.shape(params)[-1]
        return NewtonState(base.step_count(), np.zeros((*np.shape(params), d)), base.zeros(params))

    def update(self, grad, state, params, hessian=None):
        if hessian is None:
            raise ValueError("newton needs the Hessian: update(grad, state, params, hessian)")
        eye = np.eye(np.shape(params)[-1])
        direction = solve(hessian + self.damping * eye, grad)
        new_params = params - self.lr * direction
        return new_params, NewtonState(state.count + 1, np.asarray(hessian, dtype=np.float64), direction)
