"""The start point, one helper for every page that runs from a point (Explorer, Compare): its two boxes, the
surface's suggested starts as buttons, its check, and a click on a map.

    PARAMS = [..., *start.params(surface.default_start)]                 # x0 and y0 in the link
    x0, y0 = start.inputs(PAGE, x_box, y_box, labels=("x₀", "y₀"))   # the two boxes (settings x0, y0)
    start.suggestions(PAGE, surface, caption_box, buttons_box)               # a button per suggested start
    point = start.checked(surface, x0, y0, message_box)   # the start to run from; a message beside the boxes
    point = start.clicked(event)          # a click on a Plotly map (its click targets) or on the Explorer's stage
    start.set_start(PAGE, point)          # in a callback: the new start in the boxes (and so in the URL)

The settings are `x0` and `y0` of the page (PAGE.key); a click is identified by the click targets' legend group
that viz.surface_map gives them (surface_map.CLICK_GROUP), not by the trace's position in the figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from i18n import translator
from ui import state
from ui.page import Page
from viz import surface_map

_, ngettext = translator("app")

CLICK_DIGITS = 3  # a clicked start is rounded to 3 decimals: a readable number in the box and the link


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def params(default: Sequence[float]) -> list[state.Param]:
    """The start's two settings for the link: x0 and y0 (any finite number up to 10⁶; `checked` says more)."""
    return [
        state.Param("x0", float(default[0]), state.parse_float(-1e6, 1e6), state.fmt_float),
        state.Param("y0", float(default[1]), state.parse_float(-1e6, 1e6), state.fmt_float),
    ]


def set_start(page: Page, point: Sequence[float]) -> None:
    """The start boxes take `point` (call it from a callback: before the boxes exist in the run)."""
    page.set("x0", float(point[0]))
    page.set("y0", float(point[1]))


def inputs(
    page: Page, x_box: Any, y_box: Any, *, labels: tuple[str, str], helps: tuple[str, str] | None = None
) -> tuple[Any, Any]:
    """The two number boxes, x0 and y0 (unchecked values: `checked` checks them)."""
    helps = helps or (None, None)
    x0 = x_box.number_input(labels[0], key=page.key("x0"), help=helps[0], step=0.1, format="%g")
    y0 = y_box.number_input(labels[1], key=page.key("y0"), help=helps[1], step=0.1, format="%g")
    return x0, y0


def suggestions(page: Page, surface, caption_box: Any, buttons_box: Any) -> None:
    """The surface's suggested starts, one button each (a click sets the boxes)."""
    starts = np.asarray(surface.starts, dtype=float).reshape(-1, 2)
    if not len(starts):
        return
    caption_box.caption(_("Suggested starts (or click anywhere on the map):"))
    row = buttons_box.container(horizontal=True, wrap=True, gap="small")
    for i, (x, y) in enumerate(starts):
        row.button(
            f"({_fmt(x)}, {_fmt(y)})",
            key=page.private(f"start{i}"),
            on_click=set_start,
            args=(page, (float(x), float(y))),
            width="content",
        )


def checked(surface, x0: Any, y0: Any, message_box: Any) -> tuple[float, float]:
    """The start to run from: (x0, y0) when they are finite numbers inside the region where runs are followed
    (surface.divergence_box: ten view-widths around the map), else the surface's suggested start, said beside the
    boxes. A start outside the map's view runs, with a caption saying so."""
    lo, hi = surface.divergence_box()
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x0, y0))
    if ok and lo[0] <= x0 <= hi[0] and lo[1] <= y0 <= hi[1]:
        (bx0, bx1), (by0, by1) = surface.bounds
        if not (bx0 <= x0 <= bx1 and by0 <= y0 <= by1):
            message_box.caption(
                _("The start ({x}, {y}) is outside the map's view; the path may leave the picture.").format(
                    x=f"{x0:g}", y=f"{y0:g}"
                )
            )
        return float(x0), float(y0)
    d = surface.default_start
    message_box.error(
        _(
            "The start must be finite and within x ∈ [{x0}, {x1}], y ∈ [{y0}, {y1}] (ten view-widths around the "
            "map, where runs are followed). Using ({x}, {y}), the surface's suggested start."
        ).format(x0=f"{lo[0]:g}", x1=f"{hi[0]:g}", y0=f"{lo[1]:g}", y1=f"{hi[1]:g}", x=_fmt(d[0]), y=_fmt(d[1])),
        icon=":material/warning:",
    )
    return float(d[0]), float(d[1])


def clicked(event: Any) -> tuple[float, float] | None:
    """The point a click chose, rounded, or None: `event` is st.plotly_chart's selection state (only a point of
    the map's click targets counts, found by their legend group) or the Explorer stage's [x, y]."""
    if isinstance(event, dict) or hasattr(event, "get"):
        points = ((event or {}).get("selection") or {}).get("points") or []
        hits = [p for p in points if p.get("legendgroup") == surface_map.CLICK_GROUP]
        if not hits:
            return None
        event = (hits[0].get("x"), hits[0].get("y"))
    try:
        x, y = (float(v) for v in event)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return round(x, CLICK_DIGITS), round(y, CLICK_DIGITS)
