"""Each built-in surface's story happens at its default start, with the settings the Explorer loads.

A surface's description promises something (a stall at a saddle, a zig-zag-free crawl along a valley floor, a
choice of basin...). The Explorer opens a surface at its first suggested start (Surface.default_start) with
presets.recommended: these tests run exactly that, for the Explorer's default number of steps, and check
that the promise shows. Escapes are checked geometrically (far from the saddle, the loss far below it).
"""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from content import presets

STEPS = 300  # the Explorer's default number of steps (views/explorer.py DEFAULT_STEPS)
ADAPTIVE = ("adagrad", "rmsprop", "adam", "amsgrad", "adamax", "nadam", "adamw")


def _run(surface: str, opt: str, start=None, steps: int = STEPS):
    s = surfaces.get(surface)
    x0 = s.default_start if start is None else np.asarray(start, dtype=np.float64)
    return optimizers.run(optimizers.make(opt, **presets.recommended(opt, surface)), s, x0, steps)


def _good(traj):
    """The finite part of a run's path and losses (a run that left the followed region stops there)."""
    end = traj.points.shape[0] if traj.diverged_at is None else traj.diverged_at
    return traj.points[:end], traj.losses[:end]


def _nearest_minimum(s, p) -> int:
    return int(np.linalg.norm(s.minima - p, axis=-1).argmin())


def _steps_within(traj, centre, radius) -> int:
    pts, _ = _good(traj)
    return int((np.linalg.norm(pts - centre, axis=-1) <= radius).sum())


def _escaped(traj, s, saddle) -> bool:
    """Left the saddle going downhill: ends more than one unit away with the loss well below the saddle's."""
    pts, losses = _good(traj)
    return bool(np.linalg.norm(pts[-1] - saddle) > 1 and losses[-1] < s.f(saddle) - 1)


# Their step has a fixed size per coordinate (the sign of m), or is an average of their iterates: they reach the
# bottom and then hop around it, or close in slowly, instead of converging like the rest
SETTLE_NEAR = {"signum", "lion", "sf_sgd", "sf_adamw"}


def _story_bowl(s):
    """The easy case: every optimizer reaches the bottom (from 2.5 away: within 0.05; the classic ones within 0.01,
    and the sign methods, which hop around it, to within 2γ per coordinate)."""
    for opt in optimizers.NAMES:
        traj = _run(s.name, opt)
        d = np.linalg.norm(traj.final)
        assert traj.diverged_at is None and traj.escaped_at is None and traj.undefined_at is None, opt
        assert d < (0.05 if opt in SETTLE_NEAR else 0.01), (opt, d)
        if opt in ("signum", "lion"):
            assert np.abs(traj.final).max() <= 2.02 * traj.optimizer.lr, opt  # a hop of up to 2γ


def _story_ravine(s):
    """Steep walls across, a gentle floor along: SGD crosses in a few steps and then crawls along the floor;
    momentum, which adds up the pushes along the floor, arrives far sooner."""
    sgd = _run(s.name, "sgd")
    y, x = np.abs(sgd.points[:, 1]), np.abs(sgd.points[:, 0])
    across = int(np.argmax(y < 0.01 * y[0]))
    along = int(np.argmax(x < 0.01 * x[0]))
    assert 0 < across <= 10 and along >= 10 * across
    mom = _run(s.name, "momentum")
    mom_along = int(np.argmax(np.abs(mom.points[:, 0]) < 0.01 * x[0]))
    assert 0 < mom_along < along / 3


def _story_saddle_like(s, lingering_opt: str = "sgd"):
    """Close to the ridge: SGD rides in and lingers near the saddle (20 steps or more within 0.5 of it) and
    then escapes downhill; the methods that rescale the gradient leave early (fewer steps near it)."""
    saddle = s.saddles[0]
    sgd = _run(s.name, lingering_opt)
    lingered = _steps_within(sgd, saddle, 0.5)
    assert lingered >= 20 and _escaped(sgd, s, saddle)
    for opt in ADAPTIVE:
        traj = _run(s.name, opt)
        assert _steps_within(traj, saddle, 0.5) < lingered and _escaped(traj, s, saddle), opt


def _story_saddle(s):
    _story_saddle_like(s)
    # from the second suggested start, away from the ridge, everyone leaves at once: the contrast
    assert _steps_within(_run(s.name, "sgd", s.starts[1]), s.saddles[0], 0.5) == 0


def _story_monkey_saddle(s):
    _story_saddle_like(s)
    # exactly on the ridge nothing turns the run aside: SGD creeps towards the flat saddle and stays
    on_ridge = _run(s.name, "sgd", s.starts[1])
    assert np.linalg.norm(on_ridge.final - s.saddles[0]) < 0.1


def _story_rosenbrock(s):
    """Easy to find, hard to follow: the Explorer's default, Adam, keeps to the curved valley floor
    (|y − x²| small), goes round the bend (x from −1.5 past 0) and is still short of (1, 1) after 300 steps."""
    traj = _run(s.name, "adam")
    x, y = traj.points[:, 0], traj.points[:, 1]
    assert np.abs(y - x * x)[20:].max() < 0.1
    assert x[0] < -1 and x[-1] > 0
    assert np.linalg.norm(traj.final - s.minima[0]) > 0.5
    assert traj.losses[-1] < 0.05 * traj.losses[0]


def _story_beale(s):
    """The long, shallow valley: SGD drops into it within 20 steps (the loss falls by over 95%) while still
    more than half its starting distance from the minimum, then follows the flat floor to (3, 0.5)."""
    traj = _run(s.name, "sgd")
    d = np.linalg.norm(traj.points - s.minima[0], axis=-1)
    assert traj.losses[20] < 0.05 * traj.losses[0] and d[20] > 0.5 * d[0]
    assert d[-1] < 0.1


def _story_himmelblau(s):
    """Which minimum you reach depends on where you start and how: the start sits beside the central hill,
    and SGD rolls off one side of it, Adam off another."""
    ends = {opt: _nearest_minimum(s, _run(s.name, opt).final) for opt in ("sgd", "adam")}
    for opt, k in ends.items():
        assert np.linalg.norm(_run(s.name, opt).final - s.minima[k]) < 0.01, opt
    assert ends["sgd"] != ends["adam"]
    # and from the other suggested starts, SGD reaches other minima
    reached = {_nearest_minimum(s, _run(s.name, "sgd", p).final) for p in s.starts}
    assert len(reached) >= 2


def _story_double_well(s):
    """A hair right of the ridge x = 0: SGD lingers on the ridge (|x| < 0.1 for 20 steps or more) before the
    tie breaks to the right-hand well; the mirror start goes left; Adam leaves the ridge sooner."""
    sgd = _run(s.name, "sgd")
    assert (np.abs(sgd.points[:, 0]) < 0.1).sum() >= 20
    assert np.linalg.norm(sgd.final - [1.0, 0.0]) < 0.01
    mirror = _run(s.name, "sgd", s.default_start * [-1, 1])
    assert np.linalg.norm(mirror.final - [-1.0, 0.0]) < 0.01
    adam = _run(s.name, "adam")
    assert (np.abs(adam.points[:, 0]) < 0.1).sum() < 10 and np.linalg.norm(adam.final - [1.0, 0.0]) < 0.01


def _story_plateau(s):
    """Far out the gradient all but vanishes: SGD's first steps are tiny, Adam's are nearly γ, and Adam
    reaches the well long before SGD."""
    sgd, adam = _run(s.name, "sgd"), _run(s.name, "adam")
    assert np.linalg.norm(sgd.grads[0]) < 0.01
    first = lambda t: np.linalg.norm(t.quantities["update"][1:11], axis=-1).mean()  # noqa: E731
    assert first(adam) > 10 * first(sgd)
    reach = lambda t: int(np.argmax(np.linalg.norm(t.points, axis=-1) < 0.1))  # noqa: E731
    assert 0 < reach(adam) < reach(sgd)


def _story_styblinski_tang(s):
    """A greedy start finds the nearest minimum, not the best: SGD and Adam settle in the minimum nearest the
    start, which is not the deepest."""
    nearest = _nearest_minimum(s, s.default_start)
    assert s.f(s.minima[nearest]) > s.min_value + 10
    for opt in ("sgd", "adam"):
        traj = _run(s.name, opt)
        assert np.linalg.norm(traj.final - s.minima[nearest]) < 0.01, opt


def _story_rastrigin(s):
    """A bowl covered in bumps: the run settles in the pit next to its start, far above the global minimum."""
    nearest = _nearest_minimum(s, s.default_start)
    for opt in ("sgd", "adam"):
        traj = _run(s.name, opt)
        assert np.linalg.norm(traj.final - s.minima[nearest]) < 0.01, opt
        assert traj.losses[-1] > s.min_value + 10


STORIES = {
    "bowl": _story_bowl,
    "ravine": _story_ravine,
    "saddle": _story_saddle,
    "monkey_saddle": _story_monkey_saddle,
    "rosenbrock": _story_rosenbrock,
    "beale": _story_beale,
    "himmelblau": _story_himmelblau,
    "double_well": _story_double_well,
    "plateau": _story_plateau,
    "styblinski_tang": _story_styblinski_tang,
    "rastrigin": _story_rastrigin,
}


def test_every_surface_has_a_story_test():
    assert set(STORIES) == set(surfaces.NAMES)


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_the_story_happens_at_the_default_start(name):
    STORIES[name](surfaces.get(name))
