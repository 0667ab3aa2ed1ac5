"""The theory beside the run: the local quadratic model, stability limits, rates, and the edge of stability.

Near a point p, a smooth loss is its second-order Taylor model

    q(p + d) = f(p) + g·d + ½ dᵀ H d,       H = ∇²f(p) = V diag(λ) Vᵀ,  λ_min <= λ_max

and everything below is about that model (exact on a quadratic: the bowl, the ravine, the saddle).

Gradient descent (θ ← θ − γ g) multiplies the error along eigenvector i by (1 − γ λ_i) per step:

    stable iff γ < 2/λ_max (gd_lr_max); fastest at γ* = 2/(λ_min + λ_max) (gd_lr_best), where the two
    extreme factors are equal and opposite and the error shrinks by (κ − 1)/(κ + 1) per step (gd_rate),
    κ = λ_max/λ_min.

Heavy-ball momentum (θ_{t+1} = θ_t − γ g + μ(θ_t − θ_{t−1}), which is torch's b ← μb + g, θ ← θ − γb) is
stable iff γ λ_max < 2 + 2μ; Polyak's best pair

    (γ*, μ*) = (4/(√λ_max + √λ_min)², ((√κ − 1)/(√κ + 1))²)    (heavy_ball_best)

gives the rate (√κ − 1)/(√κ + 1) (heavy_ball_rate). With those values the extreme directions are critically
damped (a double root), so the error along them is (a + b t) rᵗ: the ratio of successive distances tends
to r only like r (1 + 1/t), and with other values it oscillates (complex roots), unlike gradient descent's.
What the run measures instead (measured_mode_rate): along each eigenvector, momentum's error c_t follows
c_t = s c_{t−1} − p c_{t−2}; s and p are read off four successive iterates, and the direction's rate is the
largest |root| of z² − s z + p (gradient descent: |c_t / c_{t−1}|). On an exact quadratic that is the
spectral radius the model predicts, at every step from the third, to rounding.

At a saddle (λ_min < 0) the error along the eigenvector of λ_min (escape_direction) is multiplied by
1 + γ|λ_min| > 1 per step (gd_growth(γ)): gradient descent leaves along it, geometrically.

Edge of stability (Cohen et al. 2021, 2022): the sharpness λ_max(H(θ_t)) of a gradient-descent run rises
to its stability limit 2/γ and hovers there; for heavy-ball momentum the limit is (2 + 2μ)/γ, for Nesterov
(torch's form) (2 + 2μ)/(γ(1 + 2μ)). Adaptive methods precondition: their step is γ P⁻¹ (...) with P the
per-coordinate denominator (√v̂ + ε for Adam), and what meets the limit is the preconditioned sharpness
λ_max(P⁻¹ H): 2/γ for Adagrad and RMSprop, (2 + 2μ)/γ for RMSprop with momentum, and
(2 + 2β₁)/(γ(1 − β₁)) for Adam and AMSGrad (38/γ at β₁ = 0.9; Cohen et al. 2022) — from the heavy-ball
limit, since Adam's m ← β₁m + (1 − β₁)g is heavy ball with μ = β₁ and step γ(1 − β₁), with P frozen.

API (all re-exported by optimizers.analysis):
    quadratic_model(surface, point) -> QuadraticModel      the model and its predictions at one point
    curvature(surface, points)                              eigenvalues/eigenvectors at many points at once
    model_radius(surface, points)                           how far from a point the model holds
    measured_rate(points, center, direction=None)           d_t / d_{t−1} along a run
    measured_mode_rate(points, center, eigenvectors, order) the slowest eigen-direction's rate (see above)
    stability_limit(optimizer) -> Limit                     the edge-of-stability limit and its formula
    sharpness(traj, surface) -> Sharpness                   λ_max(H) (and λ_max(P⁻¹H)) per step of a run
    step_theory(traj, surface, t) -> StepTheory             the Explorer's numbers at step t
    best_hypers(name, model)                                 γ* (and μ*) for "use the best γ"

NumPy only. Nothing here raises on a run that diverged: quantities that do not exist are None (or NaN in
per-step arrays), and each docstring says why.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from i18n import N_, translator

_, ngettext = translator("core")

# The optimizers whose step is preconditioned by a per-coordinate denominator recorded as `step_size`
# (= γ / P): their edge-of-stability quantity is λ_max(P⁻¹ H).
PRECONDITIONED = ("adagrad", "rmsprop", "adam", "amsgrad", "adamw")


# -- the local quadratic model ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class QuadraticModel:
    """The second-order model of a surface at one point, and what it predicts for gradient methods.

    Fields that do not exist for this curvature are None:
      condition_number   λ_max/λ_min when λ_min > 0 (a minimum-like point); inf when λ_min = 0 < λ_max
                         (a flat direction: no linear rate); None when λ_min < 0 (a saddle or maximum:
                         there is no minimum to converge to, so κ as a convergence measure does not exist).
      gd_lr_max          2/λ_max when λ_max > 0; inf when λ_max <= 0 (no direction curves up, so no γ makes
                         gradient descent oscillate out: it is unstable for every γ, by going downhill).
      gd_lr_best, gd_rate, heavy_ball_best, heavy_ball_rate
                         only when λ_min > 0 (they are rates of convergence to the model's minimum).
      escape_direction   only when λ_min < 0: the unit eigenvector of λ_min (sign: its largest component
                         positive), the direction gradient descent leaves along.
    """

    point: np.ndarray  # (2,)
    value: float  # f(point)
    gradient: np.ndarray  # (2,)
    hessian: np.ndarray  # (2, 2)
    eigenvalues: np.ndarray  # (2,) ascending
    eigenvectors: np.ndarray  # (2, 2): column i is the unit eigenvector of eigenvalues[i]
    condition_number: float | None
    gd_lr_max: float
    gd_lr_best: float | None
    gd_rate: float | None
    heavy_ball_best: tuple[float, float] | None  # (γ*, μ*)
    heavy_ball_rate: float | None
    escape_direction: np.ndarray | None

    @property
    def lambda_min(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def kind(self) -> str:
        """'minimum' (both eigenvalues > 0), 'saddle' (opposite signs), 'maximum' (both < 0) or 'flat'
        (an eigenvalue is exactly 0, the other not negative)."""
        lo, hi = self.lambda_min, self.lambda_max
        if lo > 0:
            return "minimum"
        if lo < 0 < hi:
            return "saddle"
        if hi < 0:
            return "maximum"
        return "flat" if lo == 0 else "saddle"  # lo < 0 = hi: flat along one axis, down the other

    @property
    def is_saddle(self) -> bool:
        return self.lambda_min < 0

    def gd_factors(self, lr: float) -> np.ndarray:
        """1 − γλ_i per eigen-direction (ascending λ): gradient descent's error multiplier per step."""
        return 1.0 - float(lr) * self.eigenvalues

    def gd_rate_at(self, lr: float) -> float:
        """max_i |1 − γλ_i|: the factor the slowest direction's error is multiplied by per step (< 1: converges
        to the model's minimum; > 1: diverges, or escapes a saddle)."""
        return float(np.abs(self.gd_factors(lr)).max())

    def gd_growth(self, lr: float) -> float | None:
        """1 + γ|λ_min| at a saddle: the factor per step of gradient descent's escape; None if λ_min >= 0."""
        return 1.0 + float(lr) * abs(self.lambda_min) if self.lambda_min < 0 else None

    def heavy_ball_rate_at(self, lr: float, momentum: float) -> float:
        """The spectral radius of heavy-ball momentum's iteration on this model (the largest |root| of
        z² − (1 + μ − γλ_i) z + μ over i): its error multiplier per step, asymptotically."""
        return float(momentum_radius(self.eigenvalues, lr, momentum, nesterov=False).max())

    def momentum_lr_max(self, momentum: float, nesterov: bool = False) -> float:
        """The largest stable γ for momentum μ: (2 + 2μ)/λ_max (heavy ball), (2 + 2μ)/((1 + 2μ)λ_max)
        (Nesterov, torch's form); inf when λ_max <= 0."""
        hi = self.lambda_max
        if hi <= 0:
            return math.inf
        return momentum_limit(momentum, nesterov) / hi


def _sign_fix(v: np.ndarray) -> np.ndarray:
    """Eigenvectors with the largest-magnitude component of each column positive (eigh's sign is arbitrary)."""
    idx = np.argmax(np.abs(v), axis=-2)  # (..., 2) the row of each column's largest component
    comp = np.take_along_axis(v, idx[..., None, :], axis=-2)  # (..., 1, 2)
    return v * np.where(comp < 0, -1.0, 1.0)


def curvature(surface: Any, points: Any) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (..., 2) ascending and unit eigenvectors (..., 2, 2) (columns) of H at many points at once.

    Non-finite Hessians (a diverged or undefined point) give NaN rows rather than an error.
    """
    pts = np.asarray(points, dtype=np.float64)
    with np.errstate(all="ignore"):
        h = np.asarray(surface.hessian(pts), dtype=np.float64)
    h = np.broadcast_to(h, pts.shape[:-1] + (2, 2)).copy()
    h = 0.5 * (h + np.swapaxes(h, -1, -2))
    bad = ~np.isfinite(h).all(axis=(-1, -2))
    h[bad] = 0.0
    w, v = np.linalg.eigh(h)
    v = _sign_fix(v)
    w[bad] = np.nan
    v[bad] = np.nan
    return w, v


def quadratic_model(surface: Any, point: Any) -> QuadraticModel:
    """The local quadratic model of `surface` at `point` (2,), with gradient methods' predictions on it."""
    p = np.asarray(point, dtype=np.float64).reshape(2)
    with np.errstate(all="ignore"):
        value = float(np.asarray(surface.f(p)))
        grad = np.asarray(surface.grad(p), dtype=np.float64).reshape(2)
        hess = np.asarray(surface.hessian(p), dtype=np.float64).reshape(2, 2)
    if not np.isfinite(hess).all():
        raise ValueError(
            _("the Hessian at {point} is not finite: there is no quadratic model there").format(point=p.tolist())
        )
    w, v = curvature(surface, p)
    lo, hi = float(w[0]), float(w[1])
    kappa = gd_best = gd_rate = hb_best = hb_rate = None
    if lo > 0:
        kappa = hi / lo
        gd_best = 2.0 / (lo + hi)
        gd_rate = (kappa - 1.0) / (kappa + 1.0)
        sk = math.sqrt(kappa)
        hb_rate = (sk - 1.0) / (sk + 1.0)
        hb_best = (4.0 / (math.sqrt(hi) + math.sqrt(lo)) ** 2, hb_rate**2)
    elif lo == 0 and hi > 0:
        kappa = math.inf
    escape = v[:, 0].copy() if lo < 0 else None
    return QuadraticModel(
        point=p,
        value=value,
        gradient=grad,
        hessian=hess,
        eigenvalues=w,
        eigenvectors=v,
        condition_number=kappa,
        gd_lr_max=2.0 / hi if hi > 0 else math.inf,
        gd_lr_best=gd_best,
        gd_rate=gd_rate,
        heavy_ball_best=hb_best,
        heavy_ball_rate=hb_rate,
        escape_direction=escape,
    )


def model_radius(
    surface: Any, points: Any, rel_tol: float = 0.1, directions: int = 12, radii: int = 24, r_max: float | None = None
) -> np.ndarray:
    """How far from each point the quadratic model holds: the largest r such that, on every circle of radius
    r' <= r around the point (sampled in `directions` directions, on `radii` radii spaced geometrically from
    r_max·10⁻⁴ to r_max), the model's error max |f − q| is at most rel_tol times the model's own change
    max |q − f(p)| on that circle. inf when it holds out to r_max (default: the view's diagonal; every exact
    quadratic), 0 when it fails already at the smallest radius (or f is undefined there).

    points (..., 2) -> (...). Vectorised over the points, the directions and the radii at once.
    """
    pts = np.asarray(points, dtype=np.float64)
    if r_max is None:
        b = np.asarray(surface.bounds, dtype=np.float64)
        r_max = float(np.hypot(*(b[:, 1] - b[:, 0])))
    rs = np.geomspace(r_max * 1e-4, r_max, radii)
    phi = np.linspace(0.0, 2 * np.pi, directions, endpoint=False)
    unit = np.stack([np.cos(phi), np.sin(phi)], axis=-1)  # (k, 2)
    d = rs[:, None, None] * unit[None, :, :]  # (R, k, 2)
    with np.errstate(all="ignore"):
        f0 = np.asarray(surface.f(pts), dtype=np.float64)[..., None, None]
        g = np.asarray(surface.grad(pts), dtype=np.float64)
        h = np.asarray(surface.hessian(pts), dtype=np.float64)
        lin = np.einsum("...i,rki->...rk", g, d)
        quad = 0.5 * np.einsum("rki,...ij,rkj->...rk", d, h, d)
        q = lin + quad
        f = np.asarray(surface.f(pts[..., None, None, :] + d), dtype=np.float64) - f0
        err = np.abs(f - q).max(axis=-1)  # (..., R)
        scale = np.abs(q).max(axis=-1)
        ok = err <= rel_tol * scale + 1e-12 * (1.0 + np.abs(f0[..., 0]))
    ok &= np.isfinite(err)
    fails = ~ok
    first_fail = np.argmax(fails, axis=-1)
    out = np.where(first_fail > 0, rs[np.maximum(first_fail - 1, 0)], 0.0)
    return np.where(fails.any(axis=-1), out, np.inf)


def momentum_limit(momentum: float, nesterov: bool = False) -> float:
    """γλ_max at the edge of stability for momentum μ: 2 + 2μ (heavy ball), (2 + 2μ)/(1 + 2μ) (Nesterov)."""
    mu = float(momentum)
    return (2.0 + 2.0 * mu) / (1.0 + 2.0 * mu) if nesterov else 2.0 + 2.0 * mu


def momentum_radius(eigenvalues: Any, lr: float, momentum: float, nesterov: bool = False) -> np.ndarray:
    """Per eigenvalue λ, the spectral radius of one momentum step on the 1-D quadratic ½λx².

    Heavy ball (torch's b ← μb + g, θ ← θ − γb): roots of z² − (1 + μ − a) z + μ with a = γλ.
    Nesterov (torch's θ ← θ − γ(g + μb)): roots of z² − (1 + μ)(1 − a) z + μ(1 − a).
    """
    a = float(lr) * np.asarray(eigenvalues, dtype=np.float64)
    mu = float(momentum)
    if nesterov:
        b, c = (1.0 + mu) * (1.0 - a), mu * (1.0 - a)
    else:
        b, c = 1.0 + mu - a, np.full_like(a, mu)
    return _largest_root(b, c, ROUNDING)


# |b² − 4c| below this share of b² is a double root: the discriminant's own rounding error. Near a double root
# (Polyak's best pair is one) the roots move like its square root, so a rounding of 1e-16 would move them 1e-8.
ROUNDING = 64 * np.finfo(np.float64).eps
FIT_ROUNDING = 1e-9  # the same for roots fitted from a run's iterates (measured_mode_rate), whose s, p carry more


def _largest_root(b, c, tol: float) -> np.ndarray:
    """max |z| over the roots of z² − b z + c (elementwise); a discriminant within `tol`·b² of 0 counts as 0."""
    b, c = np.broadcast_arrays(np.asarray(b, dtype=np.float64), np.asarray(c, dtype=np.float64))
    disc = b * b - 4.0 * c
    double = np.abs(disc) <= tol * b * b
    real = (np.abs(b) + np.sqrt(np.where(disc > 0, disc, 0.0))) / 2.0
    return np.where(double, np.abs(b) / 2.0, np.where(disc > 0, real, np.sqrt(np.abs(c))))


# -- measured rates -----------------------------------------------------------------------------------------
def measured_rate(points: Any, center: Any, direction: Any = None) -> np.ndarray:
    """Per step t >= 1, the measured contraction d_t / d_{t−1} (shape (T,) for points (T + 1, 2)).

    d_t = ‖θ_t − center‖ (the distance to a minimum), or with `direction`, |(θ_t − center)·direction| (the
    escape coordinate at a saddle, direction = QuadraticModel.escape_direction). NaN where d_{t−1} is 0 or
    either distance is not finite (a run that converged exactly, or diverged).
    """
    pts = np.asarray(points, dtype=np.float64)
    off = pts - np.asarray(center, dtype=np.float64)
    if direction is None:
        d = np.linalg.norm(off, axis=-1)
    else:
        u = np.asarray(direction, dtype=np.float64)
        d = np.abs(off @ (u / np.linalg.norm(u)))
    with np.errstate(all="ignore"):
        r = d[1:] / d[:-1]
    ok = np.isfinite(r) & (d[:-1] > 0) & np.isfinite(d[1:])
    return np.where(ok, r, np.nan)


def measured_mode_rate(points: Any, center: Any, eigenvectors: Any, order: int = 1) -> np.ndarray:
    """Per step t >= 1, the run's own rate along its slowest eigen-direction (shape (T,) for points (T + 1, 2)).

    c_t = (θ_t − center)·v_i along each unit eigenvector v_i (columns of `eigenvectors`). order 1 (gradient
    descent): |c_t / c_{t−1}|. order 2 (momentum, Nesterov: c_t = s c_{t−1} − p c_{t−2} on a quadratic): s and p
    solved from c_{t−3}..c_t, and the largest |root| of z² − s z + p (a discriminant within FIT_ROUNDING of 0 is
    a double root, as at Polyak's best pair); also over longer lags (c_{t−3k}, c_{t−2k}, c_{t−k}, c_t: roots
    z^k), which reach back to where a faster mode had not yet decayed towards rounding, and the plain ratio
    |c_t / c_{t−1}| (exact once one mode is left): the reading with the smallest estimated error wins. The
    step's value is the largest over the directions that can be measured: NaN before step 3 for order 2, and
    where every direction's error is 0, not finite, or below 1e-6 of the whole error (rounding: such a
    direction is a fast one that has already gone).
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    with np.errstate(all="ignore"):
        c = (pts - np.asarray(center, dtype=np.float64)) @ np.asarray(eigenvectors, dtype=np.float64)
        whole = np.linalg.norm(c, axis=1, keepdims=True)
        seen = np.isfinite(c) & (np.abs(c) > 1e-6 * whole)  # (T + 1, 2)
        n = len(c)
        out = np.full((n, 2), np.nan)
        ratio = np.abs(c[1:] / c[:-1])
        ok1 = seen[:-1] & np.isfinite(c[1:]) & np.isfinite(ratio)  # c_t may be 0: a direction that arrived
        out[1:] = np.where(ok1, ratio, np.nan)
        if order == 2:
            # Fits over lags k = 1, 2, 4, ... (c_{t−3k}, c_{t−2k}, c_{t−k}, c_t, whose roots are z^k): a longer lag
            # reaches back to where a faster mode was still well above rounding. Each estimate's error is
            # guessed (the fit's: rounding times the system's conditioning, over k; the ratio's: its change
            # since the step before) and the smallest wins.
            eps = np.finfo(np.float64).eps
            best_rate = np.where(ok1, ratio, np.nan)  # per (t, direction), t = 1..T
            best_error = np.full_like(ratio, np.inf)
            best_error[1:] = np.abs(ratio[1:] - ratio[:-1])
            best_error[0] = np.inf
            best_rate[:2] = np.nan  # the ratio alone is no reading for momentum before step 3
            k = 1
            while 3 * k < n:
                c0, c1, c2, c3 = c[: n - 3 * k], c[k : n - 2 * k], c[2 * k : n - k], c[3 * k :]
                det = c2 * c0 - c1 * c1
                s = (c3 * c0 - c2 * c1) / det
                p = (c3 * c1 - c2 * c2) / det
                scale = np.maximum.reduce([c0 * c0, c1 * c1, c2 * c2, c3 * c3])
                rate = _largest_root(s, p, FIT_ROUNDING) ** (1.0 / k)
                error = eps * scale / np.abs(det) / k
                ok = seen[3 * k :] & seen[2 * k : n - k] & seen[k : n - 2 * k] & seen[: n - 3 * k]
                better = ok & np.isfinite(rate) & (error < best_error[3 * k - 1 :])
                best_rate[3 * k - 1 :] = np.where(better, rate, best_rate[3 * k - 1 :])
                best_error[3 * k - 1 :] = np.where(better, error, best_error[3 * k - 1 :])
                k *= 2
            out[1:] = best_rate
        best = np.where(np.isnan(out), -np.inf, out).max(axis=1)
    return np.where(np.isfinite(best), best, np.nan)[1:]


# -- edge of stability --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Limit:
    """An optimizer's edge-of-stability limit on a quadratic (the value its sharpness must stay below)."""

    value: float | None  # None: no limit of this simple form for this optimizer (see `note`)
    label: str  # the formula, as plain text: "2/γ", "(2 + 2μ)/γ", ...
    preconditioned: bool  # True: the limit is on λ_max(P⁻¹H), not λ_max(H)
    note: str = ""


def stability_limit(optimizer: Any) -> Limit:
    """The edge-of-stability limit for `optimizer` with its hyperparameters (a scalar lr; see module doc)."""
    name = optimizer.name
    hp = optimizer.hyperparams()
    lr = float(np.asarray(hp.get("lr", np.nan)).ravel()[0])
    if name == "sgd":
        return Limit(2.0 / lr, "2/γ", False)
    if name in ("momentum", "nesterov"):
        nes = name == "nesterov"
        label = "(2 + 2μ)/(γ(1 + 2μ))" if nes else "(2 + 2μ)/γ"
        return Limit(momentum_limit(hp["momentum"], nes) / lr, label, False)
    if name == "adagrad":
        return Limit(2.0 / lr, "2/γ", True)
    if name == "rmsprop":
        mu = float(hp["momentum"])
        if mu > 0:
            return Limit(momentum_limit(mu) / lr, "(2 + 2μ)/γ", True)
        return Limit(2.0 / lr, "2/γ", True)
    if name in ("adam", "amsgrad", "adamw"):
        b1 = float(hp["beta1"])
        note = ""
        if name == "adamw" and float(hp["weight_decay"]) > 0:
            note = _(
                "AdamW's decay θ(1 − γλ) adds its own pull towards 0, which this limit leaves out "
                "(it is small when γλ is)."
            )
        return Limit((2.0 + 2.0 * b1) / (lr * (1.0 - b1)), "(2 + 2β₁)/(γ(1 − β₁))", True, note)
    reasons = {
        "adadelta": N_(
            "Adadelta's step has no learning-rate-like scale that a curvature could exceed "
            "(its numerator √(u + ε) changes with the run)."
        ),
        "adamax": N_(
            "AdaMax divides by an infinity norm that jumps with the largest |g|; no simple limit is known for it."
        ),
        "nadam": N_("NAdam's momentum coefficient changes every step (μ_t); no fixed limit applies."),
        "radam": N_("RAdam switches between an unadapted and a rectified step; no fixed limit applies."),
        "newton": N_(
            "Newton's step divides by the curvature itself: on a quadratic it is stable for every "
            "γ in (0, 2), whatever the sharpness."
        ),
        "regimen": N_(
            "under a schedule, weight decay or clipping the limit for a constant γ and a step along g does not apply."
        ),
    }
    return Limit(None, "", False, _(reasons.get(name, N_("no stability limit is known for this optimizer"))))


@dataclasses.dataclass(frozen=True, eq=False)
class Sharpness:
    """The sharpness along a run, per step t = 0..T, against the optimizer's limit.

    sharpness       λ_max(H(θ_t))  (T + 1,)
    preconditioned  λ_max(P_t⁻¹ H(θ_t)) for an adaptive optimizer (PRECONDITIONED), with P_t⁻¹ = η_{t+1}/γ
                    the per-coordinate step size of the update that leaves θ_t (so row T, left by no
                    update, is NaN); None for the others or when the run was not recorded.
    values          what meets the limit: `preconditioned` for adaptive optimizers, else `sharpness`
    limit           the optimizer's Limit (limit.value None: no limit; see limit.note)
    Rows from the step at which the run diverged on are NaN (the engine repeats the last good point there).
    """

    steps: np.ndarray
    sharpness: np.ndarray
    preconditioned: np.ndarray | None
    limit: Limit

    @property
    def values(self) -> np.ndarray:
        return self.preconditioned if self.limit.preconditioned and self.preconditioned is not None else self.sharpness

    @property
    def label(self) -> str:
        return "λmax(P⁻¹H)" if self.limit.preconditioned and self.preconditioned is not None else "λmax(H)"

    def crossed_at(self) -> int | None:
        """The first step whose value exceeds the limit (None: never, or no limit)."""
        if self.limit.value is None:
            return None
        over = np.asarray(self.values) > self.limit.value
        return int(np.argmax(over)) if over.any() else None


def preconditioned_sharpness(hessians: np.ndarray, inv_precond: np.ndarray) -> np.ndarray:
    """λ_max(D H) with D = diag(inv_precond) > 0, as λ_max(D^½ H D^½) (similar, and symmetric), batched."""
    s = np.sqrt(np.asarray(inv_precond, dtype=np.float64))
    h = np.asarray(hessians, dtype=np.float64)
    m = s[..., :, None] * h * s[..., None, :]
    m = 0.5 * (m + np.swapaxes(m, -1, -2))
    bad = ~np.isfinite(m).all(axis=(-1, -2))
    m = np.where(bad[..., None, None], 0.0, m)
    out = np.linalg.eigvalsh(m)[..., -1]
    return np.where(bad, np.nan, out)


def sharpness(traj: Any, surface: Any) -> Sharpness:
    """The sharpness of one run (an optimizers.Trajectory on `surface`, one start) at every step."""
    pts = np.asarray(traj.points, dtype=np.float64)
    if pts.ndim != 2:
        raise ValueError(_("sharpness() takes a run from one start (points of shape (steps + 1, 2))"))
    n = pts.shape[0]
    with np.errstate(all="ignore"):
        h = np.asarray(surface.hessian(pts), dtype=np.float64)
    h = np.broadcast_to(h, (n, 2, 2))
    w, _vectors = curvature(surface, pts)
    sharp = w[:, -1].copy()
    opt = traj.optimizer
    limit = stability_limit(opt)
    pre = None
    step_size = traj.quantities.get("step_size") if opt.name in PRECONDITIONED else None
    if step_size is not None:
        lr = float(np.asarray(opt.lr).ravel()[0])
        inv = np.full((n, 2), np.nan)
        inv[:-1] = np.asarray(step_size, dtype=np.float64)[1:] / lr
        with np.errstate(all="ignore"):
            pre = preconditioned_sharpness(h, inv)
    d = traj.diverged_at
    if d is not None:
        sharp[d:] = np.nan
        if pre is not None:
            pre[d:] = np.nan
    return Sharpness(np.arange(n), sharp, pre, limit)


# -- what the Explorer shows at step t ----------------------------------------------------------------------
def best_hypers(name: str, model: QuadraticModel) -> dict[str, float] | None:
    """The settings that make `name` fastest on this quadratic model: {"lr": γ*} for gradient descent,
    {"lr": γ*, "momentum": μ*} for heavy-ball momentum and for Nesterov; None for other optimizers (no closed
    form here) or where the model has no minimum (λ_min <= 0).

    Nesterov (Lessard, Recht & Packard 2016, its tuning for quadratics): γ* = 4/(3λ_max + λ_min),
    μ* = (√(3κ + 1) − 2)/(√(3κ + 1) + 2), spectral radius 1 − 2/√(3κ + 1) (torch's form has the classic form's
    iteration matrix up to a change of variables, so the same radius: momentum_radius(..., nesterov=True))."""
    if name == "sgd" and model.gd_lr_best is not None:
        return {"lr": model.gd_lr_best}
    if name == "momentum" and model.heavy_ball_best is not None:
        lr, mu = model.heavy_ball_best
        return {"lr": lr, "momentum": mu}
    if name == "nesterov" and model.condition_number is not None and math.isfinite(model.condition_number):
        s = math.sqrt(3.0 * model.condition_number + 1.0)
        return {"lr": 4.0 / (3.0 * model.lambda_max + model.lambda_min), "momentum": (s - 2.0) / (s + 2.0)}
    return None


@dataclasses.dataclass(frozen=True, eq=False)
class StepTheory:
    """The theory's numbers at step t of a run (see step_theory)."""

    t: int
    model: QuadraticModel  # the local quadratic model at θ_t
    predicted_rate: float | None  # the factor per step the model predicts for this optimizer and its settings
    predicted_label: str  # what predicted_rate is, in words
    measured_rate: float | None  # the run's rate at step t (see step_theory; None when nothing to measure)
    measured_label: str
    lr_max: float | None  # the largest stable γ on this model for this optimizer (with its μ), else None
    exact: bool  # the surface is a quadratic here: the model is the surface itself
    valid_radius: float  # how far from θ_t the model holds (model_radius; inf when exact)
    best: dict[str, float] | None  # best_hypers for this optimizer on this model


def _nearest(points: np.ndarray, p: np.ndarray) -> np.ndarray | None:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if not len(pts):
        return None
    return pts[int(np.argmin(np.linalg.norm(pts - p, axis=1)))]


def step_theory(traj: Any, surface: Any, t: int) -> StepTheory:
    """The local quadratic model at θ_t of a one-start run, and what it predicts against what the run did.

    Predicted rate (for gradient descent, momentum and Nesterov; None for the others, whose step depends on
    their state): at a minimum-like point, max_i |1 − γλ_i| (or the spectral radius of the momentum
    iteration); at a saddle, gradient descent's escape factor 1 + γ|λ_min| (momentum's: the largest root).
    Measured rate, from the nearest known minimum (or at a saddle, the nearest known saddle; when the surface
    lists none, the model's own stationary point θ_t − H⁻¹g):
    - on an exact quadratic at a minimum, for gradient descent, momentum and Nesterov: measured_mode_rate, the
      slowest eigen-direction's rate read off the run (from step 1; momentum and Nesterov from step 3). It
      equals the predicted rate to rounding at every such step (agreement to 1e-9 on the bowl and the ravine,
      tests/optimizers/test_theory.py), provided the run's error has a part along the slowest direction;
    - at a saddle: the ratio of successive values of the escape coordinate (along the escape direction);
    - elsewhere: for momentum and Nesterov, whose distance goes up and down, (d_t/d_{t−k})^(1/k) over the last
      k = min(t, 8) steps; for the others the ratio of successive distances d_t/d_{t−1}.
    """
    pts = np.asarray(traj.points, dtype=np.float64)
    t = int(np.clip(t, 0, len(pts) - 1))
    p = pts[t]
    model = quadratic_model(surface, p)
    opt = traj.optimizer
    hp = opt.hyperparams()
    lr = float(np.asarray(hp.get("lr", np.nan)).ravel()[0])
    saddle = model.lambda_min < 0
    pred, pred_label, lr_max = None, "", None
    if opt.name == "sgd":
        lr_max = model.gd_lr_max
        if saddle:
            pred, pred_label = model.gd_growth(lr), _("1 + γ|λmin| (escape)")
        else:
            pred, pred_label = model.gd_rate_at(lr), "max |1 − γλᵢ|"
    elif opt.name in ("momentum", "nesterov"):
        nes = opt.name == "nesterov"
        lr_max = model.momentum_lr_max(float(hp["momentum"]), nes)
        pred = float(momentum_radius(model.eigenvalues, lr, float(hp["momentum"]), nes).max())
        pred_label = _("spectral radius of the momentum step")
    radius = float(model_radius(surface, p))
    # the reference point the measured rate is taken from
    known = surface.saddles if saddle else surface.minima
    center = _nearest(known, p)
    if center is None and np.all(model.eigenvalues != 0):
        center = p - np.linalg.solve(model.hessian, model.gradient)
    measured, measured_label = None, ""
    momentum_like = opt.name in ("momentum", "nesterov")
    if t > 0 and center is not None:
        if radius == math.inf and not saddle and (opt.name == "sgd" or momentum_like):
            order = 2 if momentum_like else 1
            r = measured_mode_rate(pts[: t + 1], center, model.eigenvectors, order)[-1]
            measured_label = (
                _("slowest eigen-direction: largest |root| of cₜ = s·cₜ₋₁ − p·cₜ₋₂, s and p fitted to the run")
                if momentum_like
                else _("slowest eigen-direction: |cₜ/cₜ₋₁|, c the error along an eigenvector")
            )
        elif momentum_like and not saddle:
            k = min(t, 8)
            with np.errstate(all="ignore"):
                r = measured_rate(pts[[t - k, t]], center)[0] ** (1.0 / k)
            measured_label = _("distance to the minimum: (d(θₜ)/d(θₜ₋ₖ))^(1/k), k = {k}").format(k=k)
        else:
            direction = model.escape_direction if saddle else None
            r = measured_rate(pts[t - 1 : t + 1], center, direction)[0]
            what = _("escape coordinate") if saddle else _("distance to the minimum")
            measured_label = f"{what}: d(θₜ)/d(θₜ₋₁)"
        if np.isfinite(r):
            measured = float(r)
        else:
            measured_label = ""
    return StepTheory(
        t=t,
        model=model,
        predicted_rate=pred,
        predicted_label=pred_label,
        measured_rate=measured,
        measured_label=measured_label,
        lr_max=lr_max,
        exact=radius == math.inf,
        valid_radius=radius,
        best=best_hypers(opt.name, model),
    )
