"""The Guide and Home in Chinese: every content text shown translated, every formula and link unchanged.

The language is chosen as a link chooses it, `lang=zh` in the query (ui/i18n.py's resolver reads the session).
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import i18n
from content import text
from content.gallery import GALLERY
from content.guide import MISTAKES, SECTIONS, demos
from content.guide.theory import LIMITS, theory_demos

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
TIMEOUT = 120
_app = i18n.translator("app")[0]


def _run(page: str | None, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture(scope="module")
def guide_en() -> AppTest:
    return _run("views/guide.py", "en")


@pytest.fixture(scope="module")
def guide_zh() -> AppTest:
    return _run("views/guide.py", "zh")


@pytest.fixture(scope="module")
def home() -> dict[str, AppTest]:
    return {lang: _run(None, lang) for lang in ("en", "zh")}


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader] + [i.value for i in at.info] + [t.value for t in at.title]
    return "\n".join(parts)


def test_the_chinese_guide_renders_without_exception(guide_zh):
    assert not guide_zh.exception
    assert not guide_zh.error


def test_the_chinese_guide_shows_the_same_formulas_and_links(guide_en, guide_zh):
    assert [el.value for el in guide_zh.latex] == [el.value for el in guide_en.latex]
    en, zh = guide_en.get("page_link"), guide_zh.get("page_link")
    assert [link.proto.query_string for link in zh] == [link.proto.query_string for link in en]
    assert [h.proto.anchor for h in guide_zh.header] == [h.proto.anchor for h in guide_en.header]


def test_every_content_text_of_the_guide_is_shown_in_chinese(guide_zh):
    shown = _shown(guide_zh)
    with i18n.use("zh"):
        texts = [text(s.problem) for s in SECTIONS] + [text(s.note) for s in SECTIONS if s.note]
        texts += [text(x) for s in SECTIONS for x in s.strengths + s.failures]
        texts += [text(u) for s in SECTIONS for u in s.usual.values()]
        texts += [text(d.watch) for d in demos() + theory_demos()]
        texts += [text(m.title) for m in MISTAKES] + [text(m.body) for m in MISTAKES]
        texts += [text(lim.title) for lim in LIMITS] + [text(lim.body) for lim in LIMITS]
        labels = [_app("**Try it:** {demo}").format(demo=text(d.label)) for d in demos() + theory_demos()]
        header = "| " + " | ".join([text("Optimizer"), text("Kept between steps")])
    missing = [t for t in texts if t.replace("|", r"\|") not in shown and t not in shown]
    assert missing == []
    assert [link.proto.label for link in guide_zh.get("page_link")] == labels
    assert any(m.value.startswith(header) for m in guide_zh.markdown)
    assert re.search(r"[\u4e00-\u9fff]", labels[0])  # a translation, not the English again


def test_the_chinese_home_shows_the_gallery_translated_with_the_same_links(home):
    en, zh = home["en"], home["zh"]
    assert not zh.exception and not zh.error
    shown = _shown(zh)
    with i18n.use("zh"):
        titles = [text(card.title) for card in GALLERY]
        captions = [text(card.text) for card in GALLERY]
        translated = {link.label: text(link.label) for card in GALLERY for link in card.links}
    assert all(f"**{t}**" in shown for t in titles)
    assert all(c in shown for c in captions)
    # the same links in the same places, each with its label translated
    zh_links = [link for link in zh.get("page_link") if link.proto.query_string]
    en_links = [link for link in en.get("page_link") if link.proto.query_string]
    assert len(zh_links) == len(en_links) == len(translated)
    for e, z in zip(en_links, zh_links, strict=True):
        assert z.proto.query_string == e.proto.query_string
        assert z.proto.label == translated[e.proto.label] != e.proto.label
    assert "Start with one of these" in _shown(en) and "Start with one of these" not in shown


def test_the_guides_sharpness_charts_follow_the_language_after_an_english_visit(guide_en, guide_zh):
    """The demo's sharpness figure is cached: an English visit first must not give the Chinese page its titles."""
    import json

    def y_titles(at):
        out = []
        for chart in at.get("plotly_chart"):
            layout = json.loads(chart.proto.spec).get("layout", {})
            title = (layout.get("yaxis") or {}).get("title") or {}
            out.append(title.get("text", "") if isinstance(title, dict) else str(title))
        return [t for t in out if "λmax" in t]

    en, zh = y_titles(guide_en), y_titles(guide_zh)
    assert en and len(zh) == len(en)
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in zh) and not any(re.search(r"[\u4e00-\u9fff]", t) for t in en)
