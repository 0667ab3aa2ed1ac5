"""run(): an optimizer over a surface from one start or many at once, every internal quantity recorded.

Conventions (step t counts updates; row t of every array is the state after t updates):
    points[t]   θ_t                      shape (steps+1, ..., 2)
    losses[t]   f(θ_t)                   shape (steps+1, ...)
    grads[t]    the gradient used at θ_t to make θ_{t+1} (noisy when noise > 0)
    quantities[name][t]   the optimizer's state field `name` after t updates (row 0: its initial value),
                          plus "update" = θ_t − θ_{t−1} (row 0: zeros)
A run that leaves the finite numbers, or a box ten view-widths around the surface's view, stops there:
diverged_at is the first step whose iterate was bad, and every later row repeats the last good one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .base import Optimizer

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
    diverged: np.ndarray  # per start: first bad step, or -1

    @property
    def batched(self) -> bool:
        return self.start.ndim > 1

    @property
    def diverged_at(self) -> int | None | np.ndarray:
        """None (or -1 per start of a batch) if the run stayed good, else the first bad step."""
        if self.batched:
            return self.diverged
        d = int(self.diverged)
        return None if d < 0 else d

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
        raise ValueError(f"steps must be a whole number in [0, {MAX_STEPS}], got {steps!r}")
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number in [0, {MAX_STEPS}], got {steps}")
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}") from None
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    try:
        x0 = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be numbers of shape (2,) or (n, 2), got {start!r}") from None
    if x0.ndim == 0 or x0.shape[-1] != 2 or x0.size == 0:
        raise ValueError(f"start must have shape (2,) or (n, 2), got shape {x0.shape}")
    if not np.isfinite(x0).all():
        raise ValueError("start must be finite numbers")
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

    with np.errstate(all="ignore"):
        state = optimizer.init(x)
        names = [n for n in state._fields if n != "count"] if record else []
        rec = {n: np.empty((steps + 1, *np.shape(getattr(state, n)))) for n in names}

        def gradient(at: np.ndarray) -> np.ndarray:
            g = np.asarray(surface.grad(at), dtype=np.float64)
            return g + noise * rng.standard_normal(g.shape) if rng is not None else g

        loss = np.asarray(surface.f(x), dtype=np.float64)
        g = gradient(x)
        bad0 = ~np.isfinite(loss) | ~np.isfinite(g).all(-1) | ~((x >= lo) & (x <= hi)).all(-1)
        if bad0.any():  # a start outside the box or where f is undefined: no update at all
            diverged[bad0] = 0
            alive &= ~bad0
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
                newly = alive & ~good
                diverged[newly] = t
                alive &= good
                mask = alive[..., None]
                new_x = np.where(mask, new_x, x)
                new_loss = np.where(alive, new_loss, loss)
                new_state = _freeze(new_state, state, alive)
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

        if t < steps:  # everything diverged: the rest repeats the last good row
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
    )
