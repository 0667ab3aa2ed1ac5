"""Fair comparisons over the core: learning-rate sweeps, basin maps and race metrics (NumPy only).

Learning-rate sweep
    `sweep(name, surface, start, steps)` runs one optimizer ONCE with lr of shape (n, 1) over the start
    repeated n times: hyperparameters broadcast over the batch, so rate i drives row i only, and every row
    equals, bit for bit, a run of that rate alone. The sweep is noise-free (the engine draws one noise
    sample per row, so a noisy sweep would give each rate different noise).
    Best rate: the lowest final loss among the rates that did not diverge; on an exact tie the smaller
    rate (rates are sorted ascending, so the first). If every rate diverged there is no best (None).

Basin map
    `basin_map(opt, surface, steps, n)` runs an n x n grid of starts over the surface's view at once and
    labels each start by the known minimum (surface.minima) its last iterate lies within `tol` of (its
    index), NOT_REACHED (-1: ended elsewhere: still travelling, stalled, or at a minimum nobody listed)
    or DIVERGED (-2). `steps_to[i, j]` is the first step from which the path stays within `tol` of that
    minimum (-1 when it reaches none). The default tol is 2% of the view's smaller side.

Race metrics (`metrics`, one run from one start)
    final_loss, distance_to_minimum (from the last iterate to the nearest known minimum), steps_to_tol (the
    first step at which loss <= global minimum value + loss_tol; the global minimum value is
    surface.min_value, else the lowest f over surface.minima), diverged_at.
    Saddle escape: a run is *near* a saddle (surface.saddles) once it comes within `radius` of it (default
    5% of the view's smaller side); it *escapes* at the first later step at which it is farther than
    `radius` from that saddle AND its loss is below the saddle's value (it went down past the saddle, not
    back up the way it came). near_saddle_at / escaped_at are those steps, or None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .base import Optimizer
from .engine import Trajectory, run

SWEEP_LOW = 1e-4
SWEEP_HIGH = 10.0  # the top of every learning rate's valid range
SWEEP_N = 30
NOT_REACHED = -1
DIVERGED = -2
BASIN_TOL = 0.02  # of the view's smaller side
SADDLE_RADIUS = 0.05  # of the view's smaller side
LOSS_TOL = 1e-3


def log_rates(low: float = SWEEP_LOW, high: float = SWEEP_HIGH, n: int = SWEEP_N) -> np.ndarray:
    """n learning rates spaced evenly on a log scale from low to high (both included), ascending."""
    if not (0 < low < high) or not np.isfinite(high):
        raise ValueError(f"the sweep needs 0 < low < high, got low={low!r}, high={high!r}")
    if int(n) != n or n < 2:
        raise ValueError(f"the sweep needs at least 2 rates, got {n!r}")
    return np.logspace(np.log10(low), np.log10(high), int(n))


# -- learning-rate sweep ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Sweep:
    optimizer: str
    rates: np.ndarray  # (n,) ascending
    final_loss: np.ndarray  # (n,) the loss after the last step (the last good one for a diverged rate)
    diverged_at: np.ndarray  # (n,) first bad step, or -1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def best_index(self) -> int | None:
        return best_index(self.final_loss, self.diverged)

    @property
    def best_rate(self) -> float | None:
        i = self.best_index
        return None if i is None else float(self.rates[i])

    @property
    def best_loss(self) -> float | None:
        i = self.best_index
        return None if i is None else float(self.final_loss[i])


def best_index(final_loss: np.ndarray, diverged: np.ndarray) -> int | None:
    """Index of the lowest final loss among non-diverged entries (the first of exact ties); None if none."""
    ok = ~np.asarray(diverged, dtype=bool) & np.isfinite(final_loss)
    if not ok.any():
        return None
    masked = np.where(ok, final_loss, np.inf)
    return int(np.argmin(masked))  # argmin returns the first of equal values


def sweep(
    opt_name: str,
    surface: Any,
    start: Any,
    steps: int,
    rates: np.ndarray | None = None,
    hypers: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> Sweep:
    """Run `opt_name` once for every rate (vectorised), the other hyperparameters as in `hypers`.

    progress, every: passed to run() (called after every `every` steps)."""
    from . import make  # the registry (imported here: optimizers/__init__ does not import this module)

    rates = log_rates() if rates is None else np.sort(np.asarray(rates, dtype=np.float64).ravel())
    hp = {k: v for k, v in (hypers or {}).items() if k != "lr"}
    opt = make(opt_name, lr=rates[:, None], **hp)
    x0 = np.asarray(start, dtype=np.float64).reshape(2)
    traj = run(
        opt, surface, np.repeat(x0[None, :], len(rates), axis=0), steps, record=False, progress=progress, every=every
    )
    return Sweep(opt_name, rates, traj.losses[-1].copy(), traj.diverged.copy())


# -- basin map ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class BasinMap:
    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    label: np.ndarray  # (n, n) label[i, j] for the start (xs[j], ys[i]): minimum index, NOT_REACHED or DIVERGED
    steps_to: np.ndarray  # (n, n) first step from which the path stays within tol of its minimum, or -1
    final_loss: np.ndarray  # (n, n)
    diverged_at: np.ndarray  # (n, n) first bad step, or -1
    minima: np.ndarray  # (k, 2)
    tol: float
    steps: int

    def counts(self) -> dict[int, int]:
        """How many starts got each label (every minimum index, NOT_REACHED, DIVERGED)."""
        keys = list(range(len(self.minima))) + [NOT_REACHED, DIVERGED]
        return {k: int((self.label == k).sum()) for k in keys}


def default_tol(surface: Any, fraction: float) -> float:
    b = np.asarray(surface.bounds, dtype=np.float64)
    return float(fraction * (b[:, 1] - b[:, 0]).min())


def grid_starts(bounds: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs (n,), ys (n,), and the starts (n*n, 2) in row-major order (row i has y = ys[i])."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=-1)


def classify(points: np.ndarray, diverged_at: np.ndarray, minima: np.ndarray, tol: float):
    """Label paths (points: (steps+1, m, 2)) by the minimum their last point is within tol of; steps_to."""
    final = points[-1]
    m = final.shape[0]
    label = np.full(m, NOT_REACHED, dtype=np.int64)
    steps_to = np.full(m, -1, dtype=np.int64)
    if len(minima):
        d = np.linalg.norm(final[:, None, :] - minima[None, :, :], axis=-1)  # (m, k)
        nearest = d.argmin(axis=1)
        reached = d[np.arange(m), nearest] <= tol
        label[reached] = nearest[reached]
        target = minima[nearest]  # (m, 2)
        inside = np.hypot(points[..., 0] - target[:, 0], points[..., 1] - target[:, 1]) <= tol  # (T, m)
        # the last step outside (from the end backwards); the path stays inside from the step after it
        outside_rev = ~inside[::-1]
        any_out = outside_rev.any(axis=0)
        last_out = points.shape[0] - 1 - outside_rev.argmax(axis=0)
        first_in = np.where(any_out, last_out + 1, 0)
        steps_to[reached] = first_in[reached]
    bad = diverged_at >= 0
    label[bad] = DIVERGED
    steps_to[bad] = -1
    return label, steps_to


def basin_map(
    optimizer: Optimizer,
    surface: Any,
    steps: int,
    n: int = 100,
    bounds: Any = None,
    tol: float | None = None,
    chunk: int = 2500,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> BasinMap:
    """Run an n x n grid of starts over `bounds` (default: the surface's view), `chunk` starts per pass.

    progress, every: passed to each pass's run() (called after every `every` steps of a pass)."""
    bounds = surface.bounds if bounds is None else bounds
    tol = default_tol(surface, BASIN_TOL) if tol is None else float(tol)
    xs, ys, starts = grid_starts(bounds, n)
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    labels, steps_to, losses, div = [], [], [], []
    for lo in range(0, len(starts), chunk):  # chunks keep the recorded arrays small and in cache
        traj = run(optimizer, surface, starts[lo : lo + chunk], steps, record=False, progress=progress, every=every)
        lab, st = classify(traj.points, traj.diverged, minima, tol)
        labels.append(lab)
        steps_to.append(st)
        losses.append(traj.losses[-1])
        div.append(traj.diverged)
    shape = (n, n)
    return BasinMap(
        xs=xs,
        ys=ys,
        label=np.concatenate(labels).reshape(shape),
        steps_to=np.concatenate(steps_to).reshape(shape),
        final_loss=np.concatenate(losses).reshape(shape),
        diverged_at=np.concatenate(div).reshape(shape),
        minima=minima,
        tol=tol,
        steps=int(steps),
    )


# -- race ---------------------------------------------------------------------------------------------------
def race(
    entries: Sequence[Optimizer],
    surface: Any,
    start: Any,
    steps: int,
    noise: float = 0.0,
    seed: int | None = None,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> list[Trajectory]:
    """One run per optimizer from the same start; with noise, every run draws the same noise (one seed).
    record=False skips the optimizers' internal quantities (points, losses and gradients are kept).
    progress, every: passed to each run()."""
    return [
        run(opt, surface, start, steps, noise=noise, seed=seed, record=record, progress=progress, every=every)
        for opt in entries
    ]


def global_min_value(surface: Any) -> float | None:
    if getattr(surface, "min_value", None) is not None:
        return float(surface.min_value)
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    if len(minima):
        return float(np.min(surface.f(minima)))
    return None


def saddle_escape(
    points: np.ndarray, losses: np.ndarray, surface: Any, radius: float | None = None
) -> tuple[int | None, int | None]:
    """(near_at, escaped_at) for one path: see the module docstring. The first saddle approached counts."""
    saddles = np.asarray(surface.saddles, dtype=np.float64).reshape(-1, 2)
    if not len(saddles):
        return None, None
    radius = default_tol(surface, SADDLE_RADIUS) if radius is None else float(radius)
    d = np.linalg.norm(points[:, None, :] - saddles[None, :, :], axis=-1)  # (T, k)
    near = d <= radius
    if not near.any():
        return None, None
    t_near = int(np.argmax(near.any(axis=1)))
    k = int(np.argmax(near[t_near]))
    value = float(surface.f(saddles[k]))
    out = (d[:, k] > radius) & (losses < value)
    out[: t_near + 1] = False
    return t_near, (int(np.argmax(out)) if out.any() else None)


def metrics(
    traj: Trajectory, surface: Any, loss_tol: float = LOSS_TOL, saddle_radius: float | None = None
) -> dict[str, Any]:
    """The race's results for one run (see the module docstring); None where a metric does not apply."""
    pts, losses = traj.points, traj.losses
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    dist = float(np.linalg.norm(minima - pts[-1], axis=-1).min()) if len(minima) else None
    target = global_min_value(surface)
    steps_to = None
    if target is not None:
        hit = losses <= target + loss_tol
        if traj.diverged_at is not None:
            hit[traj.diverged_at :] = False  # frozen rows after divergence do not count
        steps_to = int(np.argmax(hit)) if hit.any() else None
    near_at, escaped_at = saddle_escape(pts, losses, surface, saddle_radius)
    return {
        "final_loss": float(losses[-1]),
        "distance_to_minimum": dist,
        "steps_to_tol": steps_to,
        "near_saddle_at": near_at,
        "escaped_saddle_at": escaped_at,
        "diverged_at": traj.diverged_at,
    }
