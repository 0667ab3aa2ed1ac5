"""The Explorer in a real browser: the stage's sizes on a projector (1280×720, sidebar open) and a large screen
(1920×1080), at 125 % zoom and in Presenter mode; Step, Play, Pause, the scrubber and the inspector on one
timeline; nothing moves on a Step press; no large message reaches the browser after one; the link carries t;
Back and Forward go through settings; a click on the map moves the start; every rule typesets. Screenshots
go to artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pytest

from content import presets

from .conftest import SHOTS, wait_for_app

pytestmark = pytest.mark.browser

# every element of the stage (in its shadow root) and of the page, with its box, in document order
BOXES = """(root) => {
  const out = [];
  const walk = (node, path) => {
    for (const [i, el] of [...node.children].entries()) {
      const r = el.getBoundingClientRect();
      const p = path + '/' + el.tagName + i;
      if (r.width || r.height) out.push([p, r.x, r.y + (document.scrollingElement.scrollTop || 0), r.width, r.height]);
      walk(el, p);
      if (el.shadowRoot) walk(el.shadowRoot, p + '#');
    }
  };
  walk(root, '');
  return out;
}"""

# the font size of every element of the stage that holds text of its own
FONT_SIZES = """(el) => [...el.getRootNode().querySelectorAll('*')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""


def _open(page, app_url, query: str = "") -> None:
    page.goto(f"{app_url}/explorer{query}")
    page.get_by_test_id("lab-map").wait_for(timeout=60_000)
    wait_for_app(page, 60_000)
    page.get_by_text("Inspector", exact=True).wait_for(timeout=60_000)  # the stage's first report came back


def _step(page) -> int:
    return int(page.get_by_test_id("lab-step").inner_text())


def _press(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def _wait_step(page, want: int) -> None:
    page.get_by_test_id("lab-step").filter(has_text=str(want)).wait_for(timeout=10_000)
    assert _step(page) == want


def _inspector_at(page, t: int) -> None:
    page.get_by_text(f"Step {t} with its numbers", exact=False).wait_for(timeout=30_000)
    wait_for_app(page, 60_000)


def _box(page, testid: str) -> dict:
    return page.get_by_test_id(testid).bounding_box()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(2, 2)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # the viewport: what the class sees without scrolling


@pytest.fixture
def sized(browser):
    """A page of a given viewport (and zoom, as device scale factor: 125 % zoom of 1280×720 is 1024×576)."""
    contexts = []

    def make(width: int, height: int, zoom: float = 1.0):
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=zoom)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def _stage_fits(page, height: int) -> None:
    """The controls, the map, the numbers panel and the loss curve are in the window without scrolling."""
    for testid in ("lab-map", "lab-numbers", "lab-loss", "lab-scrubber"):
        b = _box(page, testid)
        assert b["y"] >= 0 and b["y"] + b["height"] <= height, (testid, b)
    for label in ("Step", "Step ×10", "Back", "Reset", "Play"):
        b = page.get_by_role("button", name=label, exact=True).bounding_box()
        assert b["y"] >= 0 and b["y"] + b["height"] <= height, (label, b)


def _shift(a, b) -> float:
    return max(abs(u - v) for u, v in zip(a, b, strict=True))


def _no_overlap(page) -> None:
    boxes = {t: _box(page, t) for t in ("lab-map", "lab-numbers", "lab-loss", "lab-scrubber")}
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            p, q = boxes[a], boxes[b]
            apart = (
                p["x"] + p["width"] <= q["x"] + 1
                or q["x"] + q["width"] <= p["x"] + 1
                or p["y"] + p["height"] <= q["y"] + 1
                or q["y"] + q["height"] <= p["y"] + 1
            )
            assert apart, (a, p, b, q)


def test_on_a_projector_the_stage_fits_and_reads(sized, app_url):
    page = sized(1280, 720)
    _open(page, app_url)
    assert page.locator('[data-testid="stSidebar"]').is_visible()  # the sidebar is open
    m = _box(page, "lab-map")
    assert m["width"] >= 420 and m["height"] >= 420, m
    _stage_fits(page, 720)
    _no_overlap(page)
    small = [(text, size) for text, size in page.get_by_test_id("lab-map").evaluate(FONT_SIZES) if size < 14]
    assert not small, small
    # the state panels: a chooser, titles above (never over) the lines
    for title in page.get_by_test_id("lab-map").evaluate(
        "el => [...el.getRootNode().querySelectorAll('.rowcharts .title')].map(t => t.getBoundingClientRect().bottom"
        " - t.parentNode.querySelector('canvas').getBoundingClientRect().top - 24)"
    ):
        assert title <= 0
    _shot(page, "explorer-1280x720")


def test_on_a_large_screen_the_map_grows(sized, app_url):
    page = sized(1920, 1080)
    _open(page, app_url)
    m = _box(page, "lab-map")
    assert m["width"] >= 700 and m["height"] >= 700, m
    _stage_fits(page, 1080)
    _no_overlap(page)
    _shot(page, "explorer-1920x1080")


def test_at_125_percent_zoom_nothing_overlaps(sized, app_url):
    page = sized(1024, 576, zoom=1.25)
    _open(page, app_url)
    m = _box(page, "lab-map")
    assert m["width"] >= 360 and m["height"] >= 360, m
    _no_overlap(page)
    _shot(page, "explorer-1280x720-zoom125")


def test_presenter_hides_the_sidebar_and_is_in_the_link(sized, app_url):
    page = sized(1280, 720)
    _open(page, app_url, "?presenter=true")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    m = _box(page, "lab-map")
    assert m["width"] >= 440, m
    _stage_fits(page, 720)
    assert dict(parse_qsl(urlsplit(page.url).query))["presenter"] == "true"
    _shot(page, "explorer-presenter-1280x720")


# -- one timeline -------------------------------------------------------------------------------------------
def test_play_pause_step_scrubber_and_inspector_share_one_step(sized, app_url):
    page = sized(1280, 720)
    _open(page, app_url)
    assert _step(page) == 0
    for want in (1, 2, 3):
        _press(page, "Step")
        _wait_step(page, want)
    _inspector_at(page, 3)
    _press(page, "Play")
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=5_000)
    page.wait_for_timeout(1200)
    _press(page, "Pause")
    k = _step(page)
    assert k > 10
    _inspector_at(page, k)  # Pause reports the step: the inspector shows it
    assert dict(parse_qsl(urlsplit(page.url).query))["t"] == str(k)
    _press(page, "Step")
    _wait_step(page, k + 1)
    assert page.get_by_test_id("lab-scrubber").input_value() == str(k + 1)
    numbers = page.get_by_test_id("lab-numbers").inner_text()
    assert f"t = {k + 1}" in numbers and "m̂" in numbers and "v̂" in numbers
    _inspector_at(page, k + 1)
    # the scrubber moves the same step
    page.get_by_test_id("lab-scrubber").fill("40")
    _wait_step(page, 40)
    _inspector_at(page, 40)
    _press(page, "Step ×10")
    _wait_step(page, 50)
    _inspector_at(page, 50)
    _shot(page, "explorer-step50-1280x720")
    page.screenshot(path=str(SHOTS / "explorer-step50-1280x720-full.png"), full_page=True)
    _press(page, "Back")
    _wait_step(page, 49)
    _press(page, "Reset")
    _wait_step(page, 0)
    assert page.locator(".katex-error").count() == 0
    _shot(page, "explorer-stepped")


def test_a_step_press_moves_nothing_and_sends_no_large_message(sized, app_url):
    page = sized(1280, 720)
    frames: list[tuple[str, int]] = []
    phase = {"now": "open"}
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append((phase["now"], len(p)))))
    _open(page, app_url)
    _press(page, "Step")
    _wait_step(page, 1)
    _inspector_at(page, 1)
    root = page.locator('[data-testid="stMain"]')
    inspector_top = page.get_by_text("Inspector", exact=True).bounding_box()["y"]
    before = {p: b for p, *b in root.evaluate(BOXES)}
    phase["now"] = "steps"
    for want in (2, 3, 4):
        _press(page, "Step")
        _wait_step(page, want)
        after = {p: b for p, *b in root.evaluate(BOXES)}
        moved = [
            (p, before[p], b)
            for p, b in after.items()
            if p in before and before[p][1] < inspector_top and _shift(b, before[p]) > 2
        ]
        assert not moved, moved[:5]
    _inspector_at(page, 4)  # the rest's run: the inspector for step 4, without the run again
    page.wait_for_timeout(500)
    sizes = [n for when, n in frames if when == "steps"]
    assert sizes, "the rest sends the inspector's run"
    assert max(sizes) <= 10_000, sorted(sizes)[-5:]
    assert max(n for when, n in frames if when == "open") > 50_000  # the run itself came once, on opening


# -- the link and the history ------------------------------------------------------------------------------
def test_a_link_at_step_22_opens_at_step_22_and_beyond_the_run_says_so(sized, app_url):
    page = sized(1280, 720)
    link = presets.explorer_link("himmelblau", "momentum", (-0.3, -0.9), 120)
    _open(page, app_url, "?" + urlsplit(link).query + "&t=22")
    _wait_step(page, 22)
    _inspector_at(page, 22)
    _open(page, app_url, "?" + urlsplit(link).query + "&t=999")
    _wait_step(page, 120)
    assert page.get_by_text("beyond this run's 120 steps").count() >= 1


def test_back_and_forward_go_through_settings_with_their_step(sized, app_url):
    page = sized(1280, 720)
    _open(page, app_url)
    lr = page.locator('[data-testid="stNumberInput"]').filter(has_text="lr").locator("input").first

    def set_lr(value: str) -> None:
        lr.fill(value)
        lr.press("Enter")
        page.wait_for_function(f"() => new URL(location.href).searchParams.get('lr') === '{value}'", timeout=30_000)
        wait_for_app(page, 60_000)

    set_lr("0.05")
    for want in range(1, 6):
        _press(page, "Step")
        _wait_step(page, want)
    _inspector_at(page, 5)
    page.wait_for_function("() => new URL(location.href).searchParams.get('t') === '5'", timeout=10_000)
    set_lr("0.02")
    _wait_step(page, 0)
    page.go_back()
    page.wait_for_function("() => new URL(location.href).searchParams.get('lr') === '0.05'", timeout=30_000)
    wait_for_app(page, 60_000)
    _wait_step(page, 5)
    assert lr.input_value() == "0.05"
    page.go_forward()
    page.wait_for_function("() => new URL(location.href).searchParams.get('lr') === '0.02'", timeout=30_000)
    wait_for_app(page, 60_000)
    _wait_step(page, 0)
    assert lr.input_value() == "0.02"


# -- the rest of the page ------------------------------------------------------------------------------------
def test_a_click_on_the_map_moves_the_start(sized, app_url):
    page = sized(1280, 720)
    link = presets.explorer_link("himmelblau", "momentum", (-0.3, -0.9), 120)
    _open(page, app_url, "?" + urlsplit(link).query)
    box = _box(page, "lab-map")
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
    page.wait_for_function("() => new URL(location.href).searchParams.get('x0') !== '-0.3'", timeout=30_000)
    wait_for_app(page, 60_000)
    query = dict(parse_qsl(urlsplit(page.url).query))
    x0, y0 = float(query["x0"]), float(query["y0"])
    assert 3.0 < x0 <= 5.0 and 3.0 < y0 <= 5.0  # Himmelblau's view is [-5, 5]²
    _wait_step(page, 0)


def test_download_csv_holds_the_run(page, app_url):
    """The CSV is made when asked for (a deferred download): every computed step, θ and the loss."""
    link = presets.explorer_link("himmelblau", "momentum", (-0.3, -0.9), 40)
    _open(page, app_url, "?" + urlsplit(link).query)
    _press(page, "Step")
    _wait_step(page, 1)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    assert info.value.suggested_filename == "momentum-himmelblau.csv"
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 41  # steps 0..40
    assert [float(rows[0]["x"]), float(rows[0]["y"])] == [-0.3, -0.9]
    assert "loss" in rows[0]
    assert _step(page) == 1  # the download did not rerun the page


@pytest.mark.parametrize("opt", ["sgd", "adadelta", "rmsprop", "amsgrad", "adamax", "nadam", "radam", "newton"])
def test_every_rule_typesets(page, app_url, opt):
    link = presets.explorer_link("himmelblau", opt, (-0.3, -0.9), 20)
    _open(page, app_url, "?" + urlsplit(link).query)
    _press(page, "Step ×10")
    _wait_step(page, 10)
    _inspector_at(page, 10)
    page.wait_for_selector(".katex-display >> nth=1", timeout=30_000)
    assert page.locator(".katex-error").count() == 0
    if opt == "radam":  # the numbers panel shows every quantity it keeps, in view at 1400×900
        numbers = page.get_by_test_id("lab-numbers").inner_text()
        for symbol in ("ρ∞", "ρₜ", "rₜ", "lₜ"):
            assert symbol in numbers, (symbol, numbers)


def test_theory_draws_the_model_and_the_best_lr_button_sets_it(sized, app_url):
    """Theory on the ravine: the numbers panel shows λmin, λmax, κ at every step pressed (the map's live layer
    draws the ellipse in magenta), and the button sets γ* = 2/(λmin + λmax) in the link."""
    import numpy as np

    import surfaces
    from optimizers import analysis

    page = sized(1280, 720)
    _open(page, app_url, "?surface=ravine&opt=sgd&steps=60&theory=true")
    m = analysis.quadratic_model(surfaces.get("ravine"), (0.0, 0.0))
    for want in (1, 2):
        _press(page, "Step")
        _wait_step(page, want)
        numbers = page.get_by_test_id("lab-numbers").inner_text()
        assert "λmin" in numbers and "0.5000" in numbers and "25.00" in numbers and "50.00" in numbers
    # magenta (#c51b7d) pixels on the map's live layer: the ellipse is drawn
    magenta = page.get_by_test_id("lab-map").evaluate(
        """(el) => {
        const c = el.parentNode.querySelector('canvas.live');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
          if (Math.abs(r - 197) < 30 && g < 70 && Math.abs(b - 125) < 40 && a > 200) n++;
        }
        return n;
        }"""
    )
    assert magenta > 50
    page.get_by_text("Theory at step 2", exact=True).wait_for(timeout=30_000)
    _shot(page, "explorer-theory-ravine")
    _press(page, "Use the best γ (and μ)")
    page.wait_for_function("() => new URLSearchParams(location.search).get('lr') !== '0.05'", timeout=30_000)
    lr = float(dict(parse_qsl(urlsplit(page.url).query))["lr"])
    assert np.isclose(lr, m.gd_lr_best, rtol=1e-12)


def test_the_arrows_hint_names_a_moment_only_when_the_optimizer_keeps_one(page, app_url):
    """SGD draws −g and the update only: its hint names no blue moment arrow; Adam's names it."""
    for opt, has_moment in (("sgd", False), ("adam", True)):
        _open(page, app_url, f"?surface=saddle&opt={opt}")
        note = page.locator(".note").first.inner_text()
        assert note.startswith("Arrows from"), note
        assert ("moment blue" in note) == has_moment, (opt, note)
