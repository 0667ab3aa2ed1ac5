"""run(): an optimizer over a surface from one start or many at once, every internal quantity recorded.

Conventions (step t counts updates; row t of every array is the state after t updates):
    points[t]   θ_t                      shape (steps+1, ..., 2)
    losses[t]   f(θ_t)                   shape (steps+1, ...)
    grads[t]    the gradient used at θ_t to make θ_{t+1} (noisy when noise > 0)
    quantities[name][t]   the optimizer's state field `name` after t updates (row 0: its initial value),
                          plus "update" = θ_t − θ_{t−1} (row 0: zeros)
How a run stops (per start, for a batch). A start stops at the first step t whose iterate θ_t is not a
point inside the box ten view-widths around the surface's view (surface.divergence_box()), or where f(θ_t)
is not a finite number. Exactly one of three outcomes is then recorded, at one step:

    undefined_at = t − 1   when the gradient at θ_{t−1} is not finite (NaN, or an infinite slope), or the
                           update from θ_{t−1} is not a number while the gradient is (Newton where H + δI is
                           singular or H undefined): the step from θ_{t−1} does not exist. Row t − 1 is the
                           last real row.
    undefined_at = t       when θ_t is inside the box but f(θ_t) is NaN (f is undefined there, e.g. log of a
                           negative). Row t, that point with its NaN loss, is the last real row.
    escaped_at = t         when the run left going downhill: f(θ_t) is a number (−∞ included) and
                           f(θ_{t−3}) > f(θ_{t−2}) > f(θ_{t−1}) > f(θ_t) (the last three steps, or all of them if
                           fewer were taken, each lowered the loss) and f(θ_t) < the lowest finite value of f
                           on the view (on a 101 x 101 grid over surface.bounds and at its listed minima,
                           saddles and starts). A surface bounded below by a minimum inside its view can
                           never escape; one unbounded below (the saddle, the monkey saddle) does so when
                           the optimizer does its job. Row t − 1 is the last real row.
    diverged_at = t        otherwise: the iterate left the box or the finite numbers, or f became +∞, without
                           going downhill (the loss grew, oscillated, or stopped being a number). Row t − 1 is
                           the last real row.

Every row after the last real one repeats it. A start that is outside the box is diverged at step 0; one where
f or the gradient is not finite is undefined at step 0. The check costs nothing while every step is good:
the all-good fast path is two reductions, and a bad step is classified only when it happens.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from i18n import translator

from .base import Optimizer

_, ngettext = translator("core")

MAX_STEPS = 100_000  # a hard bound; pages cap far lower


class SurfaceLike(Protocol):
    name: str
    bounds: tuple[tuple[float, float], tuple[float, float]]

    def f(self, xy: np.ndarray) -> np.ndarray: ...
    def grad(self, xy: np.ndarray) -> np.ndarray: ...
    def hessian(self, xy: np.ndarray) -> np.ndarray: ...
    def divergence_box(self) -> tuple[np.ndarray, np.ndarray]: ...


@dataclasses.dataclass(eq=False)
class Trajectory:
    """The record of one run (or a batch of runs, one per start)."""

    optimizer: Optimizer
    surface_name: str  # the surface's name (not the surface: a Trajectory pickles, for st.cache_data)
    start: np.ndarray
    steps: int
    noise: float
    seed: int | None
    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    quantities: dict[str, np.ndarray]
    diverged: np.ndarray  # per start: the step at which it diverged, or -1
    escaped: np.ndarray  # per start: the step at which it left going downhill, or -1
    undefined: np.ndarray  # per start: the step whose point has f, the gradient or the update undefined, or -1
    exit_loss: np.ndarray | None = None  # per start: f at the iterate that made it diverge or escape, else NaN
    unbounded_below: bool = False  # the surface declares that f has no lower bound (it has no minimum)

    @property
    def batched(self) -> bool:
        return self.start.ndim > 1

    def _at(self, steps: np.ndarray) -> int | None | np.ndarray:
        if self.batched:
            return steps
        d = int(steps)
        return None if d < 0 else d

    @property
    def diverged_at(self) -> int | None | np.ndarray:
        """None (or -1 per start of a batch) unless the run diverged; else the step (see the module docstring)."""
        return self._at(self.diverged)

    @property
    def escaped_at(self) -> int | None | np.ndarray:
        """None (or -1 per start) unless the run left going downhill; else the step (see the module docstring)."""
        return self._at(self.escaped)

    @property
    def undefined_at(self) -> int | None | np.ndarray:
        """None (or -1 per start) unless the run reached a point where f, the gradient or the update is
        undefined; else that point's step (see the module docstring)."""
        return self._at(self.undefined)

    @property
    def last_real(self) -> np.ndarray:
        """Per start, the last row that is a real iterate (later rows repeat it): steps when it never stopped."""
        last = np.full(self.diverged.shape, self.steps, dtype=np.int64)
        last = np.where(self.diverged >= 0, np.maximum(self.diverged - 1, 0), last)
        last = np.where(self.escaped >= 0, np.maximum(self.escaped - 1, 0), last)
        return np.where(self.undefined >= 0, self.undefined, last)

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]

    def to_frame(self, index: int | None = None):
        """One row per step: step, x, y, loss, grad_x, grad_y, then <q>_x, <q>_y per quantity (scalars: <q>).

        For a batch, `index` picks one start; without it the frame is long, with a `start` column.
        """
        import pandas as pd

        if self.batched and index is None:
            frames = [self.to_frame(i).assign(start=i) for i in range(self.start.shape[0])]
            return pd.concat(frames, ignore_index=True)
        sel = (slice(None),) if not self.batched else (slice(None), index)
        pts, grads = self.points[sel], self.grads[sel]
        labels = _axis_labels(pts.shape[-1])
        cols: dict[str, np.ndarray] = {"step": np.arange(self.steps + 1)}
        for j, a in enumerate(labels):
            cols[a] = pts[:, j]
        cols["loss"] = self.losses[sel]
        for j, a in enumerate(labels):
            cols[f"grad_{a}"] = grads[:, j]
        for name, values in self.quantities.items():
            v = values if values.ndim == 1 else values[sel]
            if v.ndim == 1:
                cols[name] = v
                continue
            flat = v.reshape(v.shape[0], -1)
            suffixes = _suffixes(v.shape[1:], labels)
            for j, s in enumerate(suffixes):
                cols[f"{name}_{s}"] = flat[:, j]
        return pd.DataFrame(cols)


def _axis_labels(d: int) -> list[str]:
    return ["x", "y"] if d == 2 else [str(i) for i in range(d)]


def _suffixes(shape: tuple[int, ...], labels: list[str]) -> list[str]:
    out = [""]
    for n in shape:
        axis = labels if n == len(labels) else [str(i) for i in range(n)]
        out = [p + a for p in out for a in axis]
    return out


def _check_run_args(steps: Any, noise: Any, start: Any) -> tuple[int, float, np.ndarray]:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError(
            _("steps must be a whole number in [0, {limit}], got {value}").format(limit=MAX_STEPS, value=repr(steps))
        )
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(
            _("steps must be a whole number in [0, {limit}], got {value}").format(limit=MAX_STEPS, value=steps)
        )
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(_("noise must be a finite number >= 0, got {value}").format(value=repr(noise))) from None
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(_("noise must be a finite number >= 0, got {value}").format(value=repr(noise)))
    try:
        x0 = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            _("start must be numbers of shape (2,) or (n, 2), got {value}").format(value=repr(start))
        ) from None
    if x0.ndim == 0 or x0.shape[-1] != 2 or x0.size == 0:
        raise ValueError(_("start must have shape (2,) or (n, 2), got shape {shape}").format(shape=x0.shape))
    if not np.isfinite(x0).all():
        raise ValueError(_("start must be finite numbers"))
    return int(steps), noise, x0


def _inside(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Every point inside the box (column by column: much cheaper than a reduction over the last axis)."""
    for j in range(x.shape[-1]):
        col = x[..., j]
        if not (col.min() >= lo[j] and col.max() <= hi[j]):  # False for NaN too
            return False
    return True


def _freeze(new_state, old_state, alive: np.ndarray):
    """Keep the old value of every per-start state field where the start is no longer alive."""
    fields = []
    for new, old in zip(new_state, old_state, strict=True):
        new = np.asarray(new)
        if new.ndim < alive.ndim:  # a scalar shared by the whole batch (step count, μ_t, ρ_t ...)
            fields.append(new)
            continue
        mask = alive.reshape(alive.shape + (1,) * (new.ndim - alive.ndim))
        fields.append(np.where(mask, new, old))
    return type(new_state)(*fields)


FALLING_STEPS = 3  # an escape needs the loss to have fallen at each of this many last steps (fewer at the start)
FLOOR_GRID = 101  # the view's lowest value of f is taken on this many points a side (and at the landmarks)


def view_floor(surface: SurfaceLike) -> float:
    """The lowest finite value of f on the surface's view: over a FLOOR_GRID² grid of surface.bounds and at
    its listed minima, saddles and starts (−inf if f has no finite value there). An escape must go below it."""
    (x0, x1), (y0, y1) = surface.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, FLOOR_GRID), np.linspace(y0, y1, FLOOR_GRID))
    pts = [np.stack([gx.ravel(), gy.ravel()], axis=-1)]
    for name in ("minima", "saddles", "starts"):
        pts.append(np.asarray(getattr(surface, name, np.zeros((0, 2))), dtype=np.float64).reshape(-1, 2))
    with np.errstate(all="ignore"):
        values = np.asarray(surface.f(np.concatenate(pts)), dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.min()) if values.size else -math.inf


def _classify_stops(stopping, t, x, new_x, loss, new_loss, g, losses, lo, hi, floor):
    """For the starts in `stopping` (they stop at step t): masks (undefined at t − 1, undefined at t, escaped,
    diverged), following the rules in the module docstring. x, loss, g: θ_{t−1}, its loss and gradient."""
    update_undefined = stopping & (~np.isfinite(g).all(-1) | np.isnan(new_x).any(-1))
    inside = ((new_x >= lo) & (new_x <= hi)).all(-1)
    f_undefined = stopping & ~update_undefined & inside & np.isnan(new_loss)
    leaving = stopping & ~update_undefined & ~f_undefined
    downhill = leaving & (new_loss < loss)  # False for NaN; −∞ counts
    if downhill.any():
        for k in range(1, min(FALLING_STEPS, t)):  # rows t−1−k .. t−1 strictly decreasing
            downhill &= losses[t - 1 - k] > losses[t - k]
        if downhill.any():
            downhill &= new_loss < floor()
    return update_undefined, f_undefined, downhill, leaving & ~downhill


def run(
    optimizer: Optimizer,
    surface: SurfaceLike,
    start: Any,
    steps: int,
    noise: float = 0.0,
    seed: int | None = None,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> Trajectory:
    """Run `optimizer` on `surface` for `steps` updates from `start` ((2,) or (n, 2)), in one vectorised pass.

    noise > 0 adds N(0, noise²) to every gradient component, drawn from numpy's default_rng(seed) in step
    order (so a run of k steps is a prefix of a run of k + 1). record=False skips the per-step optimizer
    quantities (for large batches that need only points and losses). progress(t) is called after every
    `every` steps (t steps done): a caller's hook to show progress or to stop the run by raising.
    """
    steps, noise, x = _check_run_args(steps, noise, start)
    batch_shape = x.shape[:-1]
    rng = np.random.default_rng(seed) if noise > 0 else None
    lo, hi = surface.divergence_box()
    needs_hessian = optimizer.needs_hessian

    points = np.empty((steps + 1, *x.shape))
    losses = np.empty((steps + 1, *batch_shape))
    grads = np.empty((steps + 1, *x.shape))
    alive = np.ones(batch_shape, dtype=bool)
    diverged = np.full(batch_shape, -1, dtype=np.int64)
    escaped = np.full(batch_shape, -1, dtype=np.int64)
    undefined = np.full(batch_shape, -1, dtype=np.int64)
    exit_loss = np.full(batch_shape, np.nan)
    floor_value: list[float] = []

    def floor() -> float:  # computed once, and only if a run leaves: it costs a grid of f
        if not floor_value:
            floor_value.append(view_floor(surface))
        return floor_value[0]

    with np.errstate(all="ignore"):
        state = optimizer.init(x)
        names = [n for n in state._fields if n != "count"] if record else []
        rec = {n: np.empty((steps + 1, *np.shape(getattr(state, n)))) for n in names}

        def gradient(at: np.ndarray) -> np.ndarray:
            g = np.asarray(surface.grad(at), dtype=np.float64)
            return g + noise * rng.standard_normal(g.shape) if rng is not None else g

        loss = np.asarray(surface.f(x), dtype=np.float64)
        g = gradient(x)
        outside0 = ~((x >= lo) & (x <= hi)).all(-1)
        undefined0 = ~outside0 & (~np.isfinite(loss) | ~np.isfinite(g).all(-1))
        if outside0.any() or undefined0.any():  # a start off the map or where f is undefined: no update at all
            diverged[outside0] = 0
            undefined[undefined0] = 0
            alive &= ~(outside0 | undefined0)
        points[0], losses[0], grads[0] = x, loss, g
        for n in names:
            rec[n][0] = getattr(state, n)

        all_alive = bool(alive.all())
        t = 0
        for t in range(1, steps + 1):
            if not all_alive and not alive.any():
                t -= 1
                break
            if needs_hessian:
                new_x, new_state = optimizer.update(g, state, x, surface.hessian(x))
            else:
                new_x, new_state = optimizer.update(g, state, x)
            new_loss = np.asarray(surface.f(new_x), dtype=np.float64)
            # Fast path: every loss finite and the batch's extremes inside the box (NaN compares False).
            all_good = bool(np.isfinite(new_loss).all()) and _inside(new_x, lo, hi)
            if not (all_good and all_alive):
                good = np.isfinite(new_loss) & ((new_x >= lo) & (new_x <= hi)).all(-1)
                stopping = alive & ~good
                lands = np.zeros_like(alive)  # stopping starts whose new point is kept (f undefined there)
                if stopping.any():
                    before, lands, down, up = _classify_stops(
                        stopping, t, x, new_x, loss, new_loss, g, losses, lo, hi, floor
                    )
                    undefined[before] = t - 1
                    undefined[lands] = t
                    escaped[down] = t
                    diverged[up] = t
                    exit_loss[down | up] = new_loss[down | up]
                alive &= good
                moved = alive | lands
                new_x = np.where(moved[..., None], new_x, x)
                new_loss = np.where(moved, new_loss, loss)
                new_state = _freeze(new_state, state, moved)
                all_alive = bool(alive.all())
            x, state, loss = new_x, new_state, new_loss
            g = gradient(x)
            points[t], losses[t], grads[t] = x, loss, g
            for n in names:
                rec[n][t] = getattr(state, n)
            if progress is not None and t % every == 0:
                progress(t)
        else:
            t = steps

        if t < steps:  # every start stopped: the rest repeats the last row
            points[t + 1 :] = points[t]
            losses[t + 1 :] = losses[t]
            grads[t + 1 :] = grads[t]
            for n in names:
                rec[n][t + 1 :] = rec[n][t]

        if record:
            upd = np.zeros_like(points)
            upd[1:] = points[1:] - points[:-1]
            rec["update"] = upd

    return Trajectory(
        optimizer=optimizer,
        surface_name=getattr(surface, "name", ""),
        start=np.array(start, dtype=np.float64),
        steps=steps,
        noise=noise,
        seed=seed,
        points=points,
        losses=losses,
        grads=grads,
        quantities=rec,
        diverged=diverged,
        escaped=escaped,
        undefined=undefined,
        exit_loss=exit_loss,
        unbounded_below=bool(getattr(surface, "unbounded_below", False)),
    )
