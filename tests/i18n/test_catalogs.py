"""The catalogs: every message of the source has a translation that is current, consistent and compiled.

Extraction runs here exactly as `make catalogs` runs it (i18n/catalogs.py's keywords and mapping), so a message
added to the code without its translation fails, and so does a translation left fuzzy, one whose placeholders
differ from the English, a stale .mo, or a term the glossary fixes translated another way.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")  # a development requirement (requirements-dev.txt)
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
GLOSSARY = ROOT / "i18n" / "glossary-zh.md"  # a copy of ../shared/reference/glossary-zh.md


def _po(domain: str):
    with open(i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
        return read_po(f, locale="zh")


def _extracted(domain: str) -> set[str]:
    ids: set[str] = set()
    for source in i18n.SOURCES[domain]:
        path = ROOT / source
        if path.is_file():
            from babel.messages.extract import extract_from_file

            found = (("", *m) for m in extract_from_file("python", str(path), keywords=KEYWORDS))
        else:
            found = extract_from_dir(str(path), method_map=[("**.py", "python")], keywords=KEYWORDS)
        for _file, _line, message, _comments, _context in found:
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^{}]*\}", text) + re.findall(r"%(?:\([^)]*\))?[sdfr]", text))


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_message_in_the_code_is_in_the_catalog_and_nothing_else(domain):
    catalog = _po(domain)
    in_po = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    in_code = _extracted(domain)
    assert sorted(in_code - in_po) == [], "messages without an entry: run `make catalogs` and translate them"
    assert sorted(in_po - in_code) == [], "entries no code uses: run `make catalogs`"


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_entry_is_translated_and_not_fuzzy(domain):
    catalog = _po(domain)
    missing = [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_a_translation_keeps_every_placeholder(domain):
    for m in _po(domain):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert _placeholders(s) == _placeholders(ids[-1]), (m.id, s)


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_compiled_catalog_is_the_current_one(domain):
    buf = io.BytesIO()
    write_mo(buf, _po(domain))
    fresh = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    with open(i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{domain}.mo", "rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == fresh._catalog, "run `make catalogs` (the .mo is older than the .po)"


def _glossary() -> list[tuple[str, str]]:
    """(English term, Chinese term) pairs of the glossary's table; alternatives ("a / b") are split."""
    pairs = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("English", "---") or set(cells[0]) <= {"-"}:
            continue
        en, zh = (re.sub(r"\s*\(.*?\)", "", c).strip() for c in cells)
        en_parts, zh_parts = [p.strip() for p in en.split("/")], [p.strip() for p in zh.split("/")]
        if len(en_parts) == len(zh_parts):
            pairs += list(zip(en_parts, zh_parts, strict=True))
    return pairs


# Terms whose English word is also everyday English in other senses (a "step" of a recipe, a "parameter" of a
# function call in prose, an "iteration" of a loop) are left to the translator; the rest must match.
FLEXIBLE = {"iteration", "step", "parameter", "epoch", "momentum", "trajectory", "plateau", "ravine", "optimizer"}


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_glossary_terms_are_translated_as_the_glossary_says(domain):
    pairs = [(en, zh) for en, zh in _glossary() if en.lower() not in FLEXIBLE]
    assert len(pairs) > 20
    wrong = []
    for m in _po(domain):
        if not m.id or not m.string:
            continue
        en = (m.id if isinstance(m.id, str) else m.id[0]).lower()
        zh = m.string if isinstance(m.string, str) else m.string[0]
        for term_en, term_zh in pairs:
            if re.search(rf"\b{re.escape(term_en.lower())}s?\b", en) and term_zh not in zh:
                wrong.append((term_en, term_zh, m.id))
    assert wrong == []


def test_a_message_is_translated_in_the_language_in_use_and_english_is_the_source():
    _, ngettext = i18n.translator("app")
    assert _("Step") == "Step"  # English: the source text itself
    with i18n.use("zh"):
        assert i18n.lang() == "zh"
    assert i18n.lang() == "en"
    with pytest.raises(ValueError):
        with i18n.use("fr"):
            pass


def test_the_resolver_gives_the_session_language_and_use_overrides_it():
    i18n.set_resolver(lambda: "zh")
    try:
        assert i18n.lang() == "zh"
        with i18n.use("en"):
            assert i18n.lang() == "en"
    finally:
        i18n.set_resolver(None)
    assert i18n.lang() == "en"


def test_catalogs_load_once_per_process():
    i18n.catalog.cache_clear()
    for _ in range(3):
        i18n.catalog("zh", "app")
    assert i18n.catalog.cache_info().misses == 1
