"""What one client's messages may not do to the server: clear everyone's caches, or break its own session.

Two changes to how Streamlit handles a browser's messages (a `BackMsg` on the websocket), installed once per
process by app.py and kept in this one module so a Streamlit upgrade that moves a name breaks one test
(tests/ui/test_guard.py), not the app:

- `clear_cache`: Streamlit's handler (`AppSession._handle_clear_cache_request`) empties st.cache_data and
  st.cache_resource for every session on the server (the next visitor's first run went from 0.29 s to 5.95 s of
  CPU). Hiding the toolbar does not stop a client sending the message; here the server ignores it.
- A widget value the widget cannot take (NaN or a string for an integer box, a number for a selectbox ...):
  Streamlit's deserialiser raised before the page ran, on every later run of the session, until it was reloaded.
  Here a value whose deserialiser raises is dropped: the widget keeps the value it had, and the next run shows
  a notice (`install` shows it, at the top of the page, in the session that sent the value).
"""

from __future__ import annotations

import functools
import logging
import threading

import streamlit as st

from i18n import translator
from ui.internals import AppSession, Serialized, WStates

_, ngettext = translator("app")

_LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_installed = False
_dropped = threading.local()  # per script thread: the widgets whose value was dropped since its last run began


def _ignore_clear_cache(self: AppSession) -> None:
    """A client asked to clear the caches: they are shared by every session, so nothing is cleared."""
    _LOG.info("ignored a client's clear_cache request")


# Value fields a browser sends interchangeably for one widget (an integer box sends int_value, Streamlit's
# table says double_value; the kinds of trigger); any other field than the widget's own is not its value.
_SAME = [{"double_value", "int_value"}, {"trigger_value", "string_trigger_value", "json_trigger_value"}]


def _fits(sent: str | None, expected: str | None) -> bool:
    if sent is None or expected is None or sent == expected:
        return True
    return any(sent in group and expected in group for group in _SAME)


def _safe_getitem(original):
    @functools.wraps(original)
    def getitem(self: WStates, key: str):
        try:
            held = self.states.get(key)
            meta = self.widget_metadata.get(key)
            if isinstance(held, Serialized) and meta is not None:
                if not _fits(held.value.WhichOneof("value"), meta.value_type):
                    raise TypeError(f"{held.value.WhichOneof('value')} for a {meta.value_type} widget")
            return original(self, key)
        except KeyError:
            raise
        except Exception:  # the deserialiser could not read what the client sent: the value counts as absent
            # (left in place, not popped: Streamlit may be iterating over the states; every read of it says so)
            names = getattr(_dropped, "names", None)
            if names is None:
                names = _dropped.names = []
            names.append(widget_name(key))
            # Streamlit reads a missing widget value as "keep the previous one" (SessionState._compact_state,
            # which then clears the new states) and handles the KeyError wherever it reads one
            raise KeyError(key) from None

    getitem.__optlab_guard__ = True
    return getitem


def widget_name(widget_id: str) -> str:
    """The user key of a widget id ("$$ID-<hash>-<key>"), else the id itself (shortened)."""
    parts = widget_id.split("-", 2)
    if widget_id.startswith("$$ID-") and len(parts) == 3 and parts[2] != "None":
        return parts[2].rsplit(":", 1)[-1]
    return _("a control")


def check() -> list[str]:
    """What of Streamlit's internals the guards need and do not find (empty when all is where it was)."""
    import inspect

    missing = []
    handler = getattr(AppSession, "_handle_clear_cache_request", None)
    if handler is None:
        missing.append("AppSession._handle_clear_cache_request")
    elif "_handle_clear_cache_request" not in inspect.getsource(AppSession.handle_backmsg):
        missing.append("AppSession.handle_backmsg no longer calls _handle_clear_cache_request")
    getitem = getattr(WStates, "__getitem__", None)
    if getitem is None or "deserializer" not in inspect.getsource(getattr(getitem, "__wrapped__", getitem)):
        missing.append("WStates.__getitem__ (where a widget's value is deserialised)")
    return missing


def installed() -> bool:
    return _installed


def install() -> None:
    """Install both guards once per process; then show this session any value dropped since its last run.

    Called at the top of every run by app.py (the dropping happens as the run starts, on the same thread).
    """
    global _installed
    if not _installed:
        with _lock:
            if not _installed:
                AppSession._handle_clear_cache_request = _ignore_clear_cache
                if not getattr(WStates.__getitem__, "__optlab_guard__", False):
                    WStates.__getitem__ = _safe_getitem(WStates.__getitem__)
                _installed = True
    names = getattr(_dropped, "names", None)
    if names:
        _dropped.names = []
        shown = ", ".join(f"`{n}`" for n in dict.fromkeys(names))
        st.warning(
            _("Ignored a value for {controls} that the control cannot take; it keeps its previous value.").format(
                controls=shown
            )
        )
