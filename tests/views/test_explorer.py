"""The Explorer page under AppTest: the default run, every optimizer and surface, the stage's data (the whole run,
read from the element's bytes) against the core, the step where stepping rests and its inspector, sharing by URL
(with the step t), bad input as messages, divergence, Presenter."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from content import presets
from optimizers import analysis
from optimizers.explain import explain
from surfaces.formula import from_formula
from ui.controls import log_key
from ui.inspector import numbers_tex
from ui.stage import split
from views import explorer

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
PAGE = "views/explorer.py"
TIMEOUT = 60
K = explorer.PAGE.key  # a setting's session key (its widget's key)
DRAWN = explorer.PAGE.private(explorer.DRAWN)  # the stage has been painted once
T = explorer.PAGE.private(explorer.T)  # the step the inspector shows


def _open(query: dict[str, str] | None = None, *, drawn: bool = True) -> AppTest:
    """The Explorer as a browser shows it once the stage has been painted (`drawn`): LaTeX is in the page.

    (A session's very first run has no LaTeX; the stage reports its step once the browser has painted it, and
    that run adds the formula and the inspector: test_the_first_run_has_no_latex_then_the_inspector_comes.)
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


def _stage(at: AppTest) -> tuple[dict, dict]:
    """(header, run) of the stage element: what the browser draws every step from."""
    (el,) = [e for e in at.main if e.type == "bidi_component"]
    assert el.key == K("stage")
    return split(el.proto.bytes)


def _f64(b64: str | None, cols: int = 1) -> np.ndarray:
    import base64

    v = np.frombuffer(base64.b64decode(b64), dtype="<f8")
    return v.reshape(-1, cols) if cols > 1 else v


def _step(at: AppTest) -> int:
    """The step the server knows (the inspector's), which the stage opens at."""
    return int(at.session_state[T])


def _rest(at: AppTest, t: int) -> AppTest:
    """Stepping rests at t in the browser: the stage reports t (as its callback stores it) and the page reruns."""
    at.session_state[T] = t
    return at.run()


def _press(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    button.click()
    return at.run()


def _q(at: AppTest, key: str) -> str:
    v = at.query_params[key]
    return v[-1] if isinstance(v, list) else v


def _core_run(at: AppTest, steps: int | None = None):
    """The run the page shows, recomputed from the widgets' values with the core."""
    opt = at.selectbox(key=K("opt")).value
    surface = surfaces.get(at.selectbox(key=K("surface")).value)
    hypers = {n: at.session_state[K(n)] for n in optimizers.get(opt).HYPERS}
    start = (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value)
    n = steps if steps is not None else at.number_input(key=K("steps")).value
    return optimizers.run(optimizers.make(opt, **hypers), surface, np.array(start), n), surface


def _rows(run: dict) -> dict[str, np.ndarray]:
    return {r["key"]: _f64(r["values"], r["coords"]) for r in run["rows"]}


@pytest.fixture(scope="module")
def default() -> AppTest:
    return _open()


# -- the first paint ---------------------------------------------------------------------------------------
def test_the_first_run_has_no_latex_then_the_inspector_comes():
    at = _open(drawn=False)
    _ok(at)
    assert not at.get("plotly_chart")  # the stage draws the map itself: no Plotly script on the way
    head, run = _stage(at)
    assert head["t0"] == 0 and run["steps"] == 300
    # no KaTeX (its script and fonts would hold the first paint back): the formula and inspector come next
    assert not at.latex and not [t for t in _texts(at) if "$" in t]
    assert any("β₁ `beta1`" == n.label for n in at.number_input)  # labels in plain text
    at.session_state[DRAWN] = True  # what the stage's first report does (views/explorer.py's _on_t)
    at.run()
    _ok(at)
    assert _stage(at) == (head, run)  # the same bytes: the browser's cached message, not the run again
    assert "Inspector" in [s.value for s in at.subheader] and len(at.latex) == 1  # the rule (step 0: no numbers)
    assert any(surfaces.get("rosenbrock").latex in m.value for m in at.markdown)


def _texts(at: AppTest) -> list[str]:
    """Every text the page shows as Markdown: elements and widget labels."""
    kinds = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success")
    out = [e.value for kind in kinds for e in getattr(at, kind)]
    widgets = ("number_input", "selectbox", "select_slider", "toggle", "button", "metric", "text_input")
    out += [w.label for kind in widgets for w in getattr(at, kind)]
    out += [w.help or "" for kind in widgets for w in getattr(at, kind) if hasattr(w, "help")]
    return out + [str(o) for kind in ("selectbox", "select_slider") for w in getattr(at, kind) for o in w.options]


# -- the default run ----------------------------------------------------------------------------------------
def test_default_run_is_adam_on_rosenbrock_at_step_zero(default):
    _ok(default)
    assert default.selectbox(key=K("surface")).value == "rosenbrock"
    assert default.selectbox(key=K("opt")).value == "adam"
    assert _step(default) == 0
    assert default.number_input(key=K("lr")).value == presets.recommended("adam", "rosenbrock")["lr"]
    assert [d.proto.label for d in default.get("download_button")][0] == "Download CSV"
    assert {"3-D view", "Presenter"} <= {t.label for t in default.toggle}


def test_the_stage_holds_the_whole_run_once(default):
    head, run = _stage(default)
    traj, surface = _core_run(default)
    assert run["steps"] == run["last"] == traj.steps == 300 and run["stop"] == ""
    np.testing.assert_array_equal(_f64(run["points"], 2), traj.points)
    np.testing.assert_array_equal(_f64(run["losses"]), traj.losses)
    rows = _rows(run)
    assert list(rows) == ["g", "m", "v", "m_hat", "v_hat", "step_size", "update"]
    assert [r["symbol"] for r in run["rows"]][:5] == ["g", "m", "v", "m̂", "v̂"]
    np.testing.assert_array_equal(rows["g"][1:], traj.grads[:-1])  # row t: the gradient step t used
    for name in ("m", "v", "m_hat", "v_hat", "step_size", "update"):
        np.testing.assert_array_equal(rows[name][1:], traj.quantities[name][1:], err_msg=name)
        assert np.isnan(rows[name][0]).all()  # row 0 is the start, not a step
    # the update arrow of step t goes from θ_{t-1} to θ_t, to scale
    anchor, u = _f64(run["arrows"]["anchor"], 2), _f64(run["arrows"]["u"], 2)
    np.testing.assert_allclose(anchor[1:] + u[1:], traj.points[1:], rtol=1e-12, atol=1e-12)
    assert run["arrows"]["m_key"] == "m_hat"
    assert run["bounds"] == [list(b) for b in surface.bounds] and run["image"].startswith("data:image/png")
    assert run["loss"]["log"] is True


def test_default_settings_are_in_the_url(default):
    expected = dict(parse_qsl(urlsplit(presets.explorer_link("rosenbrock", "adam", (-1.5, 2.0), 300)).query))
    for k, v in expected.items():
        got = _q(default, k)
        assert got == v or float(got) == float(v), k
    assert "t" not in default.query_params  # the stage writes t itself when stepping rests


# -- every optimizer and every surface -------------------------------------------------------------------------
@pytest.mark.parametrize("name", optimizers.NAMES)
def test_every_optimizer_is_selectable_and_its_state_reaches_the_stage(name):
    at = _open()
    at.selectbox(key=K("opt")).select(name).run()
    _ok(at)
    assert _step(at) == 0
    for hyper, value in presets.recommended(name, "rosenbrock").items():
        assert at.session_state[K(hyper)] == pytest.approx(value), hyper
    traj, _ = _core_run(at)
    _, run = _stage(at)
    np.testing.assert_array_equal(_f64(run["points"], 2), traj.points)
    rows = _rows(run)
    # every quantity the optimizer records (but a matrix) is in the numbers panel, in its QUANTITIES order
    recorded = [q for q in optimizers.get(name).QUANTITIES if q in traj.quantities]
    shown = [q for q in recorded if traj.quantities[q].ndim == 1 or traj.quantities[q].shape[1:] == (2,)]
    assert list(rows) == ["g", *shown, "update"]
    for q in shown:
        np.testing.assert_array_equal(rows[q][1:].reshape(traj.quantities[q][1:].shape), traj.quantities[q][1:])
    assert _step(_rest(at, 1)) == 1
    _ok(at)
    assert _q(at, "opt") == name


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_every_surface_is_selectable_and_starts_at_its_first_suggested_start(name):
    at = _open()
    at.selectbox(key=K("surface")).select(name).run()
    _ok(at)
    s = surfaces.get(name)
    start = (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value)
    np.testing.assert_allclose(start, s.default_start)
    _, run = _stage(at)
    assert run["bounds"] == [list(map(float, b)) for b in s.bounds]
    assert len(run["minima"]) == len(s.minima) and len(run["saddles"]) == len(s.saddles)
    assert at.number_input(key=K("lr")).value == pytest.approx(presets.recommended("adam", name)["lr"])


# -- the step where stepping rests ------------------------------------------------------------------------------
def test_the_inspector_follows_the_step_the_stage_reports():
    at = _open()
    head, run = _stage(at)
    _rest(at, 10)
    _ok(at)
    assert _stage(at) == (head, run)  # the same bytes: the browser keeps its timeline, the run is not sent anew
    traj, _ = _core_run(at)
    rule, numbers = at.latex
    assert rule.value.strip("$\n") == optimizers.make("adam", **presets.recommended("adam", "rosenbrock")).formula()
    for line in explain(traj, 10):
        for text in line.texts:
            assert numbers_tex(text) in numbers.value, text
    assert _step(_rest(at, 0)) == 0 and len(at.latex) == 1  # step 0: the rule, no numbers


def test_a_rest_reuses_the_sessions_run_and_a_setting_change_replaces_it(monkeypatch):
    from ui import caches

    kept_key = explorer.PAGE.private(explorer.THIS_RUN)
    calls = []
    caches.RUNS.clear()  # the process's shared runs (earlier tests filled them): this session computes
    for name in ("explorer_run", "stage_bytes"):
        cached = getattr(caches, name)
        monkeypatch.setattr(caches, name, lambda *a, _f=cached, _n=name: calls.append(_n) or _f(*a))
    at = _open()
    kept = at.session_state[kept_key]
    asked = list(calls)
    assert {"explorer_run", "stage_bytes"} <= set(asked)
    for t in (1, 2, 3):
        _rest(at, t)
    _ok(at)
    assert calls == asked  # the inspector's runs asked neither cache again
    assert at.session_state[kept_key] is kept
    token = _stage(at)[0]["token"]
    at.number_input(key=K("lr")).set_value(0.05).run()
    _ok(at)
    assert calls[len(asked) :].count("stage_bytes") == 1
    assert at.session_state[kept_key] is not kept
    assert dict(at.session_state[kept_key][0][2])["lr"] == 0.05
    assert _stage(at)[0]["token"] != token  # the stage starts the new run at its t0


def test_changing_a_setting_starts_a_fresh_run_and_says_so():
    at = _open()
    _rest(at, 10)
    token = _stage(at)[0]["token"]
    at.number_input(key=K("lr")).set_value(0.05).run()
    _ok(at)
    head, _ = _stage(at)
    assert _step(at) == 0 and head["t0"] == 0 and head["token"] != token
    assert "fresh run starts at step 0" in head["note"]
    assert _q(at, "lr") == "0.05"
    # the 3-D toggle is a view, not a setting: the step and the run stay
    _rest(at, 1)
    token = _stage(at)[0]["token"]
    at.toggle(key=K("view3d")).set_value(True).run()
    _ok(at)
    assert _step(at) == 1 and _stage(at)[0]["token"] == token
    (chart,) = at.get("plotly_chart")
    assert '"type":"surface"' in chart.proto.spec.replace(" ", "")


# -- sharing by URL -------------------------------------------------------------------------------------------
def test_a_link_restores_its_configuration_and_its_step():
    link = presets.explorer_link("ravine", "momentum", (-4.0, 1.0), 80, noise=0.3, seed=7, lr=0.03, momentum=0.8)
    at = _open(dict(parse_qsl(urlsplit(link).query)) | {"t": "22"})
    _ok(at)
    assert not at.warning
    assert at.selectbox(key=K("surface")).value == "ravine"
    assert at.selectbox(key=K("opt")).value == "momentum"
    assert at.number_input(key=K("lr")).value == 0.03
    assert at.number_input(key=K("momentum")).value == 0.8
    assert (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value) == (-4.0, 1.0)
    assert at.number_input(key=K("steps")).value == 80
    assert at.number_input(key=K("noise")).value == 0.3 and at.number_input(key=K("seed")).value == 7
    traj = optimizers.run(
        optimizers.make("momentum", lr=0.03, momentum=0.8),
        surfaces.get("ravine"),
        np.array([-4.0, 1.0]),
        80,
        noise=0.3,
        seed=7,
    )
    head, run = _stage(at)
    np.testing.assert_array_equal(_f64(run["points"], 2), traj.points)
    assert head["t0"] == 22 and _step(at) == 22 and head["note"] == ""  # opens at the link's step
    assert _q(at, "t") == "22"  # kept in the URL while this run stays
    numbers = at.latex[-1].value
    for line in explain(traj, 22):
        for text in line.texts:
            assert numbers_tex(text) in numbers, text


@pytest.mark.parametrize(
    "t,opened,words",
    [
        ("999", 80, "beyond this run's 80 steps: showing step 80"),
        ("-4", 0, "before the start"),
        ("abc", 0, "Ignored t=abc"),
        ("12.5", 0, "not a whole number"),
    ],
)
def test_a_links_step_outside_the_run_is_clamped_and_said(t, opened, words):
    link = presets.explorer_link("ravine", "momentum", (-4.0, 1.0), 80, lr=0.03, momentum=0.8)
    at = _open(dict(parse_qsl(urlsplit(link).query)) | {"t": t})
    _ok(at)
    head, _ = _stage(at)
    assert head["t0"] == opened and _step(at) == opened
    assert words in head["note"] and any(words in i.value for i in at.info)


def test_a_stopped_run_stops_the_timeline_at_its_last_step_and_says_why():
    link = presets.explorer_link("bowl", "sgd", (1.0, 1.0), 100, lr=1.5)
    at = _open(dict(parse_qsl(urlsplit(link).query)) | {"t": "100"})
    _ok(at)
    traj = optimizers.run(optimizers.make("sgd", lr=1.5), surfaces.get("bowl"), np.array([1.0, 1.0]), 100)
    d = traj.diverged_at
    assert d is not None and d > 1
    head, run = _stage(at)
    assert run["last"] == d - 1 and f"diverged at step {d}" in run["stop"]
    assert head["t0"] == d - 1 and f"diverged at step {d}" in head["note"]
    assert any(f"diverged at step {d}" in e.value for e in at.error)
    assert np.isfinite(_f64(run["points"], 2)[:d]).all()
    assert _step(_rest(at, 100)) == d - 1  # a report past the last step is clamped too


def test_malformed_query_values_fall_back_with_a_notice():
    at = _open({"surface": "moon", "opt": "adam", "lr": "-3", "steps": "1e9", "x0": "nan"})
    _ok(at)
    notices = " ".join(w.value for w in at.warning)
    for key in ("surface=moon", "lr=-3", "steps=1e9", "x0=nan"):
        assert key in notices
    assert at.selectbox(key=K("surface")).value == "rosenbrock"
    assert at.number_input(key=K("lr")).value == presets.recommended("adam", "rosenbrock")["lr"]
    assert _step(at) == 0


def test_presenter_is_kept_in_the_url_and_hides_the_sidebar():
    at = _open()
    assert _q(at, "presenter") == "false"
    assert not [h for h in at.get("html") if "stSidebar" in h.proto.body]
    at.toggle(key=K("presenter")).set_value(True).run()
    _ok(at)
    assert _q(at, "presenter") == "true"
    assert [h for h in at.get("html") if '[data-testid="stSidebar"]' in h.proto.body and "display:none" in h.proto.body]
    at2 = _open({"presenter": "true"})
    assert at2.toggle(key=K("presenter")).value is True


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
    at.number_input(key=K(key)).set_value(value).run()
    _ok(at)
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert _step(_rest(at, 1)) == 1  # the page still works, on the fallback value
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
    # the timeline stops at the last real step, and the stage says why in the outcome's own words
    head, run = _stage(at)
    assert run["last"] == out.last_step and out.headline in run["stop"]
    assert np.isfinite(_f64(run["points"], 2)).all()
    assert _step(_rest(at, int(query["steps"]))) == out.last_step  # a report past it is clamped


def test_a_custom_formula_runs_and_is_in_the_url():
    at = _open()
    at.selectbox(key=K("surface")).select("custom").run()
    _ok(at)
    formula = at.text_input(key=K("formula")).value
    assert formula and _q(at, "formula") == formula and _q(at, "surface") == "custom"
    at.text_input(key=K("formula")).input("x^2 + 3*y^2").run()
    _ok(at)
    s = surfaces.from_formula("x^2 + 3*y^2", ((-3.0, 3.0), (-3.0, 3.0)))
    start = np.array([at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value])
    hypers = {n: at.session_state[K(n)] for n in optimizers.get("adam").HYPERS}
    traj = optimizers.run(optimizers.make("adam", **hypers), s, start, 300)
    np.testing.assert_allclose(_f64(_stage(at)[1]["points"], 2), traj.points, rtol=1e-12)
    at.text_input(key=K("formula")).input("x +* y").run()
    _ok(at)
    assert at.error  # the parser's message, beside the box


def test_a_suggested_start_button_sets_the_start():
    at = _open()
    s = surfaces.get("rosenbrock")
    label = f"({s.starts[1][0]:.4g}, {s.starts[1][1]:.4g})"
    _press(at, label)
    _ok(at)
    assert (at.number_input(key=K("x0")).value, at.number_input(key=K("y0")).value) == tuple(s.starts[1])
    np.testing.assert_array_equal(_f64(_stage(at)[1]["points"], 2)[0], s.starts[1])


# -- the home page's gallery ---------------------------------------------------------------------------------
def test_home_links_every_page_and_every_gallery_preset():
    from content.gallery import GALLERY

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
    from content.gallery import GALLERY

    return [lk for card in GALLERY for lk in card.links]


@pytest.mark.parametrize("link", _gallery_links(), ids=lambda lk: lk.label)
def test_every_gallery_preset_opens_a_working_explorer(link):
    at = _open(link.query)
    _ok(at)
    assert not at.warning, [w.value for w in at.warning]
    q = link.query
    assert at.selectbox(key=K("surface")).value == q["surface"]
    assert at.selectbox(key=K("opt")).value == q["opt"]
    assert at.number_input(key=K("steps")).value == int(q["steps"])
    head, run = _stage(at)
    assert run["last"] == int(q["steps"]) or run["stop"]
    assert _step(_rest(at, 10)) == 10 and len(at.latex) == 2


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
    slider = at.select_slider(key=log_key(K("lr")))
    assert slider.value == 0.1 and slider.options[0] == "1e-06" and slider.options[-1] == "10"  # shown as %g
    slider.set_value(0.02).run()
    _ok(at)
    assert at.number_input(key=K("lr")).value == 0.02 and _q(at, "lr") == "0.02"
    at.number_input(key=K("lr")).set_value(0.004).run()
    assert at.select_slider(key=log_key(K("lr"))).value == 0.005  # the nearest 1-2-5 value on a log scale
    assert at.number_input(key=K("lr")).value == 0.004  # the box keeps what was typed
    at.select_slider(key=log_key(K("eps")))  # ε has one too
    at.selectbox(key=K("opt")).select("sgd").run()
    assert at.select_slider(key=log_key(K("lr"))).value == presets.recommended("sgd", "rosenbrock")["lr"]


def test_the_exports_of_the_run_are_offered_and_cost_nothing_until_asked():
    at = _open()
    (box,) = [e for e in at.expander if e.label.startswith("Take it to class")]
    # closed, the box holds nothing: its controls are not drawn in every run (a rest's run costs less)
    assert not box.children and not [b for b in at.get("download_button") if "PNG" in b.proto.label]
    at.session_state[explorer.PAGE.private(explorer.EXPORTS)] = True  # the box opened: a rerun
    _ok(_rest(at, 5))
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download step 5 (PNG, 1920×1080)" in labels  # the step shown, as before
    default = at
    assert any("HTML" in label for label in labels) and any("PNG" in label for label in labels)
    assert any(b.label.startswith("Make GIF") for b in default.button)
    # deferred: nothing was made for the page (the file's bytes come only when the button is pressed)
    assert not [b for b in default.get("download_button") if "HTML" in b.proto.label and b.proto.url]


# -- Theory: the local quadratic model on the stage, the predicted rate, the best γ -------------------------------
def _theory_query(surface: str, opt: str, **extra: str) -> dict[str, str]:
    return {"surface": surface, "opt": opt, "steps": "60", "theory": "true", **extra}


@pytest.mark.parametrize(("surface", "opt"), [("ravine", "sgd"), ("rosenbrock", "adam"), ("saddle", "momentum")])
def test_theory_overlay_is_the_quadratic_model_at_every_step(surface, opt):
    at = _open(_theory_query(surface, opt))
    _ok(at)
    head, run = _stage(at)
    th = run["theory"]
    assert th is not None
    pts = _f64(run["points"], 2)
    lmin, lmax, kappa, kind = (_f64(th[k]) for k in ("lmin", "lmax", "kappa", "kind"))
    axes, asym = _f64(th["axes"], 4).reshape(-1, 2, 2), _f64(th["asym"], 4).reshape(-1, 2, 2)
    surf = surfaces.get(surface)
    last = run["last"]
    for t in sorted({0, 1, 7, last // 2, last}):
        m = analysis.quadratic_model(surf, pts[t])
        np.testing.assert_allclose([lmin[t], lmax[t]], m.eigenvalues, rtol=1e-12, atol=1e-12)
        if m.condition_number is None:
            assert np.isnan(kappa[t])
        else:
            assert kappa[t] == pytest.approx(m.condition_number, rel=1e-12)
        # the drawn axes lie along the model's eigenvectors, their lengths in the ratio √(|λ_min|/|λ_max|)
        for i in range(2):
            v = m.eigenvectors[:, i]
            a = axes[t, i]
            assert abs(a[0] * v[1] - a[1] * v[0]) <= 1e-9 * np.linalg.norm(a)
        ratio = np.linalg.norm(axes[t, 1]) / np.linalg.norm(axes[t, 0])
        assert ratio == pytest.approx(np.sqrt(abs(m.lambda_min) / abs(m.lambda_max)), rel=1e-9)
        assert kind[t] == {"minimum": 1, "maximum": 2, "saddle": 3}[m.kind]
        if m.kind == "saddle":  # the asymptotes are where the model's ½dᵀHd is 0
            for j in range(2):
                assert asym[t, j] @ m.hessian @ asym[t, j] == pytest.approx(0, abs=1e-9 * np.abs(m.hessian).max())
        else:
            assert np.isnan(asym[t]).all()


def test_theory_off_sends_nothing_and_the_toggle_is_in_the_url():
    at = _open({"surface": "ravine", "opt": "sgd", "steps": "40"})
    _ok(at)
    assert _stage(at)[1]["theory"] is None
    assert "theory" not in at.query_params or at.query_params["theory"] in ("false", ["false"])
    assert not [s for s in at.subheader if s.value.startswith("Theory at step")]
    _rest(at, 5)
    at.toggle(key=K("theory")).set_value(True).run()
    _ok(at)
    head, run = _stage(at)
    assert run["theory"] is not None
    assert head["t0"] == 5  # the same run: switching Theory keeps the step
    q = at.query_params["theory"]
    assert (q[0] if isinstance(q, list) else q) == "true"
    assert [s for s in at.subheader if s.value == "Theory at step 5"]
    # and a link with theory=true opens with it on
    again = _open(_theory_query("ravine", "sgd"))
    assert again.toggle(key=K("theory")).value is True


def _theory_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown if "Predicted rate" in m.value)


def test_theory_panel_on_the_ravine_predicts_the_measured_rate_and_the_button_sets_the_best_lr():
    at = _open(_theory_query("ravine", "sgd"))
    _rest(at, 10)
    _ok(at)
    surf = surfaces.get("ravine")
    traj = optimizers.run(optimizers.make("sgd", **presets.recommended("sgd", "ravine")), surf, surf.default_start, 60)
    th = analysis.step_theory(traj, surf, 10)
    text = _theory_text(at)
    assert f"{th.predicted_rate:.4g}" in text and f"{th.measured_rate:.4g}" in text
    lr = float(traj.optimizer.lr)
    assert f"γ·λmax** = {lr * th.model.lambda_max:.4g}, below the limit 2 " in text
    assert "everywhere on the view" in text  # the ravine is a quadratic
    best = analysis.quadratic_model(surf, surf.default_start).gd_lr_best
    _press(at, "Use the best γ (and μ)")
    _ok(at)
    assert at.number_input(key=K("lr")).value == best
    (key, _, hypers, *_rest_args) = at.session_state[explorer.PAGE.private(explorer.RUN)]
    assert dict(hypers)["lr"] == best
    q = at.query_params["lr"]
    assert float(q[0] if isinstance(q, list) else q) == best
    # with γ*, both extreme directions contract by (κ − 1)/(κ + 1): prediction and measurement agree
    _rest(at, 5)
    text = _theory_text(at)
    m = analysis.quadratic_model(surf, surf.default_start)
    assert text.count(f"{m.gd_rate:.4g}") >= 2


@pytest.mark.parametrize(("surface", "opt"), [("bowl", "momentum"), ("ravine", "nesterov")])
def test_theory_button_sets_momentum_too_and_is_absent_where_there_is_no_minimum(surface, opt):
    at = _open(_theory_query(surface, opt))
    _rest(at, 3)
    surf = surfaces.get(surface)
    traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, surface)), surf, surf.default_start, 60)
    best = analysis.best_hypers(opt, analysis.quadratic_model(surf, traj.points[3]))
    _press(at, "Use the best γ (and μ)")
    _ok(at)
    assert at.number_input(key=K("lr")).value == best["lr"]
    assert at.number_input(key=K("momentum")).value == best["momentum"]
    if opt == "momentum":
        assert (best["lr"], best["momentum"]) == analysis.quadratic_model(surf, surf.default_start).heavy_ball_best
    saddle = _open(_theory_query("saddle", "sgd"))
    _rest(saddle, 3)
    _ok(saddle)
    assert not [b for b in saddle.button if b.label == "Use the best γ (and μ)"]
    assert "1 + γ|λmin| (escape)" in _theory_text(saddle)


def test_theory_panel_off_a_quadratic_says_where_the_model_holds():
    at = _open(_theory_query("rosenbrock", "momentum"))
    _rest(at, 12)
    _ok(at)
    surf = surfaces.get("rosenbrock")
    opt = optimizers.make("momentum", **presets.recommended("momentum", "rosenbrock"))
    traj = optimizers.run(opt, surf, surf.default_start, 60)
    th = analysis.step_theory(traj, surf, 12)
    assert 0 < th.valid_radius < np.inf
    text = _theory_text(at)
    assert f"within {th.valid_radius:.4g} of θ₁₂" in text
    assert f"({th.predicted_label}): {th.predicted_rate:.4g}" in text
    assert f"{th.measured_rate:.4g}" in text
    limit = th.lr_max * th.model.lambda_max
    assert limit == pytest.approx(2 + 2 * float(opt.momentum))
    assert f"the limit {limit:.4g} " in text


def test_theory_charts_the_runs_sharpness_against_its_limit():
    import json

    link = presets.explorer_link("ravine", "sgd", (-4.0, 0.6), 100, lr=0.078)
    at = _open(dict(parse_qsl(urlsplit(link).query)) | {"theory": "true"})
    _ok(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (chart,) = [c for c in charts if "sharpness" in json.dumps(c["layout"].get("yaxis", {}))]
    traj, surface = _core_run(at)
    sharp = analysis.sharpness(traj, surface)
    names = [d.get("name", "") for d in chart["data"]]
    assert any("limit" in n for n in names)  # the limit 2/γ is drawn beside the sharpness
    assert np.isclose(sharp.limit.value, 2 / 0.078)  # gradient descent's limit at this γ
    # the ravine is a quadratic: its sharpness is the same at every step, just under the limit (γ·λmax = 1.95)
    finite = sharp.values[np.isfinite(sharp.values)]
    assert np.allclose(finite, finite[0]) and 0.95 * sharp.limit.value < finite[0] < sharp.limit.value
