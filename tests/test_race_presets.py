"""Each race preset shows what its text says: the claims of its "what to notice", checked on the run."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from content.races import BY_KEY, PRESETS
from optimizers import analysis as A


def _race(key: str):
    p = BY_KEY[key]
    s = surfaces.get(p.surface)
    opts = [optimizers.make(n, **p.hypers(n)) for n in p.names]
    trajs = A.race(opts, s, p.start, p.steps, p.noise, p.seed)
    runs = {n: t for n, t in zip(p.names, trajs, strict=True)}
    return s, runs, {n: A.metrics(t, s) for n, t in runs.items()}


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_every_preset_is_valid(preset):
    s = surfaces.get(preset.surface)
    assert 2 <= len(preset.racers) <= 8 and len(set(preset.names)) == len(preset.names)
    for name in preset.names:
        optimizers.make(name, **preset.hypers(name))  # valid names and ranges
    (x0, x1), (y0, y1) = s.bounds
    assert x0 <= preset.start[0] <= x1 and y0 <= preset.start[1] <= y1
    assert preset.notice and preset.title


def _check_saddle():
    _, runs, m = _race("saddle")
    sgd, mom = m["sgd"], m["momentum"]
    assert sgd["near_saddle_at"] is not None and mom["near_saddle_at"] is not None  # they ride into it
    assert 15 <= mom["escaped_saddle_at"] <= 25  # "Momentum leaves after about 20 steps"
    assert 50 <= sgd["escaped_saddle_at"] <= 60  # "SGD after about 55"
    for name in ("adagrad", "rmsprop", "adam"):  # "never come near the saddle", and slide off downhill
        assert m[name]["near_saddle_at"] is None
        assert runs[name].losses[-1] < 0 and m[name]["diverged_at"] is None
    # the fastest escaper runs off the map going downhill: an escape, not a divergence
    assert mom["escaped_at"] is not None and mom["diverged_at"] is None and mom["outcome"].kind == "escaped"
    assert all(v["diverged_at"] is None for v in m.values())  # "not as a divergence": nobody diverges


def _check_beale():
    s, _, m = _race("beale")
    steps = {n: v["steps_to_tol"] for n, v in m.items()}
    assert all(v["distance_to_minimum"] < 0.02 and v["steps_to_tol"] is not None for v in m.values())
    assert min(steps, key=steps.get) == "momentum"  # momentum first
    assert 4 <= steps["sgd"] / steps["momentum"] <= 7  # "about five times sooner"
    rates = {n: hp["lr"] for n, hp in BY_KEY["beale"].racers}
    assert 3 * rates["momentum"] < rates["sgd"]  # "its rate is less than a third of SGD's"
    assert 230 <= steps["adagrad"] <= 320 and 230 <= steps["adam"] <= 320
    assert 500 <= steps["sgd"] <= 600 and 650 <= steps["rmsprop"] <= 750


def _check_rosenbrock():
    _, _, m = _race("rosenbrock")
    assert m["sgd"]["distance_to_minimum"] > 1.0  # still far after 1000 steps
    assert m["momentum"]["distance_to_minimum"] < 0.05 and m["momentum"]["steps_to_tol"] is not None
    assert m["adam"]["steps_to_tol"] > m["momentum"]["steps_to_tol"]  # Adam arrives, more slowly
    assert m["rmsprop"]["steps_to_tol"] is None  # still on its way
    assert m["newton"]["steps_to_tol"] == 5 and m["newton"]["distance_to_minimum"] < 1e-9


def _check_ravine():
    p = BY_KEY["ravine"]
    _, runs, m = _race("ravine")
    y = runs["sgd"].points[:21, 1]
    assert (np.sign(y[1:]) != np.sign(y[:-1])).all()  # SGD zigzags from wall to wall on every step
    assert 0.9 * 2 / 25 < dict(p.racers)["sgd"]["lr"] < 2 / 25  # just under the stability limit
    bad = optimizers.run(optimizers.make("sgd", lr=0.081), surfaces.get("ravine"), p.start, p.steps)
    assert bad.diverged_at is not None  # above 2/25 it blows up
    assert m["nesterov"]["steps_to_tol"] < m["momentum"]["steps_to_tol"] < m["sgd"]["steps_to_tol"]


def _check_rastrigin():
    s, runs, m = _race("rastrigin")
    reached = {}
    for name, t in runs.items():
        d = np.linalg.norm(s.minima - t.final, axis=1)
        reached[name] = int(d.argmin())
        assert d.min() < 0.1  # settled into a minimum
        assert t.losses[-1] > 10  # not the global one
        assert reached[name] != 0  # index 0 is the origin
    assert reached["sgd"] == reached["momentum"] == reached["adam"]
    assert reached["sgd"] == int(np.linalg.norm(s.minima - BY_KEY["rastrigin"].start, axis=1).argmin())  # nearest pit
    assert reached["rmsprop"] != reached["sgd"] and reached["adagrad"] != reached["sgd"]
    for name in ("rmsprop", "adagrad"):  # "a whole unit in each coordinate whatever the slope"
        assert np.abs(runs[name].quantities["update"][1]) == pytest.approx([1.0, 1.0], rel=1e-6)
    pits = np.diff(np.unique(np.round(s.minima[:, 0], 6)))
    assert pits.min() > 0.9 and pits.max() < 1.0  # the distance between pits is about a unit


def _check_newton_is_drawn_to_a_saddle():
    s, runs, m = _race("newton-saddle")
    newton = runs["newton"]
    saddle = s.saddles[np.linalg.norm(s.saddles - [0.09, 2.88], axis=1).argmin()]
    assert np.linalg.norm(saddle - [0.09, 2.88]) < 0.01
    d = np.linalg.norm(newton.points - saddle, axis=-1)
    assert d[1] < 0.1  # within 0.1 in one step
    assert d[4] < 1e-11 and d[3] > 1e-11  # on it to within 1e-11 by step 4, not before
    assert all(d[t + 1] < 5 * d[t] ** 2 for t in range(1, 4))  # the error roughly squares at each step
    assert np.all(d[4:] < 1e-11)  # and there for good
    assert m["newton"]["near_saddle_at"] == 1 and m["newton"]["escaped_saddle_at"] is None
    for name in ("sgd", "adam"):
        assert np.linalg.norm(runs[name].final - [3.0, 2.0]) < 0.01
    assert np.all(np.diff(runs["sgd"].losses) <= 1e-12)  # SGD only ever goes downhill
    mom = m["momentum"]
    assert mom["near_saddle_at"] is not None and mom["escaped_saddle_at"] is not None
    assert np.linalg.norm(runs["momentum"].final - [3.58, -1.85]) < 0.05


CHECKS = {
    "saddle": _check_saddle,
    "beale": _check_beale,
    "rosenbrock": _check_rosenbrock,
    "ravine": _check_ravine,
    "rastrigin": _check_rastrigin,
    "newton-saddle": _check_newton_is_drawn_to_a_saddle,
}


def test_every_preset_has_a_check_of_its_text():
    assert set(CHECKS) == set(BY_KEY)


@pytest.mark.parametrize("key", list(BY_KEY))
def test_each_preset_shows_what_its_text_says(key):
    CHECKS[key]()
