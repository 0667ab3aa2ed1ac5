"""Figures of the Compare page: the race (an animated map with every path beside loss against step), the
learning-rate sweep, and the basin map. Built on viz.surface_map (the map, paths, animation controls), as
plain figure dicts with base64 float32 arrays (hand them to st.plotly_chart through surface_map.prepared).

    spec = race_spec(surface, trajs, names)           # map (x, y) and loss (x2, y2), shared frames
    fig = sweep_figure(sweeps, f_star)               # final loss against learning rate, one line per optimizer
    spec = basin_spec(surface, basin, mode="minimum") # which minimum each start reaches, over the surface
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from i18n import translator
from optimizers.analysis import DIVERGED, ESCAPED, NOT_REACHED, UNDEFINED

from . import surface_map as sm

_, ngettext = translator("core")

# One colour per optimizer, the same on every chart, from Okabe and Ito's colour-blind-safe palette (its
# yellow and black left out: they vanish on the map's light and dark ends). Six colours for 21 optimizers:
# each also has its own marker and dash, so two racers differ by more than colour, and its markers a white
# rim, so a path stays visible on every part of the map's colour scale (yellow to dark purple).
VERMILLION, SKY_BLUE, GREEN, ORANGE, PURPLE, BLUE = "#d55e00", "#56b4e9", "#009e73", "#e69f00", "#cc79a7", "#0072b2"
STYLES: dict[str, tuple[str, str, str]] = {  # name: (colour, marker symbol, dash)
    "sgd": (VERMILLION, "circle", "solid"),
    "momentum": (SKY_BLUE, "square", "dash"),
    "nesterov": (BLUE, "diamond", "dot"),
    "adagrad": (GREEN, "triangle-up", "dashdot"),
    "adadelta": (ORANGE, "triangle-down", "longdash"),
    "rmsprop": (PURPLE, "pentagon", "dot"),
    "adam": (ORANGE, "star", "solid"),
    "amsgrad": (VERMILLION, "hexagon", "dashdot"),
    "adamax": (GREEN, "cross", "dash"),
    "nadam": (BLUE, "x", "longdash"),
    "adamw": (SKY_BLUE, "triangle-left", "dot"),
    "radam": (PURPLE, "triangle-right", "dash"),
    "yogi": (VERMILLION, "hourglass", "longdashdot"),
    "adabelief": (SKY_BLUE, "bowtie", "dashdot"),
    "adafactor": (GREEN, "hexagram", "longdash"),
    "signum": (ORANGE, "star-triangle-up", "dot"),
    "lion": (PURPLE, "diamond-wide", "longdashdot"),
    "lookahead": (BLUE, "square-x", "dash"),
    "sf_sgd": (VERMILLION, "diamond-tall", "dot"),
    "sf_adamw": (ORANGE, "circle-x", "dashdot"),
    "newton": (BLUE, "triangle-up", "solid"),
}
COLORS: dict[str, str] = {name: c for name, (c, _, _) in STYLES.items()}
RIM = "#ffffff"  # the markers' edge
NOT_REACHED_COLOR = "#a6a6a6"
DIVERGED_COLOR = "#1a1a1a"
ESCAPED_COLOR = "#56b4e9"  # left the map going downhill: sky blue, unlike any minimum's colour
UNDEFINED_COLOR = "#b2df8a"  # reached a point where the gradient is undefined
# the basin map's classes after the minima, in the order of their z values k, k + 1, ...
STOP_LABELS = (NOT_REACHED, DIVERGED, ESCAPED, UNDEFINED)
BASIN_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#17becf",
    "#e377c2",
    "#8c564b",
    "#bcbd22",
    "#393b79",
)
# Few steps blue, many red (an explicit list: st.plotly_chart's theme replaces named colour scales).
STEPS_SCALE = [
    [0.0, "#313695"],
    [0.2, "#4575b4"],
    [0.4, "#74add1"],
    [0.5, "#e0f3f8"],
    [0.6, "#fee090"],
    [0.8, "#f46d43"],
    [1.0, "#a50026"],
]
LOSS_FLOOR = 1e-16  # loss − f* is drawn on a log axis: values at or below 0 sit on this floor
MAP_DOMAIN = (0.0, 0.55)
LOSS_DOMAIN = (0.66, 1.0)


def color(name: str) -> str:
    return COLORS.get(name, "#333333")


def symbol(name: str) -> str:
    return STYLES.get(name, ("", "circle", ""))[1]


def dash(name: str) -> str:
    return STYLES.get(name, ("", "", "solid"))[2]


def frame_stride(steps: int, max_frames: int = 80) -> int:
    return max(1, math.ceil(steps / max_frames))


def loss_axis_values(losses: np.ndarray, f_star: float | None) -> np.ndarray:
    """What the loss plot draws: loss − f* floored at LOSS_FLOOR (log axis), or the loss itself if f* is unknown."""
    losses = np.asarray(losses, dtype=np.float64)
    if f_star is None:
        return losses
    return np.maximum(losses - f_star, LOSS_FLOOR)


# -- the race ---------------------------------------------------------------------------------------------
def race_spec(
    surface,
    trajs: Sequence,
    names: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    f_star: float | None = None,
    clickable: bool = True,
    max_frames: int = 80,
    height_px: int = 580,
) -> dict:
    """The race as one figure dict: the map (left) with every path, loss against step (right), shared frames.

    Per racer: its path on the map, a head marker, and its loss curve (one legend entry toggles all three).
    Frame k shows every path up to the same step (decimated to the frames' stride; the last frame is full
    resolution, and the figure opens on it). `layout.meta` has `map_traces` (how many map traces come first:
    the click targets are at index 1 when `clickable`) and `racers` (the first trace index per racer).
    """
    labels = list(labels) if labels is not None else [str(n) for n in names]
    spec = sm.map_spec(surface, clickable=clickable, height_px=height_px)
    data, layout = spec["data"], spec["layout"]
    n_map = len(data)
    layout["xaxis"]["domain"] = list(MAP_DOMAIN)
    log = f_star is not None
    layout["xaxis2"] = dict(
        domain=list(LOSS_DOMAIN), anchor="y2", title=dict(text=_("step")), showline=True, linecolor="#444444"
    )
    layout["yaxis2"] = dict(
        anchor="x2",
        type="log" if log else "linear",
        showline=True,
        linecolor="#444444",
        gridcolor="#e5e5e5",
        exponentformat="power",
    )
    # no legend title: on a projector the entries need the whole width (the page's caption says what a click does)
    layout["margin"] = dict(l=60, r=20, t=60, b=175)
    layout["annotations"] = [  # the loss panel's title above it (an axis title would sit on the map)
        dict(
            text=_("loss − f* (log scale)") if log else _("loss"),
            xref="paper",
            yref="paper",
            x=LOSS_DOMAIN[1],
            y=1.0,
            xanchor="right",
            yanchor="top",
            bgcolor="rgba(255,255,255,0.8)",
            showarrow=False,
            font=dict(size=14),
        )
    ]

    steps = int(trajs[0].steps) if trajs else 0
    stride = frame_stride(steps, max_frames)
    frame_at = list(range(0, steps + 1, stride))
    if frame_at[-1] != steps:
        frame_at.append(steps)

    moving: list[int] = []
    firsts: list[int] = []
    finals: list[list[dict]] = []
    per_frame: list[list[dict]] = [[] for _frame in frame_at]
    big = float(np.finfo(np.float32).max)  # drawn in float32: a path that ran off stays finite
    step_words = _("step {t}").format(t="%{x}")
    loss_words = _("loss − f*") if log else _("loss")
    for traj, name, label in zip(trajs, names, labels, strict=True):
        c = color(name)
        pts = np.clip(np.asarray(traj.points, dtype=np.float64).reshape(-1, 2), -big, big)
        yl = np.clip(loss_axis_values(traj.losses, f_star), -big, big)
        group = f"racer-{len(firsts)}"
        path = sm.path_trace(pts, name=label, color=c, marker_size=8)
        path["line"]["dash"] = dash(name)
        # a marker on at most 40 points: on a long path dense white rims would hide the colour
        path["marker"].update(symbol=symbol(name), line=dict(color=RIM, width=1), maxdisplayed=40)
        path["legendgroup"] = group
        common = dict(type="scatter", legendgroup=group, showlegend=False, name=label)
        head = dict(
            common,
            x=sm.b64(pts[-1:, 0]),
            y=sm.b64(pts[-1:, 1]),
            mode="markers",
            marker=dict(size=16, color=c, symbol=symbol(name), line=dict(color=RIM, width=2)),
            hovertemplate=_("{racer}: now at {point}").format(racer=label, point="(%{x:.4g}, %{y:.4g})")
            + "<extra></extra>",
            xaxis="x",
            yaxis="y",
        )
        loss = dict(
            common,
            x0=0,
            dx=1,
            y=sm.b64(yl),
            mode="lines",
            line=dict(color=c, width=2.5, dash=dash(name)),
            hovertemplate=f"{label}<br>{step_words}<br>{loss_words} %{{y:.4g}}<extra></extra>",
            xaxis="x2",
            yaxis="y2",
        )
        dot = dict(
            common,
            x=[steps],
            y=[float(yl[-1])],
            mode="markers",
            marker=dict(size=12, color=c, symbol=symbol(name), line=dict(color=RIM, width=1.5)),
            hoverinfo="skip",
            xaxis="x2",
            yaxis="y2",
        )
        first = len(data)
        firsts.append(first)
        data.extend([path, head, loss, dot])
        moving.extend(range(first, first + 4))
        finals.append(
            [
                {"x": path["x"], "y": path["y"]},
                {"x": head["x"], "y": head["y"]},
                {"x0": 0, "dx": 1, "y": loss["y"]},
                {"x": dot["x"], "y": dot["y"]},
            ]
        )
        for k, t in enumerate(frame_at):
            sel = np.arange(0, t + 1, stride)  # t is a multiple of the stride (the last frame is replaced below)
            per_frame[k] += [
                dict(x=sm.b64(pts[sel, 0]), y=sm.b64(pts[sel, 1])),
                dict(x=sm.b64(pts[t : t + 1, 0]), y=sm.b64(pts[t : t + 1, 1])),
                dict(x0=0, dx=stride, y=sm.b64(yl[sel])),
                dict(x=[t], y=[float(yl[t])]),
            ]
    per_frame[-1] = [tr for f in finals for tr in f]  # the last frame: full resolution, as the figure opens
    layout["xaxis2"]["range"] = [0, max(steps, 1)]
    if log and trajs:
        allv = np.concatenate([loss_axis_values(t.losses, f_star) for t in trajs])
        lo, hi = float(np.log10(allv.min())), float(np.log10(allv.max()))
        layout["yaxis2"]["range"] = [lo - 0.3, hi + 0.3]
    elif trajs:  # no known minimum (a saddle may have no bottom): fit the losses met inside the map's view
        (x0, x1), (y0, y1) = surface.bounds
        parts = []
        for t in trajs:
            p = np.asarray(t.points).reshape(-1, 2)
            inside = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
            parts.append(np.asarray(t.losses, dtype=np.float64).ravel()[inside])
        allv = np.concatenate(parts)
        allv = allv[np.isfinite(allv)]
        if allv.size == 0:
            allv = np.concatenate([np.asarray(t.losses, dtype=np.float64).ravel() for t in trajs])
        pad = 0.05 * (allv.max() - allv.min() or 1.0)
        layout["yaxis2"]["range"] = [float(allv.min() - pad), float(allv.max() + pad)]
    labels_f = [str(t) for t in frame_at]
    if trajs:
        spec["frames"] = sm.frames_spec(per_frame, traces=moving, labels=labels_f)
        layout.update(sm.animation_controls(labels_f))
        replay = dict(
            label="↺ " + _("Replay"),
            method="animate",
            args=[
                None,
                dict(
                    frame=dict(duration=80, redraw=False),
                    transition=dict(duration=0),
                    fromcurrent=False,
                    mode="immediate",
                ),
            ],
        )
        # Replay beside Play; the buttons on one row, the scrubber full width under them
        menu = layout["updatemenus"][0]
        menu["buttons"].append(replay)
        menu.update(x=0.0, y=-0.17)  # under the map's x title
        layout["sliders"][0].update(x=0.0, len=1.0, y=-0.28, font=dict(size=14))
    layout["meta"] = {"map_traces": n_map, "racers": firsts, "frame_steps": frame_at}
    return spec


# -- the learning-rate sweep ------------------------------------------------------------------------------
def sweep_figure(sweeps: Sequence, labels: Sequence[str] | None = None, f_star: float | None = None) -> go.Figure:
    """Final loss against learning rate (log x), a line per optimizer over the rates that ran all their steps;
    diverged rates as crosses along the top, rates that reached an undefined point as circled crosses there,
    rates that left the map going downhill as triangles along the bottom (their loss fell off the map), and
    each optimizer's best rate as a star. The y axis is loss − f* on a log scale when f* is known."""
    labels = list(labels) if labels is not None else [s.optimizer for s in sweeps]
    log = f_star is not None
    fig = go.Figure()
    values = [loss_axis_values(s.final_loss, f_star) for s in sweeps]
    ok_vals = np.concatenate([v[s.ran] for v, s in zip(values, sweeps, strict=True)] or [np.zeros(0)])
    ok_vals = ok_vals[np.isfinite(ok_vals)]
    if ok_vals.size:
        span = float(np.ptp(ok_vals)) or 1.0
        top = float(ok_vals.max()) * 10 if log else float(ok_vals.max() + 0.1 * span)
        bottom = (
            float(ok_vals[ok_vals > 0].min()) / 10 if log and (ok_vals > 0).any() else float(ok_vals.min() - 0.1 * span)
        )
    else:
        top, bottom, span = 1.0, 0.0, 1.0
    what = _("final loss − f*") if log else _("final loss")

    def lane(edge: float, j: int, up: bool) -> float:
        """One row of markers per optimizer along the top or bottom edge, so that they do not hide each other."""
        if log:
            return edge * (1.8**j if up else 1.8**-j)
        return edge + (1 if up else -1) * 0.06 * span * j

    for j, (s, v, label) in enumerate(zip(sweeps, values, labels, strict=True)):
        low = lane(bottom, j, False)
        c = color(s.optimizer)
        ok = s.ran
        fig.add_trace(
            go.Scatter(
                x=s.rates[ok],
                y=v[ok],
                mode="lines+markers",
                name=label,
                legendgroup=label,
                line=dict(color=c, width=2, dash=dash(s.optimizer)),
                marker=dict(size=8, color=c, symbol=symbol(s.optimizer), line=dict(color=RIM, width=1)),
                hovertemplate=f"{label}<br>γ = %{{x:.3g}}<br>{what} %{{y:.4g}}<extra></extra>",
            )
        )
        stops = (
            (s.diverged, s.diverged_at, lane(top, j, True), "x-thin", _("diverged"), _("diverged at step {t}")),
            (
                s.undefined,
                s.undefined_at,
                lane(top, j, True),
                "circle-x-open",
                _("the gradient or step is undefined"),
                _("the gradient or step is undefined at step {t}"),
            ),
            (
                s.escaped,
                s.escaped_at,
                low,
                "triangle-down",
                _("left the map going downhill"),
                _("left the map going downhill at step {t}"),
            ),
        )
        for mask, at, y, mark, short, words in stops:
            if mask.any():
                fig.add_trace(
                    go.Scatter(
                        x=s.rates[mask],
                        y=np.full(int(mask.sum()), y),
                        mode="markers",
                        name=f"{label}: {short}",
                        legendgroup=label,
                        showlegend=False,
                        marker=dict(symbol=mark, size=11, color=c, line=dict(color=c, width=2)),
                        customdata=at[mask],
                        hovertemplate=f"{label}<br>γ = %{{x:.3g}}: {words.format(t='%{customdata}')}<extra></extra>",
                    )
                )
        if s.best_index is not None:
            i = s.best_index
            by_escape = bool(s.escaped[i])
            best = _("{racer}: best γ = {lr}").format(racer=label, lr="%{x:.4g}")
            hover = (
                best + "<br>" + _("it leaves the map downhill soonest (step {t})").format(t=int(s.escaped_at[i]))
                if by_escape
                else f"{best}<br>{what} %{{y:.4g}}"
            )
            fig.add_trace(
                go.Scatter(
                    x=[s.rates[i]],
                    y=[low if by_escape else v[i]],
                    mode="markers",
                    name=_("{racer}: best").format(racer=label),
                    legendgroup=label,
                    showlegend=False,
                    marker=dict(symbol="star", size=18, color=c, line=dict(color="#000000", width=1)),
                    hovertemplate=hover + "<extra></extra>",
                )
            )
    fig.update_layout(
        height=460,
        margin=dict(l=70, r=20, t=40, b=60),
        plot_bgcolor="#ffffff",
        font=sm.FONT,
        # on log axes a label per decade only: plotly draws the in-between digits (2, 5) too small to read
        xaxis=dict(
            type="log", dtick=1, title=dict(text=_("learning rate γ")), exponentformat="power", gridcolor="#e5e5e5"
        ),
        yaxis=dict(
            type="log" if log else "linear",
            dtick=1 if log else None,
            title=dict(text=what),
            exponentformat="power",
            gridcolor="#e5e5e5",
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
        hovermode="closest",
    )
    return fig


# -- the basin map ----------------------------------------------------------------------------------------
def band_scale(colors: Sequence[str]) -> list:
    """A colorscale of equal bands, one per colour, for integer z from 0 to len(colors) − 1."""
    n = len(colors)
    out = []
    for i, c in enumerate(colors):
        out += [[i / n, c], [(i + 1) / n, c]]
    return out


def basin_color(label: int) -> str:
    stop = {
        DIVERGED: DIVERGED_COLOR,
        NOT_REACHED: NOT_REACHED_COLOR,
        ESCAPED: ESCAPED_COLOR,
        UNDEFINED: UNDEFINED_COLOR,
    }
    return stop[label] if label in stop else BASIN_PALETTE[label % len(BASIN_PALETTE)]


def basin_z(basin) -> np.ndarray:
    """The heatmap's z in "minimum" mode: a minimum's index, then k, k + 1, ... for STOP_LABELS in order."""
    k = len(basin.minima)
    z = np.where(basin.label >= 0, basin.label, -1).astype(np.float64)
    for j, lab in enumerate(STOP_LABELS):
        z[basin.label == lab] = k + j
    return z


def basin_spec(surface, basin, mode: str = "minimum", *, title: str = "", height_px: int = 600) -> dict:
    """The basin map as a figure dict over the surface: by `mode` "minimum" (which minimum each start
    reaches: a colour per minimum, grey for none, black for diverged, sky blue for left the map going downhill,
    pale green for an undefined point) or "steps" (how many steps it took; the stopped starts in their colours)."""
    spec = sm.map_spec(surface, height_px=height_px)
    data, layout = spec["data"], spec["layout"]
    xs, ys = basin.xs, basin.ys
    k = len(basin.minima)
    common = dict(type="heatmap", x=sm.b64(xs), y=sm.b64(ys), xaxis="x", yaxis="y", hoverongaps=False)
    extra: list[dict] = []  # more heatmaps (drawn under the map's lines)
    legend: list[dict] = []  # legend entries
    if mode == "minimum":
        labels = list(range(k)) + list(STOP_LABELS)
        colors = [basin_color(lab) for lab in labels]
        z = basin_z(basin)
        text_of = {lab: _label_text(basin, lab) for lab in labels}
        heat = dict(
            common,
            z=sm.b64(z),
            colorscale=band_scale(colors),
            zmin=-0.5,
            zmax=k + len(STOP_LABELS) - 0.5,
            showscale=False,
            opacity=0.62,
            hovertemplate=_("start {point}").format(point="(%{x:.2f}, %{y:.2f})") + "<extra></extra>",
            name=_("basins"),
        )
        counts = basin.counts()
        for lab in labels:
            if counts[lab] == 0 or (lab >= 0 and k > len(BASIN_PALETTE)):
                continue
            legend.append(_legend_square(basin_color(lab), f"{text_of[lab]} ({counts[lab] / basin.label.size:.0%})"))
    else:
        z = np.where(basin.steps_to >= 0, basin.steps_to, np.nan).astype(np.float64)
        heat = dict(
            common,
            z=sm.b64(z),
            colorscale=STEPS_SCALE,
            zmin=0,
            zmax=float(np.nanmax(z)) if np.isfinite(z).any() else 1.0,
            opacity=0.7,
            colorbar=dict(title=dict(text=_("steps")), len=0.8),
            hovertemplate=_("start {point}").format(point="(%{x:.2f}, %{y:.2f})")
            + "<br>"
            + _("{n} steps").format(n="%{z:.0f}")
            + "<extra></extra>",
            name=_("steps to a minimum"),
        )
        for lab in (DIVERGED, ESCAPED, UNDEFINED):
            bad = np.where(basin.label == lab, 1.0, np.nan)
            if np.isfinite(bad).any():
                extra.append(
                    dict(
                        common,
                        z=sm.b64(bad),
                        colorscale=[[0, basin_color(lab)], [1, basin_color(lab)]],
                        showscale=False,
                        opacity=0.75,
                        hovertemplate=_("start {point}").format(point="(%{x:.2f}, %{y:.2f})")
                        + f"<br>{_label_text(basin, lab)}<extra></extra>",
                        name=_label_text(basin, lab),
                    )
                )
                share = np.isfinite(bad).mean()
                legend.append(_legend_square(basin_color(lab), f"{_label_text(basin, lab)} ({share:.0%})"))
    spec["data"] = [heat, *extra, *data, *legend]
    layout["legend"] = dict(layout.get("legend", {}), orientation="h")
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=16))
        layout["margin"] = dict(l=60, r=20, t=90, b=50)
    layout["meta"] = {"map_traces": len(data), "heatmaps": 1 + len(extra), "mode": mode}
    return spec


def _legend_square(color: str, name: str) -> dict:
    """A legend entry (a coloured square) with nothing drawn on the map."""
    marker = dict(symbol="square", size=14, color=color)
    return dict(type="scatter", x=[None], y=[None], mode="markers", marker=marker, name=name, xaxis="x", yaxis="y")


def _label_text(basin, lab: int) -> str:
    if lab == DIVERGED:
        return _("diverged")
    if lab == ESCAPED:
        return _("left the map going downhill")
    if lab == UNDEFINED:
        return _("undefined point reached")
    if lab == NOT_REACHED:
        return _("no minimum reached")
    x, y = basin.minima[lab]
    return _("minimum {point}").format(point=f"({x:.2f}, {y:.2f})")
