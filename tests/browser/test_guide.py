"""The Guide in a real browser: headings, rendered formulas, the family tree, and a Try-it link that lands
on the Explorer with the demo's settings in the URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

import optimizers
from guide import BY_NAME, demos

pytestmark = pytest.mark.browser


def _open_guide(page, app_url):
    # Start from the home page and navigate in-app, as a visitor does.
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.get_by_role("link", name="Guide").first.click()
    page.wait_for_selector(f"h2#{optimizers.NAMES[-1]}", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_the_guide_reads_well(page, app_url, screenshot):
    _open_guide(page, app_url)
    for name in optimizers.NAMES:
        heading = page.locator(f"h2#{name}")
        assert heading.count() == 1 and optimizers.get(name).title in heading.inner_text()
    n_formulas = sum(len(s.formulas) for s in BY_NAME.values())
    assert page.locator(".katex-display").count() == n_formulas  # every rule typeset as display maths
    assert page.locator(".katex-error").count() == 0
    tree = page.locator(".js-plotly-plot").first
    box = tree.bounding_box()
    assert box["width"] > 600 and box["height"] > 400
    assert page.locator('[data-testid="stPageLink"]').count() == len(demos())
    # the whole page, tall enough to show every section (Streamlit scrolls an inner container)
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(int(height), 30_000)})
    page.wait_for_timeout(1500)
    screenshot("guide")


def test_a_try_it_link_opens_the_explorer_with_its_settings(page, app_url):
    _open_guide(page, app_url)
    demo = next(d for d in demos() if d.key == "adagrad-shrinks")
    link = page.locator('[data-testid="stPageLink"] a', has_text=demo.label)
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/explorer?**", timeout=30_000)
    got = urlsplit(page.url)
    assert got.path.endswith("/explorer")
    # the Explorer may add keys of its own when it mirrors its state, but keeps the link's values
    wanted = dict(parse_qsl(urlsplit(demo.link()).query))
    shown = dict(parse_qsl(got.query))
    for key, value in wanted.items():
        assert key in shown, key
        try:
            assert float(shown[key]) == float(value), key
        except ValueError:
            assert shown[key] == value, key
