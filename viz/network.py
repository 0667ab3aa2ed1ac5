"""Figures of the network page: training and validation curves of every optimizer on shared charts, and each
trained model's decision regions with the data on top. Never imports streamlit.

    fig = curves_figure(result)      # loss (log scale) and accuracy against epoch; solid training, dashed val.
    fig = regions_figure(result)     # one panel per optimizer (2-D datasets); None for Iris (4 features)

One colour per optimizer, the same as on the Compare page (viz.compare.COLORS), on every chart.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from i18n import N_, translator

from .compare import band_scale, color

_, ngettext = translator("core")

# Classes: saturated for the points, light tints of the same hues for the regions.
CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c")
REGION_COLORS = ("#c6dbef", "#fcc5b5", "#c7e9c0")
SPLIT_DASH = {"train": "solid", "val": "dash"}
SPLIT_LABEL = {"train": N_("training"), "val": N_("validation")}  # translated where shown
GRID = "#e5e5e5"
MARGIN = 0.5  # around the data, in standardised units
# Read on a projector: no chart text under 14 px (ticks, titles, legends, hover labels).
FONT = dict(size=16, color="#222222")
TITLE_FONT = dict(size=17)


def _axis_style() -> dict:
    return dict(showline=True, linecolor="#444444", gridcolor=GRID, zeroline=False, mirror=True)


def _log_ticks(result) -> list[float]:
    """1, 2, 5 times powers of ten over the range of the finite losses (Plotly labels every minor tick)."""
    values = np.concatenate([np.r_[c.train_loss, c.val_loss] for c in result.curves.values()])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return [1.0]
    lo, hi = math.floor(math.log10(values.min())), math.ceil(math.log10(values.max()))
    ticks = [m * 10.0**k for k in range(lo, hi + 1) for m in (1, 2, 5)]
    inside = [t for t in ticks if values.min() / 1.5 <= t <= values.max() * 1.5]
    return inside if len(inside) >= 2 else ticks


def accuracy_range(result) -> list[float]:
    """The accuracy axis from a little under the lowest accuracy after the first tenth of the run, to 100 %.

    From 0 %, curves that end between 90 % and 100 % share the top tenth of the panel and cannot be told apart;
    the first epochs (near chance) run off the bottom instead, and a double click shows everything.
    """
    lows = []
    for c in result.curves.values():
        for acc in (c.train_acc, c.val_acc):
            acc = np.asarray(acc, dtype=float)
            later = acc[max(1, len(acc) // 10) :]
            later = later[np.isfinite(later)]
            if later.size:
                lows.append(later.min())
    if not lows:
        return [0.0, 1.02]
    low = max(0.0, math.floor((min(lows) - 0.02) * 20) / 20)  # down to a multiple of 5 %
    return [low, 1.0 + 0.02 * (1.0 - low)]


def curves_figure(result) -> go.Figure:
    """Loss (cross-entropy, log scale) and accuracy per epoch: for every optimizer its training curve (solid)
    and validation curve (dashed), in the optimizer's colour; clicking a legend entry hides that optimizer on
    both charts. A cross marks where an optimizer diverged."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(_("Loss (cross-entropy, log scale)"), _("Accuracy")),
        horizontal_spacing=0.08,
    )
    for c in result.curves.values():
        col = color(c.name)
        for split in ("train", "val"):
            for panel, values, fmt in ((1, getattr(c, f"{split}_loss"), ".4f"), (2, getattr(c, f"{split}_acc"), ".1%")):
                fig.add_trace(
                    go.Scatter(
                        x=c.epochs,
                        y=values,
                        mode="lines",
                        name=c.title,
                        legendgroup=c.name,
                        showlegend=split == "train" and panel == 1,
                        line=dict(color=col, width=2.2 if split == "train" else 1.8, dash=SPLIT_DASH[split]),
                        hovertemplate=f"{c.title} · {_(SPLIT_LABEL[split])}<br>"
                        + _("epoch {n}").format(n="%{x}")
                        + "<br>"
                        + (_("loss") if panel == 1 else _("accuracy"))
                        + f" %{{y:{fmt}}}<extra></extra>",
                    ),
                    row=1,
                    col=panel,
                )
        if c.diverged:
            last = c.diverged_at - 1  # the last epoch with finite numbers
            fig.add_trace(
                go.Scatter(
                    x=[last],
                    y=[c.train_loss[last]],
                    mode="markers",
                    name=_("{optimizer} diverged").format(optimizer=c.title),
                    legendgroup=c.name,
                    showlegend=False,
                    marker=dict(symbol="x", size=13, color=col, line=dict(width=1, color="#000000")),
                    hovertemplate=_("{optimizer} diverged in epoch {n}").format(optimizer=c.title, n=c.diverged_at)
                    + "<extra></extra>",
                ),
                row=1,
                col=1,
            )
    # legend entries for the line styles
    for split in ("train", "val"):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=_(SPLIT_LABEL[split]),
                legendgroup=f"style-{split}",
                line=dict(color="#555555", dash=SPLIT_DASH[split], width=2),
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(title_text=_("epoch"), **_axis_style())
    fig.update_yaxes(type="log", tickvals=_log_ticks(result), tickformat=".2~g", row=1, col=1, **_axis_style())
    fig.update_yaxes(tickformat=".0%", range=accuracy_range(result), row=1, col=2, **_axis_style())
    fig.update_annotations(font=TITLE_FONT)  # the panels' titles
    fig.update_layout(
        height=500,
        margin=dict(l=70, r=20, t=50, b=130),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font=FONT,
        hoverlabel=dict(font_size=15),
        hovermode="closest",
        # under the x titles, anchored to the figure's bottom edge (not the plots'): never over an axis title
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", xanchor="left", x=0),
    )
    return fig


def regions_figure(result, n: int = 120, cols: int = 3) -> go.Figure | None:
    """For a 2-D dataset, one panel per optimizer: the class the trained network predicts over the plane
    (light tints), with the training points (circles) and validation points (diamonds) in their true class's
    colour on top. None for datasets with more than two features."""
    split = result.setup.split
    data = split.dataset
    if data.n_features != 2:
        return None
    names = list(result.curves)
    # At most two rows, so that the figure fits a 1280 x 720 projector under the top bar: 2 x 2 rather than 3 + 1
    # for four, then as many columns as two rows need
    count = len(names)
    cols = 2 if count == 4 and cols >= 2 else max(1, min(max(cols, math.ceil(count / 2)), count))
    rows = math.ceil(count / cols)
    titles = []
    for name in names:
        c = result.curves[name]
        if c.diverged:
            titles.append(f"<b>{c.title}</b> · " + _("diverged (epoch {n})").format(n=c.diverged_at))
        else:
            titles.append(f"<b>{c.title}</b> · " + _("val. {accuracy}").format(accuracy=f"{c.final_val_acc:.1%}"))
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.07, vertical_spacing=0.25 / rows
    )
    k = data.n_classes
    # a discrete colour scale: class i fills [i/k, (i+1)/k]
    scale = band_scale(REGION_COLORS[:k])
    for idx, name in enumerate(names):
        r, col = idx // cols + 1, idx % cols + 1
        grid = None if result.curves[name].diverged else result.decision_regions(name, n=n, margin=MARGIN)
        if grid is not None:
            xs, ys, classes = grid
            fig.add_trace(
                go.Heatmap(
                    x=xs,
                    y=ys,
                    z=classes.astype(np.int8),
                    zmin=-0.5,
                    zmax=k - 0.5,
                    colorscale=scale,
                    showscale=False,
                    hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>"
                    + _("predicted class {k}").format(k="%{z}")
                    + "<extra></extra>",
                    name=_("{optimizer} regions").format(optimizer=result.curves[name].title),
                ),
                row=r,
                col=col,
            )
        for part, X, y, symbol in (
            (_("training"), split.X_train, split.y_train, "circle"),
            (_("validation"), split.X_val, split.y_val, "diamond"),
        ):
            for cls in range(k):
                pts = X[y == cls]
                fig.add_trace(
                    go.Scatter(
                        x=pts[:, 0],
                        y=pts[:, 1],
                        mode="markers",
                        name=f"{_(data.class_names[cls])} ({part})",
                        legendgroup=f"{cls}-{part}",
                        showlegend=idx == 0,
                        marker=dict(
                            symbol=symbol,
                            size=6 if symbol == "circle" else 7,
                            color=CLASS_COLORS[cls],
                            line=dict(color="#ffffff", width=0.8),
                        ),
                        hovertemplate=f"{_(data.class_names[cls])} ({part})<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                        "<extra></extra>",
                    ),
                    row=r,
                    col=col,
                )
        axis = "" if idx == 0 else str(idx + 1)
        fig.update_yaxes(scaleanchor=f"x{axis}", scaleratio=1, row=r, col=col)
    X = np.concatenate([split.X_train, split.X_val])
    lo, hi = X.min(axis=0) - MARGIN, X.max(axis=0) + MARGIN
    style = dict(showgrid=False, zeroline=False, showline=True, linecolor="#444444", mirror=True, constrain="domain")
    fig.update_xaxes(range=[lo[0], hi[0]], **style)
    fig.update_yaxes(range=[lo[1], hi[1]], **style)
    fig.update_xaxes(title_text=_("x₁ (standardised)"), row=rows)
    fig.update_yaxes(title_text=_("x₂ (standardised)"), col=1)
    fig.update_annotations(font=TITLE_FONT)  # the panels' titles
    fig.update_layout(
        height=240 * rows + 150,
        margin=dict(l=70, r=20, t=45, b=140),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font=FONT,
        hoverlabel=dict(font_size=15),
        # under the x titles, anchored to the figure's bottom edge (not the plots'): never over an axis title
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", xanchor="left", x=0),
    )
    return fig
