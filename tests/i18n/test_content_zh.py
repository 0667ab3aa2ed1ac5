"""The Chinese content says what the English says: the same formulas, numbers, code and emphasis.

The content's claims are checked on the runs in English (tests/views/test_guide.py, tests/ui/test_gallery.py,
tests/test_race_presets.py); a translation keeps every formula ($...$), every number and every `code` span of
its English text, so the checked claim is the one the Chinese reader gets. Markdown emphasis next to Chinese
punctuation is also checked: CommonMark does not close `**加粗。**文字` (a closing `**` after punctuation
must be followed by a space or punctuation), so such a translation would show its asterisks.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The pages that mainly show content: their own labels (domain "app") are held to the same rules.
CONTENT_PAGES = ("views/guide.py", "views/home.py")


def _entries(domain: str) -> list[tuple[str, str]]:
    with open(i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
        catalog = read_po(f, locale="zh")
    return [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str) and m.string]


def _page_entries() -> list[tuple[str, str]]:
    ids = {m[1] for page in CONTENT_PAGES for m in extract_from_file("python", str(ROOT / page), keywords=KEYWORDS)}
    return [(en, zh) for en, zh in _entries("app") if en in ids]


def _content_and_pages() -> list[tuple[str, str]]:
    return _entries("content") + _page_entries()


def _formulas(text: str) -> list[str]:
    return sorted(re.findall(r"\$[^$]+\$", text))


def _without_formulas(text: str) -> str:
    return re.sub(r"\$[^$]+\$", " ", text)


def _numbers(text: str) -> set[str]:
    """The numbers written with digits, outside formulas and links: 0.075, 1e-8, 10,000, 12 (of 12%)."""
    text = re.sub(r"\]\([^)]*\)|https?://\S+", " ", _without_formulas(text))
    return set(re.findall(r"\d+(?:[.,]\d+)*(?:e-?\d+)?", text))


def _code(text: str) -> list[str]:
    return sorted(re.findall(r"`[^`]+`", text))


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_a_translation_keeps_every_formula_as_it_is(domain):
    wrong = [(en, zh) for en, zh in _entries(domain) if _formulas(en) != _formulas(zh)]
    assert wrong == []


def test_a_content_translation_keeps_every_number_and_code_span():
    entries = _content_and_pages()
    assert len(entries) > 300
    wrong = [(en, zh, sorted(_numbers(en) - _numbers(zh))) for en, zh in entries if _numbers(en) - _numbers(zh)]
    assert wrong == []
    wrong = [(en, zh) for en, zh in entries if _code(en) != _code(zh)]
    assert wrong == []


def test_a_content_translation_keeps_the_emphasis_and_its_count():
    wrong = [(en, zh) for en, zh in _content_and_pages() if en.count("**") != zh.count("**")]
    assert wrong == []


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _is_word(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _broken_emphasis(text: str) -> list[str]:
    """`**` runs that CommonMark would not open or close where the translation means them to."""
    text = _without_formulas(text)
    broken = []
    for i, match in enumerate(re.finditer(r"\*\*", text)):
        before = text[match.start() - 1] if match.start() > 0 else " "
        after = text[match.end()] if match.end() < len(text) else " "
        opening = i % 2 == 0
        inner, outer = (after, before) if opening else (before, after)
        if _is_punct(inner) and _is_word(outer):
            broken.append(text[max(0, match.start() - 8) : match.end() + 8])
    return broken


def test_emphasis_next_to_chinese_punctuation_still_renders():
    assert _broken_emphasis("采用**小批量**：") == []
    assert _broken_emphasis("**问题。**文字") != []  # the case the rule exists for
    wrong = [(zh, _broken_emphasis(zh)) for _en, zh in _content_and_pages() if _broken_emphasis(zh)]
    assert wrong == []


# Lower-case words a Chinese content text keeps: the libraries, functions and fields it names, and two English
# terms given in parentheses after their translation. Capitalised words are names (authors, optimizers).
KEPT_WORDS = {"torch", "optax", "float", "sign", "min", "max", "signSGD", "reset_state", "v_max", "belief", "regret"}


def test_no_english_sentence_is_left_in_a_chinese_content_text():
    left = {}
    for en, zh in _content_and_pages():
        rest = re.sub(r"`[^`]+`|\b\w+(?:\.\w+)+|\{[^{}]*\}|\]\([^)]*\)|https?://\S+", " ", _without_formulas(zh))
        words = {w for w in re.findall(r"\b[a-z][A-Za-z_]{2,}\b", rest) if w not in KEPT_WORDS}
        if words:
            left[en] = sorted(words)
    assert left == {}
