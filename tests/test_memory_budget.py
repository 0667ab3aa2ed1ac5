"""The memory budget (budget/memory.py): its caches are bounded in bytes and evict, and what one session holds is
bounded by the figure the budget states."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

import optimizers
import surfaces
from budget import memory
from budget.memory import MB, BoundedCache, deep_size
from content import presets

ROOT = Path(__file__).resolve().parent.parent


def test_deep_size_counts_array_buffers_once_and_what_containers_hold():
    a = np.zeros(100_000)  # 800 kB
    assert 800_000 <= deep_size(a) < 801_000
    assert deep_size([a, a, a[10:]]) < 802_000  # the same buffer, through a view too, counted once
    assert deep_size({"x": a, "y": np.ones(50_000)}) >= 1_200_000
    assert deep_size(b"x" * 300_000) >= 300_000


def test_the_cache_evicts_the_least_recently_used_entries_to_stay_within_its_bytes():
    cache = BoundedCache("t", 1000, size=len)
    for k in "abcd":
        cache.put(k, b"x" * 300)
    assert len(cache) == 3 and cache.nbytes == 900 and "a" not in cache  # 1200 > 1000: the oldest went
    assert cache.get("b") is not None  # b is now the most recent ...
    cache.put("e", b"x" * 300)
    assert "c" not in cache and "b" in cache  # ... so c went, not b
    assert cache.evictions == 2 and cache.nbytes <= cache.max_bytes
    big = b"x" * 1001
    assert cache.put("big", big) is big and "big" not in cache and cache.nbytes <= 1000  # larger than the bound
    cache.put("b", b"x" * 10)  # a key stored again is counted once, at its new size
    assert cache.nbytes == 610 and cache.stats()["entries"] == 3


def test_get_or_make_makes_once_and_stores_nothing_when_making_fails():
    cache = BoundedCache("t", 10_000, size=len)
    made = []
    assert cache.get_or_make("k", lambda: made.append(1) or b"v") == b"v"
    assert cache.get_or_make("k", lambda: made.append(1) or b"w") == b"v" and made == [1]

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get_or_make("bad", fail)
    assert "bad" not in cache


def test_the_formula_cache_is_bounded_in_bytes(monkeypatch):
    from surfaces import formula

    small = BoundedCache("formulas", 60_000)
    monkeypatch.setattr(formula, "CACHE", small)
    texts = [f"x^2 + {k}*y^2 + sin({k}*x)*cos(y) + exp(-(x-{k})^2)" for k in range(1, 40)]
    first = surfaces.from_formula(texts[0])
    assert surfaces.from_formula(texts[0]) is first  # cached
    for text in texts[1:]:
        surfaces.from_formula(text)
    assert small.evictions > 0 and small.nbytes <= small.max_bytes
    again = surfaces.from_formula(texts[0])  # evicted: compiled anew, and the same surface
    assert again is not first and again.formula == first.formula
    assert formula.CACHE is small and memory.FORMULAS_MB * MB > 60_000


def test_the_explorers_shared_runs_are_bounded_by_the_budget():
    from ui import caches

    assert caches.RUNS.max_bytes == memory.EXPLORER_RUNS_MB * MB


def test_streamlits_cache_ceiling_is_the_budgets():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxCacheDataSize"].lower() == f"{memory.CACHE_DATA_MB}mb"


def _max_steps() -> int:
    """views/explorer.py's MAX_STEPS (the page runs on import, so it is read from the source)."""
    tree = ast.parse((ROOT / "views" / "explorer.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MAX_STEPS":
            return int(ast.literal_eval(node.value))
    raise AssertionError("no MAX_STEPS")


def test_one_run_is_at_most_the_budgets_figure():
    """An Explorer run of MAX_STEPS steps and its stage bytes (with Theory, the larger): for every optimizer,
    within RUN_MB."""
    import orjson

    from viz import explorer as viz_explorer

    steps, surface = _max_steps(), surfaces.get("rosenbrock")
    held = {}
    for name in optimizers.NAMES:
        opt = optimizers.make(name, **presets.recommended(name, "rosenbrock"))
        traj = optimizers.run(opt, surface, np.array(surface.default_start, dtype=float), steps)
        data = orjson.dumps(viz_explorer.stage_data(traj, surface, theory=True))
        held[name] = deep_size(traj) + len(data)
    assert max(held.values()) <= memory.RUN_MB * MB, held
    assert max(held.values()) >= 0.5 * memory.RUN_MB * MB, held  # the figure is not a loose guess


def test_a_session_holds_no_run_of_its_own():
    """The Explorer's session keeps a weak reference to the shared run: once RUNS has dropped it, nothing of the
    session keeps it alive (a closed tab's session is kept two minutes), and its next run finds the run again."""
    import gc

    from streamlit.testing.v1 import AppTest

    from ui import caches
    from views import explorer

    key = explorer.PAGE.private(explorer.THIS_RUN)
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.switch_page("views/explorer.py").run()
    assert not at.exception
    args, theory, lang, ref = at.session_state[key]
    assert ref() is caches.RUNS.get((args, theory, lang)) is not None
    caches.RUNS.clear()
    gc.collect()
    assert ref() is None
    at.run()
    assert not at.exception
    again = at.session_state[key][3]()
    assert again is not None and again is caches.RUNS.get((args, theory, lang))
