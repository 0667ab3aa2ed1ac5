"""The Guide's theory part: every limit has a section with Try-it links, each link opens a working Explorer,
and the run each link carries shows the prediction its section states (checked on the run itself)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from content.guide import theory
from content.guide.theory import LIMITS, theory_demos
from optimizers import analysis
from viz import surface_map as sm

APP = "../../app.py"
TIMEOUT = 120


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


def _link_run(demo):
    """The run the demo's link asks the Explorer for: every setting read back from the link's query string."""
    q = dict(parse_qsl(urlsplit(demo.link()).query))
    cls = optimizers.get(q["opt"])
    hp = {}
    for name, h in cls.HYPERS.items():
        hp[name] = (q[name] == "true") if h.kind is bool else float(q[name])
    surface = surfaces.get(q["surface"])
    start = np.array([float(q["x0"]), float(q["y0"])])
    traj = optimizers.run(optimizers.make(q["opt"], **hp), surface, start, int(q["steps"]))
    return traj, surface


def _demo(key):
    return next(d for d in theory_demos() if d.key == key)


# -- the predictions, on the runs the links carry ------------------------------------------------------------
def test_just_under_2_over_lambda_max_the_run_zig_zags_and_converges():
    traj, surface = _link_run(_demo("theory-gd-under"))
    m = analysis.quadratic_model(surface, traj.points[0])
    assert traj.optimizer.lr < m.gd_lr_max == 0.08
    y = traj.points[:, 1]
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1]))  # it zig-zags across the valley at every step
    np.testing.assert_allclose(y[1:] / y[:-1], 1 - 0.078 * 25, rtol=1e-12)  # −0.95, as the watch text says
    assert traj.diverged_at is None and np.linalg.norm(traj.final) < 1e-4  # and reaches the minimum


def test_just_over_2_over_lambda_max_the_zig_zag_grows_until_the_run_diverges():
    traj, surface = _link_run(_demo("theory-gd-over"))
    assert traj.optimizer.lr > analysis.quadratic_model(surface, traj.points[0]).gd_lr_max
    d = traj.diverged_at
    assert d == 69  # the step the watch text names
    y = traj.points[:d, 1]
    np.testing.assert_allclose(y[1:] / y[:-1], 1 - 0.082 * 25, rtol=1e-12)  # −1.05


def test_at_the_best_step_the_distance_shrinks_by_the_predicted_rate_at_every_step():
    traj, surface = _link_run(_demo("theory-gd-best"))
    m = analysis.quadratic_model(surface, traj.points[0])
    assert traj.optimizer.lr == m.gd_lr_best and m.gd_rate == pytest.approx(49 / 51, rel=1e-15)
    rate = analysis.measured_rate(traj.points, surface.minima[0])
    np.testing.assert_allclose(rate, m.gd_rate, atol=1e-9)
    x, y = traj.points[:, 0], traj.points[:, 1]
    np.testing.assert_allclose(x[1:] / x[:-1], 49 / 51, rtol=1e-9)
    np.testing.assert_allclose(y[1:] / y[:-1], -49 / 51, rtol=1e-9)


def _steps_to(points, eps=1e-6):
    d = np.linalg.norm(points, axis=-1)
    return int(np.argmax(d < eps)) if (d < eps).any() else None


def test_heavy_ball_at_the_best_pair_beats_gradient_descent_as_stated():
    demo = _demo("theory-heavy-ball")
    traj, surface = _link_run(demo)
    m = analysis.quadratic_model(surface, traj.points[0])
    assert (traj.optimizer.lr, traj.optimizer.momentum) == pytest.approx(m.heavy_ball_best, rel=1e-15)
    assert m.heavy_ball_rate == pytest.approx(theory.HB_RATE) and round(m.heavy_ball_rate, 3) == 0.752
    assert [round(x, 4) for x in m.heavy_ball_best] == [0.1228, 0.5658]  # as the section writes them
    assert round(m.gd_rate, 3) == 0.961 and round(m.gd_lr_best, 4) == 0.0784
    assert _steps_to(traj.points) == 67
    gd = optimizers.run(optimizers.make("sgd", lr=m.gd_lr_best), surface, np.array(demo.start), 500)
    assert _steps_to(gd.points) == 382
    # the rate shows after a few steps: over the last 20 steps the distance shrinks by about 0.752 per step
    d = np.linalg.norm(traj.points, axis=-1)
    assert (d[-1] / d[-21]) ** (1 / 20) == pytest.approx(m.heavy_ball_rate, rel=0.02)
    # the Theory panel's measured rate (the slowest direction's recurrence, read off the run) is the rate itself
    for t in (3, 30, 60):
        th = analysis.step_theory(traj, surface, t)
        assert th.measured_rate == pytest.approx(m.heavy_ball_rate, abs=1e-9) == th.predicted_rate


def test_gradient_descent_leaves_the_saddle_by_1_plus_gamma_lambda_per_step():
    traj, surface = _link_run(_demo("theory-saddle"))
    m = analysis.quadratic_model(surface, traj.points[0])
    assert m.gd_growth(traj.optimizer.lr) == pytest.approx(1.2)
    rate = analysis.measured_rate(traj.points, surface.saddles[0], m.escape_direction)
    np.testing.assert_allclose(rate, 1.2, rtol=1e-12)
    np.testing.assert_allclose(traj.points[1:, 0] / traj.points[:-1, 0], 0.8, rtol=1e-12)
    assert int(np.argmax(np.abs(traj.points[:, 1]) >= 1)) == 38
    assert traj.diverged_at is None


def test_gradient_descent_on_rosenbrock_sharpens_to_2_over_gamma_and_hovers_there():
    traj, surface = _link_run(_demo("theory-eos-gd"))
    s = analysis.sharpness(traj, surface)
    limit = 2 / traj.optimizer.lr
    assert s.limit.value == pytest.approx(limit) and round(limit) == 667
    first = s.crossed_at()
    assert first == 496
    assert s.sharpness[0] == pytest.approx(200.0)  # it starts far below the limit, and rises to it
    assert np.all(np.diff(traj.losses[: first + 1]) < 0)  # the loss falls at every step until then
    assert (np.diff(traj.losses[first:]) > 0).any()  # then goes up on some steps
    after = s.sharpness[first:]
    assert np.percentile(after, 5) > 0.85 * limit and np.percentile(after, 95) < 1.2 * limit  # hovers
    minimum = analysis.quadratic_model(surface, surface.minima[0])
    assert round(minimum.lambda_max) == 1002 and minimum.lambda_max > limit
    assert np.linalg.norm(traj.final - surface.minima[0]) > 0.1  # short of the minimum


def test_adam_on_rosenbrock_sharpens_to_38_over_gamma_in_the_preconditioned_sense():
    traj, surface = _link_run(_demo("theory-eos-adam"))
    s = analysis.sharpness(traj, surface)
    limit = 38 / traj.optimizer.lr
    assert s.limit.value == pytest.approx(limit) and s.label == "λmax(P⁻¹H)"
    v = s.values[:-1]  # the last row has no update leaving it
    # after its first two steps (v̂ then holds one or two gradients) it starts far below the limit
    assert v[2] < 0.1 * limit
    first = 2 + int(np.argmax(v[2:] >= 0.9 * limit))
    assert 100 < first <= 200  # "within 200 steps"
    after = v[first:]
    assert np.percentile(after, 5) > 0.75 * limit and np.percentile(after, 95) < 1.1 * limit  # stays close
    losses = traj.losses
    assert losses[-1] < 1e-4 * losses[0] and (np.diff(losses[first:]) > 0).any()  # zig-zags down


def test_every_theory_demo_has_its_check():
    checked = {
        "theory-gd-under",
        "theory-gd-over",
        "theory-gd-best",
        "theory-heavy-ball",
        "theory-saddle",
        "theory-eos-gd",
        "theory-eos-adam",
    }
    assert {d.key for d in theory_demos()} == checked
    assert all(limit.demos for limit in LIMITS)


# -- the page -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def guide() -> AppTest:
    return _open("views/guide.py")


def test_the_guide_shows_a_section_per_limit_with_its_links_and_the_edge_of_stability_charts(guide):
    assert not guide.exception
    anchors = [h.proto.anchor for h in guide.subheader]
    assert [lim.key for lim in LIMITS] == [a for a in anchors if a in {lim.key for lim in LIMITS}]
    shown = {link.proto.query_string for link in guide.get("page_link")}
    for demo in theory_demos():
        assert urlsplit(demo.link()).query in shown, demo.key
    charts = [json.loads(c.proto.spec) for c in guide.get("plotly_chart")]
    eos = [c for c in charts if any("limit" in t.get("name", "") for t in c["data"])]
    assert len(eos) == 2
    for demo, chart in zip(LIMITS[-1].demos, eos, strict=True):
        traj, surface = _link_run(demo)
        s = analysis.sharpness(traj, surface)
        np.testing.assert_array_equal(sm.unpack(chart["data"][0]["y"]), s.values)
        assert chart["data"][1]["y"][0] == pytest.approx(s.limit.value)


@pytest.mark.parametrize("demo", theory_demos(), ids=lambda d: d.key)
def test_every_theory_link_opens_a_working_explorer_with_its_settings(demo):
    query = dict(parse_qsl(urlsplit(demo.link()).query))
    at = _open("views/explorer.py", query)
    assert not at.exception, [e.value for e in at.exception]
    assert not [w.value for w in at.warning if "Ignored" in str(w.value)], "the Explorer rejected a setting"
    shown = {}
    for kind in ("number_input", "selectbox", "radio", "toggle", "checkbox", "text_input", "slider"):
        for w in at.get(kind):
            if w.key:
                shown[w.key.rsplit(":", 1)[-1]] = w.value
    for name, value in demo.hypers.items():
        assert shown[name] == pytest.approx(value), name
    assert (float(shown["x0"]), float(shown["y0"]), int(shown["steps"])) == (*demo.start, demo.steps)
    assert shown["theory"] is True  # the link turns the Theory switch on: the prediction is on the page
