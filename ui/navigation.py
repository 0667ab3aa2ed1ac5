"""The app's pages for st.navigation, made once per session and language instead of on every run.

st.Page resolves its file's path on the disk (a realpath and a stat per page) when it is made, and app.py runs on
every script run of every session. Each of those system calls lets go of the interpreter lock, and with 40
students clicking, getting it back waits behind the other sessions' threads (the 50 ms switch interval of
app.py): a profile of the classroom load put a tenth of a run's time there (README, "Teaching with it"). A
session's pages are kept in its own state (one session's runs never overlap, and st.navigation marks the page it
runs on the page object), one list per language, since the titles are translated.
"""

from __future__ import annotations

import streamlit as st

import i18n
from i18n import translator

from .state import private_key

_, ngettext = translator("app")

KEY = private_key("app", "pages")


def _make() -> list:
    return [
        st.Page("views/home.py", title=_("Home"), icon=":material/home:", default=True),
        st.Page("views/explorer.py", title=_("Explorer"), icon=":material/explore:", url_path="explorer"),
        st.Page("views/compare.py", title=_("Compare"), icon=":material/flag:", url_path="compare"),
        st.Page("views/network.py", title=_("Train a network"), icon=":material/hub:", url_path="network"),
        st.Page("views/guide.py", title=_("Guide"), icon=":material/menu_book:", url_path="guide"),
    ]


def pages() -> list:
    """Home, Explorer, Compare, Train a network, Guide: this session's page objects in its language."""
    kept = st.session_state.get(KEY)
    lang = i18n.lang()
    if kept is None or kept[0] != lang:
        kept = (lang, _make())
        st.session_state[KEY] = kept
    return kept[1]
