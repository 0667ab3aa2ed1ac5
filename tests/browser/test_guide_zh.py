"""The Guide in Chinese in a real browser (1280×720): the Chinese glyphs are drawn, not boxes, and every KaTeX
formula is the English page's.

The language comes from the link (`lang=zh`), which the language switch (ui/i18n.py) reads; until that
switch is in the tree these tests skip. Chinese glyphs need a CJK font on the machine (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import i18n
import optimizers
from content import text
from content.guide import SECTIONS

pytestmark = pytest.mark.browser
pytest.importorskip("ui.i18n", reason="the language switch (lang=zh in the link) is not in the tree yet")

# Two different Chinese characters and a private-use code point that no font draws: with a CJK font the
# first two draw differently from each other and from the missing glyph; without one, all three draw alike.
GLYPHS_JS = """() => {
  const p = document.querySelector('[data-testid="stMarkdownContainer"] p');
  const font = getComputedStyle(p).font;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 48; c.height = 48;
    const x = c.getContext('2d'); x.font = font; x.fillText(ch, 4, 36); return c.toDataURL();
  };
  return [draw('梯'), draw('度'), draw('\\uE000')];
}"""
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FORMULAS_JS = """() => [...document.querySelectorAll('.katex-mathml annotation')].map(a => a.textContent)"""


def open_guide(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"h2#{optimizers.NAMES[-1]}", timeout=60_000)
    page.wait_for_selector(".katex-display", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)


def cjk_glyphs_drawn(page) -> bool:
    first, second, missing = page.evaluate(GLYPHS_JS)
    return len({first, second, missing}) == 3


def formulas(page) -> Counter:
    """Every typeset formula's LaTeX source (a translation may reorder the formulas of a paragraph)."""
    return Counter(page.evaluate(FORMULAS_JS))


def test_the_chinese_guide_draws_its_glyphs_and_the_english_formulas(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_guide(page, f"{app_url}/guide")
    english = formulas(page)
    open_guide(page, f"{app_url}/guide?lang=zh")
    with i18n.use("zh"):
        problem = text(SECTIONS[0].problem)
    assert page.get_by_text(problem[:12]).count() >= 1  # the page is in Chinese
    assert cjk_glyphs_drawn(page)
    assert page.locator(".katex-error").count() == 0
    assert formulas(page) == english and len(english) > 100
    page.locator("h2#adam").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "guide_zh_adam_1280x720.png"))  # the viewport a projector shows
