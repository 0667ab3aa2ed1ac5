"""The formula box shared by the Explorer and Compare pages: f(x, y) = ... and optional view bounds.

    surface, error = formula_input("explorer", container=st.sidebar)
    if surface is not None: ...           # a formula surface (name "custom"), else use the chosen built-in

Session-state keys: "{page}:formula" (the text) and "{page}:fxmin", "{page}:fxmax", "{page}:fymin",
"{page}:fymax" (the view). `formula_params()` gives the matching ui.state Params for the share link.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from i18n import N_, translator
from surfaces.base import Surface
from surfaces.formula import DEFAULT_BOUNDS, EXAMPLE, FUNCTIONS, MAX_BOUND, MAX_LENGTH, check_bounds, from_formula

from .state import Param, fmt_float, parse_float, setting_key

_, ngettext = translator("app")

BOUND_NAMES = ("fxmin", "fxmax", "fymin", "fymax")
BOUND_DEFAULTS = dict(zip(BOUND_NAMES, (v for pair in DEFAULT_BOUNDS for v in pair), strict=True))
BOUND_LABELS = {"fxmin": N_("x min"), "fxmax": N_("x max"), "fymin": N_("y min"), "fymax": N_("y max")}


def help_text() -> str:
    """The formula box's help, in the language in use."""
    return _(
        "Numbers, x, y, pi, e, + - * / and ^ (or **), parentheses, and {functions} (log is the natural log). "
        "Write products with *, e.g. 2*x. At most {n} characters. Leave empty to use the surface chosen above."
    ).format(functions=", ".join(FUNCTIONS), n=MAX_LENGTH)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|$~^"})


def escape_markdown(text: str) -> str:
    """The message as literal text for st.error/st.warning (which render Markdown and $...$ as LaTeX)."""
    return text.translate(_MARKDOWN)


def _parse_formula(text: str) -> str:
    if text.strip():
        from_formula(text)  # ValueError (with the reason) if the link's formula is not acceptable
    return text


def formula_params() -> list[Param]:
    """ui.state Params for the link: `formula` (empty = none) and the view bounds fxmin .. fymax."""
    bounds = [Param(name, BOUND_DEFAULTS[name], parse_float(-MAX_BOUND, MAX_BOUND), fmt_float) for name in BOUND_NAMES]
    return [Param("formula", "", _parse_formula), *bounds]


def formula_bounds(page: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The view bounds currently in session state (unchecked; defaults where unset)."""
    v = [st.session_state.get(setting_key(page, n), BOUND_DEFAULTS[n]) for n in BOUND_NAMES]
    return (v[0], v[1]), (v[2], v[3])


def formula_input(page: str, container: Any = None) -> tuple[Surface | None, str | None]:
    """Render `f(x, y) =` and the view bounds; return (surface, None), (None, error) or (None, None) when empty.

    A rejected formula or view is reported beside its control with st.error; the page then falls back to
    its built-in surface.
    """
    box = container if container is not None else st
    key = setting_key(page, "formula")
    if key not in st.session_state:
        st.session_state[key] = ""
    for name in BOUND_NAMES:
        st.session_state.setdefault(setting_key(page, name), BOUND_DEFAULTS[name])

    text = box.text_input("f(x, y) =", key=key, placeholder=EXAMPLE, help=help_text())
    text = text if isinstance(text, str) else ""
    message_slot = box.empty()  # the formula's error goes right under the box, above the bounds

    bounds_error = None
    try:
        bounds = check_bounds(formula_bounds(page))
    except ValueError as exc:
        bounds_error = str(exc)
    expander = box.expander(_("View bounds of the formula"), expanded=bounds_error is not None)
    cols = [*expander.columns(2), *expander.columns(2)]  # x min | x max, then y min | y max
    for col, name in zip(cols, BOUND_NAMES, strict=True):
        col.number_input(_(BOUND_LABELS[name]), key=setting_key(page, name), step=0.5, format="%g")
    if bounds_error is not None:
        expander.error(escape_markdown(bounds_error), icon="⚠️")

    if not text.strip():
        return None, None
    if bounds_error is not None:
        return None, bounds_error
    try:
        return from_formula(text, bounds), None
    except ValueError as exc:
        message = str(exc)
        message_slot.error(escape_markdown(message), icon="⚠️")
        return None, message
