"""viz.surface_map and viz.explorer: iso-lines by hand, the map's traces and axes, the figure's data and frames
against the trajectory, the animation budget."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import optimizers
import surfaces
from content import presets
from viz import background
from viz import explorer as vx
from viz import surface_map as sm


def _run(opt="adam", surface="rosenbrock", steps=60, **hypers):
    s = surfaces.get(surface)
    settings = presets.recommended(opt, surface) | hypers
    return optimizers.run(optimizers.make(opt, **settings), s, s.default_start, steps), s


def _xy(trace) -> np.ndarray:
    return np.stack([sm.unpack(trace["x"]), sm.unpack(trace["y"])], -1)


# -- iso-lines: marching squares by hand ------------------------------------------------------------------
def test_one_cell_one_segment_by_hand():
    # s = [[0, 1], [1, 2]] over the unit square: the level 0.5 cuts the bottom edge at x = 0.5 and the left at y = 0.5
    xs = ys = np.array([0.0, 1.0])
    sx, sy = sm._segments(xs, ys, np.array([[0.0, 1.0], [1.0, 2.0]]), 0.5)
    assert len(sx) == 1
    ends = sorted(zip(sx[0], sy[0], strict=True))
    assert ends == [(0.0, 0.5), (0.5, 0.0)]


def test_a_saddle_cell_gives_two_segments_split_by_the_centre():
    xs = ys = np.array([0.0, 2.0])
    # corners a (0,0)=1, b (2,0)=0, c (2,2)=1, d (0,2)=0; centre 0.5 >= 0.4: a and c joined, b and d cut off
    sx, sy = sm._segments(xs, ys, np.array([[1.0, 0.0], [0.0, 1.0]]), 0.4)
    segs = sorted(tuple(sorted(zip(x, y, strict=True))) for x, y in zip(sx, sy, strict=True))
    assert segs == [((0.0, 1.2), (0.8, 2.0)), ((1.2, 0.0), (2.0, 0.8))]


def test_cells_touching_nan_have_no_line():
    xs = ys = np.array([0.0, 1.0, 2.0])
    s = np.array([[0.0, 1.0, 0.0], [1.0, np.nan, 1.0], [0.0, 1.0, 0.0]])
    sx, _ = sm._segments(xs, ys, s, 0.5)
    assert len(sx) == 0


def test_bowl_iso_lines_lie_on_the_band_edges():
    bowl = surfaces.get("bowl")
    lx, ly = sm.iso_lines(bowl, levels=6)
    pts = np.stack([lx, ly], -1)
    pts = pts[np.isfinite(pts).all(-1)].astype(np.float64)
    _, _, z = background.grid(bowl, None, 240)
    zmin, zmax = np.nanmin(z), np.nanmax(z)
    s = np.log1p(1000 * (bowl.f(pts) - zmin) / (zmax - zmin)) / np.log1p(1000)  # background.normalise's map
    nearest = np.round(s * 6) / 6
    assert np.abs(s - nearest).max() < 0.01
    assert set(np.unique(nearest * 6).round().astype(int)) == {1, 2, 3, 4, 5}
    # circles: the radius is constant along each level
    r = np.hypot(pts[:, 0], pts[:, 1])
    for k in range(1, 6):
        on = np.isclose(nearest, k / 6)
        assert r[on].std() < 0.01 * r[on].mean()


def test_b64_round_trip_and_matrix_shape():
    a = np.array([[1.5, -2.0, np.nan], [0.0, 3.25, 1e-3]])
    enc = sm.b64(a, "f8")
    assert enc["shape"] == "2, 3"
    back = sm.unpack(enc)
    np.testing.assert_array_equal(back, a)
    assert sm.unpack(sm.b64([0.1, 0.2])).dtype == np.float32


# -- the map -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", surfaces.NAMES)
def test_map_marks_minima_and_saddles_on_equal_axes_at_the_bounds(name):
    surface = surfaces.get(name)
    spec = sm.map_spec(surface, clickable=True)
    go.Figure(spec)  # a valid figure
    data, layout = spec["data"], spec["layout"]
    assert layout["meta"]["map_traces"] == len(data) == 4
    iso, click, minima, saddles = data
    assert iso["mode"] == "lines" and not any(t["type"] == "contour" for t in data)
    np.testing.assert_allclose(np.c_[minima["x"], minima["y"]].reshape(-1, 2), surface.minima.reshape(-1, 2), atol=1e-5)
    np.testing.assert_allclose(
        np.c_[saddles["x"], saddles["y"]].reshape(-1, 2), surface.saddles.reshape(-1, 2), atol=1e-5
    )
    (x0, x1), (y0, y1) = surface.bounds
    assert layout["xaxis"]["range"] == [x0, x1] and layout["yaxis"]["range"] == [y0, y1]
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1
    (image,) = layout["images"]
    assert image["source"].startswith("data:image/png;base64,")
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (x0, y1, x1 - x0, y1 - y0)
    grid = _xy(click)
    assert grid[:, 0].min() == pytest.approx(x0) and grid[:, 1].max() == pytest.approx(y1)


def test_the_3d_map_is_a_surface_with_the_markers():
    s = surfaces.get("himmelblau")
    spec = sm.map_spec(s, three_d=True, resolution=40)
    go.Figure(spec)
    surf, minima, saddles = spec["data"]
    assert surf["type"] == "surface" and surf["z"]["shape"] == "40, 40"
    assert minima["type"] == saddles["type"] == "scatter3d" and len(minima["x"]) == 4


def test_a_map_with_a_path_and_its_animation_is_a_valid_figure():
    s = surfaces.get("saddle")
    spec = sm.map_spec(s)
    spec["data"].append(sm.path_trace([[1, 1], [0.5, 0.2]], name="p", color="#f00"))
    i = len(spec["data"]) - 1
    spec["frames"] = sm.frames_spec([[{"x": [1], "y": [1]}], [{"x": [1, 0.5], "y": [1, 0.2]}]], [i], ["0", "1"])
    spec["layout"].update(sm.animation_controls(["0", "1"]))
    spec = json.loads(go.Figure(spec).to_json())  # validated by plotly
    assert [f["traces"] for f in spec["frames"]] == [[i], [i]]
    assert [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]][:2] == ["▶ Play", "❚❚ Pause"]
    assert [st["label"] for st in spec["layout"]["sliders"][0]["steps"]] == ["0", "1"]


def test_a_formula_surface_with_a_hole_is_drawn():
    s = surfaces.from_formula("log(x) + y^2", ((-2.0, 2.0), (-2.0, 2.0)))
    spec = sm.map_spec(s)
    pts = _xy(spec["data"][0])
    pts = pts[np.isfinite(pts).all(-1)]
    assert len(pts) > 0 and pts[:, 0].min() >= -1e-6  # no iso-line where log(x) is undefined
    go.Figure(spec)


# -- frames ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "steps,stride", [(1, 1), (10, 1), (250, 1), (252, 1), (253, 2), (300, 2), (500, 4), (2000, 63)]
)
def test_frame_steps(steps, stride):
    f = sm.frame_steps(steps)
    assert f[0] == 0 and f[-1] == steps
    assert np.all(np.diff(f)[:-1] == stride) and np.diff(f)[-1] <= stride
    assert len(f) <= 401 and (f + 1).sum() <= 32_000 + steps + 1


# -- the Explorer's figure ---------------------------------------------------------------------------------------
def test_figure_shows_the_path_the_point_and_the_arrows_of_step_t():
    traj, s = _run("adam", "rosenbrock", 60)
    t = 7
    spec = vx.explorer_figure(traj, s, t, base=sm.map_spec(s, clickable=True))
    meta = spec["layout"]["meta"]
    data = spec["data"]
    np.testing.assert_allclose(_xy(data[meta["path"]]), traj.points[: t + 1], rtol=1e-6)
    np.testing.assert_allclose(_xy(data[meta["current"]])[0], traj.points[t], rtol=1e-6)
    grad, moment, update = (data[i] for i in meta["arrows"])
    # the update arrow is θ_{t−1} → θ_t exactly; the others start at θ_{t−1} and point along −g_t and −m̂_t
    np.testing.assert_allclose(_xy(update), traj.points[t - 1 : t + 1], rtol=1e-5)
    for arrow, vec in ((grad, -traj.grads[t - 1]), (moment, -traj.quantities["m_hat"][t])):
        a = _xy(arrow)
        np.testing.assert_allclose(a[0], traj.points[t - 1], rtol=1e-5)
        d = a[1] - a[0]
        cos = d @ vec / np.linalg.norm(d) / np.linalg.norm(vec)
        assert cos == pytest.approx(1.0, abs=1e-5)
    assert "m̂" in moment["name"]


def test_step_zero_shows_only_the_first_gradient():
    traj, s = _run("momentum", "ravine", 20)
    spec = vx.explorer_figure(traj, s, 0)
    meta = spec["layout"]["meta"]
    grad, moment, update = (spec["data"][i] for i in meta["arrows"])
    assert len(grad["x"]) == 2 and moment["x"] == [] and update["x"] == []
    np.testing.assert_allclose(_xy(grad)[0], traj.points[0], rtol=1e-6)


def test_series_rows_are_the_recorded_quantities_and_the_loss_is_on_a_log_scale():
    traj, s = _run("adam", "rosenbrock", 40)
    spec = vx.explorer_figure(traj, s, 5)
    layout, data = spec["layout"], spec["data"]
    assert layout["meta"]["rows"] == ["g", "m", "v", "m_hat", "v_hat", "step_size", "update", "loss"]
    by_name = {d["name"]: d for d in data if "name" in d}
    np.testing.assert_array_equal(sm.unpack(by_name["v_hat y"]["y"])[1:], traj.quantities["v_hat"][1:, 1])
    np.testing.assert_array_equal(sm.unpack(by_name["g x"]["y"])[1:], traj.grads[:-1, 0])
    np.testing.assert_array_equal(sm.unpack(by_name["loss"]["y"]), traj.losses)
    lx, ly = layout["meta"]["loss_axes"]
    assert layout["yaxis" + ly[1:]]["type"] == "log"
    dots = [data[i] for i in layout["meta"]["dots"]]
    assert [d["x"] for d in dots[:3]] == [[5, 5]] * 3
    assert dots[2]["y"] == pytest.approx(traj.quantities["v"][5], rel=1e-4)
    assert dots[-1]["y"] == pytest.approx([traj.losses[5]], rel=1e-4)


def test_negative_losses_use_a_linear_axis_and_known_minimum_a_gap():
    traj, s = _run("sgd", "saddle", 150)  # from the start near the ridge, SGD lingers, then the loss goes negative
    assert traj.losses.min() < 0
    spec = vx.explorer_figure(traj, s, 3, animate=False)
    ly = spec["layout"]["meta"]["loss_axes"][1]
    assert spec["layout"]["yaxis" + ly[1:]]["type"] == "linear"
    values, label, log = vx.loss_series(*_run("adam", "styblinski_tang", 30))
    assert log and "f*" in label and values.min() >= 0


def test_frames_move_only_the_moving_traces_and_match_the_run():
    traj, s = _run("adam", "rosenbrock", 120)
    spec = vx.explorer_figure(traj, s, 0)
    meta = spec["layout"]["meta"]
    frames = spec["frames"]
    assert len(frames) == 121 and meta["frame_steps"] == list(range(121))
    moving = meta["moving"]
    assert all(f["traces"] == moving for f in frames)
    assert meta["path"] in moving and 0 not in moving  # the iso-lines never move
    for k in (0, 1, 50, 120):
        f = frames[k]
        path = _xy(f["data"][moving.index(meta["path"])])
        np.testing.assert_allclose(path, traj.points[: k + 1], rtol=1e-6)
        cursor = f["data"][moving.index(meta["cursors"][0])]
        assert cursor["x"] == [k, k]
    assert [st["label"] for st in spec["layout"]["sliders"][0]["steps"]] == [str(k) for k in range(121)]
    assert spec["layout"]["sliders"][0]["active"] == 0


@pytest.mark.parametrize("name", ["sgd", "radam", "newton"])
def test_a_500_step_animation_stays_under_2_mb(name):
    traj, s = _run(name, "rastrigin", 500)
    spec = vx.explorer_figure(traj, s, 0, base=sm.map_spec(s, clickable=True))
    assert len(spec["frames"]) == 126  # one step in 4
    assert len(pio.to_json(spec, validate=False)) < 2_000_000


@pytest.mark.parametrize("opt", optimizers.NAMES)
def test_every_optimizer_gives_a_valid_figure(opt):
    traj, s = _run(opt, "himmelblau", 15)
    go.Figure(vx.explorer_figure(traj, s, 4))


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_every_surface_gives_a_valid_figure_in_2d_and_3d(name):
    traj, s = _run("rmsprop", name, 8)
    go.Figure(vx.explorer_figure(traj, s, 8))
    spec = vx.explorer_figure(traj, s, 2, base=sm.map_spec(s, three_d=True, resolution=30), three_d=True)
    go.Figure(spec)
    assert spec["frames"][0]["data"][0]["type"] == "scatter3d"


@pytest.mark.parametrize("surface, lr, kind", [("saddle", 0.5, "escaped"), ("bowl", 1.5, "diverged")])
def test_a_stopped_run_still_draws_up_to_the_last_good_point(surface, lr, kind):
    traj, s = _run("sgd", surface, 200, lr=lr)
    assert getattr(traj, f"{kind}_at") is not None
    spec = vx.explorer_figure(traj, s, 200)
    go.Figure(spec)
    path = _xy(spec["data"][spec["layout"]["meta"]["path"]])
    assert np.isfinite(path).all()


@pytest.mark.parametrize(
    "values,ticks",
    [
        ([17.0, 50.0, 110.0], [17.0, 100.0]),  # under two decades: the ends and the decade, never crowded
        ([1e-6, 1e-3, 10.0], [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0][::2]),
        ([2.0, 3.0], [2.0, 3.0]),
        ([0.0, -1.0], [1.0]),  # nothing positive to show
    ],
)
def test_log_ticks(values, ticks):
    assert vx._log_ticks(values) == pytest.approx(ticks)


def test_constant_rows_get_a_fixed_range():
    assert vx._constant_range([np.nan, 1999.0, 1999.0]) == [999.5, 2998.5]
    assert vx._constant_range([0.0, 0.0]) == [-1.0, 1.0]
    assert vx._constant_range([1.0, 1.5]) is None
    traj, s = _run("radam", "bowl", 30)
    spec = vx.explorer_figure(traj, s, 3, animate=False)
    k = spec["layout"]["meta"]["rows"].index("rho_inf") + 2
    assert spec["layout"][f"yaxis{k}"]["range"] == pytest.approx([999.5, 2998.5])  # ρ∞ = 2/(1 − 0.999) − 1


@pytest.mark.parametrize("three_d", [False, True])
def test_a_frozen_figure_at_step_t_is_the_figure_built_there(three_d):
    """StepFigure (what the Explorer caches) writes the JSON of building the figure at step t, in pure ASCII."""
    import plotly.io as pio

    traj, s = _run("adam", "himmelblau", 50)
    base = sm.map_spec(s, three_d=three_d, resolution=30)
    frozen = vx.StepFigure(vx.explorer_figure(traj, s, 0, base=base, three_d=three_d), traj, s, three_d=three_d)
    assert frozen.steps == 50 and frozen.frame_steps == tuple(range(51))
    for t in (0, 1, 17, 50):
        text = pio.to_json(sm.prepared(frozen.at(t)), validate=False)
        assert json.loads(text)["layout"]["sliders"][0]["steps"][t]["label"] == str(t)
        built = pio.to_json(sm.prepared(vx.explorer_figure(traj, s, t, base=base, three_d=three_d)), validate=False)
        assert text.isascii() and not built.isascii()  # names like θₜ are escapes in the frozen figure's JSON
        assert json.loads(text) == json.loads(built), t
    clipped = pio.to_json(sm.prepared(frozen.at(99)), validate=False)  # past the run's end: its last step
    assert clipped == pio.to_json(sm.prepared(frozen.at(50)), validate=False)


def test_between_two_frames_the_scrubber_reads_the_current_step():
    """A 300-step run has a frame every 2nd step: at step 11 the scrubber sits at frame 10 and reads 11."""
    import plotly.io as pio

    traj, s = _run("adam", "himmelblau", 300)
    base = sm.map_spec(s, resolution=30)
    frozen = vx.StepFigure(vx.explorer_figure(traj, s, 0, base=base), traj, s)
    assert frozen.frame_steps[:3] == (0, 2, 4)
    for t in (10, 11, 299):
        built = vx.explorer_figure(traj, s, t, base=base)
        frozen_t = json.loads(pio.to_json(sm.prepared(frozen.at(t)), validate=False))
        for spec in (built, frozen_t):
            slider = spec["layout"]["sliders"][0]
            labels = [step["label"] for step in slider["steps"]]
            assert slider["active"] == t // 2 and labels[t // 2] == str(t)
            assert labels[: t // 2] + labels[t // 2 + 1 :] == [str(k) for k in range(0, 301, 2) if k != t // 2 * 2]


# -- the stage's data (ui/stage.py draws it in the browser) -----------------------------------------------------
@pytest.mark.parametrize("opt", optimizers.NAMES)
def test_the_stages_arrows_are_the_figures_arrows_at_every_step(opt):
    from viz.explorer import _Arrows

    s = surfaces.get("himmelblau")
    traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, "himmelblau")), s, s.default_start, 60)
    arrows = _Arrows(traj, s)
    anchor, vec = arrows.all()
    for t in range(traj.steps + 1):
        a, g, m, u = arrows.at(t)
        np.testing.assert_array_equal(anchor[t], a)
        for name, v in (("g", g), ("m", m), ("u", u)):
            if v is None:
                assert np.isnan(vec[name][t]).all(), (name, t)
            else:
                np.testing.assert_allclose(vec[name][t], v, rtol=1e-14, err_msg=f"{name} at {t}")


def test_the_stage_data_of_a_diverged_run_stops_at_its_last_good_step():
    from viz.explorer import last_step, stage_data

    s = surfaces.get("bowl")
    traj = optimizers.run(optimizers.make("sgd", lr=1.5), s, np.array([1.0, 1.0]), 100)
    d = traj.diverged_at
    data = stage_data(traj, s)
    assert data["last"] == d - 1 == last_step(traj)[0] and f"diverged at step {d}" in data["stop"]
    ok = optimizers.run(optimizers.make("sgd", lr=0.01), s, np.array([0.5, 0.1]), 100)
    assert last_step(ok) == (100, "")
    # an escape downhill stops the timeline too, and says it was an escape, not a divergence
    saddle = surfaces.get("saddle")
    away = optimizers.run(optimizers.make("sgd", lr=0.9), saddle, np.array([0.5, 0.1]), 100)
    assert away.escaped_at is not None and away.diverged_at is None
    last, why = last_step(away)
    assert last == int(away.last_real) and "left the map going downhill" in why and "diverged" not in why


def test_the_stages_loss_curve_ends_where_the_run_stopped():
    """SGD leaves the saddle's map going downhill and stops: the curve is drawn to that step, not past it."""
    import base64

    from viz.explorer import last_step, loss_series, stage_data

    s = surfaces.get("saddle")
    traj = optimizers.run(optimizers.make("sgd", lr=0.02), s, np.array([1.0, 0.5]), 300)
    last, _stop = last_step(traj)
    assert traj.escaped_at is not None and last < traj.steps
    drawn = np.frombuffer(base64.b64decode(stage_data(traj, s)["loss"]["values"]), dtype="<f8")
    expected, _label, _log = loss_series(traj, s)
    assert np.array_equal(drawn[: last + 1], expected[: last + 1])
    assert np.isnan(drawn[last + 1 :]).all() and drawn.size == traj.steps + 1
