"""The lab's languages: English (the source text) and Simplified Chinese, from gettext catalogs.

Standard tools: the messages are marked in the source, extracted with Babel's `pybabel extract` into one
template per domain (i18n/<domain>.pot), translated in i18n/locale/zh/LC_MESSAGES/<domain>.po and compiled
to .mo (`make catalogs` does all three). At run time only the standard library's gettext reads the .mo files,
once per process.

Three domains, one per layer, so that each part of the code has its own catalog:

    app      app.py, views/, ui/                          (page labels, help texts, notices)
    core     optimizers/, surfaces/, viz/, training/, budget/  (outcomes, formula errors, chart texts)
    content  content/                                     (the Guide, mistakes, presets, races, gallery)

In a module of a domain:

    from i18n import translator
    _, ngettext = translator("core")
    _("Loss")                         # translated into the language in use now
    ngettext("{n} step", "{n} steps", n).format(n=n)

Text defined at import time (content data, module constants) cannot be translated then: the language is
chosen per session, per run. Mark it with `N_("...")` (returns the text unchanged, and pybabel extracts it)
and translate it where it is shown: `_(card.title)`.

The language in use: inside `use("zh")` that language; else what the resolver that the Streamlit layer
installs says (the session's choice: ui/i18n.py); else English. Not translated: optimizer names, symbols and
formulas, numbers, CSV column identifiers.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

LANGS = ("en", "zh")
DEFAULT = "en"
DOMAINS = ("app", "core", "content")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# What each domain's messages are extracted from (paths relative to the repository's root).
SOURCES: dict[str, tuple[str, ...]] = {
    "app": ("app.py", "views", "ui"),
    "core": ("optimizers", "surfaces", "viz", "training", "budget"),
    "content": ("content",),
}

_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar("lab_lang", default=None)
_resolver: Callable[[], str | None] | None = None


def set_resolver(fn: Callable[[], str | None] | None) -> None:
    """Install the function that says a session's language when no `use(...)` is in force (ui/i18n.py)."""
    global _resolver
    _resolver = fn


def lang() -> str:
    """The language in use: "en" or "zh"."""
    chosen = _lang.get()
    if chosen is None and _resolver is not None:
        chosen = _resolver()
    return chosen if chosen in LANGS else DEFAULT


@contextlib.contextmanager
def use(language: str) -> Iterator[None]:
    """Translate into `language` inside the block (tests, exports, benchmarks)."""
    if language not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {language!r}")
    token = _lang.set(language)
    try:
        yield
    finally:
        _lang.reset(token)


@functools.cache
def catalog(language: str, domain: str) -> _gettext.NullTranslations:
    """The compiled catalog of a domain, read once per process (English: the source text itself)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}")
    if language == DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(domain, localedir=LOCALE_DIR, languages=[language])


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    """Mark `message` for extraction without translating it (text defined at import time)."""
    return message


def translator(domain: str) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """The pair (gettext, ngettext) of one domain, each translating into the language in use at its call."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}")

    def _(message: str) -> str:
        if not message:
            return message  # gettext("") is the catalog's header, never a translation
        return catalog(lang(), domain).gettext(message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return catalog(lang(), domain).ngettext(singular, plural, n)

    return _, ngettext


def join(items: Iterable[str], *, clauses: bool = False) -> str:
    """A list in the language in use. Names: "Adam, SGD" in English, "Adam、SGD" in Chinese (the enumeration comma);
    `clauses` (items that hold commas themselves): "a; b" and "a；b". The separators are the core catalog's entries
    "list|, " and "clauses|; " (a context: ", " alone joins a sentence's parts)."""
    key = "clauses|; " if clauses else "list|, "
    sep = translator("core")[0](key)
    return (key.partition("|")[2] if sep == key else sep).join(items)
