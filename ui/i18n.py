"""The session's language on the Streamlit side: chosen once per run in app.py, read by every layer through i18n.

    lang = setup()          # app.py, every run, before the pages: the language, the link's `lang`, the resolver
    switch()                # the English / 中文 switch at the top of the sidebar

Where the language comes from, in this order: the switch, when it was just used; the link's `lang=en` /
`lang=zh` when it is new to the session (a shared link, Back and Forward); the session's language; on a first
visit the browser's (`st.context.locale`: zh, zh-CN, zh-TW ... give Chinese); else English. A `lang` the lab
does not have is a notice, and the link is rewritten with the language in use.

The language is kept in the session and in every page's link (`lang` stays in the URL when a page mirrors its
settings: ui.state.mirror keeps it), so a share link opens in the language it was copied in.

The resolver that i18n.lang() asks reads the session each time it is called, so a fragment's rerun (which does
not run app.py) and a cached function's body translate into the session's language too.
"""

from __future__ import annotations

import streamlit as st

import i18n
from i18n import translator
from ui.internals import get_script_run_ctx

from .state import private_key

_, ngettext = translator("app")

URL_KEY = "lang"  # the link's key (not translated)
LANG_KEY = private_key("app", "lang")  # the session's language
WRITTEN_KEY = private_key("app", "lang_written")  # the `lang` this session last wrote into its link
SWITCH_KEY = "app:lang"  # the switch's widget key
NAMES = {"en": "English", "zh": "中文"}  # each language in its own script, whatever the language in use


def resolve() -> str | None:
    """The language of the session whose script is running in this thread, or None outside a script run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    try:
        return st.session_state.get(LANG_KEY)
    except Exception:  # noqa: BLE001 - no session state (a bare thread): the default language
        return None


def from_locale(locale: str | None) -> str:
    """The language for a browser locale: Chinese for zh and its regions (zh-CN, zh_TW, zh-Hans), else English."""
    tag = (locale or "").strip().lower().replace("_", "-")
    return "zh" if tag == "zh" or tag.startswith("zh-") else i18n.DEFAULT


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (AppTest, a bare script run)
        return None


def parse(raw: str) -> str:
    """The language a link's `lang` value names; ValueError for one the lab does not have."""
    value = raw.strip().lower()
    if value not in i18n.LANGS:
        raise ValueError(raw)
    return value


def setup() -> str:
    """Choose this run's language (see the module's docstring), install the resolver, keep `lang` in the link.

    Returns the language. A bad `lang` in the link gives a notice on the page, never an error.
    """
    i18n.set_resolver(resolve)
    state = st.session_state
    current = state.get(LANG_KEY)
    switched = state.get(SWITCH_KEY)
    given = st.query_params.get_all(URL_KEY)
    notice = None
    if current is not None and switched in i18n.LANGS and switched != current:
        lang = switched  # the switch was just used
    elif given and given[-1] != state.get(WRITTEN_KEY):  # a link's language, new to this session
        try:
            lang = parse(given[-1])
        except ValueError:
            lang = current or from_locale(_browser_locale())
            notice = given[-1]
    else:
        lang = current or from_locale(_browser_locale())
    state[LANG_KEY] = lang
    state[SWITCH_KEY] = lang  # set before the switch exists in this run: it shows the language in use
    if given != [lang]:
        st.query_params[URL_KEY] = lang
    state[WRITTEN_KEY] = lang
    if notice is not None:
        st.warning(
            _("Ignored `lang={value}` from the link: the languages are `en` (English) and `zh` (中文). Showing {name}.")
            .replace("{value}", _code(notice))
            .replace("{name}", NAMES[lang]),
            icon="⚠️",
        )
    return lang


def switch() -> None:
    """The language switch, at the top of the sidebar: English / 中文 (each name in its own script)."""
    st.sidebar.segmented_control(
        "Language · 语言",
        list(i18n.LANGS),
        key=SWITCH_KEY,
        format_func=NAMES.__getitem__,
        required=True,
        label_visibility="collapsed",
        help=_("The language of the whole lab. It is kept in the page's link, so a shared link opens in it."),
    )


def _code(text: str) -> str:
    """Text safe inside a Markdown code span (the notice quotes what the link said)."""
    text = str(text).replace("`", "'").replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."


_core = translator("core")[0]


def core(text: str) -> str:
    """Text the core layer defines at import time (marked there with N_: a hyperparameter's help, a dataset's
    title), translated where this layer shows it (its translation is in the core catalog)."""
    return _core(text)


_content = translator("content")[0]


def content(text: str) -> str:
    """Text the content layer defines at import time (a race preset's title and notice, marked there with N_),
    translated where this layer shows it (its translation is in the content catalog)."""
    return _content(text)
