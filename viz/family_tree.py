"""The optimizers' family tree: which method descends from which, and what each one changed.

Plain data (EDGES, POSITIONS, YEARS, CHANGE, FAMILY) and one Plotly figure builder; never imports streamlit.
Read left to right: each column is a generation, each arrow a descent, and each box says what that method
added to its parents. Newton stands apart: it uses curvature, not a history of gradients.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import optimizers
from i18n import N_, translator

_, ngettext = translator("core")

# (parent, child). Newton descends from none of the first-order methods.
EDGES: tuple[tuple[str, str], ...] = (
    ("sgd", "momentum"),
    ("momentum", "nesterov"),
    ("sgd", "adagrad"),
    ("adagrad", "rmsprop"),
    ("adagrad", "adadelta"),
    ("momentum", "adam"),
    ("rmsprop", "adam"),
    ("adam", "amsgrad"),
    ("adam", "adamax"),
    ("adam", "nadam"),
    ("nesterov", "nadam"),
    ("adam", "adamw"),
    ("adam", "radam"),
    ("adam", "yogi"),
    ("adam", "adabelief"),
    ("adam", "adafactor"),
    ("momentum", "signum"),
    ("signum", "lion"),
    ("adamw", "lion"),
    ("adam", "lookahead"),
    ("momentum", "sf_sgd"),
    ("sf_sgd", "sf_adamw"),
    ("adamw", "sf_adamw"),
)

# What each method changed relative to its parents (the box's second line).
CHANGE: dict[str, str] = {
    "sgd": N_("step against g"),
    "momentum": N_("+ velocity b"),
    "nesterov": N_("look ahead"),
    "adagrad": N_("÷ √(Σg²) per coordinate"),
    "rmsprop": N_("sum → decaying average"),
    "adadelta": N_("units from past steps"),
    "adam": N_("m ÷ √v, bias-corrected"),
    "amsgrad": N_("max of v"),
    "adamax": N_("∞-norm instead of √v"),
    "nadam": N_("Nesterov inside Adam"),
    "adamw": N_("decoupled weight decay"),
    "radam": N_("rectified warm-up"),
    "yogi": N_("v moves additively"),
    "adabelief": N_("÷ √ of (g − m)²"),
    "adafactor": N_("relative step, clipping"),
    "signum": N_("sign of momentum"),
    "lion": N_("sign, two βs, decay"),
    "lookahead": N_("k steps, pull back"),
    "sf_sgd": N_("average instead of momentum"),
    "sf_adamw": N_("AdamW's steps, averaged"),
    "newton": N_("curvature: H⁻¹g"),
}

# Column = generation, row = lane; chosen so that no arrow crosses a box.
COLUMN = 1.3
POSITIONS: dict[str, tuple[float, float]] = {
    "sgd": (0 * COLUMN, 0.0),
    "momentum": (1 * COLUMN, 1.5),
    "adagrad": (1 * COLUMN, -1.5),
    "nesterov": (2 * COLUMN, 2.6),
    "rmsprop": (2 * COLUMN, -0.4),
    "adadelta": (2 * COLUMN, -2.6),
    "adam": (3 * COLUMN, 0.4),
    "nadam": (4 * COLUMN, 2.6),
    "amsgrad": (4 * COLUMN, 1.3),
    "adamax": (4 * COLUMN, 0.0),
    "adamw": (4 * COLUMN, -1.3),
    "radam": (4 * COLUMN, -2.6),
    # The newer methods, above and below the first ones (lanes found by a search that keeps every arrow off every box)
    "adabelief": (4 * COLUMN, 3.9),
    "yogi": (4 * COLUMN, -3.9),
    "lookahead": (4 * COLUMN, 5.2),
    "adafactor": (4 * COLUMN, -5.2),
    "signum": (2 * COLUMN, -4.55),
    "sf_sgd": (2 * COLUMN, 4.55),
    "lion": (5 * COLUMN, -4.55),
    "sf_adamw": (5 * COLUMN, 4.55),
    "newton": (0 * COLUMN, -2.6),
}
HALF_WIDTH = 0.56  # box half-sizes, in data units: three lines of 14 px text in a box 129 px wide at 1280 px
HALF_HEIGHT = 0.56
# the Schedule-Free boxes hold four lines (their titles wrap); nothing is above or below them in their columns
TALL: dict[str, float] = {"sf_sgd": 0.8, "sf_adamw": 0.8}
LABEL_PX = 120  # the widest line a box holds (CSS px) at 1280 px with the sidebar open, the projector's least

YEARS: dict[str, str] = {
    "sgd": "1951",
    "momentum": "1964",
    "nesterov": "1983",
    "adagrad": "2011",
    "rmsprop": "2012",
    "adadelta": "2012",
    "adam": "2014",
    "adamax": "2014",
    "nadam": "2016",
    "amsgrad": "2018",
    "adamw": "2019",
    "radam": "2020",
    "yogi": "2018",
    "adabelief": "2020",
    "adafactor": "2018",
    "signum": "2018",
    "lion": "2023",
    "lookahead": "2019",
    "sf_sgd": "2024",
    "sf_adamw": "2024",
    "newton": "1669",
}

FAMILY: dict[str, str] = {
    "sgd": N_("gradient descent"),
    "momentum": N_("momentum"),
    "nesterov": N_("momentum"),
    "adagrad": N_("adaptive step"),
    "rmsprop": N_("adaptive step"),
    "adadelta": N_("adaptive step"),
    "adam": N_("Adam family"),
    "amsgrad": N_("Adam family"),
    "adamax": N_("Adam family"),
    "nadam": N_("Adam family"),
    "adamw": N_("Adam family"),
    "radam": N_("Adam family"),
    "yogi": N_("Adam family"),
    "adabelief": N_("Adam family"),
    "adafactor": N_("Adam family"),
    "signum": N_("sign of the step"),
    "lion": N_("sign of the step"),
    "lookahead": N_("averaging iterates"),
    "sf_sgd": N_("averaging iterates"),
    "sf_adamw": N_("averaging iterates"),
    "newton": N_("second order"),
}
# Okabe–Ito colours (safe for colour-blind readers).
COLOURS: dict[str, str] = {
    "gradient descent": "#555555",
    "momentum": "#0072B2",
    "adaptive step": "#E69F00",
    "Adam family": "#009E73",
    "sign of the step": "#D55E00",
    "averaging iterates": "#56B4E9",
    "second order": "#CC79A7",
}


def half_height(name: str) -> float:
    """The box's half-height in data units."""
    return TALL.get(name, HALF_HEIGHT)


_NARROW, _WIDE = set("iljtfrI.,:;'()[]|!-/ "), set("mwMW")


def _px(text: str, bold: bool = False) -> float:
    """An estimate of the text's width at 14 px, never under Chromium's (its sans-serif: about 4 px a narrow
    letter, 7.5 most, 11 m or w, 14 a CJK character; bold 12 % wider)."""
    w = sum(14.0 if ord(ch) >= 0x2E80 else 4.2 if ch in _NARROW else 11.0 if ch in _WIDE else 7.6 for ch in text)
    return w * (1.12 if bold else 1.0)


def wrap(text: str, width: float = LABEL_PX, bold: bool = False) -> list[str]:
    """`text` in lines of at most `width` px: broken at spaces or after a hyphen, and between CJK characters."""
    words: list[str] = []
    for word in text.split(" "):
        parts = [p for p in word.replace("-", "-\0").split("\0") if p]
        if _px(word, bold) > width and any(ord(ch) >= 0x2E80 for ch in word):
            parts = list(word)
        words += [(p, i == len(parts) - 1) for i, p in enumerate(parts)]
    lines, line = [], ""
    for part, ends_word in words:
        joined = line + part
        if line and _px(joined.rstrip(), bold) > width:
            lines.append(line.rstrip())
            joined = part
        line = joined + (" " if ends_word and not (part and ord(part[-1]) >= 0x2E80) else "")
    if line.strip():
        lines.append(line.rstrip())
    return lines


def label(name: str) -> str:
    """The box's text: the title in bold, the year after it (or on a line of its own when the title is long), what
    the method changed under them, every line wrapped to the box."""
    title = wrap(optimizers.get(name).title, bold=True)
    year = YEARS[name]
    head = [f"<b>{t}</b>" for t in title]
    if _px(title[-1], bold=True) + _px(" " + year) <= LABEL_PX:
        head[-1] += f" <span style='color:#555'>{year}</span>"
    else:
        head.append(f"<span style='color:#555'>{year}</span>")
    return "<br>".join(head + wrap(_(CHANGE[name])))


def parents(name: str) -> tuple[str, ...]:
    """The methods `name` descends from directly (empty for SGD and Newton)."""
    return tuple(p for p, c in EDGES if c == name)


def edge_path(parent: str, child: str, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """The arrow's curve: a cubic Bézier from the parent box's right side to the child box's left side."""
    (x0, y0), (x3, y3) = POSITIONS[parent], POSITIONS[child]
    x0, x3 = x0 + HALF_WIDTH, x3 - HALF_WIDTH
    xm = (x0 + x3) / 2
    s = np.linspace(0.0, 1.0, n)[:, None]
    ctrl = np.array([[x0, y0], [xm, y0], [xm, y3], [x3, y3]])
    weights = np.hstack([(1 - s) ** 3, 3 * s * (1 - s) ** 2, 3 * s**2 * (1 - s), s**3])
    pts = weights @ ctrl
    return pts[:, 0], pts[:, 1]


def family_tree(highlight: str | None = None, height: int = 640) -> go.Figure:
    """The family tree: one box per optimizer (name, year, what it changed), one arrow per descent.

    `highlight`: an optimizer drawn with a thick border and tinted box (e.g. the one being read about).
    """
    if highlight is not None:
        optimizers.get(highlight)  # ValueError for an unknown name
    fig = go.Figure()
    for parent, child in EDGES:
        xs, ys = edge_path(parent, child)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": "#9a9a9a", "width": 2},
                hoverinfo="skip",
                showlegend=False,
                name=f"{parent} → {child}",
            )
        )
        fig.add_annotation(  # the arrowhead, pointing at the child's box
            x=xs[-1],
            y=ys[-1],
            ax=-14,
            ay=0,
            showarrow=True,
            arrowhead=2,
            arrowsize=1.3,
            arrowwidth=2,
            arrowcolor="#9a9a9a",
            text="",
        )
    for name, (x, y) in POSITIONS.items():
        colour = COLOURS[FAMILY[name]]
        chosen = name == highlight
        fig.add_shape(
            type="rect",
            x0=x - HALF_WIDTH,
            x1=x + HALF_WIDTH,
            y0=y - half_height(name),
            y1=y + half_height(name),
            line={"color": colour, "width": 5 if chosen else 2},
            fillcolor=colour if chosen else "#ffffff",
            opacity=1.0,
            layer="above",
            name=f"box:{name}",
        )
        if chosen:  # a light tint under the text
            fig.add_shape(
                type="rect",
                x0=x - HALF_WIDTH,
                x1=x + HALF_WIDTH,
                y0=y - half_height(name),
                y1=y + half_height(name),
                line={"width": 0},
                fillcolor="rgba(255,255,255,0.82)",
                layer="above",
            )
        fig.add_annotation(
            x=x,
            y=y,
            text=label(name),
            showarrow=False,
            font={"size": 14, "color": "#111111"},
            name=f"node:{name}",
        )
    names = list(POSITIONS)
    fig.add_trace(  # invisible markers: hovering a box shows the optimizer's one-line description
        go.Scatter(
            x=[POSITIONS[n][0] for n in names],
            y=[POSITIONS[n][1] for n in names],
            mode="markers",
            marker={"size": 60, "opacity": 0},
            hovertext=[f"{optimizers.get(n).title}: {optimizers.get(n).shown_description()}" for n in names],
            hoverinfo="text",
            showlegend=False,
            name="optimizers",
        )
    )
    for family, colour in COLOURS.items():  # legend: one square per family
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"size": 13, "symbol": "square-open", "color": colour, "line": {"width": 3}},
                name=_(family),
            )
        )
    xs = [p[0] for p in POSITIONS.values()]
    ys = [p[1] for p in POSITIONS.values()]
    fig.update_xaxes(visible=False, range=[min(xs) - 0.6, max(xs) + 0.6], fixedrange=True)
    fig.update_yaxes(visible=False, range=[min(ys) - 0.62, max(ys) + 0.62], fixedrange=True)
    fig.update_layout(
        height=height,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"color": "#111111", "size": 15},
        # the legend in the empty corner above SGD and Momentum: the boxes get the chart's whole height
        legend={"yanchor": "top", "y": 1.0, "x": 0.0, "xanchor": "left", "bgcolor": "rgba(255,255,255,0.9)"},
        dragmode=False,
    )
    return fig
