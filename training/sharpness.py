"""The network's sharpness during training: λ_max of the Hessian of the full training loss, epoch by epoch.

Method. The network has hundreds to thousands of weights, so its Hessian H is never formed. Power iteration
needs only Hessian-vector products, and those come from **central finite differences of the exact gradient**
(the backward pass written out in training/mlp.py):

    H v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / (2ε),     ε = EPS_REL · max(1, ‖θ‖) for a unit vector v

whose error is O(ε²) from the third derivatives plus O(machine ε · ‖∇L‖ / ε) from rounding (EPS_REL = 1e-5
balances the two). With ReLU the gradient has kinks where a unit's input crosses zero; the difference then
straddles the kink only if some input lies within ε of it. tests/training/test_sharpness.py measures the
error against exact Hessians (softmax regression in closed form; hidden layers with torch.autograd).

Power iteration v ← Hv/‖Hv‖ converges to the eigenvalue of largest magnitude; its Rayleigh quotient vᵀHv is
the estimate. If that eigenvalue is negative, a second run on H − λI (whose top eigenvalue is λ_max − λ)
finds λ_max. Each epoch's run starts from the previous epoch's eigenvector (the top direction moves slowly),
and stops when the estimate changes by less than `tol` (relative) or after `iters` products.

For adaptive optimizers (optimizers.theory.PRECONDITIONED) it also measures the preconditioned sharpness
λ_max(P⁻¹H), P⁻¹ = η/γ the optimizer's per-coordinate step size over γ, as λ_max(D^½ H D^½) with D = P⁻¹.

The limits (optimizers.theory.stability_limit: 2/γ, (2 + 2μ)/γ, 38/γ for Adam at β₁ = 0.9) are for full-batch
training; with mini-batches the sharpness usually settles below them (Cohen et al. 2021, section 5).

Imports numpy only.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import optimizers
from optimizers.theory import PRECONDITIONED, Limit, stability_limit

from .mlp import MLP
from .train import Setup, fit, network_defaults

EPS_REL = 1e-5
ITERS = 100
TOL = 1e-4  # relative change of the estimate between products at which power iteration stops
MAX_POINTS = 40  # epochs measured at most (evenly spaced, always including 0 and the last)

Matvec = Callable[[np.ndarray], np.ndarray]


def hvp(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray, v: np.ndarray, eps_rel: float = EPS_REL):
    """H v for the mean cross-entropy over (X, y) at theta, by central differences of the exact gradient."""
    norm = float(np.linalg.norm(v))
    if norm == 0:
        return np.zeros_like(theta)
    eps = eps_rel * max(1.0, float(np.linalg.norm(theta))) / norm
    _, gp = model.loss_and_grad(theta + eps * v, X, y)
    _, gm = model.loss_and_grad(theta - eps * v, X, y)
    return (gp - gm) / (2.0 * eps)


def power_iteration(
    matvec: Matvec, n: int, *, v0: np.ndarray | None = None, iters: int = ITERS, tol: float = TOL, seed: int = 0
) -> tuple[float, np.ndarray, int]:
    """(λ, v, products): the eigenvalue of largest magnitude of a symmetric operator and its unit vector."""
    v = np.random.default_rng(seed).standard_normal(n) if v0 is None else np.array(v0, dtype=np.float64)
    v /= np.linalg.norm(v)
    lam = np.nan
    for k in range(1, iters + 1):
        w = matvec(v)
        new = float(v @ w)  # the Rayleigh quotient
        norm = float(np.linalg.norm(w))
        if not (np.isfinite(new) and np.isfinite(norm)) or norm == 0:
            return (new if np.isfinite(new) else np.nan), v, k
        done = np.isfinite(lam) and abs(new - lam) <= tol * abs(new)
        lam, v = new, w / norm
        if done:
            return lam, v, k
    return lam, v, iters


def top_eigenvalue(
    matvec: Matvec, n: int, *, v0: np.ndarray | None = None, iters: int = ITERS, tol: float = TOL
) -> tuple[float, np.ndarray, int]:
    """(λ_max, v, products): the largest (algebraic) eigenvalue, shifting if the largest in magnitude is < 0."""
    lam, v, k = power_iteration(matvec, n, v0=v0, iters=iters, tol=tol)
    if np.isfinite(lam) and lam < 0:
        shift = lam
        mu, v, k2 = power_iteration(lambda u: matvec(u) - shift * u, n, iters=iters, tol=tol, seed=1)
        return mu + shift, v, k + k2
    return lam, v, k


@dataclasses.dataclass(frozen=True, eq=False)
class NetworkSharpness:
    """Sharpness of the full training loss at the end of the measured epochs of one optimizer's training."""

    name: str
    title: str
    epochs: np.ndarray  # (k,) the epochs measured (0 = the initial weights)
    sharpness: np.ndarray  # (k,) λ_max(H)
    preconditioned: np.ndarray | None  # (k,) λ_max(P⁻¹H) for adaptive optimizers, else None
    limit: Limit
    products: int  # Hessian-vector products used (each costs two gradient passes over the training set)
    seconds: float

    @property
    def values(self) -> np.ndarray:
        if self.limit.preconditioned and self.preconditioned is not None:
            return self.preconditioned
        return self.sharpness

    @property
    def label(self) -> str:
        return "λmax(P⁻¹H)" if self.limit.preconditioned and self.preconditioned is not None else "λmax(H)"


def measured_epochs(epochs: int, points: int = MAX_POINTS) -> np.ndarray:
    """At most `points` epochs from 0 to `epochs`, evenly spaced, both ends included."""
    return np.unique(np.linspace(0, epochs, min(points, epochs + 1)).round().astype(int))


def sharpness_curve(
    setup: Setup,
    name: str,
    hypers: dict[str, Any] | None = None,
    *,
    points: int = MAX_POINTS,
    iters: int = ITERS,
    tol: float = TOL,
) -> NetworkSharpness:
    """Train `name` on `setup` as training.fit does (same weights, same batches) and measure the sharpness of
    the full training loss at up to `points` epochs. Epochs after a divergence are not measured (NaN)."""
    full = {**network_defaults(name), **dict(hypers or {})}
    opt = optimizers.make(name, **full)
    model, X, y = setup.model, setup.split.X_train, setup.split.y_train
    wanted = set(measured_epochs(setup.epochs, points).tolist())
    limit = stability_limit(opt)
    adaptive = name in PRECONDITIONED
    lr = float(full["lr"])
    found: dict[int, tuple[float, float]] = {}
    memo = {"v": None, "vp": None, "products": 0}

    def on_epoch(epoch: int, theta: np.ndarray, state: Any) -> None:
        if epoch not in wanted:
            return
        theta = np.array(theta)

        def h(v):
            return hvp(model, theta, X, y, v)

        lam, memo["v"], k = top_eigenvalue(h, theta.size, v0=memo["v"], iters=iters, tol=tol)
        memo["products"] += k
        pre = np.nan
        step = getattr(state, "step_size", None)
        if adaptive and step is not None and epoch > 0:
            s = np.sqrt(np.asarray(step, dtype=np.float64) / lr)
            pre, memo["vp"], k = top_eigenvalue(lambda u: s * h(s * u), theta.size, v0=memo["vp"], iters=iters, tol=tol)
            memo["products"] += k
        found[epoch] = (lam, pre)

    t0 = time.perf_counter()
    fit(setup, opt, name, on_epoch=on_epoch)
    seconds = time.perf_counter() - t0
    epochs = np.array(sorted(wanted))
    values = np.array([found.get(int(e), (np.nan, np.nan)) for e in epochs], dtype=np.float64).reshape(-1, 2)
    return NetworkSharpness(
        name=name,
        title=optimizers.get(name).title,
        epochs=epochs,
        sharpness=values[:, 0],
        preconditioned=values[:, 1] if adaptive else None,
        limit=limit,
        products=memo["products"],
        seconds=seconds,
    )
