"""Schedules, weight decay and clipping on the pages (ui.regimen_controls): the controls and their messages, the
link's round trip, the run the page shows equals the core's Regimen run, γ_t in the stage's numbers panel equals
the schedule's value at every t, the clipped steps on the map and in Compare's table equal the regimen's record."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from optimizers import regimen, schedules
from optimizers.explain import explain
from ui.inspector import numbers_tex
from ui.stage import split
from views import explorer

APP = "../../app.py"
TIMEOUT = 90


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.session_state[explorer.PAGE.private(explorer.DRAWN)] = True
    at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "Something went wrong" in e.value]


def _stage(at: AppTest) -> dict:
    (el,) = [e for e in at.main if e.type == "bidi_component"]
    return split(el.proto.bytes)[1]


def _f64(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f8")


def _link(at: AppTest) -> dict[str, str]:
    return dict(parse_qsl(urlsplit("?" + "&".join(f"{k}={v}" for k, v in at.query_params.items())).query))


EXPLORER_Q = {
    "surface": "rosenbrock",
    "opt": "adam",
    "lr": "0.05",
    "steps": "120",
    "x0": "-1.5",
    "y0": "2",
    "sched": "warmup_cosine",
    "warmup_cosine_warmup": "10",
    "warmup_cosine_T_max": "150",
    "warmup_cosine_eta_min": "0.001",
    "decay": "0.01",
    "decay_mode": "decoupled",
    "clip_norm": "5",
}


def _core_run(q: dict[str, str]):
    surface = surfaces.get(q["surface"])
    inner = optimizers.make(q["opt"], lr=float(q["lr"]))
    sname = q.get("sched", "constant")
    params = {k[len(sname) + 1 :]: float(v) for k, v in q.items() if k.startswith(sname + "_")}
    opt = regimen.Regimen(
        inner,
        schedules.make(sname, **params),
        decay=float(q.get("decay", 0)),
        decoupled=q.get("decay_mode") == "decoupled",
        clip_norm=float(q.get("clip_norm", 0)),
        clip_value=float(q.get("clip_value", 0)),
    )
    return optimizers.run(opt, surface, np.array([float(q["x0"]), float(q["y0"])]), int(q["steps"]))


def test_the_explorer_runs_the_regimen_of_its_link_and_shows_gamma_t_at_every_step():
    at = _open("views/explorer.py", EXPLORER_Q)
    _ok(at)
    run = _stage(at)
    core = _core_run(EXPLORER_Q)
    np.testing.assert_allclose(_f64(run["points"]).reshape(-1, 2), core.points, rtol=0, atol=0)
    rows = {r["key"]: r for r in run["rows"]}
    assert rows["lr_t"]["symbol"] == "γₜ"
    gamma = _f64(rows["lr_t"]["values"])
    want = schedules.make("warmup_cosine", warmup=10, T_max=150, eta_min=0.001).values(0.05, 120)
    np.testing.assert_array_equal(gamma[1:], want)  # the numbers panel's γ_t at t is the schedule's value
    assert np.isnan(gamma[0])
    # the link keeps every regimen setting, and only those that are on
    link = _link(at)
    for k, v in EXPLORER_Q.items():
        assert float(link[k]) == float(v) if k not in ("surface", "opt", "sched", "decay_mode") else link[k] == v
    assert "clip_value" not in link and "cosine_T_max" not in link
    # the inspector at step 7 opens with γ_t, the schedule's value there
    at.session_state[explorer.PAGE.private(explorer.T)] = 7
    at.run()
    _ok(at)
    first = explain(core, 7)[0]
    assert first.line.name == "lr_t" and first.value == want[6]
    assert numbers_tex(first.texts[0]) in at.latex[-1].value
    # the γ_t chart beside the controls draws the same rates
    (chart,) = [c for c in at.get("plotly_chart") if "sched_chart" in c.proto.id]
    line = json.loads(chart.proto.spec)["data"][0]
    y = line["y"]
    y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else np.asarray(y)
    np.testing.assert_array_equal(y, want)


def test_a_link_without_regimen_settings_opens_without_a_regimen():
    at = _open("views/explorer.py", EXPLORER_Q)
    _ok(at)
    at.query_params.clear()
    at.query_params.update({"surface": "rosenbrock", "opt": "adam", "lr": "0.05", "steps": "50"})
    at.run()
    _ok(at)
    rows = {r["key"] for r in _stage(at)["rows"]}
    assert "lr_t" not in rows
    assert not {"sched", "decay", "clip_norm"} & set(_link(at))


@pytest.mark.parametrize(
    "query, message",
    [
        ({"sched": "cosine", "cosine_T_max": "50"}, "makes the learning rate 0 at step 51"),
        ({"sched": "wsd", "wsd_warmup": "60", "wsd_decay": "60", "wsd_total": "100"}, "warmup + decay must be"),
        ({"sched": "exponential", "exponential_gamma": "0.5", "steps": "2000"}, "makes the learning rate 0 at step"),
    ],
)
def test_a_bad_schedule_is_a_message_beside_its_control_and_the_run_keeps_a_constant_rate(query, message):
    q = {"surface": "bowl", "opt": "sgd", "lr": "0.1", "steps": "100"} | query
    at = _open("views/explorer.py", q)
    _ok(at)
    said = [e.value for e in at.sidebar.error]
    assert any(message in s and "constant γ" in s for s in said), said
    rows = {r["key"] for r in _stage(at)["rows"]}
    assert "lr_t" not in rows  # no schedule ran: the run is plain SGD, as the message says


def test_a_bad_link_value_is_said_and_a_bad_box_value_is_a_message():
    at = _open("views/explorer.py", {"surface": "bowl", "opt": "sgd", "clip_norm": "-1", "sched": "step"})
    _ok(at)
    assert any("clip_norm" in w.value for w in at.warning)
    at.sidebar.number_input(key="explorer:step_gamma").set_value(0.0).run()
    _ok(at)
    assert any("gamma must be" in e.value and "constant γ" in e.value for e in at.sidebar.error)
    assert "lr_t" not in {r["key"] for r in _stage(at)["rows"]}
    at.sidebar.number_input(key="explorer:clip_norm").set_value(-2.0).run()
    _ok(at)
    assert any("clip_norm must be" in e.value and "does not clip" in e.value for e in at.sidebar.error)


def test_clipping_is_marked_on_the_map_at_the_steps_the_regimen_recorded():
    q = {
        "surface": "rosenbrock",
        "opt": "sgd",
        "lr": "0.001",
        "steps": "80",
        "x0": "-1.5",
        "y0": "2",
        "clip_norm": "20",
        "clip_value": "8",
    }
    at = _open("views/explorer.py", q)
    _ok(at)
    run = _stage(at)
    core = _core_run(q)
    clipped = _f64(run["clipped"])
    np.testing.assert_array_equal(clipped, core.quantities["clipped"])
    assert 0 < clipped.sum() < 80  # fired at some steps, not all: a marker that shows something
    assert regimen.clipped_steps(core) == int(clipped[1:].sum())


def test_newton_has_no_regimen():
    at = _open("views/explorer.py", {"surface": "bowl", "opt": "newton", "sched": "cosine", "cosine_T_max": "500"})
    _ok(at)
    assert "lr_t" not in {r["key"] for r in _stage(at)["rows"]}
    assert any("second order" in c.value for c in at.sidebar.caption)


COMPARE_Q = {
    "surface": "rosenbrock",
    "opts": "adam,adamw,newton",
    "adam_lr": "0.02",
    "adamw_lr": "0.02",
    "adamw_weight_decay": "0.05",
    "steps": "150",
    "x0": "-1.5",
    "y0": "2",
    "sched": "cosine",
    "cosine_T_max": "200",
    "decay": "0.05",
    "clip_norm": "40",
}


def test_compare_races_every_first_order_racer_under_the_regimen_and_counts_its_clipped_steps():
    at = _open("views/compare.py", COMPARE_Q)
    _ok(at)
    table = at.dataframe[0].value
    surface = surfaces.get("rosenbrock")
    sched = schedules.make("cosine", T_max=200)
    start = np.array([-1.5, 2.0])
    # Adam with L2 (the regimen's coupled decay) against AdamW with its own decoupled weight_decay, both clipped
    adam = regimen.Regimen(optimizers.make("adam", lr=0.02), sched, decay=0.05, clip_norm=40.0)
    adamw = regimen.Regimen(optimizers.make("adamw", lr=0.02, weight_decay=0.05), sched, clip_norm=40.0)
    runs = [optimizers.run(o, surface, start, 150) for o in (adam, adamw)]
    want = [f"{regimen.clipped_steps(r)} steps" for r in runs]
    assert list(table["clipped"]) == [*want, "off"]  # Newton is second order: no regimen
    assert all(regimen.clipped_steps(r) > 0 for r in runs)
    finals = [float(v) for v in table["final loss"][:2]]
    np.testing.assert_allclose(finals, [r.losses[-1] for r in runs], rtol=1e-12)
    assert "weight_decay" in " ".join(c.value for c in at.caption)  # AdamW keeps its own decay: said
    link = _link(at)
    assert link["sched"] == "cosine" and float(link["decay"]) == 0.05 and float(link["clip_norm"]) == 40


def test_a_sweep_under_a_schedule_is_one_vectorised_pass_per_optimizer(monkeypatch):
    from optimizers import analysis

    calls = []
    real = analysis.run
    monkeypatch.setattr(analysis, "run", lambda *a, **k: calls.append(a[2].shape) or real(*a, **k))
    spec = regimen.spec("warmup_cosine", {"warmup": 5, "T_max": 80}, 0.01, True, 2.0, 0.0)
    surface = surfaces.get("beale")
    sw = analysis.sweep("momentum", surface, [1.0, 1.0], 60, analysis.log_rates(n=12), {regimen.KEY: spec})
    assert calls == [(12, 2)]  # one run over the 12 rates at once
    for i, lr in enumerate(sw.rates):
        one = optimizers.run(regimen.make("momentum", lr=float(lr), regimen=spec), surface, np.array([1.0, 1.0]), 60)
        np.testing.assert_allclose(sw.final_loss[i], one.losses[-1], rtol=1e-12, equal_nan=True)


def test_the_network_trains_under_the_regimen_checked_against_its_updates():
    import training

    q = {
        "dataset": "moons",
        "hidden": "8",
        "batch": "32",
        "epochs": "50",
        "opts": "sgd,adamw",
        "sched": "one_cycle",
        "one_cycle_total_steps": "200",
        "decay": "0.01",
        "clip_value": "0.5",
    }
    at = _open("views/network.py", q)
    _ok(at)
    setup = training.prepare("moons", (8,), "relu", 32, 50, 0.3, 0)
    updates = 50 * setup.batches_per_epoch
    assert updates > 200  # one-cycle's 200 steps end before the run: after them γ stays at its last value
    table = at.dataframe[0].value
    spec = regimen.spec("one_cycle", {"total_steps": 200}, 0.01, False, 0.0, 0.5)
    for row, name in zip(table.itertuples(index=False), ("sgd", "adamw"), strict=True):
        hp = training.network_defaults(name)
        spec_n = regimen.for_optimizer(spec, optimizers.get(name))  # AdamW keeps its own weight_decay
        opt = regimen.from_spec(optimizers.make(name, **hp), spec_n)
        assert isinstance(opt, regimen.Regimen) and opt.decay == (0.01 if name == "sgd" else 0.0)
        c = training.fit(setup, opt, name)
        assert row[1] == c.final_val_acc and row[2] == c.best_val_acc
    assert any("sched_chart" in c.proto.id for c in at.get("plotly_chart"))
    link = _link(at)
    assert link["sched"] == "one_cycle" and float(link["clip_value"]) == 0.5


def test_the_network_refuses_a_schedule_that_reaches_zero_within_its_updates():
    q = {"dataset": "iris", "epochs": "30", "opts": "sgd", "sched": "cosine", "cosine_T_max": "100"}
    at = _open("views/network.py", q)
    _ok(at)
    assert any("makes the learning rate 0 at step 101" in e.value for e in at.error)


def test_the_budget_prices_the_regimen_on_every_page():
    import budget

    s = surfaces.get("beale")
    extra = budget.REGIMEN_OPS * budget.CALL * 500
    assert budget.explorer_work("adam", s, 500, True) - budget.explorer_work("adam", s, 500) == pytest.approx(
        extra + budget.REGIMEN_OPS * budget.ELEMENTS_PER_OP * 500
    )
    assert budget.race_work(["sgd", "lion"], s, 500, True) > budget.race_work(["sgd", "lion"], s, 500) + 2 * extra
    assert budget.sweep_work(["sgd"], s, 500, 30, True) > budget.sweep_work(["sgd"], s, 500, 30) + extra
    assert budget.basin_work("sgd", s, 500, 50, regimen=True) > budget.basin_work("sgd", s, 500, 50) + extra
    net = dict(n_params=100, layers=2, n_train=100, n_val=50, batch=10, epochs=10, opt_names=["adam"])
    assert budget.network_work(**net, regimen=True) > budget.network_work(**net)


def test_theory_under_a_regimen_says_the_constant_rate_model_does_not_apply():
    q = {"surface": "ravine", "opt": "sgd", "lr": "0.01", "steps": "60", "theory": "true", "sched": "exponential"}
    at = _open("views/explorer.py", q)
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "none for SGD (under a schedule, weight decay or clipping" in text
    assert "γ·λmax" not in text and not [b for b in at.button if "best γ" in b.label]


def test_controls_changed_on_the_page_go_into_the_link_and_the_link_gives_the_same_run():
    at = _open("views/explorer.py", {"surface": "bowl", "opt": "momentum", "steps": "60"})
    _ok(at)
    at.sidebar.selectbox(key="explorer:sched").set_value("step").run()
    at.sidebar.number_input(key="explorer:step_step_size").set_value(7.0).run()
    at.sidebar.number_input(key="explorer:decay").set_value(0.2).run()
    at.sidebar.radio(key="explorer:decay_mode").set_value("decoupled").run()
    at.sidebar.number_input(key="explorer:clip_value").set_value(0.3).run()
    _ok(at)
    link = _link(at)
    assert link["sched"] == "step" and link["step_step_size"] == "7" and link["decay_mode"] == "decoupled"
    first = _stage(at)
    again = _open("views/explorer.py", link)
    _ok(again)
    second = _stage(again)
    assert first["points"] == second["points"]
    rows = {r["key"]: _f64(r["values"]) for r in second["rows"]}
    # (NumPy's power over an array and over one number may differ in the last bit)
    np.testing.assert_allclose(rows["lr_t"][1:], schedules.make("step", step_size=7).values(0.005, 60), rtol=1e-15)
    assert {"g_eff", "clipped", "theta_wd"} <= set(rows)
