"""The Compare page in AppTest: every preset runs and its table equals runs of the core; a share link
reproduces a race; the best rate found is the lowest final loss of the sweep; the basin map equals the core's.

The page runs inside app.py (st.navigation registers the pages).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import budget
import optimizers
import surfaces
from content import presets
from content.races import PRESETS
from optimizers import analysis
from ui.controls import racer_prefix
from views import compare as compare_page
from viz import surface_map as sm

K = compare_page.PAGE.key  # a setting's session key (its widget's key)

APP = "../../app.py"
TIMEOUT = 120


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/compare.py")
    if query:
        at.query_params.update(query)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _value(cell):
    """A table cell as a plain value: None for missing."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if cell in ("never", "—"):  # how the page shows a step that never came, a loss there is none of
        return None
    if isinstance(cell, str):  # a step shown as text beside "never"
        return int(cell) if cell.isdigit() else float(cell)
    return cell


COLUMNS = {
    "distance to nearest minimum": "distance_to_minimum",
    "steps to tolerance": "steps_to_tol",
    "near saddle at": "near_saddle_at",
    "escaped saddle at": "escaped_saddle_at",
    "diverged at": "diverged_at",
    "left the map downhill at": "escaped_at",
    "undefined at": "undefined_at",
}


def _assert_table_matches(table, runs, surface, tol=analysis.LOSS_TOL):
    assert len(table) == len(runs)
    for i, traj in enumerate(runs):
        m = analysis.metrics(traj, surface, loss_tol=tol)
        row = table.iloc[i]
        assert row["final loss"] == m["final_loss"]  # the same run, bit for bit
        assert row["outcome"] == m["outcome"].short
        for column, metric in COLUMNS.items():
            if column in table.columns:
                assert _value(row[column]) == m[metric], column
            else:  # left out: it cannot apply to this surface
                assert m[metric] is None, column
    has_saddles = len(surface.saddles) > 0
    assert ("near saddle at" in table.columns) == has_saddles == ("escaped saddle at" in table.columns)


# -- presets ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_every_preset_runs_and_its_table_equals_runs_of_the_core(preset):
    at = _open({"preset": preset.key})
    _ok(at)
    s = surfaces.get(preset.surface)
    runs = [
        optimizers.run(optimizers.make(n, **preset.hypers(n)), s, preset.start, preset.steps, preset.noise, preset.seed)
        for n in preset.names
    ]
    table = at.dataframe[0].value
    titles = [optimizers.get(n).title for n in preset.names]
    assert [t.split(" (")[0] for t in table["optimizer"]] == titles
    _assert_table_matches(table, runs, s)
    assert any(preset.title in el.value for el in at.info)  # what to notice
    assert at.query_params["opts"] == ",".join(preset.names)
    assert at.query_params["surface"] == preset.surface
    # the race map: each racer's path (full resolution in the figure's data) is the core's, in float32
    spec = _charts(at)[0]
    for first, traj in zip(spec["layout"]["meta"]["racers"], runs, strict=True):
        path = spec["data"][first]
        np.testing.assert_array_equal(sm.unpack(path["x"]), traj.points[:, 0].astype(np.float32))
        np.testing.assert_array_equal(sm.unpack(path["y"]), traj.points[:, 1].astype(np.float32))
    assert len(spec["frames"]) >= 2 and spec["layout"]["sliders"]


def test_choosing_a_preset_in_the_menu_loads_it():
    at = _open()
    at.selectbox(key=K("preset")).set_value("ravine").run()
    _ok(at)
    assert at.selectbox(key=K("surface")).value == "ravine"
    assert at.multiselect(key=K("opts")).value == ["sgd", "momentum", "nesterov"]
    assert at.session_state[K(racer_prefix("sgd") + "lr")] == 0.075
    assert (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value) == (-4.0, 1.5)


# -- a share link ------------------------------------------------------------------------------------------------
def test_a_share_link_reproduces_a_race_with_noise():
    query = {
        "surface": "bowl",
        "opts": "sgd,adam,rmsprop",
        "sgd_lr": "0.3",
        "adam_lr": "0.2",
        "adam_beta1": "0.5",
        "x0": "2.0",
        "y0": "-1.0",
        "steps": "40",
        "noise": "0.5",
        "seed": "5",
        "tol": "0.01",
    }
    at = _open(query)
    _ok(at)
    s = surfaces.get("bowl")
    hp = {"sgd": {"lr": 0.3}, "adam": {"lr": 0.2, "beta1": 0.5}, "rmsprop": {}}
    rmsprop = optimizers.defaults("rmsprop")  # not in the link: the recommended setting for the bowl
    rmsprop.update(presets.recommended("rmsprop", "bowl"))
    hp["rmsprop"] = rmsprop
    runs = [optimizers.run(optimizers.make(n, **h), s, (2.0, -1.0), 40, 0.5, 5) for n, h in hp.items()]
    _assert_table_matches(at.dataframe[0].value, runs, s, tol=0.01)
    # and the page mirrors every setting back into the URL
    assert at.query_params["sgd_lr"] == "0.3" and at.query_params["adam_beta1"] == "0.5"
    assert at.query_params["noise"] == "0.5" and at.query_params["seed"] == "5"


def test_a_link_made_with_the_sweep_and_the_basin_map_on_opens_all_three_charts():
    at = _open({"surface": "bowl", "opts": "sgd,adam", "steps": "40", "grid": "50", "basin_steps": "40"})
    _ok(at)
    assert len(_charts(at)) == 1
    at.toggle(key=K("sweep")).set_value(True).run()
    at.toggle(key=K("basin")).set_value(True).run()
    _ok(at)
    assert len(_charts(at)) == 3
    link = dict(at.query_params)
    assert link["sweep"] == "true" and link["basin"] == "true"
    # the same link in a new session opens the same three charts; with both off, only the race
    again = _open(link)
    _ok(again)
    assert len(_charts(again)) == 3
    assert again.toggle(key=K("sweep")).value and again.toggle(key=K("basin")).value
    off = _open(dict(link, sweep="false", basin="false"))
    assert len(_charts(off)) == 1


def test_a_malformed_link_falls_back_with_a_notice():
    at = _open({"opts": "sgd,nonsense", "steps": "-5"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "opts=sgd,nonsense" in notices and "steps=-5" in notices
    assert at.multiselect(key=K("opts")).value == ["sgd", "momentum", "adam"]


def test_fewer_than_two_optimizers_asks_for_more():
    at = _open({"opts": "adam"})
    _ok(at)
    assert any("at least two" in el.value for el in at.info)
    assert not at.get("plotly_chart")


def _stopped(traj) -> bool:
    return any(getattr(traj, f"{k}_at") is not None for k in ("diverged", "escaped", "undefined"))


# -- fair learning rates -----------------------------------------------------------------------------------------
def test_the_best_rate_is_the_lowest_final_loss_of_the_sweep_and_is_applied_to_the_race():
    query = {"surface": "ravine", "opts": "sgd,momentum,adam", "x0": "-4.0", "y0": "1.5", "steps": "150"}
    at = _open(query)
    at.toggle(key=K("sweep")).set_value(True).run()
    _ok(at)
    s = surfaces.get("ravine")
    summary = at.dataframe[1].value
    rates = analysis.log_rates(n=30)
    chosen = {}
    for i, name in enumerate(["sgd", "momentum", "adam"]):
        hp = {k: at.session_state[K(racer_prefix(name) + k)] for k in optimizers.get(name).HYPERS}
        finals, diverged, stopped = [], [], []
        for lr in rates:  # independently: one run per rate
            t = optimizers.run(optimizers.make(name, **{**hp, "lr": float(lr)}), s, (-4.0, 1.5), 150)
            finals.append(t.losses[-1])
            diverged.append(t.diverged_at is not None)
            stopped.append(_stopped(t))
        finals, diverged = np.array(finals), np.array(diverged)
        ok = ~np.array(stopped)
        best = rates[ok][np.argmin(finals[ok])]
        assert summary["chosen as"][i] == "lowest final loss"
        assert summary["best rate"][i] == best
        assert _value(summary["final loss at best"][i]) == float(f"{finals[ok].min():.4g}")  # shown to 4 digits
        assert summary["rates that diverged"][i] == diverged.sum()
        chosen[name] = best
    # the sweep chart: one line per optimizer over the non-diverged rates
    sweep = _charts(at)[1]
    assert sweep["layout"]["xaxis"]["type"] == "log"
    at.button(key=K("usebest")).click().run()
    _ok(at)
    for name, lr in chosen.items():
        assert at.session_state[K(racer_prefix(name) + "lr")] == lr
    runs = []
    for name in ["sgd", "momentum", "adam"]:
        hp = {k: at.session_state[K(racer_prefix(name) + k)] for k in optimizers.get(name).HYPERS}
        runs.append(optimizers.run(optimizers.make(name, **hp), s, (-4.0, 1.5), 150))
    _assert_table_matches(at.dataframe[0].value, runs, s)
    assert float(at.query_params["sgd_lr"]) == chosen["sgd"]


# -- where do they end up -----------------------------------------------------------------------------------------
def test_the_basin_map_equals_the_core():
    query = {"surface": "himmelblau", "opts": "sgd,adam", "basin_opt": "sgd", "grid": "50", "basin_steps": "120"}
    at = _open(query)
    at.toggle(key=K("basin")).set_value(True).run()
    _ok(at)
    s = surfaces.get("himmelblau")
    hp = {k: at.session_state[K(racer_prefix("sgd") + k)] for k in optimizers.get("sgd").HYPERS}
    bm = analysis.basin_map(optimizers.make("sgd", **hp), s, 120, 50)
    spec = _charts(at)[-1]
    heat = spec["data"][0]
    assert heat["type"] == "heatmap"
    z = sm.unpack(heat["z"]).reshape(50, 50)
    k = len(s.minima)
    want = np.where(bm.label >= 0, bm.label, np.where(bm.label == analysis.NOT_REACHED, k, k + 1))
    np.testing.assert_array_equal(z, want)
    c = bm.counts()
    assert c[analysis.ESCAPED] == c[analysis.UNDEFINED] == 0  # Himmelblau is bounded below, smooth
    reached = 2500 - c[analysis.NOT_REACHED] - c[analysis.DIVERGED]
    assert any(f"{reached:,} of 2,500 starts reached" in el.value for el in at.caption)
    at.radio(key=K("color_by")).set_value("steps").run()
    _ok(at)
    steps_z = sm.unpack(_charts(at)[-1]["data"][0]["z"]).reshape(50, 50)
    np.testing.assert_array_equal(np.nan_to_num(steps_z, nan=-1), bm.steps_to)


def test_a_grid_size_not_offered_is_rounded_with_a_notice_and_the_link_rewritten():
    at = _open({"surface": "himmelblau", "grid": "51", "basin_steps": "100"})
    assert not at.exception
    assert any("Used `grid=50` for `grid=51`" in w.value for w in at.warning)
    at.toggle(key=K("basin")).set_value(True).run()
    _ok(at)
    assert at.selectbox(key=K("grid")).value == 50
    assert any("of 2,500 starts reached" in c.value for c in at.caption)
    grid = at.query_params["grid"]
    assert (grid[-1] if isinstance(grid, list) else grid) == "50"


def test_the_basin_map_refuses_work_over_the_budget_and_says_what_fits():
    at = _open({"basin_opt": "newton", "grid": "150", "basin_steps": "1000"})
    at.toggle(key=K("basin")).set_value(True).run()
    assert not at.exception
    refusal = [e.value for e in at.error if "Too much work for one run" in e.value]
    assert len(refusal) == 1 and "150 × 150 starts × 1000 steps" in refusal[0]
    assert len(at.get("plotly_chart")) == 1  # the race only
    most = int(re.search(r"[Uu]se at most (\d+) steps", refusal[0])[1])  # the steps it names do fit, one more does not
    s = surfaces.get(at.session_state[K("surface")])
    assert budget.basin_work("newton", s, most, 150) <= budget.LIMIT < budget.basin_work("newton", s, most + 1, 150)
    at.number_input(key=K("basin_steps")).set_value(most).run()
    assert not at.exception and not [e for e in at.error if "Too much work for one run" in e.value]
    assert len(at.get("plotly_chart")) == 2  # the race and the basin map


# -- a formula surface ----------------------------------------------------------------------------------------------
def test_a_custom_formula_surface_races():
    at = _open({"opts": "sgd,adam"})
    at.selectbox(key=K("surface")).set_value("custom").run()
    at.text_input(key=K("formula")).set_value("x^2 + 3*y^2").run()
    _ok(at)
    s = surfaces.from_formula("x^2 + 3*y^2")
    start = (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value)
    runs = []
    for name in ("sgd", "adam"):
        hp = {k: at.session_state[K(racer_prefix(name) + k)] for k in optimizers.get(name).HYPERS}
        runs.append(optimizers.run(optimizers.make(name, **hp), s, start, 500))
    table = at.dataframe[0].value
    for i, traj in enumerate(runs):
        assert table["final loss"][i] == traj.losses[-1]
    assert at.query_params["formula"] == "x^2 + 3*y^2"


# -- a surface without a minimum: escapes are escapes, everywhere on the page --------------------------------------
SADDLE_RACE = {"surface": "saddle", "opts": "sgd,momentum", "x0": "1.0", "y0": "0.5", "steps": "300"}


def test_on_the_saddle_the_table_says_sgd_and_momentum_escaped_not_diverged():
    at = _open(SADDLE_RACE)
    _ok(at)
    s = surfaces.get("saddle")
    runs = []
    for name in ("sgd", "momentum"):
        hp = {k: at.session_state[K(racer_prefix(name) + k)] for k in optimizers.get(name).HYPERS}
        runs.append(optimizers.run(optimizers.make(name, **hp), s, (1.0, 0.5), 300))
    table = at.dataframe[0].value
    _assert_table_matches(table, runs, s)
    for i, traj in enumerate(runs):  # the claim, checked on the run: it left going downhill, it did not diverge
        assert traj.escaped_at is not None and traj.diverged_at is None
        assert traj.exit_loss < traj.losses[traj.escaped_at - 1] < traj.losses[0]
        assert table["diverged at"][i] == "never"  # said in words: an empty cell would read "None"
        assert _value(table["left the map downhill at"][i]) == traj.escaped_at
        assert table["outcome"][i] == f"escaped downhill at step {traj.escaped_at}"


def test_on_the_saddle_the_sweep_picks_the_soonest_escape_and_says_so():
    at = _open(SADDLE_RACE)
    at.toggle(key=K("sweep")).set_value(True).run()
    _ok(at)
    s = surfaces.get("saddle")
    summary = at.dataframe[1].value
    rates = analysis.log_rates(n=30)
    for i, name in enumerate(["sgd", "momentum"]):
        hp = {k: at.session_state[K(racer_prefix(name) + k)] for k in optimizers.get(name).HYPERS}
        escaped = []
        for lr in rates:  # independently, one run per rate
            t = optimizers.run(optimizers.make(name, **{**hp, "lr": float(lr)}), s, (1.0, 0.5), 300)
            escaped.append(-1 if t.escaped_at is None else t.escaped_at)
        escaped = np.array(escaped)
        assert (escaped >= 0).any()
        soonest = escaped[escaped >= 0].min()
        best = rates[np.argmax(escaped == soonest)]  # the smallest rate of those that escape soonest
        assert summary["best rate"][i] == best
        assert summary["chosen as"][i] == f"leaves the map downhill soonest (step {soonest})"
        assert summary["rates that left the map downhill"][i] == (escaped >= 0).sum()
        assert _value(summary["final loss at best"][i]) is None
    assert any("the best rate is the one that leaves soonest" in c.value for c in at.caption)
    assert any(analysis.BEST_RATE_RULE in m.value for m in at.markdown)
    sweep = _charts(at)[1]
    triangles = [t for t in sweep["data"] if t.get("marker", {}).get("symbol") == "triangle-down"]
    assert len(triangles) == 2  # the escaped rates of each optimizer, apart from the diverged crosses


def test_the_basin_map_of_the_saddle_shows_escapes_in_their_own_colour():
    query = {**SADDLE_RACE, "basin_opt": "sgd", "grid": "50", "basin_steps": "200"}
    at = _open(query)
    at.toggle(key=K("basin")).set_value(True).run()
    _ok(at)
    s = surfaces.get("saddle")
    hp = {k: at.session_state[K(racer_prefix("sgd") + k)] for k in optimizers.get("sgd").HYPERS}
    bm = analysis.basin_map(optimizers.make("sgd", **hp), s, 200, 50)
    c = bm.counts()
    assert c[analysis.ESCAPED] > 0 and c[analysis.DIVERGED] == 0
    spec = _charts(at)[-1]
    z = sm.unpack(spec["data"][0]["z"]).reshape(50, 50)
    np.testing.assert_array_equal(z == 2, bm.label == analysis.ESCAPED)  # no minima: 0 none, 1 diverged, 2 escaped
    names = [t.get("name", "") for t in spec["data"]]
    assert any(n.startswith("left the map going downhill") for n in names)
    assert any(f"{c[analysis.ESCAPED]:,} left the map going downhill" in el.value for el in at.caption)
