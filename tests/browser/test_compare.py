"""The Compare page in a real browser: the race plays (every path on shared frames), and a click on the map
sets the start."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from content.races import BY_KEY

pytestmark = pytest.mark.browser

SLIDER_LABEL = "() => document.querySelector('.js-plotly-plot .slider-container text.slider-label')?.textContent"


def _idle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _open(page, app_url, query: str):
    # Start from the home page, as a visitor does, then follow a share link.
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.goto(f"{app_url}/compare?{query}")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    _idle(page)
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return plot


def _step(page) -> int:
    text = page.evaluate(SLIDER_LABEL) or ""
    m = re.search(r"step (\d+)", text)
    assert m, text
    return int(m.group(1))


def test_the_race_plays(page, app_url, screenshot):
    preset = BY_KEY["saddle"]
    plot = _open(page, app_url, "preset=saddle")
    box = plot.bounding_box()
    assert box["width"] > 600 and box["height"] > 500
    # every racer in the legend, the figure opens on the finished race
    legend = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].map(t => t.textContent)"
    )
    for name in ("SGD", "Momentum", "Adagrad", "RMSprop", "Adam"):
        assert any(t.startswith(name) for t in legend), legend
    assert _step(page) == preset.steps
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Replay").first.click()
    page.wait_for_timeout(1200)
    mid = _step(page)
    assert 0 < mid < preset.steps  # playing, from the start
    screenshot("compare_race_playing")
    page.wait_for_timeout(1000)
    assert _step(page) > mid  # still moving forward
    page.wait_for_function(f"() => ({SLIDER_LABEL})() === 'step {preset.steps}'", timeout=30_000)
    screenshot("compare_race_finished")


def test_a_click_on_the_map_sets_the_start(page, app_url):
    _open(page, app_url, "preset=saddle")
    x, y = page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot'); const L = gd._fullLayout;
        const r = gd.getBoundingClientRect();
        return [r.left + L.xaxis._offset + L.xaxis.l2p(-1.0), r.top + L.yaxis._offset + L.yaxis.l2p(1.0)]; }"""
    )
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('x0=-1.0')", timeout=30_000)
    _idle(page)
    q = parse_qs(urlsplit(page.url).query)
    assert float(q["x0"][0]) == -1.0 and abs(float(q["y0"][0]) - 1.0) <= 0.11  # the nearest click target


def test_on_a_projector_every_chart_fits_under_the_top_bar_and_reads_from_the_back(page, app_url):
    from tests.browser.conftest import SHOTS
    from tests.browser.projector import MIN_TEXT_PX, PROJECTOR, boxes, overlap, smallest_chart_text, visible_height

    page.set_viewport_size(PROJECTOR)
    # the saddle: its map is nearly one dark colour, the hardest background for the paths
    # a link with the sweep and the basin map on opens with all three charts
    page.goto(f"{app_url}/compare?preset=saddle&sweep=true&basin=true&grid=50")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    _idle(page)
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible")
    charts = page.locator(".js-plotly-plot")
    charts.nth(2).wait_for(timeout=60_000)
    assert charts.count() == 3
    room = visible_height(page)
    for i, name in enumerate(("race", "sweep", "basins")):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = chart.bounding_box()
        assert box["height"] <= room, f"the {name} chart is {box['height']:.0f} px tall, {room:.0f} px are visible"
        assert smallest_chart_text(chart) >= MIN_TEXT_PX, name
        legend = boxes(chart, ".legend")
        titles = boxes(chart, ".g-xtitle, .g-x2title, .g-ytitle, .g-y2title")
        assert legend and titles
        assert all(overlap(legend[0], t) == 0 for t in titles), f"the {name} chart's legend lies over an axis title"
        if name == "race":
            # scrolled so that the chart's top is just under the top bar: the legend and Play both in view
            page.evaluate(f"window.scrollBy(0, {box['y'] - (page.viewport_size['height'] - room)})")
            page.wait_for_timeout(300)
            top = page.viewport_size["height"] - room
            for part in (".legend", ".updatemenu-button", ".slider-container"):
                b = boxes(chart, part)[0]
                assert b["y"] >= top - 1 and b["y"] + b["height"] <= page.viewport_size["height"] + 1, part
            # the legend whole (no entry cut at the chart's right edge), the buttons clear of the axis titles
            legend_box = boxes(chart, ".legend")[0]
            assert all(
                b["x"] + b["width"] <= legend_box["x"] + legend_box["width"] + 1
                for b in boxes(chart, ".legend .traces")
            )
            assert all(b["x"] + b["width"] <= box["x"] + box["width"] + 1 for b in boxes(chart, ".legend .traces"))
            for b in boxes(chart, ".updatemenu-button"):
                assert all(overlap(b, t) == 0 for t in titles), "a Play button lies over an axis title"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"compare_projector_{name}.png"))  # what the room sees
