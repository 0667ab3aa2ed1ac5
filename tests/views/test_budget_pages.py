"""The work budget on the pages, from the costliest links a student can type (AppTest).

The 273-character power tower (benchmarks/bench_budget.py's WORST) with its view where every power is finite:
- the Explorer with Newton and 2,000 steps is refused beside Steps, says how many steps fit, and runs with them;
- a Compare race of 8 with 1,000 steps is refused beside Steps; with the steps it names, the race runs and its
  sweep and basin map are refused beside their own controls when they do not fit.
"""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

import budget
import surfaces
from benchmarks.bench_budget import WORST, WORST_VIEW
from views import explorer

APP = "../../app.py"
TIMEOUT = 120
REFUSED = "Too much work for one run"
BOUNDS = dict(zip(("fxmin", "fxmax", "fymin", "fymax"), map(str, (*WORST_VIEW[0], *WORST_VIEW[1])), strict=True))
TOWER = surfaces.from_formula(WORST, WORST_VIEW)


def _open(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[explorer.PAGE.private(explorer.DRAWN)] = True
    at.run()
    at.switch_page(page)
    at.query_params.update(query)
    return at.run()


def _refusals(elements) -> list[str]:
    return [e.value for e in elements if REFUSED in e.value]


def _staged(at) -> bool:
    """The Explorer drew its stage (the run, sent to the browser)."""
    return any(e.type == "bidi_component" and e.key == explorer.PAGE.key("stage") for e in at.main)


def _most(message: str) -> int:
    return int(re.search(r"[Uu]se at most (\d+) steps", message)[1])


def test_the_costliest_explorer_link_is_refused_and_the_steps_it_names_run():
    query = {"surface": "custom", "formula": WORST, **BOUNDS, "opt": "newton", "x0": "1", "y0": "1", "steps": "2000"}
    at = _open("views/explorer.py", query)
    assert not at.exception
    refusal = _refusals(at.sidebar.error)
    assert len(refusal) == 1 and "this run (2000 steps) is" in refusal[0]
    assert not _staged(at)  # nothing computed
    most = _most(refusal[0])
    assert budget.explorer_work("newton", TOWER, most) <= budget.LIMIT < budget.explorer_work("newton", TOWER, most + 1)
    at.sidebar.number_input(key=explorer.PAGE.key("steps")).set_value(most).run()
    assert not at.exception and not _refusals(at.sidebar.error)
    assert _staged(at)


def test_the_costliest_compare_link_is_refused_beside_each_control_it_concerns():
    eight = "sgd,momentum,nesterov,adagrad,rmsprop,adam,radam,newton"
    query = {"surface": "custom", "formula": WORST, **BOUNDS, "opts": eight, "x0": "1", "y0": "1", "steps": "1000"}
    at = _open("views/compare.py", query)
    assert not at.exception
    refusal = _refusals(at.error)
    assert len(refusal) == 1 and "this race is" in refusal[0]
    assert not at.get("plotly_chart")
    names = eight.split(",")
    most = _most(refusal[0])
    assert budget.race_work(names, TOWER, most) <= budget.LIMIT < budget.race_work(names, TOWER, most + 1)
    at.number_input(key="compare:steps").set_value(most).run()
    assert not at.exception and not _refusals(at.error)
    assert len(at.get("plotly_chart")) == 1  # the race
    at.toggle(key="compare:sweep").set_value(True).run()
    at.toggle(key="compare:basin").set_value(True).run()
    assert not at.exception
    refusals = _refusals(at.error)
    assert any("this sweep is" in r for r in refusals)
    assert any("this basin map (100 × 100 starts" in r for r in refusals)
    assert len(at.get("plotly_chart")) == 1  # still only the race: the sweep and the map were not computed
