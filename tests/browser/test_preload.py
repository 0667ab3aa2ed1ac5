"""The Explorer starts importing Streamlit's Plotly component before its chart arrives (ui.preload), and the
trick shows nothing: no visible element, no gap above the page's first line, one download of the chunk, the
chart drawn as before. Other pages do not load it early."""

from __future__ import annotations

import pytest

from ui.preload import KEY, chunk_name

from .conftest import wait_for_app

pytestmark = pytest.mark.browser


def _requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def test_the_explorer_imports_the_plotly_chunk_once_and_shows_nothing_for_it(page, app_url, screenshot):
    name = chunk_name()
    assert name is not None, "the installed Streamlit has no single PlotlyChart.*.js chunk"
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    urls = _requests(page)
    page.goto(f"{app_url}/explorer")
    page.wait_for_selector(".js-plotly-plot .slider-container", timeout=60_000)
    wait_for_app(page, 60_000)
    assert errors == []
    # the same file Streamlit's own import loads, fetched once (one module instance)
    assert [u for u in urls if "PlotlyChart" in u] == [f"{app_url}/static/js/{name}"]
    holder = page.locator(f".st-key-{KEY}")
    assert holder.count() == 1
    assert holder.evaluate("e => getComputedStyle(e).display") == "none"
    assert holder.bounding_box() is None  # no box, so no gap in the page's column
    # the page's first visible element starts where the main column's content starts
    gap = page.evaluate(
        """() => {
            const main = '[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]';
            const block = document.querySelector(main);
            const first = [...block.children].find(c => c.getBoundingClientRect().height > 0);
            return first.getBoundingClientRect().top - block.getBoundingClientRect().top;
        }"""
    )
    assert abs(gap) < 1
    assert page.locator(".js-plotly-plot").count() == 1  # the preload draws no chart of its own
    screenshot("explorer-with-preload")


def test_home_does_not_load_plotly(page, app_url):
    urls = _requests(page)
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    wait_for_app(page, 60_000)
    page.wait_for_timeout(500)
    assert page.locator(f".st-key-{KEY}").count() == 0
    assert not [u for u in urls if "PlotlyChart" in u]
