"""Fair comparisons over the core: learning-rate sweeps, basin maps and race metrics (NumPy only).

Outcome
    `outcome(traj, index=None)`: how a run ended (ran all its steps, diverged, escaped downhill, or reached a
    point where f, the gradient or the update is undefined: see optimizers.engine), with the step, the point
    and the sentence every page shows. The wording lives here only.

Learning-rate sweep
    `sweep(name, surface, start, steps)` runs one optimizer ONCE with lr of shape (n, 1) over the start
    repeated n times: hyperparameters broadcast over the batch, so rate i drives row i only, and every row
    equals, bit for bit, a run of that rate alone. The sweep is noise-free (the engine draws one noise
    sample per row, so a noisy sweep would give each rate different noise).
    Best rate (BEST_RATE_RULE): if some rates escaped (left the map going downhill: the surface has no
    minimum that way), the rate that escaped soonest, on a tie the smaller; otherwise the lowest final loss
    among the rates that ran all their steps, on an exact tie the smaller rate (rates are sorted ascending,
    so the first). A rate that diverged or reached an undefined point is never best; if no rate qualifies
    there is no best (None).

Basin map
    `basin_map(opt, surface, steps, n)` runs an n x n grid of starts over the surface's view at once and
    labels each start by the known minimum (surface.minima) its last iterate lies within `tol` of (its
    index), NOT_REACHED (-1: ended elsewhere: still travelling, stalled, or at a minimum nobody listed)
    DIVERGED (-2), ESCAPED (-3: left the map going downhill) or UNDEFINED (-4: reached a point where f,
    the gradient or the update is undefined). `steps_to[i, j]` is the first step from which the path stays
    within `tol` of that minimum (-1 when it reaches none). The default tol is 2% of the view's smaller side.

Race metrics (`metrics`, one run from one start)
    final_loss, distance_to_minimum (from the last iterate to the nearest known minimum), steps_to_tol (the
    first step at which loss <= global minimum value + loss_tol; the global minimum value is
    surface.min_value, else the lowest f over surface.minima), diverged_at, escaped_at, undefined_at, and
    outcome (an Outcome).
    Saddle escape: a run is *near* a saddle (surface.saddles) once it comes within `radius` of it (default
    5% of the view's smaller side); it *escapes* at the first later step at which it is farther than
    `radius` from that saddle AND its loss is below the saddle's value (it went down past the saddle, not
    back up the way it came). near_saddle_at / escaped_at are those steps, or None.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from i18n import N_, translator

from .base import Optimizer
from .engine import FALLING_STEPS, Trajectory, run

SWEEP_LOW = 1e-4
SWEEP_HIGH = 10.0  # the top of every learning rate's valid range
SWEEP_N = 30
NOT_REACHED = -1
DIVERGED = -2
ESCAPED = -3
UNDEFINED = -4
BASIN_TOL = 0.02  # of the view's smaller side
SADDLE_RADIUS = 0.05  # of the view's smaller side
LOSS_TOL = 1e-3

_, ngettext = translator("core")


def log_rates(low: float = SWEEP_LOW, high: float = SWEEP_HIGH, n: int = SWEEP_N) -> np.ndarray:
    """n learning rates spaced evenly on a log scale from low to high (both included), ascending."""
    if not (0 < low < high) or not np.isfinite(high):
        raise ValueError(f"the sweep needs 0 < low < high, got low={low!r}, high={high!r}")
    if int(n) != n or n < 2:
        raise ValueError(f"the sweep needs at least 2 rates, got {n!r}")
    return np.logspace(np.log10(low), np.log10(high), int(n))


# -- outcome ------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one run ended. kind: "ran" (all its steps), "diverged", "escaped" or "undefined"."""

    kind: str
    step: int | None  # the step of the outcome (see optimizers.engine); None for "ran"
    last_step: int  # the last real row of the run (later rows repeat it)
    point: tuple[float, float]  # the undefined point, else the run's last real point
    headline: str  # e.g. "The run diverged at step 12"
    detail: str  # what happened and what to do, in plain text
    short: str  # a few words for a table cell

    @property
    def message(self) -> str:
        return _("{headline}: {detail}").format(headline=self.headline, detail=self.detail)

    @property
    def stopped(self) -> bool:
        return self.kind != "ran"

    def not_taken(self, t: int) -> str:
        """Why step t (after the last real one) shows no update."""
        last = self.last_step
        if self.kind == "undefined":
            head = "the " + self.headline[4:] if self.headline.startswith("The ") else self.headline
            why = _("{what} (step {last})").format(what=head, last=last)
        elif self.kind == "escaped":
            why = _("the run left the map going downhill at step {step}").format(step=self.step)
        else:
            why = _("the run diverged at step {step}").format(step=self.step)
        back = (
            _("Go Back to step {last} to see the last update.").format(last=last)
            if last > 0
            else _("No update was ever taken.")
        )
        return _(
            "Step {t} was not taken: {why}, so θ and the optimizer's state stay as they were at step {last}. {back}"
        ).format(t=t, why=why, last=last, back=back)


def _pt(p) -> str:
    return f"({float(p[0]):.4g}, {float(p[1]):.4g})"


def outcome(traj: Trajectory, index: int | None = None) -> Outcome:
    """The outcome of a run, or of start `index` of a batch, with the sentence the pages show (in the language in
    use at the call: i18n)."""
    if traj.batched and index is None:
        raise ValueError("a batch has one outcome per start: pass index")
    sel = () if not traj.batched else (index,)
    div, esc, und = (int(a[sel]) for a in (traj.diverged, traj.escaped, traj.undefined))
    col = (slice(None), *sel)
    points, losses, grads = traj.points[col], traj.losses[col], traj.grads[col]
    exit_loss = float(traj.exit_loss[sel]) if traj.exit_loss is not None else math.nan
    if und >= 0:
        p = points[und]
        at = _pt(p)
        where = _("the run starts there") if und == 0 else _("step {step} landed there").format(step=und)
        if not np.isfinite(losses[und]):
            if np.isnan(losses[und]):
                what = _("The loss f is undefined at {point}").format(point=at)
            else:
                what = _("The loss f is infinite at {point}").format(point=at)
        elif not np.isfinite(grads[und]).all():
            what = _("The gradient is undefined at {point}").format(point=at)
        elif traj.optimizer.needs_hessian:
            what = _("{optimizer}'s step is undefined at {point}").format(optimizer=traj.optimizer.title, point=at)
            where = _("{where}; the Hessian there is singular or undefined, so (H + δI)⁻¹g does not exist").format(
                where=where
            )
        else:
            what = _("{optimizer}'s update is undefined at {point}").format(optimizer=traj.optimizer.title, point=at)
            if not np.any(grads[und]) and getattr(traj.optimizer, "eps", None) == 0:
                where = _("{where}; the gradient there is 0 and ε = 0, so the step divides 0 by 0").format(where=where)
            else:
                where = _("{where}; its formula gives no number there (0/0 or ∞ − ∞)").format(where=where)
        return Outcome(
            "undefined",
            und,
            und,
            (float(p[0]), float(p[1])),
            what,
            _("{where}. No update exists from that point, so the run stops (step {step} is its last).").format(
                where=where, step=und
            ),
            _("undefined at step {step}").format(step=und),
        )
    if esc >= 0:
        last = max(esc - 1, 0)
        p = points[last]
        if exit_loss == -math.inf:
            head = _("The run fell to f = −∞ at step {step}").format(step=esc)
            why = _("the loss fell at each of its last steps")
        else:
            head = _("The run left the map going downhill at step {step}").format(step=esc)
            why = (
                _("f → −∞, this surface has no minimum")
                if traj.unbounded_below
                else _(
                    "the loss fell at each of its last steps, to {loss}, below every value f takes on the map, "
                    "so downhill is off the map"
                ).format(loss=f"{exit_loss:.4g}")
            )
        return Outcome(
            "escaped",
            esc,
            last,
            (float(p[0]), float(p[1])),
            head,
            _("{why}. The optimizer did its job; the path up to step {last} is kept.").format(why=why, last=last),
            _("escaped downhill at step {step}").format(step=esc),
        )
    if div >= 0:
        last = max(div - 1, 0)
        p = points[last]
        if div == 0:
            return Outcome(
                "diverged",
                0,
                0,
                (float(p[0]), float(p[1])),
                _("The run cannot start there"),
                _("the start is more than ten view-widths off the map."),
                _("diverged at step {step}").format(step=0),
            )
        grew = True  # only where the loss grew or stopped being finite is a lower rate the advice
        if not math.isfinite(exit_loss):
            why = _("the loss stopped being a finite number")
        elif exit_loss >= losses[last]:
            why = _("the loss grew (to {loss}) as the iterate left the region ten view-widths around the map").format(
                loss=f"{exit_loss:.4g}"
            )
        else:
            grew = False
            recent = losses[max(div - FALLING_STEPS, 0) : div]
            steady = bool(np.all(np.diff(recent) < 0))
            why = (
                _(
                    "the next iterate left the region ten view-widths around the map, its loss falling but not "
                    "below every value f takes on the map"
                )
                if steady
                else _(
                    "the next iterate left the region ten view-widths around the map, its loss not falling "
                    "steadily (it went up at one of the last steps)"
                )
            )
        if grew:
            detail = _("{why}. The path up to step {last} is kept; lower the learning rate to tame it.")
        else:
            detail = _("{why}. The path up to step {last} is kept.")
        return Outcome(
            "diverged",
            div,
            last,
            (float(p[0]), float(p[1])),
            _("The run diverged at step {step}").format(step=div),
            detail.format(why=why, last=last),
            _("diverged at step {step}").format(step=div),
        )
    p = points[-1]
    return Outcome(
        "ran",
        None,
        traj.steps,
        (float(p[0]), float(p[1])),
        _("The run took all {steps} steps").format(steps=traj.steps),
        _("it stayed within ten view-widths of the map, with finite numbers throughout."),
        _("ran all {steps} steps").format(steps=traj.steps),
    )


# -- learning-rate sweep ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Sweep:
    optimizer: str
    rates: np.ndarray  # (n,) ascending
    final_loss: np.ndarray  # (n,) the loss after the last step (the last real one for a rate that stopped)
    diverged_at: np.ndarray  # (n,) the step it diverged at, or -1
    escaped_at: np.ndarray  # (n,) the step it left the map going downhill at, or -1
    undefined_at: np.ndarray  # (n,) the step whose point has f, the gradient or the update undefined, or -1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def escaped(self) -> np.ndarray:
        return self.escaped_at >= 0

    @property
    def undefined(self) -> np.ndarray:
        return self.undefined_at >= 0

    @property
    def ran(self) -> np.ndarray:
        """The rates that took all their steps."""
        return ~(self.diverged | self.escaped | self.undefined)

    @property
    def best_index(self) -> int | None:
        return best_index(self.final_loss, self.diverged | self.undefined, self.escaped_at)

    @property
    def best_by_escape(self) -> bool:
        """The best rate was chosen as the one that escaped soonest (some rate left the map going downhill)."""
        return bool(self.escaped.any())

    @property
    def best_rate(self) -> float | None:
        i = self.best_index
        return None if i is None else float(self.rates[i])

    @property
    def best_loss(self) -> float | None:
        """The best rate's final loss (None when there is no best, or it escaped: its loss fell off the map)."""
        i = self.best_index
        return None if i is None or self.escaped[i] else float(self.final_loss[i])


# shown where used: _(BEST_RATE_RULE) (or best_rate_rule()), in the language of the session
BEST_RATE_RULE = N_(
    "the lowest final loss among the rates that ran all their steps (on an exact tie, the smaller rate); "
    "where some rates left the map going downhill (this surface has no minimum that way), the rate that "
    "left soonest (on a tie, the smaller). A rate that diverged or reached a point where the gradient is "
    "undefined is never best"
)


def best_rate_rule() -> str:
    """BEST_RATE_RULE in the language in use."""
    return _(BEST_RATE_RULE)


def best_index(final_loss: np.ndarray, failed: np.ndarray, escaped_at: np.ndarray | None = None) -> int | None:
    """The best entry by BEST_RATE_RULE: if any escaped_at >= 0, the smallest escape step (the first of ties);
    else the lowest finite final loss among entries not `failed` (the first of exact ties); None if none."""
    if escaped_at is not None:
        escaped_at = np.asarray(escaped_at)
        esc = escaped_at >= 0
        if esc.any():
            return int(np.argmin(np.where(esc, escaped_at, np.iinfo(np.int64).max)))
    else:
        esc = np.zeros(np.shape(final_loss), dtype=bool)
    ok = ~np.asarray(failed, dtype=bool) & ~esc & np.isfinite(final_loss)
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
    from .regimen import make  # the registry, with a "regimen" entry of hypers applied (still one pass)

    rates = log_rates() if rates is None else np.sort(np.asarray(rates, dtype=np.float64).ravel())
    hp = {k: v for k, v in (hypers or {}).items() if k != "lr"}
    opt = make(opt_name, lr=rates[:, None], **hp)
    x0 = np.asarray(start, dtype=np.float64).reshape(2)
    traj = run(
        opt, surface, np.repeat(x0[None, :], len(rates), axis=0), steps, record=False, progress=progress, every=every
    )
    return Sweep(
        opt_name, rates, traj.losses[-1].copy(), traj.diverged.copy(), traj.escaped.copy(), traj.undefined.copy()
    )


# -- basin map ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class BasinMap:
    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    label: np.ndarray  # (n, n) label[i, j] for the start (xs[j], ys[i]): minimum index, NOT_REACHED or DIVERGED
    steps_to: np.ndarray  # (n, n) first step from which the path stays within tol of its minimum, or -1
    final_loss: np.ndarray  # (n, n)
    diverged_at: np.ndarray  # (n, n) the step it diverged at, or -1
    minima: np.ndarray  # (k, 2)
    tol: float
    steps: int
    escaped_at: np.ndarray | None = None  # (n, n) the step it left the map going downhill at, or -1
    undefined_at: np.ndarray | None = None  # (n, n) the step of its undefined point, or -1

    def counts(self) -> dict[int, int]:
        """How many starts got each label (every minimum index, NOT_REACHED, DIVERGED, ESCAPED, UNDEFINED)."""
        keys = list(range(len(self.minima))) + [NOT_REACHED, DIVERGED, ESCAPED, UNDEFINED]
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


def classify(
    points: np.ndarray,
    diverged_at: np.ndarray,
    minima: np.ndarray,
    tol: float,
    escaped_at: np.ndarray | None = None,
    undefined_at: np.ndarray | None = None,
):
    """Label paths (points: (steps+1, m, 2)) by the minimum their last point is within tol of; steps_to.
    A path that diverged, escaped or reached an undefined point gets that label instead (and steps_to -1)."""
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
    for stops, lab in ((diverged_at, DIVERGED), (escaped_at, ESCAPED), (undefined_at, UNDEFINED)):
        if stops is not None:
            bad = np.asarray(stops) >= 0
            label[bad] = lab
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
    labels, steps_to, losses, div, esc, und = [], [], [], [], [], []
    for lo in range(0, len(starts), chunk):  # chunks keep the recorded arrays small and in cache
        traj = run(optimizer, surface, starts[lo : lo + chunk], steps, record=False, progress=progress, every=every)
        lab, st = classify(traj.points, traj.diverged, minima, tol, traj.escaped, traj.undefined)
        labels.append(lab)
        steps_to.append(st)
        losses.append(traj.losses[-1])
        div.append(traj.diverged)
        esc.append(traj.escaped)
        und.append(traj.undefined)
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
        escaped_at=np.concatenate(esc).reshape(shape),
        undefined_at=np.concatenate(und).reshape(shape),
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
        hit[int(traj.last_real) + 1 :] = False  # rows repeated after the run stopped do not count
        steps_to = int(np.argmax(hit)) if hit.any() else None
    near_at, escaped_at = saddle_escape(pts, losses, surface, saddle_radius)
    return {
        "final_loss": float(losses[-1]),
        "distance_to_minimum": dist,
        "steps_to_tol": steps_to,
        "near_saddle_at": near_at,
        "escaped_saddle_at": escaped_at,
        "diverged_at": traj.diverged_at,
        "escaped_at": traj.escaped_at,
        "undefined_at": traj.undefined_at,
        "outcome": outcome(traj),
    }


# -- the theory beside the run (optimizers/theory.py: the local quadratic model, rates, sharpness) ---------
from .theory import (  # noqa: E402, F401 - re-exported, kept apart from the comparisons above
    QuadraticModel,
    Sharpness,
    StepTheory,
    best_hypers,
    measured_mode_rate,
    measured_rate,
    model_radius,
    quadratic_model,
    sharpness,
    stability_limit,
    step_theory,
)
