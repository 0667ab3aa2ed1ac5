"""A shared link opened first thing on a freshly started server shows the app, not a bare page script.

Streamlit auto-discovers a folder named pages/ next to the main script and, until st.navigation has run once,
serves a direct /explorer link as that bare script (no navigation, no wide layout). Our pages live in views/,
so every direct link goes through app.py's navigation from the first visitor on.
"""

from __future__ import annotations

import pytest

from .conftest import streamlit_server

PAGES = {"explorer": "?surface=himmelblau&opt=adam", "compare": "", "network": "", "guide": ""}


@pytest.mark.browser
@pytest.mark.parametrize("path", list(PAGES))
def test_a_direct_link_on_a_fresh_server_opens_the_app(browser, path):
    with streamlit_server() as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(f"{url}/{path}{PAGES[path]}")
            nav = page.locator('[data-testid="stSidebarNav"]')
            nav.wait_for(timeout=60_000)
            page.wait_for_selector('[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3')
            labels = nav.inner_text()
            assert all(title in labels for title in ("Home", "Explorer", "Compare", "Train a network", "Guide"))
            assert "app" not in labels.split()  # the bare pages/ listing shows file names: app, compare, ...
            width = page.evaluate(
                "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().width"
            )
            assert width > 900  # the wide layout app.py sets
            if path == "explorer":
                assert "himmelblau" in page.url and "Himmelblau" in page.locator('[data-testid="stMain"]').inner_text()
        finally:
            page.close()
