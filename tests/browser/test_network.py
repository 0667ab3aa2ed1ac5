"""The network page in a real browser: it trains with the defaults and draws the curves, a link with a 2-D
dataset draws the decision regions, and the CSV download holds the curves."""

from __future__ import annotations

import csv
import io

import pytest

import training

pytestmark = pytest.mark.browser

DONE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def _settle(page, timeout: float = 90_000) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(DONE, timeout=timeout)


def _show_whole_page(page) -> None:
    """A viewport as tall as the page's content (Streamlit scrolls an inner container), for the screenshot."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 150, 8000)})
    page.wait_for_timeout(1500)


def test_the_page_trains_and_shows_the_curves(page, app_url, screenshot):
    # Start from the home page and navigate in-app, as a visitor does.
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.get_by_role("link", name="Train a network").first.click()
    page.wait_for_url("**/network**", timeout=30_000)
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    chart = page.locator(".js-plotly-plot").first
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 300
    # two panels (loss, accuracy), a training and a validation line per optimizer on each
    assert chart.locator(".subplot").count() >= 2
    n_lines = chart.locator(".scatterlayer .trace").count()
    assert n_lines >= 4 * len(training.CLASSIC)
    legend = chart.locator(".legend").text_content()
    for title in ("SGD", "Momentum", "Adagrad", "RMSprop", "Adam"):
        assert title in legend
    table = page.locator('[data-testid="stDataFrame"]')
    assert table.count() == 1
    # the address holds the settings
    assert "opts=sgd%2Cmomentum%2Cadagrad%2Crmsprop%2Cadam" in page.url or "opts=sgd,momentum" in page.url
    _show_whole_page(page)
    screenshot("network")


def test_a_link_with_moons_draws_the_decision_regions_and_the_csv_holds_the_curves(page, app_url, screenshot):
    page.goto(f"{app_url}/network?dataset=moons&hidden=16,16&opts=sgd,momentum,rmsprop,adam&epochs=150")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _settle(page)
    page.get_by_text("Decision regions", exact=True).wait_for(timeout=30_000)
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 2
    regions = charts.nth(1)
    regions.scroll_into_view_if_needed()
    assert regions.locator(".heatmaplayer .hm, .heatmaplayer image").count() >= 4  # one region map per optimizer
    assert "Adam" in regions.text_content() and "upper moon (training)" in regions.text_content()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Curves (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 4 * 151
    assert list(rows[0]) == ["optimizer", "epoch", "train_loss", "val_loss", "train_acc", "val_acc"]
    assert {r["optimizer"] for r in rows} == {"sgd", "momentum", "rmsprop", "adam"}
    _show_whole_page(page)
    screenshot("network_moons")


def test_on_a_projector_every_chart_fits_under_the_top_bar_and_reads_from_the_back(page, app_url, screenshot):
    from tests.browser.projector import MIN_TEXT_PX, PROJECTOR, boxes, overlap, smallest_chart_text, visible_height

    page.set_viewport_size(PROJECTOR)
    page.goto(f"{app_url}/network?dataset=spirals&epochs=100")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _settle(page)
    page.get_by_text("Decision regions", exact=True).wait_for(timeout=30_000)
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 2
    room = visible_height(page)
    for i in range(2):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = chart.bounding_box()
        assert box["height"] <= room, f"chart {i} is {box['height']:.0f} px tall, {room:.0f} px are visible"
        assert smallest_chart_text(chart) >= MIN_TEXT_PX
        legend = boxes(chart, ".legend")
        titles = boxes(chart, ".g-xtitle, .g-x2title, .g-x3title, .g-x4title, .g-x5title, .g-x6title")
        assert legend and titles
        assert all(overlap(legend[0], t) == 0 for t in titles), "the legend lies over an axis title"
        screenshot(f"network_projector_{i}")


def test_back_and_forward_move_between_settings(page, app_url):
    page.goto(f"{app_url}/network?opts=adam&epochs=30")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _settle(page)
    epochs = page.get_by_role("spinbutton", name="Epochs")
    for value in ("40", "50"):
        epochs.fill(value)
        epochs.press("Enter")
        page.wait_for_function(f"() => location.search.includes('epochs={value}')", timeout=30_000)
        _settle(page)
    seen = []
    for move in (page.go_back, page.go_back, page.go_forward):
        move()
        page.wait_for_timeout(500)
        _settle(page)
        seen.append((epochs.input_value(), "epochs=" + page.url.split("epochs=")[1].split("&")[0]))
    assert seen == [("40", "epochs=40"), ("30", "epochs=30"), ("40", "epochs=40")]
    assert page.locator('[data-testid="stException"]').count() == 0
