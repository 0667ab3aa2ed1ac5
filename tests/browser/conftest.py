"""Browser tests: one `streamlit run app.py` server per session, driven by Playwright in Debian's Chromium.

Without /usr/bin/chromium these tests skip, except under CI=true, where a missing browser is a failure.
Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"


def _need_browser() -> None:
    missing = not Path(CHROMIUM).exists() and not shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Chromium ({CHROMIUM}) or playwright is missing: browser tests cannot run")
        pytest.skip("Chromium or playwright not installed (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def app_url():
    _need_browser()
    with streamlit_server() as url:
        yield url


@contextlib.contextmanager
def streamlit_server():
    """A fresh `streamlit run app.py` on a free loopback port (the repo's config); yields its URL, then stops it."""
    from harness.server import start_server, stop_server

    try:
        proc, url = start_server(ROOT / "app.py")
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(f"streamlit did not start: {exc}")
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot(name): save a full-page PNG under artifacts/screenshots/ and return its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the Streamlit script has finished running (no 'Running...' status widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
