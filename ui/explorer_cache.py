"""The Explorer's cached computations: a run, its map, its frozen figure (plain values in), and its CSV.

They live here, not in views/explorer.py, because Streamlit executes a page's file on every run: a cached
function defined there is decorated anew each time, and the decorator reads the function's source to key its
cache (about 6 ms a run for the page's four cached functions then, measured with cProfile on a real server).
Imported once, they are decorated once. A surface is passed as a key: (name,) for a built-in, ("custom",
formula, bounds) for a formula.

    traj = run(surface_key, opt_name, hypers, start, steps, noise, seed)   # a copy (st.cache_data)
    data = stage_bytes(*same_args)              # the stage's run as bytes (ui/stage.py), made on a miss of RUNS
    figure = figure(*same_args, three_d)        # the 3-D view's figure: shared, immutable: figure.at(t)
    traj, data = this_session(args)             # both, kept in the session while its settings stay
"""

from __future__ import annotations

import weakref

import numpy as np
import orjson
import streamlit as st

import budget
import optimizers
import surfaces
from budget.memory import EXPLORER_RUNS_MB, MB, BoundedCache, deep_size
from ui import budget as budget_ui
from viz import explorer as viz_explorer
from viz import surface_map

CUSTOM = "custom"


def surface_of(surface_key: tuple):
    if surface_key[0] == CUSTOM:
        _, text, bounds = surface_key
        return surfaces.from_formula(text, bounds)
    return surfaces.get(surface_key[0])


@st.cache_data(max_entries=256, show_spinner=False)
def run(
    surface_key: tuple, opt_name: str, hypers: tuple, start: tuple, steps: int, noise: float, seed: int, _hook=None
):
    """The run, checking every ~40 ms of work whether a newer run or a closed tab has made it pointless.

    `_hook` (not part of the key): (progress, every) from ui.budget.Progress, which also draws a progress bar.
    """
    opt = optimizers.make(opt_name, **dict(hypers))
    surface = surface_of(surface_key)
    progress, every = _hook or (_checkpoint, budget.steps_per_chunk(budget.run_work(opt_name, surface, 1)))
    return optimizers.run(opt, surface, np.array(start), steps, noise=noise, seed=seed, progress=progress, every=every)


def _checkpoint(_t: int) -> None:
    budget_ui.checkpoint()


@st.cache_data(max_entries=64, show_spinner=False)
def map_spec(surface_key: tuple, three_d: bool) -> dict:
    return surface_map.map_spec(surface_of(surface_key), three_d=three_d, clickable=not three_d)


@st.cache_resource(max_entries=32, show_spinner=False)
def figure(
    surface_key: tuple, opt_name: str, hypers: tuple, start: tuple, steps: int, noise: float, seed: int, three_d: bool
) -> viz_explorer.StepFigure:
    """The run's figure, serialised once (frames and all); a Step press only moves it to the step.

    st.cache_resource, not st.cache_data: unpickling a ~1 MB figure cost a Step more than all the rest. Sharing
    is safe: a StepFigure holds only immutable JSON fragments and private arrays, and `at(t)` returns a new dict.
    """
    traj = run(surface_key, opt_name, hypers, start, steps, noise, seed)
    surface = surface_of(surface_key)
    spec = viz_explorer.explorer_figure(traj, surface, 0, base=map_spec(surface_key, three_d), three_d=three_d)
    return viz_explorer.StepFigure(spec, traj, surface, three_d=three_d)


@st.cache_data(max_entries=64, show_spinner=False)
def map_part(surface_key: tuple) -> dict:
    """The stage's still map for a surface (background image, minima, saddles): the same for every run on it."""
    return viz_explorer.map_data(surface_of(surface_key))


def stage_bytes(
    surface_key: tuple,
    opt_name: str,
    hypers: tuple,
    start: tuple,
    steps: int,
    noise: float,
    seed: int,
    theory: bool = False,
) -> bytes:
    """The whole run as the stage draws it (viz.explorer.stage_data), serialised: made once per setting and kept in
    RUNS (below) with the trajectory, not in st.cache_data as well (a 2000-step run's bytes are ~0.9 MB; making
    them again from the cached trajectory takes a few ms). `theory` adds the local quadratic model at every step."""
    traj = run(surface_key, opt_name, hypers, start, steps, noise, seed)
    data = viz_explorer.stage_data(traj, surface_of(surface_key), map_part=map_part(surface_key), theory=theory)
    return orjson.dumps(data)


SESSION_KEY = "explorer::this_run"

# (trajectory, stage bytes) per (args, theory), shared by every session of the process: a setting a class has
# already visited costs a dict lookup, not two st.cache_data lookups (hashing the arguments, inspecting the
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


def this_session(args: tuple, theory: bool = False) -> tuple:
    """(trajectory, stage bytes) for `run(*args)` (`theory`: the bytes carry the Theory overlay; switching it keeps
    the run and makes only the bytes).

    The session keeps its settings and a weak reference to the shared run: every run of the page while the settings
    stay (the inspector's, after stepping rests) uses the same object, and a session holds no run of its own. A
    session whose tab closed is kept two minutes for a reconnect; holding its run strongly, 200 students exploring
    one after another kept 200 runs (up to 1.3 MB each) past RUNS' bound. A new setting, or a run RUNS has dropped
    meanwhile, is looked up in RUNS, then in the st.cache_data functions (which compute it on a miss).
    """
    kept = st.session_state.get(SESSION_KEY)
    same = kept is not None and kept[0] == args and kept[1] == theory
    shared = kept[2]() if same else None
    if shared is None:
        shared = RUNS.get((args, theory))
        if shared is None:
            surface_key, opt_name, steps = args[0], args[1], args[4]
            surface = surface_of(surface_key)
            v = budget.verdict(budget.explorer_work(opt_name, surface, steps))
            with budget_ui.Progress(v, "Computing the run…") as work:  # a bar only near the work budget
                traj = run(*args, work.hook(budget.run_work(opt_name, surface, 1)))  # the hook: positional `_hook`
            data = stage_bytes(*args, theory)
            shared = RUNS.put((args, theory), Shared(_frozen(traj), data), deep_size(traj) + len(data))
        st.session_state[SESSION_KEY] = (args, theory, weakref.ref(shared))
    return shared.traj, shared.data


def csv_bytes(traj) -> bytes:
    """The trajectory as CSV (for a deferred download button: made only when a student asks for it)."""
    return traj.to_frame().to_csv(index=False).encode()
