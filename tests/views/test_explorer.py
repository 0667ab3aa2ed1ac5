"""The Explorer page under AppTest: the default run, every optimizer and surface, stepping, sharing by URL, bad
input as messages, divergence, the inspector and the figure (read from the chart's JSON) against the core."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import presets
import surfaces
from optimizers import analysis
from optimizers.explain import explain
from surfaces.formula import from_formula
from ui.inspector import numbers_tex
from viz import surface_map as sm

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
PAGE = "views/explorer.py"
TIMEOUT = 60
DRAWN = "explorer::drawn"  # views/explorer.py's DRAWN_KEY


def _open(query: dict[str, str] | None = None, *, drawn: bool = True) -> AppTest:
    """The Explorer as a browser shows it once its first paint is done (`drawn`): the chart is in the page.

    (A session's very first run draws a placeholder and the first-paint beacon instead; the browser's beacon
    then reruns the step area, which draws the chart: test_the_first_run_paints_the_page_then_the_chart.)
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if drawn:
        at.session_state[DRAWN] = True
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "Something went wrong" in e.value]


def _step(at: AppTest) -> int:
    (metric,) = [m for m in at.metric if m.label == "Step"]
    return int(metric.value)


def _press(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    button.click()
    return at.run()


def _spec(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _q(at: AppTest, key: str) -> str:
    v = at.query_params[key]
    return v[-1] if isinstance(v, list) else v


def _xy(trace) -> np.ndarray:
    return np.stack([sm.unpack(trace["x"]), sm.unpack(trace["y"])], -1)


def _core_run(at: AppTest, steps: int | None = None):
    """The run the page shows, recomputed from the widgets' values with the core."""
    opt = at.selectbox(key="explorer:opt").value
    surface = surfaces.get(at.selectbox(key="explorer:surface").value)
    hypers = {n: at.session_state[f"explorer:{n}"] for n in optimizers.get(opt).HYPERS}
    start = (at.number_input(key="explorer:x0").value, at.number_input(key="explorer:y0").value)
    n = steps if steps is not None else at.number_input(key="explorer:steps").value
    return optimizers.run(optimizers.make(opt, **hypers), surface, np.array(start), n), surface


@pytest.fixture(scope="module")
def default() -> AppTest:
    return _open()


# -- the first paint ---------------------------------------------------------------------------------------
def test_the_first_run_paints_the_page_then_the_chart():
    at = _open(drawn=False)
    _ok(at)
    assert not at.get("plotly_chart")  # Plotly's script would hold the whole page back on a first visit
    (beacon,) = [e for e in at.main if e.type == "bidi_component"]
    assert beacon.key == "explorer:painted"
    assert _step(at) == 0 and [m.label for m in at.metric] == ["Step", "Loss f(θ)"]  # the rest is all there
    assert any("Drawing the map" in c.value for c in at.caption)
    heights = [b.proto.height_config.pixel_height for b in _blocks(at.main)]
    # no KaTeX either (its script and fonts): the formula and the inspector come with the chart
    assert not at.latex and not [t for t in _texts(at) if "$" in t]
    assert any("β₁ `beta1`" == n.label for n in at.number_input)  # labels in plain text
    assert at.session_state[DRAWN] is True
    at.run()  # the beacon's trigger (any rerun) draws the chart
    _ok(at)
    assert len(at.get("plotly_chart")) == 1 and not [e for e in at.main if e.type == "bidi_component"]
    assert _step(at) == 0
    assert _spec(at)["layout"]["height"] in heights  # the placeholder held the chart's place: nothing jumps
    (heading,) = [m.value for m in at.markdown if m.value.startswith("####")]
    assert heading.endswith(f"${surfaces.get('rosenbrock').latex}$")
    assert len(at.latex) == 1 and "Inspector" in [s.value for s in at.subheader]


def _texts(at: AppTest) -> list[str]:
    """Every text the page shows as Markdown: elements and widget labels."""
    kinds = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success")
    out = [e.value for kind in kinds for e in getattr(at, kind)]
    widgets = ("number_input", "selectbox", "select_slider", "toggle", "button", "metric", "text_input")
    out += [w.label for kind in widgets for w in getattr(at, kind)]
    out += [w.help or "" for kind in widgets for w in getattr(at, kind) if hasattr(w, "help")]
    return out + [str(o) for kind in ("selectbox", "select_slider") for w in getattr(at, kind) for o in w.options]


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        if child.type == "flex_container":
            yield child
        yield from _blocks(child)


# -- the default run ----------------------------------------------------------------------------------------
def test_default_run_is_adam_on_rosenbrock_at_step_zero(default):
    _ok(default)
    assert default.selectbox(key="explorer:surface").value == "rosenbrock"
    assert default.selectbox(key="explorer:opt").value == "adam"
    assert _step(default) == 0
    assert default.number_input(key="explorer:lr").value == presets.recommended("adam", "rosenbrock")["lr"]
    assert [b.label for b in default.button][:4] == ["Step", "Step ×10", "Back", "Reset"]
    assert [d.proto.label for d in default.get("download_button")] == ["Download CSV"]


def test_default_figure_has_the_map_the_series_and_a_frame_every_other_step(default):
    spec = _spec(default)
    meta = spec["layout"]["meta"]
    traj, surface = _core_run(default)
    data = spec["data"]
    assert data[0]["name"] == "iso-lines" and not any(t["type"] == "contour" for t in data)
    assert spec["layout"]["images"][0]["source"].startswith("data:image/png")
    np.testing.assert_allclose(_xy(data[meta["path"]]), traj.points[:1], rtol=1e-6)
    assert meta["rows"] == ["g", "m", "v", "m_hat", "v_hat", "step_size", "update", "loss"]
    frames = spec["frames"]
    assert traj.steps == 300 and [f["name"] for f in frames] == [str(s) for s in range(0, 301, 2)]
    for frame in (frames[1], frames[-1]):  # each frame: the whole path so far
        path = _xy(frame["data"][meta["moving"].index(meta["path"])])
        np.testing.assert_allclose(path, traj.points[: int(frame["name"]) + 1], rtol=1e-5, atol=1e-6)
    buttons = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert buttons[:2] == ["▶ Play", "❚❚ Pause"] and len(spec["layout"]["sliders"][0]["steps"]) == 151


def test_default_settings_are_in_the_url(default):
    expected = dict(parse_qsl(urlsplit(presets.explorer_link("rosenbrock", "adam", (-1.5, 2.0), 300)).query))
    for k, v in expected.items():
        got = _q(default, k)
        assert got == v or float(got) == float(v), k


# -- every optimizer and every surface -------------------------------------------------------------------------
@pytest.mark.parametrize("name", optimizers.NAMES)
def test_every_optimizer_is_selectable_with_its_recommended_settings(name):
    at = _open()
    at.selectbox(key="explorer:opt").select(name).run()
    _ok(at)
    assert _step(at) == 0
    for hyper, value in presets.recommended(name, "rosenbrock").items():
        assert at.session_state[f"explorer:{hyper}"] == pytest.approx(value), hyper
    _press(at, "Step")
    _ok(at)
    traj, _ = _core_run(at)
    spec = _spec(at)
    cur = _xy(spec["data"][spec["layout"]["meta"]["current"]])[0]
    np.testing.assert_allclose(cur, traj.points[1], rtol=1e-6)
    assert _q(at, "opt") == name


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_every_surface_is_selectable_and_starts_at_its_first_suggested_start(name):
    at = _open()
    at.selectbox(key="explorer:surface").select(name).run()
    _ok(at)
    s = surfaces.get(name)
    start = (at.number_input(key="explorer:x0").value, at.number_input(key="explorer:y0").value)
    np.testing.assert_allclose(start, s.default_start)
    spec = _spec(at)
    assert spec["layout"]["xaxis"]["range"] == list(s.bounds[0])
    minima = spec["data"][2]
    assert len(minima["x"]) == len(s.minima)
    assert at.number_input(key="explorer:lr").value == pytest.approx(presets.recommended("adam", name)["lr"])


# -- stepping ------------------------------------------------------------------------------------------------
def test_step_step10_back_reset():
    at = _open()
    assert _step(at) == 0
    assert _step(_press(at, "Step")) == 1
    assert _step(_press(at, "Step")) == 2
    assert _step(_press(at, "Step ×10")) == 12
    assert _step(_press(at, "Back")) == 11
    _ok(at)
    traj, _ = _core_run(at)
    spec = _spec(at)
    meta = spec["layout"]["meta"]
    np.testing.assert_allclose(_xy(spec["data"][meta["path"]]), traj.points[:12], rtol=1e-6)
    slider = spec["layout"]["sliders"][0]  # frames every other step: the scrubber at step 10's, reading 11
    assert slider["active"] == 5 and slider["steps"][5]["label"] == "11" and slider["steps"][6]["label"] == "12"
    (loss,) = [m for m in at.metric if m.label.startswith("Loss")]
    assert float(loss.value) == pytest.approx(traj.losses[11], rel=1e-3)
    assert _step(_press(at, "Reset")) == 0
    assert _step(_press(at, "Back")) == 0  # never below the start


def test_stepping_past_the_computed_steps_extends_the_run():
    at = _open({"steps": "5"})
    for _ in range(7):
        _press(at, "Step")
    _ok(at)
    assert _step(at) == 7
    traj, _ = _core_run(at, steps=7)
    spec = _spec(at)
    np.testing.assert_allclose(_xy(spec["data"][spec["layout"]["meta"]["current"]])[0], traj.points[7], rtol=1e-6)


def test_a_step_press_reuses_the_sessions_run_and_a_setting_change_replaces_it(monkeypatch):
    from ui import explorer_cache

    calls = []
    for name in ("run", "figure"):
        cached = getattr(explorer_cache, name)
        monkeypatch.setattr(explorer_cache, name, lambda *a, _f=cached, _n=name: calls.append(_n) or _f(*a))
    at = _open()
    kept = at.session_state[explorer_cache.SESSION_KEY]
    asked = list(calls)
    assert {"run", "figure"} <= set(asked)
    for _ in range(3):
        _press(at, "Step")
    _ok(at)
    assert _step(at) == 3
    assert calls == asked  # the presses asked neither cache again
    assert at.session_state[explorer_cache.SESSION_KEY] is kept
    traj, _ = _core_run(at)
    np.testing.assert_allclose(_xy(_spec(at)["data"][_spec(at)["layout"]["meta"]["path"]]), traj.points[:4], rtol=1e-6)
    at.number_input(key="explorer:lr").set_value(0.05).run()
    _ok(at)
    assert calls[len(asked) :].count("figure") == 1
    assert at.session_state[explorer_cache.SESSION_KEY] is not kept
    assert dict(at.session_state[explorer_cache.SESSION_KEY][0][0][2])["lr"] == 0.05


def test_changing_a_setting_starts_a_fresh_run_and_says_so():
    at = _open()
    _press(at, "Step ×10")
    assert _step(at) == 10
    at.number_input(key="explorer:lr").set_value(0.05).run()
    _ok(at)
    assert _step(at) == 0
    assert any("fresh run" in i.value for i in at.info)
    assert _q(at, "lr") == "0.05"
    # the 3-D toggle is a view, not a setting: the step stays
    _press(at, "Step")
    at.toggle(key="explorer:view3d").set_value(True).run()
    _ok(at)
    assert _step(at) == 1 and _spec(at)["data"][0]["type"] == "surface"


def test_the_inspector_shows_the_rule_and_the_steps_numbers():
    at = _open()
    _press(at, "Step ×10")
    traj, _ = _core_run(at)
    rule, numbers = at.latex
    assert rule.value.strip("$\n") == optimizers.make("adam", **presets.recommended("adam", "rosenbrock")).formula()
    for line in explain(traj, 10):
        for text in line.texts:
            assert numbers_tex(text) in numbers.value, text


# -- sharing by URL -------------------------------------------------------------------------------------------
def test_a_link_restores_its_configuration():
    link = presets.explorer_link("ravine", "momentum", (-4.0, 1.0), 80, noise=0.3, seed=7, lr=0.03, momentum=0.8)
    at = _open(dict(parse_qsl(urlsplit(link).query)))
    _ok(at)
    assert not at.warning
    assert at.selectbox(key="explorer:surface").value == "ravine"
    assert at.selectbox(key="explorer:opt").value == "momentum"
    assert at.number_input(key="explorer:lr").value == 0.03
    assert at.number_input(key="explorer:momentum").value == 0.8
    assert (at.number_input(key="explorer:x0").value, at.number_input(key="explorer:y0").value) == (-4.0, 1.0)
    assert at.number_input(key="explorer:steps").value == 80
    assert at.number_input(key="explorer:noise").value == 0.3 and at.number_input(key="explorer:seed").value == 7
    traj = optimizers.run(
        optimizers.make("momentum", lr=0.03, momentum=0.8),
        surfaces.get("ravine"),
        np.array([-4.0, 1.0]),
        80,
        noise=0.3,
        seed=7,
    )
    spec = _spec(at)
    last = spec["frames"][-1]["data"][spec["layout"]["meta"]["moving"].index(spec["layout"]["meta"]["path"])]
    np.testing.assert_allclose(_xy(last), traj.points, rtol=1e-5, atol=1e-6)


def test_malformed_query_values_fall_back_with_a_notice():
    at = _open({"surface": "moon", "opt": "adam", "lr": "-3", "steps": "1e9", "x0": "nan"})
    _ok(at)
    notices = " ".join(w.value for w in at.warning)
    for key in ("surface=moon", "lr=-3", "steps=1e9", "x0=nan"):
        assert key in notices
    assert at.selectbox(key="explorer:surface").value == "rosenbrock"
    assert at.number_input(key="explorer:lr").value == presets.recommended("adam", "rosenbrock")["lr"]
    assert _step(at) == 0


# -- bad input: messages, never exceptions ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "key,value,words",
    [
        ("lr", -1.0, "lr must be"),
        ("beta2", 1.0, "beta2 must be"),
        ("eps", 2.0, "eps must be"),
        ("x0", -1e7, "start must be finite"),
        ("y0", 1e9, "start must be finite"),
        ("steps", 10**6, "Steps must be a whole number in [1, 2000]"),
        ("noise", -0.5, "σ must be"),
        ("seed", -4, "seed must be"),
    ],
)
def test_out_of_range_input_gives_a_message_not_an_exception(key, value, words):
    at = _open()
    at.number_input(key=f"explorer:{key}").set_value(value).run()
    _ok(at)
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert _step(_press(at, "Step")) == 1  # the page still works, on the fallback value
    _ok(at)


# (id, query, kind): the run the page shows, checked against the core; the box's kind and words follow it
STOPS = [
    ("escape", dict(surface="saddle", opt="sgd", lr="0.9", x0="0.5", y0="0.1", steps="100"), "escaped"),
    ("diverge", dict(surface="bowl", opt="sgd", lr="1.5", x0="1", y0="1", steps="100"), "diverged"),
    (
        "apex",
        dict(surface="custom", formula="sqrt(x^2+y^2)", opt="sgd", lr="0.5", x0="0.5", y0="0", steps="20"),
        "undefined",
    ),
    ("monkey-newton", dict(surface="monkey_saddle", opt="newton", lr="1", x0="0", y0="0", steps="20"), "undefined"),
    (
        "log",
        dict(surface="custom", formula="log(x) + y^2", opt="sgd", lr="1", x0="0.5", y0="0", steps="20"),
        "undefined",
    ),
]


@pytest.mark.parametrize("query, kind", [c[1:] for c in STOPS], ids=[c[0] for c in STOPS])
def test_how_a_run_stopped_is_said_once_with_its_own_words(query, kind):
    at = _open(query)
    _ok(at)
    surf = surfaces.get(query["surface"]) if query["surface"] != "custom" else from_formula(query["formula"])
    opt = optimizers.make(query["opt"], lr=float(query["lr"]))
    traj = optimizers.run(opt, surf, np.array([float(query["x0"]), float(query["y0"])]), int(query["steps"]))
    out = analysis.outcome(traj)
    assert out.kind == kind  # the claim is the core's: the run really ended this way
    boxes = {"diverged": at.error, "escaped": at.info, "undefined": at.warning}
    said = [b.value for b in boxes[kind] if out.headline in b.value]
    assert said == [f"**{out.headline}**: {out.detail}"]
    for other, elems in boxes.items():  # no other box claims an outcome
        assert other == kind or not [e.value for e in elems if "step" in e.value and "run" in e.value.lower()]
    everything = " ".join(e.value for e in [*at.error, *at.info, *at.warning])
    assert ("lower the learning rate" in everything) == (kind == "diverged")  # only where the loss grew
    if kind == "escaped":
        assert "left the map going downhill" in everything and "f → −∞" in everything
    if kind == "undefined":
        p = traj.points[out.step]
        if query.get("formula", "").startswith("log"):  # step 1 lands at x = 0.5 − 1/0.5 = −1.5: f undefined
            assert out.step == 1 and out.point == (-1.5, 0.0) and np.isnan(surf.f(p))
            assert "The loss f is undefined at (-1.5, 0)" in said[0]
            return
        assert out.point == (0.0, 0.0) and np.array_equal(p, [0.0, 0.0])
        if query["opt"] == "sgd":  # the apex: step 1 lands on it, and the gradient there is not a number
            assert (
                out.step == 1 and not np.isfinite(surf.grad(p)).all() and "gradient is undefined at (0, 0)" in said[0]
            )
    # past the last real step the inspector says the step was not taken, and why; the path stays finite
    for _ in range(3):
        _press(at, "Step ×10")
    t = _step(at)
    if t > out.last_step:
        assert any(m.value == out.not_taken(t) for m in at.markdown)
    spec = _spec(at)
    path = _xy(spec["data"][spec["layout"]["meta"]["path"]])
    assert np.isfinite(path).all()


def test_a_custom_formula_runs_and_is_in_the_url():
    at = _open()
    at.selectbox(key="explorer:surface").select("custom").run()
    _ok(at)
    formula = at.text_input(key="explorer:formula").value
    assert formula and _q(at, "formula") == formula and _q(at, "surface") == "custom"
    at.text_input(key="explorer:formula").input("x^2 + 3*y^2").run()
    _press(at, "Step")
    _ok(at)
    s = surfaces.from_formula("x^2 + 3*y^2", ((-3.0, 3.0), (-3.0, 3.0)))
    start = np.array([at.number_input(key="explorer:x0").value, at.number_input(key="explorer:y0").value])
    hypers = {n: at.session_state[f"explorer:{n}"] for n in optimizers.get("adam").HYPERS}
    traj = optimizers.run(optimizers.make("adam", **hypers), s, start, 1)
    spec = _spec(at)
    np.testing.assert_allclose(_xy(spec["data"][spec["layout"]["meta"]["current"]])[0], traj.points[1], rtol=1e-6)
    at.text_input(key="explorer:formula").input("x +* y").run()
    _ok(at)
    assert at.error  # the parser's message, beside the box


def test_a_suggested_start_button_sets_the_start():
    at = _open()
    s = surfaces.get("rosenbrock")
    label = f"({s.starts[1][0]:.4g}, {s.starts[1][1]:.4g})"
    _press(at, label)
    _ok(at)
    assert (at.number_input(key="explorer:x0").value, at.number_input(key="explorer:y0").value) == tuple(s.starts[1])


# -- the home page's gallery ---------------------------------------------------------------------------------
def test_home_links_every_page_and_every_gallery_preset():
    from ui.gallery import GALLERY

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _ok(at)
    links = at.get("page_link")
    pages = [link.proto.page for link in links]
    for page in ("explorer", "compare", "network", "guide"):
        assert page in pages
    gallery = [link for link in links if link.proto.query_string]
    expected = [lk for card in GALLERY for lk in card.links]
    shown = sorted((g.proto.label, g.proto.query_string) for g in gallery)  # laid out in columns
    assert shown == sorted((lk.label, urlsplit(lk.url).query) for lk in expected)
    assert all(g.proto.page == "explorer" for g in gallery)


def _gallery_links():
    from ui.gallery import GALLERY

    return [lk for card in GALLERY for lk in card.links]


@pytest.mark.parametrize("link", _gallery_links(), ids=lambda lk: lk.label)
def test_every_gallery_preset_opens_a_working_explorer(link):
    at = _open(link.query)
    _ok(at)
    assert not at.warning, [w.value for w in at.warning]
    q = link.query
    assert at.selectbox(key="explorer:surface").value == q["surface"]
    assert at.selectbox(key="explorer:opt").value == q["opt"]
    assert at.number_input(key="explorer:steps").value == int(q["steps"])
    assert _step(_press(at, "Step ×10")) == 10


# -- the inspector's typesetting (ui.inspector) ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,tex",
    [
        ("0.9·(−14.51) + (1 − 0.9)·26.39 = −10.42", r"0.9 \cdot (-14.51) + (1 - 0.9) \cdot 26.39 = -10.42"),
        ("0.05/(sqrt(158.4) + 1e−8) = 0.003972", r"0.05/(\sqrt{158.4} + 10^{-8}) = 0.003972"),
        ("9.444/(1 − 0.9^12) = 13.16", r"9.444/(1 - 0.9^{12}) = 13.16"),
        ("0.9·(1 − 0.5·0.96^(12·0.004)) = 0.4509", r"0.9 \cdot (1 - 0.5 \cdot 0.96^{12 \cdot 0.004}) = 0.4509"),
        ("0.0001549·0.4509 = 6.984e−5", r"0.0001549 \cdot 0.4509 = 6.984{\times}10^{-5}"),
        ("7668 + 34.18² = 8836", r"7668 + 34.18^{2} = 8836"),
        (
            "max(0.999·24.49, abs(26.23) + 1e−8) = 26.23",
            r"\max(0.999 \cdot 24.49, \left\lvert 26.23\right\rvert  + 10^{-8}) = 26.23",
        ),
        ("sqrt(sqrt(4)) = 1.414", r"\sqrt{\sqrt{4}} = 1.414"),
    ],
)
def test_numbers_are_typeset_as_maths(text, tex):
    assert numbers_tex(text) == tex


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_every_optimizers_step_typesets_with_balanced_braces_and_no_raw_text(name):
    from ui.inspector import step_tex

    s = surfaces.get("himmelblau")
    hp = presets.recommended(name, "himmelblau") | ({"centered": True, "momentum": 0.9} if name == "rmsprop" else {})
    traj = optimizers.run(optimizers.make(name, **hp), s, s.default_start, 12)
    tex = step_tex(explain(traj, 12))
    depth = 0
    for ch in tex:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    for raw in ("·", "−", "²", "sqrt(", "abs(", "e−"):
        assert raw not in tex, raw
    assert "}^{(x)}" in tex or name == "newton"


def test_the_learning_rate_has_a_log_slider_in_step_with_its_box():
    at = _open()
    slider = at.select_slider(key="explorer:lr::log")
    assert slider.value == 0.1 and slider.options[0] == "1e-06" and slider.options[-1] == "10"  # shown as %g
    slider.set_value(0.02).run()
    _ok(at)
    assert at.number_input(key="explorer:lr").value == 0.02 and _q(at, "lr") == "0.02"
    at.number_input(key="explorer:lr").set_value(0.004).run()
    assert at.select_slider(key="explorer:lr::log").value == 0.005  # the nearest 1-2-5 value on a log scale
    assert at.number_input(key="explorer:lr").value == 0.004  # the box keeps what was typed
    at.select_slider(key="explorer:eps::log")  # ε has one too
    at.selectbox(key="explorer:opt").select("sgd").run()
    assert at.select_slider(key="explorer:lr::log").value == presets.recommended("sgd", "rosenbrock")["lr"]
