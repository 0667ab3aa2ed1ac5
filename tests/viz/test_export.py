"""Exports: the self-contained HTML file (its numbers are the run's), the GIF and the slide PNG.

The HTML is checked here by reading back the data it carries; tests/browser/test_export.py opens it in Chromium
from file:// with every other request blocked.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

import optimizers
import surfaces
from content import presets
from optimizers import analysis
from viz import export
from viz import export_image as ei

ROSEN = surfaces.get("rosenbrock")


def _run(name="adam", steps=40, surface=ROSEN, **hp):
    hp = {**presets.recommended(name, surface.name), **hp}
    return optimizers.run(optimizers.make(name, **hp), surface, surface.default_start, steps)


def _data(html: str, element: str = "data") -> dict:
    m = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def _diverging():
    traj = _run("sgd", 300, lr=0.05)
    assert traj.diverged_at == 2  # the premise: SGD at γ = 0.05 leaves Rosenbrock's box at step 2
    return traj


# -- the HTML file ---------------------------------------------------------------------------------------------
def test_app_link_joins_a_relative_link_to_the_base_url_and_refuses_a_bad_one():
    rel = presets.explorer_link("bowl", "adam", (1.0, 2.0), 50)
    assert export.app_link("http://10.0.0.5:8501/", rel) == "http://10.0.0.5:8501/" + rel
    assert export.app_link("https://lab.school/app", rel) == "https://lab.school/app/" + rel
    assert export.app_link("ignored", "http://x:1/compare?a=1") == "http://x:1/compare?a=1"
    for bad in ("", "10.0.0.5:8501", "javascript:alert(1)", "file:///tmp"):
        with pytest.raises(ValueError, match="base URL"):
            export.app_link(bad, rel)
    for bad in ("javascript:alert(1)", "explorer?surface=bowl"):  # the file's link must open the app
        with pytest.raises(ValueError, match="http"):
            export.explorer_html(_run(steps=3), ROSEN, link=bad)


def test_the_file_carries_plotly_js_and_asks_for_nothing_else():
    html = export.explorer_html(_run(), ROSEN, link="http://h:8501/explorer?surface=rosenbrock")
    js = export.PLOTLY_JS.read_text(encoding="utf-8")
    assert js[:2000] in html and js[-2000:] in html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html, re.I)
    # the only address in the page's own markup is the link back to the app
    own = html.replace(js.replace("</script", "<\\/script"), "")
    assert re.findall(r'href="([^"]+)"', own) == ["http://h:8501/explorer?surface=rosenbrock"]


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_the_numbers_panel_holds_every_state_quantity_at_every_step(name):
    surface = surfaces.get("bowl")
    traj = _run(name, 25, surface)
    html = export.explorer_html(traj, surface)
    data = _data(html)
    rows = {r["key"]: r for r in data["panel"]}
    opt = traj.optimizer
    assert set(rows) == {"theta", "g", "update", *(f for f in opt.State._fields if f != "count")}
    for key, row in rows.items():
        want = {
            "theta": traj.points,
            "g": np.r_[np.full((1, 2), np.nan), traj.grads[:-1]],
        }.get(key, traj.quantities.get(key))
        got = np.array([[np.nan if v is None else v for v in np.ravel(x)] for x in row["values"]], dtype=float)
        np.testing.assert_allclose(got, np.asarray(want, dtype=float).reshape(len(got), -1), rtol=1e-6, atol=1e-300)
        if key in opt.QUANTITIES:
            assert row["symbol"] and "\\" not in row["symbol"]  # plain text, not LaTeX
    np.testing.assert_allclose(data["losses"], traj.losses, rtol=1e-6)
    assert data["last"] == traj.steps
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert title == f"{opt.title} on {surface.title}".replace("'", "&#x27;")
    for name_, value in opt.hyperparams().items():  # every hyperparameter's value is in the subtitle
        if opt.HYPERS[name_].kind is not bool:
            assert f"= {float(value):.4g}" in html


def test_a_diverged_run_ends_at_its_last_step_and_says_why():
    traj = _diverging()
    html = export.explorer_html(traj, ROSEN)
    data = _data(html)
    assert data["last"] == 1
    assert all(len(r["values"]) == 2 for r in data["panel"])
    path = next(u for u in data["updates"] if u["kind"] == "prefix")
    np.testing.assert_allclose(path["x"], traj.points[:2, 0], rtol=1e-6)
    notice = re.search(r'<p class="notice"[^>]*>(.*?)</p>', html).group(1)
    assert "diverged at step 2" in notice and "ends at step 1" in notice and "finite numbers" in notice
    assert 'max="1"' in html  # the scrubber stops there
    assert "notice" not in export.explorer_html(_run(), ROSEN).split("<body>")[1].split("<div id=")[0]


def test_the_race_file_grows_every_path_to_its_own_end():
    names = ["sgd", "adam"]
    opts = [optimizers.make("sgd", lr=0.05), optimizers.make("adam", lr=0.1)]
    trajs = analysis.race(opts, ROSEN, ROSEN.default_start, 60, 0.0, 0, record=False)
    assert trajs[0].diverged_at == 2 and trajs[1].diverged_at is None
    html = export.race_html(ROSEN, trajs, names, ["SGD", "Adam"], f_star=0.0, link="http://h/compare?opts=sgd,adam")
    data = _data(html)
    assert data["last"] == 60
    by_trace = {u["trace"]: u for u in data["updates"]}
    fig = _data(html, "figure")
    for first, traj, own in zip(fig["layout"]["meta"]["racers"], trajs, (1, 60), strict=True):
        assert by_trace[first]["last"] == own
        np.testing.assert_allclose(by_trace[first]["y"], traj.points[: own + 1, 1], rtol=1e-6)
        assert fig["data"][first]["name"] in ("SGD", "Adam")
    assert "SGD diverged at step 2: its path ends at step 1" in html
    assert "updatemenus" not in fig["layout"] and "sliders" not in fig["layout"]


def _font_sizes(node, key=None) -> list[float]:
    """Every font size set in a layout (font and tickfont entries, at any depth)."""
    out = []
    if isinstance(node, dict):
        if key in ("font", "tickfont") and "size" in node:
            out.append(node["size"])
        for k, v in node.items():
            out += _font_sizes(v, k)
    elif isinstance(node, list):
        for v in node:
            out += _font_sizes(v, key)
    return out


def test_every_font_in_the_figure_is_legible_on_a_projector():
    for html in (export.explorer_html(_run(), ROSEN), export.race_html(ROSEN, [_run()], ["adam"], f_star=0.0)):
        layout = _data(html, "figure")["layout"]
        assert min(_font_sizes(layout)) >= export.MIN_FONT_PX
        powers = [a for a in layout.values() if isinstance(a, dict) and a.get("exponentformat") == "power"]
        assert all(a["tickfont"]["size"] >= export.POWER_TICK_PX for a in powers)


def test_bad_frame_times_are_refused():
    for bad in (0, 5, 5000, float("nan"), "80", True):
        with pytest.raises(ValueError, match="frame_ms"):
            export.explorer_html(_run(steps=3), ROSEN, frame_ms=bad)


def test_a_batch_is_refused():
    batch = optimizers.run(optimizers.make("adam"), ROSEN, np.array([[0.0, 1.0], [1.0, 0.0]]), 5)
    with pytest.raises(ValueError, match="one run"):
        export.explorer_html(batch, ROSEN)


# -- the GIF and the PNG ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fps", "seconds", "match"),
    [(0, 10, "frame rate"), (31, 10, "frame rate"), (2.5, 10, "frame rate"), (float("nan"), 10, "frame rate"),
     ("15", 10, "frame rate"), (15, 0, "length"), (15, 61, "length"), (15, float("inf"), "length"),
     (15, None, "length")],
)  # fmt: skip
def test_bad_export_parameters_are_refused_with_their_range(fps, seconds, match):
    with pytest.raises(ValueError, match=match) as err:
        ei.frame_plan(100, fps, seconds)
    assert "[" in str(err.value)  # the message gives the valid range


def test_the_frame_plan_takes_every_step_when_it_fits_and_always_the_last():
    np.testing.assert_array_equal(ei.frame_plan(50, 10, 10), np.arange(51))
    plan = ei.frame_plan(300, 15, 10)  # 301 steps, 150 frames at most
    assert plan[0] == 0 and plan[-1] == 300 and len(plan) <= 151
    assert len(set(np.diff(plan[:-1]))) == 1  # one stride
    assert ei.frame_plan(0, 15, 10).tolist() == [0]


def test_the_gif_plays_the_run_at_720p_with_its_frames_and_progress():
    traj = _run(steps=30)
    calls = []
    gif = ei.explorer_gif(traj, ROSEN, fps=10, max_seconds=2, progress=lambda d, n: calls.append((d, n)))
    im = Image.open(io.BytesIO(gif))
    plan = ei.frame_plan(30, 10, 2)  # 20 frames for 31 steps: every 2nd step and the last
    assert im.size == (1280, 720) and im.n_frames == len(plan) and plan[-1] == 30
    assert im.info["loop"] == 0
    durations = []
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
        frames.append(np.asarray(im.convert("RGB")))
    assert durations[0] == 100 and durations[-1] == 100 + ei.HOLD_LAST_MS
    assert all(not np.array_equal(a, b) for a, b in zip(frames, frames[1:], strict=False))  # every frame moves
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1] and len(calls) >= len(plan)


def test_a_diverged_run_s_gif_ends_at_its_last_step():
    gif = ei.explorer_gif(_diverging(), ROSEN, fps=10, max_seconds=5)
    assert Image.open(io.BytesIO(gif)).n_frames == 2  # steps 0 and 1


def _texts(scene) -> list[Text]:
    return [t for t in scene.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("kind", ["run", "race", "diverged"])
def test_every_text_of_the_picture_is_at_least_14_px(kind):
    if kind == "race":
        scene = ei.RaceScene(ROSEN, [_run(), _run("sgd")], ["adam", "sgd"], f_star=0.0)
    else:
        scene = ei.ExplorerScene(_diverging() if kind == "diverged" else _run(), ROSEN)
    scene.update(scene.last)
    scene.canvas.draw()  # tick labels exist once drawn
    texts = _texts(scene) + [t for ax in scene.fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    px = [t.get_fontsize() * scene.fig.dpi / 72 for t in texts if t.get_text().strip()]
    assert len(px) > 20 and min(px) >= 14
    shown = " ".join(t.get_text() for t in _texts(scene))
    if kind == "diverged":
        assert "Diverged at step 2" in shown and "ends at step 1" in shown
    if kind == "run":
        opt = _run().optimizer
        assert f"{opt.title} on {ROSEN.title}" in shown and f"step {scene.last} / {scene.last}" in shown
        assert f"{traj_value(scene, 'theta')}" in shown


def traj_value(scene, key: str) -> str:
    row = next(r for r in scene.rows if r["key"] == key)
    return ei._cell(row["values"][scene.last][0])


def test_the_slide_png_is_1920_by_1080_and_shows_the_step_asked_for():
    traj = _run(steps=60)
    a, b = ei.explorer_png(traj, ROSEN, 5), ei.explorer_png(traj, ROSEN, 50)
    ia, ib = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    assert ia.format == "PNG" and ia.size == (1920, 1080) == ib.size
    assert not np.array_equal(np.asarray(ia), np.asarray(ib))
    assert np.array_equal(np.asarray(ib), np.asarray(Image.open(io.BytesIO(ei.explorer_png(traj, ROSEN, 50)))))
    race = ei.race_png(ROSEN, [traj, _run("sgd", 60)], ["adam", "sgd"], f_star=0.0)
    assert Image.open(io.BytesIO(race)).size == (1920, 1080)


def test_the_streamed_gif_decodes_to_exactly_the_drawn_frames():
    """Each frame is written as the rectangle that changed, unchanged pixels transparent: decoded, every
    frame must be the scene's picture of its step (in the GIF's palette), pixel for pixel."""
    traj = _run(steps=24)
    plan = ei.frame_plan(24, 10, 1.2)  # 12 frames: one step in 3, and the last
    gif = ei.gif(ei.ExplorerScene(traj, ROSEN), plan, 10)
    scene = ei.ExplorerScene(traj, ROSEN)
    palette = scene.frame(int(plan[-1])).quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    im = Image.open(io.BytesIO(gif))
    assert im.n_frames == len(plan)
    for i, step in enumerate(plan):
        im.seek(i)
        want = scene.frame(int(step)).quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
        assert np.array_equal(np.asarray(im.convert("RGB")), np.asarray(want)), f"frame {i} (step {step})"


# -- the MP4 (optional: imageio-ffmpeg's FFmpeg) ----------------------------------------------------------------
def _decoded(video: bytes, tmp_path) -> tuple[dict, list[np.ndarray]]:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "run.mp4"
    path.write_bytes(video)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3) for f in reader]
    return meta, frames


def test_the_mp4_decodes_to_the_drawn_frames_at_720p(tmp_path):
    if ei.mp4_unavailable():
        pytest.skip(ei.mp4_unavailable())
    traj = _run(steps=24)
    plan = ei.frame_plan(24, 10, 1.2)  # 12 frames: one step in 3, and the last
    calls = []
    video = ei.mp4(ei.ExplorerScene(traj, ROSEN), plan, 10, lambda d, n: calls.append((d, n)))
    meta, frames = _decoded(video, tmp_path)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p") and meta["fps"] == 10
    assert meta["size"] == (1280, 720)
    hold = ei.hold_frames(10)
    assert hold == 15 and len(frames) == len(plan) + hold  # the last frame stays 1.5 s
    scene = ei.ExplorerScene(traj, ROSEN)
    drawn = {int(s): scene.rgb(int(s)).astype(np.int16) for s in plan}
    for i, step in enumerate(plan):
        got = frames[i].astype(np.int16)
        err = np.abs(got - drawn[int(step)]).mean()
        assert err < 2.5, f"frame {i} (step {step}): mean error {err:.2f} of 255"
        # and it is that step's picture, not a neighbour's (the path, the numbers and the readout moved)
        if i:
            other = np.abs(got - drawn[int(plan[i - 1])])
            moved = np.abs(drawn[int(step)] - drawn[int(plan[i - 1])]).max(axis=-1) > 60
            assert other[moved].mean() > 4 * np.abs(got - drawn[int(step)])[moved].mean()
    assert all(np.abs(f.astype(np.int16) - drawn[24]).mean() < 2.5 for f in frames[len(plan) :])
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (len(plan) + 1, len(plan) + 1)


def test_a_race_mp4_and_a_diverged_run_s_mp4_end_at_their_last_step(tmp_path):
    if ei.mp4_unavailable():
        pytest.skip(ei.mp4_unavailable())
    scene = ei.RaceScene(ROSEN, [_run(steps=20), _run("sgd", 20)], ["adam", "sgd"], f_star=0.0)
    _, frames = _decoded(ei.mp4(scene, ei.frame_plan(scene.last, 5, 10), 5), tmp_path)
    assert len(frames) == 21 + ei.hold_frames(5) and frames[0].shape == (720, 1280, 3)
    traj = _diverging()
    scene = ei.ExplorerScene(traj, ROSEN)
    _, frames = _decoded(ei.mp4(scene, ei.frame_plan(scene.last, 10, 5), 10), tmp_path)
    assert len(frames) == 2 + ei.hold_frames(10)  # steps 0 and 1
    assert np.abs(frames[-1].astype(np.int16) - scene.rgb(1)).mean() < 2.5


def test_without_an_encoder_the_mp4_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(ei, "mp4_unavailable", lambda: "no encoder here")
    with pytest.raises(RuntimeError, match="no encoder here"):
        ei.mp4(ei.ExplorerScene(_run(steps=3), ROSEN), [0, 1, 2, 3], 10)
    with pytest.raises(ValueError, match="frame rate"):
        ei.hold_frames(0)


# -- the Theory switch: the local quadratic model and its numbers in every export ----------------------------------
def test_the_html_with_theory_carries_every_step_s_model_and_its_numbers():
    from optimizers import theory as T
    from viz.theory import stage_model

    ravine = surfaces.get("ravine")
    traj = _run("momentum", 30, ravine)
    plain = _data(export.explorer_html(traj, ravine))
    assert not {"lmin", "lmax", "kappa", "limit"} & {r["key"] for r in plain["panel"]}
    assert not [u for u in plain["updates"] if u["kind"] == "model"]
    html = export.explorer_html(traj, ravine, theory=True)
    data, fig = _data(html), _data(html, "figure")
    rows = {r["key"]: r for r in data["panel"]}
    m = stage_model(ravine, traj.points)
    np.testing.assert_allclose(rows["lmin"]["values"], m["eigenvalues"][:, 0], rtol=1e-6)
    np.testing.assert_allclose(rows["lmax"]["values"], m["eigenvalues"][:, 1], rtol=1e-6)
    assert rows["lmin"]["values"][0] == 0.5 and rows["lmax"]["values"][0] == 25 and rows["kappa"]["values"][7] == 50
    limit = T.stability_limit(traj.optimizer)
    assert rows["limit"]["symbol"] == limit.label == "(2 + 2μ)/γ"
    assert rows["limit"]["values"] == [pytest.approx(limit.value)] * 31
    (model,) = [u for u in data["updates"] if u["kind"] == "model"]
    assert fig["data"][model["trace"]]["name"].startswith("local quadratic model")
    assert fig["data"][model["axes_trace"]]["line"]["dash"] == "dash"
    np.testing.assert_allclose(np.array(model["axes"], dtype=float), m["axes"].reshape(-1, 4), rtol=1e-5, atol=1e-9)
    assert set(model["shape"]) == {1}  # a minimum's ellipse at every step of the ravine


def test_an_adaptive_optimizer_s_html_shows_its_preconditioned_sharpness_and_a_saddle_its_asymptotes():
    from optimizers import theory as T

    traj = _run("adam", 20)
    rows = {r["key"]: r for r in _data(export.explorer_html(traj, ROSEN, theory=True))["panel"]}
    sharp = T.sharpness(traj, ROSEN)
    assert rows["sharpness"]["symbol"] == "λmax(P⁻¹H)" and rows["limit"]["symbol"] == "(2 + 2β₁)/(γ(1 − β₁))"
    np.testing.assert_allclose(
        np.array(rows["sharpness"]["values"][:-1], dtype=float), sharp.preconditioned[:-1], rtol=1e-6
    )
    saddle = surfaces.get("saddle")
    model = next(
        u
        for u in _data(export.explorer_html(_run("sgd", 10, saddle), saddle, theory=True))["updates"]
        if u["kind"] == "model"
    )
    assert set(model["shape"]) == {3} and all(v is not None for v in model["asym"][0])
    newton = {r["key"] for r in _data(export.explorer_html(_run("newton", 5), ROSEN, theory=True))["panel"]}
    assert {"lmin", "lmax", "kappa"} <= newton and "limit" not in newton  # Newton has no such limit


def test_the_gif_and_png_with_theory_draw_the_model_s_ellipse_and_its_numbers():
    ravine = surfaces.get("ravine")
    traj = _run("sgd", 30, ravine)
    scene = ei.ExplorerScene(traj, ravine, theory=True)
    for t in (0, 12, 30):
        scene.update(t)
        x, y = scene.shape.get_data()
        d = np.stack([np.asarray(x) - traj.points[t, 0], np.asarray(y) - traj.points[t, 1]], axis=-1)
        level = np.einsum("ni,ij,nj->n", d, ravine.hessian(traj.points[t]), d)
        np.testing.assert_allclose(level, level[0], rtol=1e-9)  # a level set of the quadratic model around θₜ
        ax, ay = scene.axes_line.get_data()
        assert ay[0] == ay[1] == traj.points[t, 1] and ax[3] == ax[4] == traj.points[t, 0]  # the ravine's axes
    shown = " ".join(t.get_text() for t in _texts(scene))
    assert "λmin" in shown and "κ" in shown and "2/γ" in shown and "quadratic model at θₜ" in shown
    assert "λmin" not in " ".join(t.get_text() for t in _texts(ei.ExplorerScene(traj, ravine)))
    with_model = np.asarray(Image.open(io.BytesIO(ei.explorer_png(traj, ravine, 12, theory=True))))
    without = np.asarray(Image.open(io.BytesIO(ei.explorer_png(traj, ravine, 12))))
    assert with_model.shape == without.shape and not np.array_equal(with_model, without)


def test_asking_whether_mp4_is_available_imports_nothing_and_runs_nothing():
    """The page asks on every run: it must not pay imageio_ffmpeg's import (~0.1 s) or start FFmpeg."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; from viz import export_image as ei; ei.mp4_unavailable(); "
        "assert 'imageio_ffmpeg' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_an_encoder_without_its_ffmpeg_is_refused_with_the_reason(monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def missing():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    with pytest.raises(RuntimeError, match="has no FFmpeg to run .No ffmpeg exe could be found"):
        ei.mp4(ei.ExplorerScene(_run(steps=3), ROSEN), [0, 1, 2, 3], 10)
