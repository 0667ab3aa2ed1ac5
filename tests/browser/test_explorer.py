"""The Explorer in a real browser: Step three times shows 3, Play advances the animation frame client-side,
a click on the map moves the start, every formula typesets; screenshots for a look."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

import presets

from .conftest import wait_for_app

pytestmark = pytest.mark.browser

METRIC = '[data-testid="stMetric"]'


def _step_value(page) -> str:
    metric = page.locator(METRIC).filter(has=page.get_by_text("Step", exact=True)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _open_explorer(page, app_url, query: str = "") -> None:
    page.goto(f"{app_url}/explorer{query}")
    page.wait_for_selector(METRIC, timeout=60_000)
    page.wait_for_selector(".js-plotly-plot .slider-container", timeout=60_000)
    wait_for_app(page, 60_000)


def _slider_label(page) -> str:
    return page.locator(".js-plotly-plot .slider-container text.slider-label").first.text_content().strip()


def _press(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_timeout(300)
    wait_for_app(page, 60_000)


def test_step_three_times_then_play(page, app_url, screenshot):
    _open_explorer(page, app_url)  # the session's first run: the page, then (the beacon's rerun) the chart
    assert page.get_by_text("Drawing the map").count() == 0  # the placeholder has given way to the chart
    assert page.locator(".js-plotly-plot").count() == 1
    assert _step_value(page) == "0"
    for expected in ("1", "2", "3"):
        _press(page, "Step")
        page.wait_for_function(
            """(want) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                   m.innerText.startsWith('Step') && m.querySelector('[data-testid="stMetricValue"]')
                   .innerText.trim() === want)""",
            arg=expected,
            timeout=30_000,
        )
    assert _step_value(page) == "3"
    assert _slider_label(page) == "step 3"
    assert page.locator(".katex-error").count() == 0
    assert page.locator(".katex-display").count() >= 2  # the rule and step 3 with its numbers
    page.mouse.move(5, 5)  # no tooltip in the picture
    page.wait_for_timeout(500)
    screenshot("explorer_step3")

    # Play runs in the browser: the scrubber's frame advances with no server round trip
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").first.click()
    page.wait_for_function(
        """() => { const el = document.querySelector('.js-plotly-plot .slider-container text.slider-label');
                   const m = el && el.textContent.match(/step (\\d+)/); return m && Number(m[1]) > 20; }""",
        timeout=30_000,
    )
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Pause").first.click()
    shown = int(re.search(r"step (\d+)", _slider_label(page)).group(1))
    assert shown > 20
    assert _step_value(page) == "3"  # the server's step did not change
    screenshot("explorer_playing")


def test_a_link_opens_configured_and_a_click_on_the_map_moves_the_start(page, app_url, screenshot):
    link = presets.explorer_link("himmelblau", "momentum", (-0.3, -0.9), 120)
    _open_explorer(page, app_url, "?" + urlsplit(link).query)
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["surface"] == "himmelblau" and query["opt"] == "momentum"
    screenshot("explorer_himmelblau")
    # click near the top-right corner of the map: the invisible grid reports it and the start moves there
    box = page.locator(".js-plotly-plot .xy .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
    page.wait_for_function("() => new URL(location.href).searchParams.get('x0') !== '-0.3'", timeout=30_000)
    wait_for_app(page, 60_000)
    query = dict(parse_qsl(urlsplit(page.url).query))
    x0, y0 = float(query["x0"]), float(query["y0"])
    assert 3.0 < x0 <= 5.0 and 3.0 < y0 <= 5.0  # Himmelblau's view is [-5, 5]²
    assert _step_value(page) == "0"


def test_download_csv_holds_the_run(page, app_url):
    """The CSV is made when asked for (a deferred download): every computed step, θ and the loss."""
    link = presets.explorer_link("himmelblau", "momentum", (-0.3, -0.9), 40)
    _open_explorer(page, app_url, "?" + urlsplit(link).query)
    _press(page, "Step")
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    assert info.value.suggested_filename == "momentum-himmelblau.csv"
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 41  # steps 0..40
    assert [float(rows[0]["x"]), float(rows[0]["y"])] == [-0.3, -0.9]
    assert "loss" in rows[0]
    assert _step_value(page) == "1"  # the download did not rerun the page


@pytest.mark.parametrize("opt", ["sgd", "adadelta", "rmsprop", "amsgrad", "adamax", "nadam", "radam", "newton"])
def test_every_rule_typesets(page, app_url, opt):
    link = presets.explorer_link("himmelblau", opt, (-0.3, -0.9), 20)
    _open_explorer(page, app_url, "?" + urlsplit(link).query)
    _press(page, "Step ×10")
    page.wait_for_selector(".katex-display >> nth=1", timeout=30_000)
    assert page.locator(".katex-error").count() == 0
