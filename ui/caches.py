"""The pages' cached computations, defined once (a function decorated inside a page is decorated anew on every
run, and the decorator hashes its source each time). Plain values in, so that every session shares them.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import i18n
import optimizers
import surfaces
import training
from optimizers import analysis


@st.cache_data(max_entries=256, show_spinner=False)
def train_one(
    dataset: str,
    hidden: tuple,
    activation: str,
    batch_size: int,
    epochs: int,
    val_fraction: float,
    seed: int,
    name: str,
    hypers: tuple,
    _hook=None,
) -> training.Curves:
    """One optimizer's curves on the network page (small: the shared setup is rebuilt per run, not cached).

    `_hook` (not part of the cache key): (progress, every) from ui.budget.Progress."""
    setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    training.check_budget(setup, [name])
    progress, every = _hook or (None, 100)
    opt = optimizers.make(name, **dict(hypers))
    return training.fit(setup, opt, name, optimizers.get(name).title, dict(hypers), progress=progress, every=every)


@st.cache_data(max_entries=64, show_spinner=False)
def sharpness_one(
    dataset: str,
    hidden: tuple,
    activation: str,
    batch_size: int,
    epochs: int,
    val_fraction: float,
    seed: int,
    name: str,
    hypers: tuple,
    lang: str = "en",
):
    """The sharpness of the full training loss over one optimizer's training (training.sharpness).

    `lang`: the language of its limit's label and note (displayed text), part of the key: pass `i18n.lang()`."""
    from training.sharpness import sharpness_curve

    setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    with i18n.use(lang):
        return sharpness_curve(setup, name, dict(hypers))


# -- Compare --------------------------------------------------------------------------------------------------
def race_surface(spec: tuple):
    """A Compare surface spec: ("builtin", name) or ("formula", text, bounds)."""
    if spec[0] == "builtin":
        return surfaces.get(spec[1])
    return surfaces.from_formula(spec[1], spec[2])


# `_hook`: (progress, every) from ui.budget.Progress (not part of the cache key): progress is called every
# `every` steps to draw a progress bar and to stop work that nobody will see.
@st.cache_data(max_entries=64, show_spinner=False)
def race_runs(surface_spec: tuple, racers: tuple, start: tuple, steps: int, noise: float, seed: int, _hook=None):
    s = race_surface(surface_spec)
    opts = [optimizers.make(name, **dict(hp)) for name, hp in racers]
    progress, every = _hook or (None, 100)
    return analysis.race(opts, s, np.array(start), steps, noise, seed, record=False, progress=progress, every=every)


@st.cache_data(max_entries=64, show_spinner=False)
def sweep_runs(surface_spec: tuple, racers: tuple, start: tuple, steps: int, n_rates: int, _hook=None):
    s = race_surface(surface_spec)
    rates = analysis.log_rates(n=n_rates)
    progress, every = _hook or (None, 100)
    return [
        analysis.sweep(name, s, np.array(start), steps, rates, dict(hp), progress=progress, every=every)
        for name, hp in racers
    ]


@st.cache_data(max_entries=16, show_spinner=False)
def basin_run(surface_spec: tuple, opt_name: str, hypers: tuple, steps: int, n: int, _hook=None):
    progress, every = _hook or (None, 100)
    opt = optimizers.make(opt_name, **dict(hypers))
    return analysis.basin_map(opt, race_surface(surface_spec), steps, n, progress=progress, every=every)
