"""The projector theme of .streamlit/config.toml reaches the browser: 18 px root font, near-black text on white,
the dark blue accent on the primary elements, and no developer menu for students."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]


def rgb(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


def test_the_projector_theme_is_what_the_browser_shows(page, app_url, screenshot):
    page.goto(app_url + "/explorer")
    wait_for_app(page, timeout=90_000)
    page.get_by_test_id("lab-map").wait_for(timeout=90_000)  # the Explorer's stage has drawn its map
    wait_for_app(page, timeout=90_000)
    style = page.evaluate(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const text = document.querySelector('[data-testid="stMain"] :is(h1, h2, h3, h4)');
            return {
                root: getComputedStyle(document.documentElement).fontSize,
                background: getComputedStyle(app).backgroundColor,
                color: getComputedStyle(text).color,
            };
        }"""
    )
    assert style["root"] == f"{THEME['baseFontSize']}px"
    assert style["background"] == rgb(THEME["backgroundColor"])
    assert style["color"] == rgb(THEME["textColor"])
    # students get no "Clear cache" / "Rerun" developer menu (client.toolbarMode = "viewer")
    page.locator('[data-testid="stMainMenu"]').first.click()
    assert page.get_by_text("Clear cache").count() == 0
    page.keyboard.press("Escape")
    path = screenshot("classroom-theme-explorer")
    assert path.stat().st_size > 10_000
