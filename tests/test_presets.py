"""The recommended settings: every surface/optimizer pair starts a run that moves and teaches something."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from content import presets

PAIRS = [(s, o) for s in surfaces.NAMES for o in optimizers.NAMES]


def test_table_names_are_real():
    assert presets.RECOMMENDED_LR
    for s, row in presets.RECOMMENDED_LR.items():
        assert s in surfaces.NAMES
        for o, lr in row.items():
            assert o in optimizers.NAMES
            optimizers.make(o, lr=lr)  # in range


@pytest.mark.parametrize(("surface", "opt"), PAIRS, ids=[f"{s}-{o}" for s, o in PAIRS])
def test_recommended_run_moves(surface, opt):
    s = surfaces.get(surface)
    hp = presets.recommended(opt, surface)
    assert set(hp) == set(optimizers.get(opt).HYPERS)
    traj = optimizers.run(optimizers.make(opt, **hp), s, s.default_start, 200)
    end = traj.points[-1] if traj.diverged_at is None else traj.points[max(traj.diverged_at - 1, 0)]
    travelled = np.linalg.norm(end - traj.points[0])  # a diverged run counts only its finite path
    (x0, x1), (y0, y1) = s.bounds
    if opt == "newton" and travelled <= 0.02 * max(x1 - x0, y1 - y0):
        assert np.abs(s.grad(traj.final)).max() < 1e-8  # Newton may settle on a nearby stationary point
    else:
        assert travelled > 0.02 * max(x1 - x0, y1 - y0)  # the newcomer sees it move
    if len(s.minima) and opt != "newton":  # first-order runs go downhill and stay on the map
        assert traj.diverged_at is None
        assert traj.losses[-1] < traj.losses[0]


def test_recommended_overrides_only_lr():
    assert presets.recommended("adam", "rosenbrock") == optimizers.defaults("adam") | {"lr": 0.1}
    assert presets.recommended("adam", "bowl") == optimizers.defaults("adam")
