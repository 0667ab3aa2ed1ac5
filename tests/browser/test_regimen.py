"""Schedules and clipping in a real browser: the numbers panel's γₜ at each step is the schedule's value there, the
clipped steps the stage counts are the regimen's record, and Schedule-Free's sequences are drawn with their caption.
Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import regimen, schedules

from .conftest import SHOTS, wait_for_app
from .projector import boxes, overlap

pytestmark = pytest.mark.browser

QUERY = {
    "surface": "rosenbrock",
    "opt": "sgd",
    "lr": "0.001",
    "steps": "80",
    "x0": "-1.5",
    "y0": "2",
    "sched": "warmup_cosine",
    "warmup_cosine_warmup": "10",
    "warmup_cosine_T_max": "100",
    "warmup_cosine_start_factor": "0.1",
    "clip_norm": "20",
}


def _open(page, app_url, query: dict[str, str]) -> None:
    page.goto(f"{app_url}/explorer?" + "&".join(f"{k}={v}" for k, v in query.items()))
    page.get_by_test_id("lab-map").wait_for(timeout=60_000)
    wait_for_app(page, 60_000)


def _to_step(page, t: int) -> None:
    page.get_by_test_id("lab-scrubber").fill(str(t))
    page.get_by_test_id("lab-step").filter(has_text=re.compile(rf"^{t}$")).wait_for(timeout=10_000)


def _cell(page, symbol: str) -> str:
    row = page.get_by_test_id("lab-numbers").locator(f'tr:has(td.sym:text-is("{symbol}"))')
    return row.locator("td.num").first.inner_text()


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _as_shown(v: float) -> float:
    """v as stage.js's fmt writes it: 4 significant digits in [1e-3, 1e5), else 3 (as 1.28e−4)."""
    return float(f"{v:.4g}") if 1e-3 <= abs(v) < 1e5 else float(f"{v:.2e}")


def test_the_numbers_panel_shows_the_schedules_gamma_t_and_the_clipped_steps(page, app_url):
    _open(page, app_url, QUERY)
    sched = schedules.make("warmup_cosine", warmup=10, T_max=100, start_factor=0.1)
    rates = sched.values(0.001, 80)
    shown = {}
    for t in (1, 4, 10, 11, 37, 80):
        _to_step(page, t)
        shown[t] = _number(_cell(page, "γₜ"))
        assert shown[t] == _as_shown(rates[t - 1]), t
    assert shown[1] < shown[4] < shown[10] and shown[11] > shown[37] > shown[80]  # warm-up, then the cosine
    core = optimizers.run(
        regimen.Regimen(optimizers.make("sgd", lr=0.001), sched, clip_norm=20.0),
        surfaces.get("rosenbrock"),
        np.array([-1.5, 2.0]),
        80,
    )
    n = regimen.clipped_steps(core)
    assert 0 < n < 80
    assert page.get_by_test_id("lab-clipped").inner_text().endswith(f"clipped: {n} steps of 80")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "explorer-schedule-clipping.png"), full_page=True)


def test_schedule_free_draws_its_sequences_and_says_which_is_the_iterate(page, app_url):
    _open(page, app_url, {"surface": "rosenbrock", "opt": "sf_sgd", "lr": "0.001", "steps": "60"})
    _to_step(page, 60)
    text = page.get_by_test_id("lab-sequences").inner_text()
    assert "x: the average of z (returned)" in text and "z: the SGD steps" in text
    assert "The red path is y, where each gradient is taken" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "explorer-schedule-free-sequences.png"), full_page=True)


# -- on a projector: many rows in the numbers panel still leave the stage in the window ------------------------
REGIMEN = {
    "sched": "warmup_cosine",
    "warmup_cosine_warmup": "20",
    "warmup_cosine_T_max": "200",
    "warmup_cosine_start_factor": "0.1",
    "clip_norm": "5",
    "clip_value": "1",
    "decay": "0.01",
    "decay_mode": "decoupled",
}
# the stage's texts (in its shadow root) and their font sizes
STAGE_TEXT = """(el) => [...el.getRootNode().querySelectorAll('*')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""
# every box of the stage, by its path in the shadow tree
STAGE_BOXES = """(el) => { const out = {}; const walk = (n, p) => { [...n.children].forEach((c, i) => {
  const r = c.getBoundingClientRect(); out[p + '/' + i] = [r.x, r.y, r.width, r.height]; walk(c, p + '/' + i); }); };
  walk(el.getRootNode(), ''); return out; }"""


@pytest.fixture
def projector(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (
            "sf-adamw-schedule-clip",
            {"surface": "rosenbrock", "opt": "sf_adamw", "lr": "0.05", "steps": "200", **REGIMEN},
        ),
        ("radam-full-regimen", {"surface": "saddle", "opt": "radam", "steps": "200", **REGIMEN}),
        ("adam-theory", {"surface": "saddle", "opt": "adam", "theory": "true"}),
    ],
)
def test_a_long_numbers_panel_keeps_the_stage_in_a_projectors_window(projector, app_url, name, query):
    page = projector
    _open(page, app_url, query)
    page.get_by_text("Inspector", exact=True).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    boxes = {t: page.get_by_test_id(t).bounding_box() for t in ("lab-map", "lab-numbers", "lab-loss", "lab-scrubber")}
    assert boxes["lab-map"]["width"] >= 420 and boxes["lab-map"]["height"] >= 420, boxes["lab-map"]
    for testid, b in boxes.items():
        assert b["y"] >= 0 and b["y"] + b["height"] <= 720, (testid, b)
    n, loss = boxes["lab-numbers"], boxes["lab-loss"]
    assert n["y"] + n["height"] <= loss["y"], (n, loss)  # the panel ends above the loss curve
    assert loss["height"] >= 120, loss
    if "sched" in query:  # the regimen's rows are there, and the map's keys (its sequences, the clipped steps)
        assert _cell(page, "γₜ") == "—"
        keys = page.get_by_test_id("lab-clipped").bounding_box()
        assert keys["y"] >= boxes["lab-map"]["y"] + boxes["lab-map"]["height"] and keys["y"] + keys["height"] <= 720
    small = [(text, size) for text, size in page.get_by_test_id("lab-numbers").evaluate(STAGE_TEXT) if size < 14]
    assert not small, small
    # a Step press moves nothing by more than 2 px (the packed rows stay packed)
    before = page.get_by_test_id("lab-map").evaluate(STAGE_BOXES)
    for want in (1, 2, 3):
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_test_id("lab-step").filter(has_text=re.compile(rf"^{want}$")).wait_for(timeout=10_000)
        after = page.get_by_test_id("lab-map").evaluate(STAGE_BOXES)
        moved = [
            (k, before[k], v)
            for k, v in after.items()
            if k in before and max(abs(a - b) for a, b in zip(v, before[k], strict=True)) > 2
        ]
        assert not moved, moved[:5]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(2, 2)
    page.screenshot(path=str(SHOTS / f"explorer-1280x720-{name}.png"))


def test_the_gamma_t_chart_reads_on_a_projector(projector, app_url):
    page = projector
    _open(page, app_url, QUERY)
    chart = page.locator('[data-testid="stSidebar"] .js-plotly-plot').first
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    sizes = chart.evaluate(
        "el => [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0)"
        ".map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert sizes and min(sizes) >= 14, sizes
    title = chart.locator(".ytitle").bounding_box()
    for tick in boxes(chart, ".ytick text") + boxes(chart, ".xtick text"):
        assert overlap(title, tick) == 0, (title, tick)  # the axis title clear of the tick labels
    m = page.get_by_test_id("lab-map").bounding_box()
    assert m["y"] + m["height"] <= 720 and m["width"] >= 420, m  # the open expander does not push the stage down
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(2, 2)
    page.screenshot(path=str(SHOTS / "explorer-1280x720-gamma-chart.png"))
