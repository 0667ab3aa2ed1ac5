"""Each card of the home page's gallery shows what its text says: every claim checked on the run its link opens.

A link carries every setting (presets.explorer_link), so the run is rebuilt from the link's query alone, as the
Explorer reads it. Every card has a check in CHECKS, and a card without one fails a test.
"""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from content.gallery import GALLERY, Card, Link


def _value(text: str) -> bool | float:
    return {"true": True, "false": False}[text] if text in ("true", "false") else float(text)


def _run(link: Link, start=None, **changes):
    """The run the link opens (optionally from another start, or with noise, seed or a hyperparameter changed)."""
    q = link.query
    s = surfaces.get(q["surface"])
    opt = q["opt"]
    hp = {name: _value(q[name]) for name in optimizers.get(opt).HYPERS}
    hp |= {k: v for k, v in changes.items() if k in hp}
    noise = changes.get("noise", float(q.get("noise", 0.0)))
    seed = changes.get("seed", int(q["seed"]) if "seed" in q else None)
    start = np.array([float(q["x0"]), float(q["y0"])]) if start is None else np.asarray(start, dtype=float)
    return optimizers.run(optimizers.make(opt, **hp), s, start, int(q["steps"]), noise=noise, seed=seed), s


def _links(card: Card) -> dict[str, Link]:
    return {lk.label: lk for lk in card.links}


def _check_saddle(card):
    """SGD slides to the saddle point and lingers there; Adam is away in about 20 steps."""
    links = _links(card)
    sgd, s = _run(links["SGD lingers"])
    adam, _ = _run(links["Adam escapes"])
    saddle = s.saddles[0]
    for t in (sgd, adam):
        assert 0 < abs(t.points[0, 1]) <= 0.001  # "a hair off the ridge"
    d = np.linalg.norm(sgd.points - saddle, axis=-1)
    assert d.min() < 0.05 and (d <= 0.5).sum() > 0.8 * sgd.steps  # slides to it and lingers
    d = np.linalg.norm(adam.points - saddle, axis=-1)
    away = int(np.argmax((d > 1) & (adam.losses < s.f(saddle) - 0.5) & (np.arange(len(d)) > 0)))
    assert 15 <= away <= 25  # "away in about 20 steps": far from the saddle and going downhill
    first = np.abs(adam.quantities["update"][1])
    assert first == pytest.approx(np.full(2, float(links["Adam escapes"].query["lr"])), rel=1e-4)  # full-size


def _check_ravine(card):
    """Plain gradient descent bounces from wall to wall; momentum averages the bounces away and speeds along
    the floor."""
    links = _links(card)
    sgd, s = _run(links["SGD zig-zags"])
    mom, _ = _run(links["Momentum glides"])
    eig = np.linalg.eigvalsh(s.hessian(s.minima[0]))
    assert eig.max() / eig.min() == pytest.approx(50)  # "50 times steeper across than along"
    y = sgd.points[:, 1]
    assert (np.sign(y[1:]) != np.sign(y[:-1])).all() and np.abs(y[20]) > 0.05 * np.abs(y[0])
    ym = mom.points[:, 1]
    assert np.abs(ym[100:]).max() < 0.01 * np.abs(ym[:20]).max()  # the bounces averaged away
    reach = lambda t: int(np.argmax(np.linalg.norm(t.points, axis=-1) < 0.05))  # noqa: E731
    assert 0 < reach(mom) < reach(sgd) / 2  # and along the floor it is there in less than half the steps


def _check_rosenbrock(card):
    """Finding the valley is easy, following its curve to the minimum at (1, 1) is not."""
    traj, s = _run(card.links[0])
    x, y = traj.points[:, 0], traj.points[:, 1]
    assert np.abs(y - x * x)[20:].max() < 0.1  # on the curved floor
    assert x[-1] > x[0] + 1  # following it
    assert np.linalg.norm(traj.final - [1.0, 1.0]) > 0.5  # and not at (1, 1) yet


def _check_newton_saddle(card):
    """One step and it sits on the saddle."""
    traj, s = _run(card.links[0])
    assert np.allclose(traj.points[1:], s.saddles[0], atol=1e-12)


def _check_bias_correction(card):
    """Without the correction the first step is about three times too big; with it, exactly γ per coordinate."""
    links = _links(card)
    on, _ = _run(links["Corrected"])
    off, _ = _run(links["Not corrected"])
    lr = float(links["Corrected"].query["lr"])
    assert np.abs(on.quantities["update"][1]) == pytest.approx(np.full(2, lr), rel=1e-6)
    assert np.abs(off.quantities["update"][1]) / lr == pytest.approx(np.full(2, 3.16), abs=0.01)


def _check_noise(card):
    """σ = 2: SGD still finds the bottom of the bowl, then jitters around it; the seed makes it repeatable."""
    link = card.links[0]
    assert float(link.query["noise"]) == 2.0
    traj, s = _run(link)
    d = np.linalg.norm(traj.points - s.minima[0], axis=-1)
    assert d[30] < 0.2 * d[0]  # finds the bottom
    assert np.median(d[50:]) > 0.1 and d[50:].max() < 0.8  # jitters around it, never settling
    clean, _ = _run(link, noise=0.0)
    assert np.linalg.norm(clean.final) < 1e-6
    again, _ = _run(link)
    other, _ = _run(link, seed=int(link.query["seed"]) + 1)
    np.testing.assert_array_equal(again.points, traj.points)  # repeatable
    assert not np.array_equal(other.points, traj.points)


def _check_himmelblau(card):
    """Four equal minima; the same optimizer from different starts ends in different ones."""
    link = card.links[0]
    traj, s = _run(link)
    assert len(s.minima) == 4 and np.allclose(s.f(s.minima), 0)
    assert any(np.allclose(traj.start, p) for p in s.starts)
    ends = set()
    for start in s.starts:  # the link's start and the map's other suggested starts
        t, _ = _run(link, start)
        d = np.linalg.norm(s.minima - t.final, axis=-1)
        assert d.min() < 0.01
        ends.add(int(d.argmin()))
    assert len(ends) == len(s.starts) == 3


def _check_plateau(card):
    """Far out the gradient all but vanishes: SGD's steps shrink with it; Adam keeps walking in."""
    links = _links(card)
    sgd, s = _run(links["SGD crawls"])
    adam, _ = _run(links["Adam walks"])
    assert np.linalg.norm(sgd.grads[0]) < 0.01
    assert np.linalg.norm(sgd.final - sgd.start) < 0.3  # SGD crawls: less than 0.3 in 200 steps
    assert np.linalg.norm(adam.final - s.minima[0]) < 0.01  # Adam walks all the way in


CHECKS = {
    "Adam vs SGD at a saddle": _check_saddle,
    "Momentum in a ravine": _check_ravine,
    "Rosenbrock's valley": _check_rosenbrock,
    "Newton runs to the saddle": _check_newton_saddle,
    "Bias correction, on and off": _check_bias_correction,
    "Noisy gradients": _check_noise,
    "Where you start decides": _check_himmelblau,
    "Out on the plateau": _check_plateau,
}


def test_every_card_has_a_check_of_its_text():
    assert set(CHECKS) == {card.title for card in GALLERY}


@pytest.mark.parametrize("card", GALLERY, ids=lambda c: c.title)
def test_each_card_shows_what_its_text_says(card):
    CHECKS[card.title](card)
