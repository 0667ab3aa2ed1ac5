"""Settings that live in st.session_state and are mirrored in st.query_params, so a link reproduces a view.

A page declares its settings as a list of Param; `restore` copies valid query values into the widgets'
session-state keys (once per distinct URL, so the widgets then own the values), and `mirror` writes the
current values back into the URL. A malformed query value falls back to the default with a notice.

Every correction is said, and the link is rewritten in the same run (by `mirror`): a value rounded to an option
(a parse raises `Adjusted` with the value it used), a key given more than once (the last is used), and a value
read from unusual text (digits other than ASCII's, `1_0`, spaces around it).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from i18n import translator

_, ngettext = translator("app")


class Adjusted(ValueError):
    """Raised by a parse function that used a value other than the one written: `value`, and `why`."""

    def __init__(self, value: Any, why: str):
        super().__init__(why)
        self.value, self.why = value, why


@dataclasses.dataclass(frozen=True)
class Param:
    name: str  # the query-string key
    default: Any
    parse: Callable[[str], Any]  # str -> value; raises ValueError on a malformed or out-of-range value
    fmt: Callable[[Any], str] = str  # value -> str for the URL

    def key(self, page: str) -> str:
        return setting_key(page, self.name)


def setting_key(page: str, name: str) -> str:
    """The session-state key of a page's setting (its widget's key); `name` is the setting's URL key."""
    return f"{page}:{name}"


def private_key(page: str, what: str) -> str:
    """The session-state key of a page's state that is not a setting (never mirrored in the URL)."""
    return f"{page}::{what}"


def parse_float(low: float = -math.inf, high: float = math.inf) -> Callable[[str], float]:
    def parse(text: str) -> float:
        x = float(text)
        if not (math.isfinite(x) and low <= x <= high):
            raise ValueError(_("must be a finite number in [{low}, {high}]").format(low=f"{low:g}", high=f"{high:g}"))
        return x

    return parse


def parse_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        x = int(text)
        if not low <= x <= high:
            raise ValueError(_("must be a whole number in [{low}, {high}]").format(low=low, high=high))
        return x

    return parse


def parse_int_option(options: Sequence[int]) -> Callable[[str], int]:
    """One of `options` (whole numbers); a number between them is rounded to the nearest with Adjusted."""
    low, high = min(options), max(options)

    def parse(text: str) -> int:
        x = parse_int(low, high)(text)
        if x in options:
            return x
        nearest = min(options, key=lambda o: (abs(o - x), o))
        raise Adjusted(nearest, _("the nearest of {options}").format(options=", ".join(map(str, options))))

    return parse


def parse_choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(_("must be one of {options}").format(options=", ".join(options)))
        return text

    return parse


def parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError(_("must be true or false"))


def fmt_bool(value: Any) -> str:
    return "true" if value else "false"


def fmt_float(value: Any) -> str:
    return repr(float(value))


# Kept in every page's link whatever the page's settings (the language, chosen in app.py: ui/i18n.py), and no
# part of what makes a link new to a page: switching the language is not opening another link.
ALWAYS_KEPT = ("lang",)


def _url() -> tuple:
    return tuple(sorted((k, st.query_params.get(k)) for k in st.query_params if k not in ALWAYS_KEPT))


def url_is_fresh(page: str) -> bool:
    """True when the URL is one this session has neither seen (restored from) nor written itself."""
    url = _url()
    return st.session_state.get(private_key(page, "url")) != url and url != st.session_state.get(
        private_key(page, "mirrored")
    )


def restore(page: str, params: Sequence[Param]) -> list[str]:
    """Initialise each param's session-state key: from the URL when it is new to this session, else keep it.

    Returns notices for query values that were malformed (those settings fall back to their defaults).
    """
    notices: list[str] = []
    fresh_url = url_is_fresh(page)
    for p in params:
        key = p.key(page)
        if fresh_url and p.name in st.query_params:
            given = st.query_params.get_all(p.name)
            raw = given[-1]
            try:
                st.session_state[key] = p.parse(raw)
                if _unusual(raw) and p.fmt(st.session_state[key]) != raw:
                    notices.append(
                        _("Read `{name}={raw}` from the link as `{value}`.").format(
                            name=_code(p.name), raw=_code(raw), value=_code(p.fmt(st.session_state[key]))
                        )
                    )
            except Adjusted as adj:
                st.session_state[key] = adj.value
                notices.append(
                    _("Used `{name}={value}` for `{name}={raw}` from the link ({why}).").format(
                        name=_code(p.name), value=_code(p.fmt(adj.value)), raw=_code(raw), why=_code(adj.why)
                    )
                )
            except (ValueError, TypeError, OverflowError) as exc:
                notices.append(
                    _("Ignored `{name}={raw}` from the link (`{error}`); using `{value}`.").format(
                        name=_code(p.name), raw=_code(raw), error=_code(str(exc)), value=_code(p.fmt(p.default))
                    )
                )
                st.session_state[key] = p.default
            if len(given) > 1:
                notices.append(
                    ngettext(
                        "`{name}` is in the link {n} time; the last one counts.",
                        "`{name}` is in the link {n} times; the last one counts.",
                        len(given),
                    ).format(name=_code(p.name), n=len(given))
                )
        elif key not in st.session_state:
            st.session_state[key] = p.default
    st.session_state[private_key(page, "url")] = _url()
    return notices


def _unusual(text: str) -> bool:
    """Text a reader might not read as the value it gives: non-ASCII characters (Arabic or full-width digits),
    an underscore between digits, spaces around it."""
    return not text.isascii() or "_" in text or text != text.strip()


def value(page: str, name: str) -> Any:
    return st.session_state[setting_key(page, name)]


def mirror(page: str, params: Sequence[Param], keep: Sequence[str] = ()) -> None:
    """Write the current values into the URL (keys not in `params` or `keep` are dropped).

    One message to the browser when anything changed, not one per key: each is a URL update the browser renders.
    (No page binds a query parameter to a widget with `bind=`; `from_dict` would refuse to set a bound key.)
    """
    wanted = {p.name: [p.fmt(st.session_state[p.key(page)])] for p in params if p.key(page) in st.session_state}
    keep = (*keep, *ALWAYS_KEPT)
    kept = {k: st.query_params.get_all(k) for k in st.query_params if k in keep and k not in wanted}
    new = kept | wanted
    if new != {k: st.query_params.get_all(k) for k in st.query_params}:
        st.query_params.from_dict(new)
    st.session_state[private_key(page, "mirrored")] = _url()
    st.session_state[private_key(page, "url")] = st.session_state[private_key(page, "mirrored")]


def _code(text: str) -> str:
    """Text safe inside a Markdown `code span` (no backticks, no line breaks, at most 80 characters)."""
    text = str(text).replace("`", "'").replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 80 else text[:77] + "..."
