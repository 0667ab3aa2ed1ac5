"""The pages' cached computations, defined once: Streamlit executes a page's file on every run, so a cached
function defined there is decorated anew each time, and the decorator reads the function's source to key its
cache (about 6 ms a run for the Explorer's four cached functions, measured with cProfile on a real server).
Imported once, they are decorated once. Plain values in, so that every session shares them.

A surface is passed as its spec, one encoding for every page: ("builtin", name) or ("formula", text, bounds)
(`surface_spec(surface)` makes it, `surface_of(spec)` reads it back).

The Explorer's:
    traj = explorer_run(spec, opt_name, hypers, start, steps, noise, seed)   # a copy (st.cache_data)
    data = stage_bytes(*same_args, theory)     # the stage's run as bytes (ui/stage.py), made once per run
    figure = explorer_figure(*same_args, three_d)   # the 3-D view's figure: shared, immutable: figure.at(t)
"""

from __future__ import annotations

import numpy as np
import orjson
import streamlit as st

import budget
import i18n
import optimizers
import surfaces
import training
from budget.memory import EXPLORER_RUNS_MB, MB, BoundedCache, deep_size
from optimizers import analysis, regimen
from ui import budget as budget_ui
from viz import explorer as viz_explorer
from viz import surface_map

BUILTIN = "builtin"
FORMULA = "formula"


def surface_spec(surface) -> tuple:
    """The key of a surface in the caches: ("builtin", name), or ("formula", text, bounds) for a formula."""
    formula = getattr(surface, "formula", None)
    if formula:
        return (FORMULA, formula, tuple(tuple(map(float, b)) for b in surface.bounds))
    return (BUILTIN, surface.name)


def surface_of(spec: tuple):
    """The surface a spec names (surfaces.from_formula keeps its own cache of formulas)."""
    if spec[0] == BUILTIN:
        return surfaces.get(spec[1])
    if spec[0] == FORMULA:
        return surfaces.from_formula(spec[1], spec[2])
    raise ValueError(f"not a surface spec: {spec!r}")


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
    opt = regimen.make(name, **dict(hypers))  # under the regimen a ("regimen", spec) entry describes
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
# `_hook`: (progress, every) from ui.budget.Progress (not part of the cache key): progress is called every
# `every` steps to draw a progress bar and to stop work that nobody will see.
@st.cache_data(max_entries=64, show_spinner=False)
def race_runs(surface_spec: tuple, racers: tuple, start: tuple, steps: int, noise: float, seed: int, _hook=None):
    s = surface_of(surface_spec)
    opts = [regimen.make(name, **dict(hp)) for name, hp in racers]
    progress, every = _hook or (None, 100)
    record = any(isinstance(o, regimen.Regimen) for o in opts)  # its record of clipping, for the table
    return analysis.race(opts, s, np.array(start), steps, noise, seed, record=record, progress=progress, every=every)


@st.cache_data(max_entries=64, show_spinner=False)
def sweep_runs(surface_spec: tuple, racers: tuple, start: tuple, steps: int, n_rates: int, _hook=None):
    s = surface_of(surface_spec)
    rates = analysis.log_rates(n=n_rates)
    progress, every = _hook or (None, 100)
    return [
        analysis.sweep(name, s, np.array(start), steps, rates, dict(hp), progress=progress, every=every)
        for name, hp in racers
    ]


@st.cache_data(max_entries=16, show_spinner=False)
def basin_run(surface_spec: tuple, opt_name: str, hypers: tuple, steps: int, n: int, _hook=None):
    progress, every = _hook or (None, 100)
    opt = regimen.make(opt_name, **dict(hypers))
    return analysis.basin_map(opt, surface_of(surface_spec), steps, n, progress=progress, every=every)


# -- Explorer -------------------------------------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def explorer_run(
    spec: tuple, opt_name: str, hypers: tuple, start: tuple, steps: int, noise: float, seed: int, _hook=None
):
    """The run, checking every ~40 ms of work whether a newer run or a closed tab has made it pointless.

    `_hook` (not part of the key): (progress, every) from ui.budget.Progress, which also draws a progress bar.
    """
    opt = regimen.make(opt_name, **dict(hypers))  # with the regimen its ("regimen", spec) entry describes
    surface = surface_of(spec)
    under = isinstance(opt, regimen.Regimen)
    progress, every = _hook or (
        _checkpoint,
        budget.steps_per_chunk(budget.run_work(opt_name, surface, 1, regimen=under)),
    )
    return optimizers.run(opt, surface, np.array(start), steps, noise=noise, seed=seed, progress=progress, every=every)


def _checkpoint(_t: int) -> None:
    budget_ui.checkpoint()


@st.cache_data(max_entries=64, show_spinner=False)
def explorer_map(spec: tuple, three_d: bool, lang: str = "en") -> dict:
    """The surface's map (`lang`: its texts' language, part of the key: the surface's title, the hover text)."""
    with i18n.use(lang):
        return surface_map.map_spec(surface_of(spec), three_d=three_d, clickable=not three_d)


@st.cache_resource(max_entries=32, show_spinner=False)
def explorer_figure(
    spec: tuple,
    opt_name: str,
    hypers: tuple,
    start: tuple,
    steps: int,
    noise: float,
    seed: int,
    three_d: bool,
    lang: str = "en",
) -> viz_explorer.StepFigure:
    """The run's figure, serialised once (frames and all); a Step press only moves it to the step.

    `lang`: the language of its texts (titles, legends, hover texts), part of the key: pass `i18n.lang()`.

    st.cache_resource, not st.cache_data: unpickling a ~1 MB figure cost a Step more than all the rest. Sharing
    is safe: a StepFigure holds only immutable JSON fragments and private arrays, and `at(t)` returns a new dict.
    """
    traj = explorer_run(spec, opt_name, hypers, start, steps, noise, seed)
    surface = surface_of(spec)
    base = explorer_map(spec, three_d, lang)
    with i18n.use(lang):
        spec_ = viz_explorer.explorer_figure(traj, surface, 0, base=base, three_d=three_d)
        return viz_explorer.StepFigure(spec_, traj, surface, three_d=three_d)


@st.cache_data(max_entries=64, show_spinner=False)
def map_part(spec: tuple) -> dict:
    """The stage's still map for a surface (background image, minima, saddles): the same for every run on it."""
    return viz_explorer.map_data(surface_of(spec))


def stage_bytes(
    spec: tuple,
    opt_name: str,
    hypers: tuple,
    start: tuple,
    steps: int,
    noise: float,
    seed: int,
    theory: bool = False,
    lang: str = "en",
) -> bytes:
    """The whole run as the stage draws it (viz.explorer.stage_data), serialised: made once per setting and kept in
    RUNS (below) with the trajectory, not in st.cache_data as well (a 2000-step run's bytes are ~0.9 MB; making
    them again from the cached trajectory takes a few ms). `theory` adds the local quadratic model at every step.
    `lang`: the language of its texts (the loss's title, the rows' meanings, how the run stopped), part of the
    key: pass `i18n.lang()`."""
    traj = explorer_run(spec, opt_name, hypers, start, steps, noise, seed)
    with i18n.use(lang):
        data = viz_explorer.stage_data(traj, surface_of(spec), map_part=map_part(spec), theory=theory)
    return orjson.dumps(data)


# (trajectory, stage bytes) per (args, theory, language), shared by every session of the process: a setting a class
# has already visited costs a dict lookup, not two st.cache_data lookups (hashing the arguments, inspecting the
# signature, unpickling the trajectory and copying the bytes: about 1 ms), and sessions on the same settings share
# one copy. Bounded in bytes (budget/memory.py); a client's clear_cache cannot reach it.
RUNS = BoundedCache("explorer runs", EXPLORER_RUNS_MB * MB)


class Shared:
    """One run as RUNS holds it: the read-only trajectory and the stage's bytes (a session refers to it weakly)."""

    __slots__ = ("traj", "data", "__weakref__")

    def __init__(self, traj, data: bytes):
        self.traj, self.data = traj, data


def _frozen(traj):
    """The trajectory with its arrays read-only: it is shared by every session, so no code may write into it."""
    for value in vars(traj).values():
        for a in value.values() if isinstance(value, dict) else (value,):
            if isinstance(a, np.ndarray):
                a.setflags(write=False)
    return traj


def share_run(key: tuple, traj, data: bytes) -> Shared:
    """Put a run in RUNS (its size counted: the trajectory's arrays and the bytes) and return the shared object."""
    return RUNS.put(key, Shared(_frozen(traj), data), deep_size(traj) + len(data))


def csv_bytes(traj) -> bytes:
    """The trajectory as CSV (for a deferred download button: made only when a student asks for it)."""
    return traj.to_frame().to_csv(index=False).encode()
