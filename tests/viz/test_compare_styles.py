"""The race's paths tell the optimizers apart by more than colour, in a colour-blind-safe palette."""

from __future__ import annotations

import numpy as np

import optimizers
import surfaces
from content.races import PRESETS
from optimizers import analysis
from viz import compare as vc

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_every_optimizer_has_its_own_colour_and_marker_from_okabe_ito():
    assert set(vc.STYLES) == set(optimizers.NAMES)
    pairs = [(c, m) for c, m, _ in vc.STYLES.values()]
    assert len(set(pairs)) == len(pairs)
    assert {c for c, _ in pairs} <= OKABE_ITO


def test_in_every_classic_race_each_racer_differs_by_colour_and_by_marker():
    for p in PRESETS:
        styles = [vc.STYLES[n] for n in p.names]
        assert len({c for c, _, _ in styles}) == len(styles), p.key
        assert len({m for _, m, _ in styles}) == len(styles), p.key


def test_the_race_draws_each_path_in_its_optimizers_style():
    s = surfaces.get("saddle")
    names = ["sgd", "momentum", "adam"]
    trajs = analysis.race([optimizers.make(n) for n in names], s, np.array([0.5, 0.01]), 30, 0.0, 0, record=False)
    spec = vc.race_spec(s, trajs, names)
    for first, name in zip(spec["layout"]["meta"]["racers"], names, strict=True):
        path, head, loss = spec["data"][first : first + 3]
        assert path["line"]["color"] == vc.color(name) and path["line"]["dash"] == vc.dash(name)
        assert path["marker"]["symbol"] == head["marker"]["symbol"] == vc.symbol(name)
        assert path["marker"]["line"]["color"] == vc.RIM  # a rim that shows on the dark and the light ends
        assert loss["line"]["dash"] == vc.dash(name)
