"""The page helper every page is built on: the only place that spells a page's session and URL keys.

    PAGE = Page("network")
    PAGE.key("epochs")          # "network:epochs": the widget's key, and its setting's name in the URL
    PAGE.private("run")         # "network::run": page state that is not a setting (never in the URL)
    notices = PAGE.restore(params)   # settings from the link when it is new to this session (ui.state)
    PAGE.mirror(params)              # the settings back into the URL, one message per run
    PAGE.run(main, "the page")       # main() under the page's error guard: a message, never a traceback; and
                                     # a comma typed in a number box read as the decimal point (ui.decimal_comma)
    with PAGE.guard("the page"):     # the same guard around a fragment's body (a fragment's rerun does not
        ...                          # pass through main())

A page is a `main()` of section functions over its Page. The key formats themselves live in ui.state
(`setting_key`, `private_key`), which ui.controls and ui.formula use too.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import streamlit as st

from i18n import translator

from . import decimal_comma, state

_, ngettext = translator("app")


@dataclasses.dataclass(frozen=True)
class Page:
    name: str

    # -- keys ---------------------------------------------------------------------------------------------
    def key(self, setting: str) -> str:
        """A setting's widget key (the setting is named `setting` in the URL)."""
        return state.setting_key(self.name, setting)

    def private(self, what: str) -> str:
        """The key of page state that is not a setting (a run id, the current step, a notice)."""
        return state.private_key(self.name, what)

    # -- values -------------------------------------------------------------------------------------------
    def get(self, setting: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(setting), default)

    def set(self, setting: str, value: Any) -> None:
        st.session_state[self.key(setting)] = value

    def get_private(self, what: str, default: Any = None) -> Any:
        return st.session_state.get(self.private(what), default)

    def set_private(self, what: str, value: Any) -> None:
        st.session_state[self.private(what)] = value

    def pop_private(self, what: str, default: Any = None) -> Any:
        return st.session_state.pop(self.private(what), default)

    # -- the URL ------------------------------------------------------------------------------------------
    def url_is_fresh(self) -> bool:
        """True when the URL is one this session has neither seen nor written (a link just opened)."""
        return state.url_is_fresh(self.name)

    def restore(self, params: Sequence[state.Param]) -> list[str]:
        return state.restore(self.name, params)

    def mirror(self, params: Sequence[state.Param], keep: Sequence[str] = ()) -> None:
        state.mirror(self.name, params, keep)

    # -- the guard ----------------------------------------------------------------------------------------
    def run(self, main: Callable[[], None], what: str) -> None:
        """Run the page's main() so that an unexpected error is a message on the page, never a traceback."""
        decimal_comma.install()
        with self.guard(what):
            main()

    @contextlib.contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """An unexpected error in the block is a message where the block was drawing, never a traceback.

        `what` names the page in the message ("the network page"): pass it through `_` where it is written.

        Streamlit's own control flow (st.stop, st.rerun) passes through: it raises BaseExceptions, not Exceptions.
        """
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - never a traceback on the page
            st.error(
                _("Something went wrong while drawing {what}: {error}. Change a setting to try again.").format(
                    what=what, error=exc
                ),
                icon="⚠️",
            )
