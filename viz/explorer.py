"""The Explorer's figure: the surface map beside the optimizer's numbers, one figure so that Play moves both.

Left: the map (viz.surface_map) with the path up to step t, the current point, and arrows for step t drawn
from θ_{t−1}: the descent direction −g_t, the first moment / momentum (−m̂_t, −b_t, ...), both scaled to be
seen, and the actual update θ_t − θ_{t−1} to scale (it ends at the current point). At t = 0 only −g_1 at θ_0.
Right: one row per recorded quantity (the gradient, the optimizer's state, the update), a line per
coordinate over the whole run, with a dot at step t. Under the map: the loss, on a log scale when it is
positive (or f − f* when the minimum value is known). A dotted cursor marks step t on both sides. Frames
(every step, or every k-th for long runs: see surface_map.frame_steps) move only the path, the point, the
arrows and the cursors.

    spec = explorer_figure(traj, surface, t, base=map_spec(surface, clickable=True))
    st.plotly_chart(surface_map.prepared(spec), on_select="rerun", selection_mode="points")

Trace order: the map's static traces (base["layout"]["meta"]["map_traces"] of them), then path, current
point, −gradient, moment, update (the MOVING map traces), then per row: the x line[, the y line], then the
cursor, then one current-value dot trace per row. `layout.meta` records the indices.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import orjson
from plotly.io.json import to_json_plotly

from i18n import translator
from optimizers import analysis

from . import surface_map as sm
from .sequences import stage_extras

PATH_COLOR = "#e8000b"
GRAD_COLOR = "#111111"
MOMENT_COLOR = "#0047b3"
UPDATE_COLOR = "#e8000b"
COORD_COLORS = ("#0047b3", "#d35400")  # x, y
LOSS_COLOR = "#222222"
MAP_DOMAIN = (0.0, 0.54)
SERIES_DOMAIN = (0.63, 1.0)
MARGIN = dict(l=55, r=15, t=64, b=118)
TYPICAL_WIDTH = 880  # px: the figure's width on a 1400-px screen with the sidebar open (for the layout's shares)

_, ngettext = translator("core")

# Which state field is the "first moment" arrow, and how it is named.
MOMENT_FIELDS = (
    ("m_hat", "−m̂"),
    ("m", "−m"),
    ("b", "−b"),
    ("direction", "−d"),
    ("delta", "−Δ"),
)


def _plain(opt, name: str) -> str:
    """A quantity's name as text for a chart label (m̂ for m_hat, ...)."""
    if name == "update":
        return _("update θₜ − θₜ₋₁")
    symbol, meaning = opt.QUANTITIES.get(name, (name, ""))
    try:
        from optimizers.symbols import plain

        text = plain(symbol)
    except (ImportError, KeyError):
        text = name
    meaning = _short(opt.meaning(name))  # the short part: long titles were clipped at 1280 px (a projector)
    return _("{symbol}: {meaning}").format(symbol=text, meaning=meaning) if meaning else text


def _short(meaning: str) -> str:
    """A meaning (already in the language in use) up to its first colon (ASCII or full-width)."""
    return re.split("[:：]", meaning)[0] if meaning else ""


def series_rows(traj) -> list[tuple[str, str, np.ndarray]]:
    """(key, label, values (steps+1,) or (steps+1, 2)) for each row of the right-hand panel, loss excluded.

    The gradient used at each step first (row t: the gradient at θ_{t−1}, the one step t used), then the
    optimizer's recorded quantities in its QUANTITIES order, then the update; matrices (Newton's H) are left
    to the inspector.
    """
    opt = traj.optimizer
    g = np.full_like(traj.grads, np.nan)
    g[1:] = traj.grads[:-1]
    rows = [("g", _("g: the gradient step t used"), g)]
    names = [n for n in opt.QUANTITIES if n in traj.quantities] + ["update"]
    for name in names:
        values = np.asarray(traj.quantities[name], dtype=np.float64)
        if values.ndim == 1 or (values.ndim == 2 and values.shape[1] == 2):
            vals = values.copy()
            vals[0] = np.nan  # row 0 is the initial state, not a step
            rows.append((name, _plain(opt, name), vals))
    return rows


def loss_series(traj, surface) -> tuple[np.ndarray, str, bool]:
    """Values to plot for the loss, the row label, and whether the axis is logarithmic."""
    losses = np.asarray(traj.losses, dtype=np.float64)
    if np.all(losses[np.isfinite(losses)] > 0):
        return losses, _("loss f(θₜ), log scale"), True
    fmin = getattr(surface, "min_value", None)
    if fmin is not None:
        gap = losses - fmin
        if np.all(gap[np.isfinite(gap)] >= 0):
            return np.maximum(gap, 1e-300), _("f(θₜ) − f* (f* = {fmin}), log scale").format(fmin=f"{fmin:.4g}"), True
    return losses, _("loss f(θₜ) (takes negative values: linear scale)"), False


def moment_field(traj) -> tuple[str | None, str]:
    for name, label in MOMENT_FIELDS:
        q = traj.quantities.get(name)
        if q is not None and q.ndim == 2 and q.shape[1] == 2:
            return name, label
    return None, ""


def _arrow(start, vec, color: str, name: str, *, width: float, three_d: bool, zfun=None, scene="scene") -> dict:
    """A line from start along vec with an arrowhead at the end (2-D); a plain segment in 3-D."""
    ok = start is not None and vec is not None and np.all(np.isfinite(start)) and np.all(np.isfinite(vec))
    ok = ok and float(np.hypot(*vec)) > 0
    if not ok:
        xs, ys = [], []
    else:
        end = np.asarray(start) + np.asarray(vec)
        xs, ys = sm.rounded([start[0], end[0]], 6), sm.rounded([start[1], end[1]], 6)
    trace = dict(x=xs, y=ys, name=name, hoverinfo="skip" if not ok else None)
    if three_d:
        zs = sm.rounded(zfun(np.stack([xs, ys], -1)), 6) if ok else []
        trace.update(type="scatter3d", z=zs, mode="lines", line=dict(color=color, width=width + 3), scene=scene)
    else:
        trace.update(
            type="scatter",
            mode="lines+markers",
            line=dict(color=color, width=width),
            marker=dict(symbol="arrow", angleref="previous", size=[0, 15], color=color),
            cliponaxis=True,
        )
    if trace.get("hoverinfo") is None:
        trace.pop("hoverinfo")
        trace["hovertemplate"] = f"{name}<extra></extra>"
    return trace


class _Arrows:
    """The three arrows of each step, with scales fixed over the run (so lengths compare across steps)."""

    def __init__(self, traj, surface):
        self.traj = traj
        (x0, x1), (y0, y1) = surface.bounds
        self.unit = 0.14 * min(x1 - x0, y1 - y0)  # the typical arrow length: 14% of the view
        self.moment, self.moment_label = moment_field(traj)
        self.g_scale = self._scale(traj.grads)
        self.m_scale = self._scale(traj.quantities[self.moment][1:]) if self.moment else 1.0

    def _scale(self, vectors) -> float:
        n = np.hypot(vectors[..., 0], vectors[..., 1])
        n = n[np.isfinite(n) & (n > 0)]
        return self.unit / float(np.percentile(n, 90)) if n.size else 1.0

    def _fit(self, vec, scale):
        """Scale a vector, then clip its length to [0.25, 1.8] arrow units so it can be seen but not fill the map."""
        v = np.asarray(vec, dtype=np.float64) * scale
        n = float(np.hypot(*v))
        if not np.isfinite(n) or n == 0:
            return None
        return v * (np.clip(n, 0.25 * self.unit, 1.8 * self.unit) / n)

    def _fit_all(self, vecs, scale) -> np.ndarray:
        """_fit for every row at once (NaN where _fit gives None)."""
        v = np.asarray(vecs, dtype=np.float64) * scale
        with np.errstate(all="ignore"):
            n = np.hypot(v[:, 0], v[:, 1])
            fitted = v * (np.clip(n, 0.25 * self.unit, 1.8 * self.unit) / n)[:, None]
        ok = np.isfinite(n) & (n > 0)
        return np.where(ok[:, None], fitted, np.nan)

    def all(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """`at` for every step: anchors (steps + 1, 2) and the vectors {"g", "m", "u"} (NaN where absent)."""
        tr = self.traj
        anchor = np.concatenate([tr.points[:1], tr.points[:-1]])
        g = self._fit_all(-np.concatenate([tr.grads[:1], tr.grads[:-1]]), self.g_scale)
        nan = np.full((1, 2), np.nan)
        m = (
            np.concatenate([nan, self._fit_all(-tr.quantities[self.moment][1:], self.m_scale)])
            if self.moment
            else np.full_like(anchor, np.nan)
        )
        u = np.array(tr.quantities["update"], dtype=np.float64)
        u[0] = np.nan
        u[np.hypot(u[:, 0], u[:, 1]) == 0] = np.nan
        return anchor, {"g": g, "m": m, "u": u}

    def at(self, t: int) -> tuple:
        """(anchor, −g vector, moment vector, update vector) for step t (vectors None when absent)."""
        tr = self.traj
        if t == 0:
            return tr.points[0], self._fit(-tr.grads[0], self.g_scale), None, None
        anchor = tr.points[t - 1]
        g = self._fit(-tr.grads[t - 1], self.g_scale)
        m = self._fit(-tr.quantities[self.moment][t], self.m_scale) if self.moment else None
        u = tr.quantities["update"][t]  # θ_t − θ_{t−1}, as the engine recorded it
        return anchor, g, m, (u if np.hypot(*u) > 0 else None)


def _moving_map_traces(traj, arrows: _Arrows, t: int, *, three_d: bool, zfun=None) -> list[dict]:
    """Path to t, current point, −g, moment, update: the map traces a frame replaces."""
    pts = traj.points[: t + 1]
    name = traj.optimizer.title
    if three_d:
        lift = 0.01
        z = zfun(pts) + lift
        path = sm.path_trace(pts, name=_("{optimizer}: path").format(optimizer=name), color=PATH_COLOR, z=z)
        cur = dict(
            type="scatter3d",
            x=sm.rounded(pts[-1:, 0], 7),
            y=sm.rounded(pts[-1:, 1], 7),
            z=sm.rounded(z[-1:], 7),
            mode="markers",
            name=_("step {t}").format(t=t),
            marker=dict(size=7, color=PATH_COLOR, line=dict(color="#ffffff", width=2)),
            scene="scene",
        )
    else:
        path = sm.path_trace(pts, name=_("{optimizer}: path").format(optimizer=name), color=PATH_COLOR)
        cur = dict(
            type="scatter",
            x=sm.rounded(pts[-1:, 0], 7),
            y=sm.rounded(pts[-1:, 1], 7),
            mode="markers",
            name="θₜ",
            marker=dict(size=16, color=PATH_COLOR, line=dict(color="#ffffff", width=2.5)),
            hovertemplate=_("current point") + "<br>(%{x:.5g}, %{y:.5g})<extra></extra>",
            cliponaxis=False,
        )
    anchor, g, m, u = arrows.at(t)
    kw = dict(three_d=three_d, zfun=zfun)
    return [
        path,
        cur,
        _arrow(anchor, g, GRAD_COLOR, _("{vector} (scaled)").format(vector="−g"), width=3, **kw),
        _arrow(
            anchor, m, MOMENT_COLOR, _("{vector} (scaled)").format(vector=arrows.moment_label or "−m"), width=3, **kw
        ),
        _arrow(anchor, u, UPDATE_COLOR, _("update"), width=4, **kw),
    ]


def _cursor(t: int, axes: tuple[str, str]) -> dict:
    return dict(
        type="scatter",
        x=[t, t],
        y=[0, 1],
        mode="lines",
        xaxis=axes[0],
        yaxis=axes[1],
        line=dict(color="#5f6b7a", width=1.5, dash="dot"),
        hoverinfo="skip",
        showlegend=False,
        name=_("current step"),
    )


def _dots(t: int, values: np.ndarray, axes: tuple[str, str], log: bool = False) -> dict:
    v = values[t]
    ys = np.atleast_1d(v).astype(np.float64)
    colors = list(COORD_COLORS[: len(ys)]) if values.ndim == 2 else [LOSS_COLOR]
    return dict(
        type="scatter",
        x=[t] * len(ys),
        y=sm.rounded(ys, 5),
        mode="markers",
        xaxis=axes[0],
        yaxis=axes[1],
        marker=dict(size=10, color=colors, line=dict(color="#ffffff", width=1.5)),
        showlegend=False,
        hovertemplate=_("step {t}: {value}").format(t="%{x}", value="%{y:.5g}") + "<extra></extra>",
        name=_("current value"),
    )


def explorer_figure(
    traj,
    surface,
    t: int,
    *,
    base: dict | None = None,
    three_d: bool = False,
    animate: bool = True,
    height_px: int | None = None,
    max_frames: int = 400,
) -> dict:
    """The figure dict for step t of `traj` on `surface` (see the module docstring).

    `base` is `surface_map.map_spec(surface, three_d=...)`, possibly cached (it is copied, not changed).
    """
    t = int(np.clip(t, 0, traj.steps))
    base = sm.copy_spec(base if base is not None else sm.map_spec(surface, three_d=three_d))
    data: list[dict] = base["data"]
    layout: dict = base["layout"]
    zfun = sm.height_fn(surface)[0] if three_d else None
    arrows = _Arrows(traj, surface)
    moving = _moving_map_traces(traj, arrows, t, three_d=three_d, zfun=zfun)
    map_moving = list(range(len(data), len(data) + len(moving)))
    data.extend(moving)

    # the loss under the map (left), the optimizer's quantities in rows on the right
    rows = series_rows(traj)
    loss, loss_label, loss_log = loss_series(traj, surface)
    n_rows = len(rows)
    gap = 0.03 if n_rows > 6 else 0.045
    h = (1.0 - gap * (n_rows - 1)) / n_rows
    x_range = [-0.02 * max(traj.steps, 1), traj.steps * 1.02 + 0.02]
    annotations = layout.setdefault("annotations", [])
    panels = [
        (key, label, values, SERIES_DOMAIN, (1.0 - i * (h + gap) - h, 1.0 - i * (h + gap)), i == n_rows - 1, False)
        for i, (key, label, values) in enumerate(rows)
    ]
    height, map_bottom = _heights(surface, n_rows, three_d, height_px)
    loss_top = map_bottom - 0.1
    panels.append(("loss", loss_label, loss, MAP_DOMAIN, (0.0, loss_top), True, loss_log))
    row_axes: list[tuple[str, str]] = []
    for i, (key, label, values, xdom, ydom, ticks, is_log) in enumerate(panels):
        k = i + 2  # axis number
        xa, ya = f"x{k}", f"y{k}"
        row_axes.append((xa, ya))
        layout[f"xaxis{k}"] = _series_xaxis(xdom, ya, x_range, ticks)
        layout[f"yaxis{k}"] = _series_yaxis(ydom, xa, is_log)
        if is_log:
            layout[f"yaxis{k}"]["tickvals"] = _log_ticks(values)
        else:
            fixed = _constant_range(values)
            if fixed is not None:  # a constant (ρ∞, SGD's γ): plotly would zoom into float noise
                layout[f"yaxis{k}"].update(range=fixed, tickvals=[sum(fixed) / 2], tickformat=".4g")
        # the loss's title goes inside its panel, top right (where a falling loss leaves room): above it, the
        # map's tick labels reach down to the panel on a narrow screen
        inside = key == "loss"
        annotations.append(
            dict(
                text=label,
                xref=f"{xa} domain",
                yref=f"{ya} domain",
                x=1 if inside else 0,
                y=1,
                xanchor="right" if inside else "left",
                yanchor="top" if inside else "bottom",
                showarrow=False,
                font=dict(size=13, color="#0b0c0e"),
                **({"bgcolor": "rgba(255,255,255,0.8)"} if inside else {}),
            )
        )
        data.extend(_series_lines(key, values, (xa, ya), traj.steps))
    # a cursor at the current step over each column, on invisible axes of its own
    cursor_axes = []
    for j, (xdom, ydom) in enumerate(((SERIES_DOMAIN, (0.0, 1.0)), (MAP_DOMAIN, (0.0, loss_top)))):
        kc = len(panels) + 2 + j
        cursor_axes.append((f"x{kc}", f"y{kc}"))
        layout[f"xaxis{kc}"] = dict(domain=list(xdom), anchor=f"y{kc}", range=x_range, visible=False, fixedrange=True)
        layout[f"yaxis{kc}"] = dict(domain=list(ydom), anchor=f"x{kc}", range=[0, 1], visible=False, fixedrange=True)
    series_moving = []
    for axes in cursor_axes:
        series_moving.append(len(data))
        data.append(_cursor(t, axes))
    for (_, _, values, *_), axes in zip(panels, row_axes, strict=True):
        series_moving.append(len(data))
        data.append(_dots(t, np.asarray(values, dtype=np.float64), axes))
    # which colour is which coordinate, over the right column
    annotations.append(
        dict(
            text=" ".join(
                f"<span style='color:{c}'><b>━</b> {n}</span>" for c, n in zip(COORD_COLORS, ("x", "y"), strict=True)
            ),
            xref="paper",
            yref="paper",
            x=1,
            y=1.015,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=14),
        )
    )
    # the map above the loss
    if three_d:
        layout["scene"]["domain"] = dict(x=list(MAP_DOMAIN), y=[map_bottom, 1.0])
    else:
        layout["xaxis"]["domain"] = list(MAP_DOMAIN)
        layout["yaxis"]["domain"] = [map_bottom, 1.0]
        layout["yaxis"]["constraintoward"] = "top"
        layout["xaxis"]["constraintoward"] = "center"

    layout["height"] = height
    layout["margin"] = dict(MARGIN)
    layout["plot_bgcolor"] = "rgba(0,0,0,0)"  # overlaid cursor axes must not hide the rows under them
    layout["legend"] = dict(
        orientation="h",
        yanchor="bottom",
        y=1.015,
        xanchor="left",
        x=0,
        font=dict(size=14),
        bgcolor="rgba(255,255,255,0)",
        traceorder="normal",
        entrywidth=0,
    )
    layout["hovermode"] = "closest"
    moving_all = map_moving + series_moving
    layout["meta"] = dict(
        layout["meta"],
        path=map_moving[0],
        current=map_moving[1],
        arrows=map_moving[2:5],
        cursors=series_moving[:2],
        dots=series_moving[2:],
        cursor_axes=[list(a) for a in cursor_axes],
        dot_axes=[list(a) for a in row_axes],
        loss_axes=list(row_axes[-1]),
        moving=moving_all,
        rows=[p[0] for p in panels],
    )

    if animate and traj.steps > 0:
        shown = sm.frame_steps(traj.steps, max_frames=max_frames)
        frames = []
        for s in shown:
            s = int(s)
            f_map = _moving_map_traces(traj, arrows, s, three_d=three_d, zfun=zfun)
            f_series = [_cursor(s, axes) for axes in cursor_axes] + [
                _dots(s, np.asarray(values, dtype=np.float64), axes)
                for (_, _, values, *_), axes in zip(panels, row_axes, strict=True)
            ]
            frames.append([_strip(tr) for tr in f_map + f_series])
        labels = [str(int(s)) for s in shown]
        base["frames"] = sm.frames_spec(frames, moving_all, labels)
        active = int(np.searchsorted(shown, t, side="right") - 1)
        layout.update(sm.animation_controls(labels, active=active, redraw=three_d))
        layout["meta"]["frame_steps"] = [int(s) for s in shown]
        _between_frames(layout["sliders"][0], layout["meta"]["frame_steps"], t)
    return base


def _heights(surface, n_rows: int, three_d: bool, height_px: int | None) -> tuple[int, float]:
    """The figure's height and where the map's column splits between the map (above) and the loss (below).

    Tall enough for the rows on the right and for the map at its full width on a typical screen (an equal-
    aspect map is as tall as its width times the view's aspect); the loss takes what the map leaves, between
    a fifth and half of the column. On wider screens the map is limited by its height instead: same picture.
    """
    (x0, x1), (y0, y1) = surface.bounds
    aspect = 0.75 if three_d else (y1 - y0) / (x1 - x0)
    plot_w = TYPICAL_WIDTH - MARGIN["l"] - MARGIN["r"]
    map_h = (MAP_DOMAIN[1] - MAP_DOMAIN[0]) * plot_w * aspect
    fixed = MARGIN["t"] + MARGIN["b"]
    rows_h = 56 * n_rows + 370
    height = height_px or int(np.clip(max(rows_h, (map_h + 40) / 0.68 + fixed), 660, 1000))
    map_bottom = float(np.clip(1 - (map_h + 40) / (height - fixed), 0.32, 0.6))
    return height, map_bottom


def _series_xaxis(domain, anchor: str, x_range, ticks: bool) -> dict:
    return dict(
        domain=list(domain),
        anchor=anchor,
        range=x_range,
        showticklabels=ticks,
        showgrid=True,
        gridcolor="#e3e7ee",
        zeroline=False,
        ticks="outside" if ticks else "",
        showline=True,
        linecolor="#5f6b7a",
        tickfont=dict(size=12),
        fixedrange=True,
    )


def _series_yaxis(domain, anchor: str, log: bool) -> dict:
    return dict(
        domain=[max(0.0, domain[0]), domain[1]],
        anchor=anchor,
        type="log" if log else "linear",
        showgrid=True,
        gridcolor="#e3e7ee",
        zeroline=not log,
        zerolinecolor="#9aa5b1",
        nticks=3,
        tickfont=dict(size=11),
        showline=True,
        linecolor="#5f6b7a",
        exponentformat="power" if log else "SI",
        fixedrange=True,
        automargin=False,
    )


def _log_ticks(values) -> list[float]:
    """Tick values for a log axis: the powers of ten in range, or the ends when there are fewer than two."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return [1.0]
    lo, hi = float(v.min()), float(v.max())
    decades = np.arange(np.ceil(np.log10(lo)), np.floor(np.log10(hi)) + 1)
    if len(decades) > 6:
        decades = decades[:: int(np.ceil(len(decades) / 6))]
    ticks = [float(10.0**d) for d in decades]
    if len(ticks) < 2:  # less than a decade or two: the ends too, but never two ticks almost on top
        kept: list[float] = []
        for tick in sorted({float(f"{lo:.2g}"), *ticks, float(f"{hi:.2g}")}):
            if not kept or tick / kept[-1] >= 1.4:
                kept.append(tick)
        ticks = kept
    return ticks


def _constant_range(values) -> list[float] | None:
    """A y range around the value if the series is constant, else None."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [-1.0, 1.0]
    lo, hi = float(v.min()), float(v.max())
    if hi - lo > 1e-9 * max(abs(lo), abs(hi), 1e-300):
        return None
    half = 0.5 * abs(lo) if lo else 1.0
    return [lo - half, lo + half]


def _series_lines(key: str, values, axes: tuple[str, str], steps: int) -> list[dict]:
    v = np.asarray(values, dtype=np.float64)
    cols = [v] if v.ndim == 1 else [v[:, 0], v[:, 1]]
    out = []
    for j, col in enumerate(cols):
        color = LOSS_COLOR if v.ndim == 1 else COORD_COLORS[j]
        coord = "" if v.ndim == 1 else (" x" if j == 0 else " y")
        out.append(
            dict(
                type="scatter",
                x0=0,
                dx=1,
                y=sm.b64(col, "f8"),
                mode="lines",
                xaxis=axes[0],
                yaxis=axes[1],
                line=dict(color=color, width=2),
                name=f"{key}{coord}",
                showlegend=False,
                hovertemplate=_("{series}, step {t}: {value}").format(
                    series=f"{key}{coord}", t="%{x}", value="%{y:.5g}"
                )
                + "<extra></extra>",
            )
        )
    return out


def _moved(meta: dict, traj, surface, t: int, *, three_d: bool, arrows=None, zfun=None, values=None):
    """What changes at step t: {trace index: trace} and the scrubber's active position (None without frames)."""
    arrows = arrows or _Arrows(traj, surface)
    if three_d and zfun is None:
        zfun = sm.height_fn(surface)[0]
    if values is None:
        values = [v for _, _, v in series_rows(traj)] + [loss_series(traj, surface)[0]]
    moving = _moving_map_traces(traj, arrows, t, three_d=three_d, zfun=zfun)
    out = dict(zip([meta["path"], meta["current"], *meta["arrows"]], moving, strict=True))
    for i, axes in zip(meta["cursors"], meta["cursor_axes"], strict=True):
        out[i] = _cursor(t, tuple(axes))
    for i, axes, v in zip(meta["dots"], meta["dot_axes"], values, strict=True):
        out[i] = _dots(t, np.asarray(v, dtype=np.float64), tuple(axes))
    active = None
    if "frame_steps" in meta:
        active = int(np.searchsorted(meta["frame_steps"], t, side="right") - 1)
    return out, active


def _between_frames(slider: dict, frame_steps, t: int) -> None:
    """Step t between two frames (a long run has a frame every k-th step): the scrubber sits at the frame
    before it, and its readout ("step …", the active step's label) says t, as the Step metric does."""
    active = slider["active"]
    for i, s in enumerate(frame_steps):
        slider["steps"][i]["label"] = str(t) if i == active else str(s)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii(match: re.Match) -> str:
    units = match.group(0).encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def _fragment(value) -> orjson.Fragment:
    """`value` serialised once, as plotly.io.to_json writes it (plotly's own serialiser, with its escaping of
    "<", ">", "/" and the line separators), to be embedded verbatim in a larger dump.

    Non-ASCII characters (θ, −, m̂ in names) are written as JSON escapes: the figure's JSON is then pure ASCII,
    which Python, protobuf and the hashes Streamlit computes handle several times faster than the same text
    with a few wide characters in it (the JSON means the same).
    """
    return orjson.Fragment(_NON_ASCII.sub(_ascii, to_json_plotly(value, engine="orjson")))


class StepFigure:
    """One run's figure, serialised once, then moved to any step without touching what does not move.

    A Step press changes a few small traces (path, point, arrows, cursors, dots) and the scrubber's position;
    the frames, the background and the series lines (most of the ~1 MB) stay. Here they are JSON fragments
    (orjson.Fragment, already escaped as plotly.io.to_json escapes), so turning a step's figure into JSON
    copies them instead of re-encoding them, and a cache can share one StepFigure between sessions: it holds
    only immutable bytes and private arrays, and `at(t)` returns a new dict each call.

        fig = StepFigure(explorer_figure(traj, surface, 0, base=...), traj, surface)
        st.plotly_chart(surface_map.prepared(fig.at(t)))   # JSON equal to explorer_figure(traj, surface, t)
    """

    def __init__(self, spec: dict, traj, surface, *, three_d: bool = False):
        layout = spec["layout"]
        self._meta = copy.deepcopy(layout["meta"])
        self._traj, self._surface, self._three_d = copy.deepcopy(traj), surface, three_d
        self._arrows = _Arrows(self._traj, surface)
        self._zfun = sm.height_fn(surface)[0] if three_d else None
        self._values = [v for _, _, v in series_rows(self._traj)] + [loss_series(self._traj, surface)[0]]
        moving = set(self._meta["moving"])
        # per key: plotly.io.to_json pops each trace's "uid", so a trace itself must stay a dict
        self._data = tuple(
            None if i in moving else {k: _fragment(v) for k, v in tr.items()} for i, tr in enumerate(spec["data"])
        )
        self._layout = {k: _fragment(v) for k, v in layout.items() if k != "sliders"}
        sliders = layout.get("sliders") or []
        self._slider = None
        if sliders:  # "active" changes with the step, and so may one step's label (_between_frames)
            self._slider = {k: None if k in ("active", "steps") else _fragment(v) for k, v in sliders[0].items()}
            self._steps = [copy.deepcopy(step) for step in sliders[0]["steps"]]
            for step, s in zip(self._steps, self._meta["frame_steps"], strict=True):
                step["label"] = str(s)
            self._step_fragments = tuple(_fragment(step) for step in self._steps)
        self._frames = _fragment(spec["frames"]) if "frames" in spec else None
        self.frame_steps: tuple[int, ...] = tuple(self._meta.get("frame_steps", ()))
        self.steps = self._traj.steps
        self.height = int(layout["height"])  # px

    def at(self, t: int) -> dict:
        """The figure at step t (clipped to the run), as a dict for st.plotly_chart(surface_map.prepared(...))."""
        t = int(np.clip(t, 0, self.steps))
        changed, active = _moved(
            self._meta,
            self._traj,
            self._surface,
            t,
            three_d=self._three_d,
            arrows=self._arrows,
            zfun=self._zfun,
            values=self._values,
        )
        layout = dict(self._layout)
        if self._slider is not None:
            steps = list(self._step_fragments)
            if self.frame_steps[active] != t:
                steps[active] = _fragment(dict(self._steps[active], label=str(t)))
            parts = {"active": active, "steps": steps}
            layout["sliders"] = [{k: parts[k] if v is None else v for k, v in self._slider.items()}]
        # the moving traces escaped too (hover templates hold "<"): plotly's escaping then finds nothing to do
        data = [
            {k: _fragment(v) for k, v in changed[i].items()} if tr is None else dict(tr)
            for i, tr in enumerate(self._data)
        ]
        spec = {"data": data, "layout": layout}
        if self._frames is not None:
            spec["frames"] = self._frames
        return spec


def _strip(trace: dict) -> dict:
    """A frame's trace: only what changes (the data and per-point styles), not the static styling."""
    keep = ("type", "x", "y", "z") if trace.get("type") == "scatter3d" else ("x", "y")
    return {k: v for k, v in trace.items() if k in keep}


# -- the stage: the whole run as plain data, drawn by the browser (ui/stage.py) -----------------------------------
def _b64(values, dtype: str = "<f8") -> str:
    """Little-endian typed-array bytes, base64: the browser reads them as a Float64Array (or Float32Array)."""
    import base64

    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def last_step(traj) -> tuple[int, str]:
    """The last step the timeline can reach and, when that is before the run's end, why.

    A run that stopped (diverged, left the map downhill, or reached a point where f or its gradient is undefined)
    keeps θ and the state of its last real step from there on: the timeline stops there. The wording is
    optimizers.analysis.outcome's, the same as the page's box.
    """
    out = analysis.outcome(traj)
    if not out.stopped or out.last_step >= traj.steps:
        return int(traj.steps), ""
    last = int(out.last_step)
    return last, _("{headline}: the timeline stops at step {last}, the last step taken.").format(
        headline=out.headline, last=last
    )


def number_rows(traj) -> list[dict]:
    """One row per quantity the numbers panel and the state panels show, generic over the optimizer's QUANTITIES.

    Each row: key, symbol (plain text, m̂ for m_hat), meaning (short), coords (1 for a scalar, 2 per coordinate),
    values (steps + 1 rows; row 0 is the start, not a step, and is NaN). The gradient step t used comes first,
    then the optimizer's recorded quantities in its QUANTITIES order, then the update; matrices (Newton's H)
    are left to the inspector.
    """
    opt = traj.optimizer
    out = []
    for key, _label, values in series_rows(traj):
        if key == "g":
            symbol, meaning = "g", _("the gradient step t used")
        elif key == "update":
            symbol, meaning = "Δθ", _("the update θₜ − θₜ₋₁")
        else:
            tex, meaning = opt.QUANTITIES.get(key, (key, ""))
            try:
                from optimizers.symbols import plain

                symbol = plain(tex)
            except (ImportError, KeyError):
                symbol = key
            meaning = _short(opt.meaning(key))
        v = np.asarray(values, dtype=np.float64)
        out.append(dict(key=key, symbol=symbol, meaning=meaning, coords=1 if v.ndim == 1 else 2, values=v))
    return out


def map_data(surface, *, image_n: int = 512) -> dict:
    """The map's still part, per surface: the view, the background (banded log loss with its iso-lines as darker
    band edges, a PNG), the minima and the saddle points."""
    from . import background

    return dict(
        bounds=[[float(v) for v in b] for b in surface.bounds],
        image=background.data_uri(surface, surface.bounds, image_n),
        minima=np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2).round(6).tolist(),
        saddles=np.asarray(surface.saddles, dtype=np.float64).reshape(-1, 2).round(6).tolist(),
    )


def theory_data(traj, surface) -> dict:
    """The local quadratic model at θ_t for every step t (viz.theory.stage_model), for the stage's Theory overlay:
    λmin, λmax, κ per step (the numbers panel) and the ellipse's semi-axes or the saddle's asymptotes (the map)."""
    from .theory import stage_model

    m = stage_model(surface, traj.points, bounds=surface.bounds)
    w = m["eigenvalues"]
    return dict(
        lmin=_b64(w[:, 0]),
        lmax=_b64(w[:, 1]),
        kappa=_b64(m["kappa"]),
        kind=_b64(m["kind"]),
        axes=_b64(m["axes"]),
        asym=_b64(m["asymptotes"]),
    )


def stage_data(traj, surface, *, map_part: dict | None = None, theory: bool = False) -> dict:
    """Everything the stage draws at every step, computed once per run: a JSON-ready dict (arrays as base64).

    The browser draws the map (map_data), the path to t, the current point, the arrows of step t (as the figure's:
    −g and the moment scaled to be seen, the update to scale), the loss curve and the state panels with a cursor
    at t, and the numbers panel, from these arrays alone. With `theory`, also the local quadratic model at every
    step (theory_data); without, nothing of it is computed or sent.
    """
    arrows = _Arrows(traj, surface)
    anchor, vec = arrows.all()
    loss_values, loss_label, loss_log = loss_series(traj, surface)
    last, stop = last_step(traj)
    # the loss curve ends where the run stopped: the steps after it were not taken (the trajectory holds the
    # stopped point there), so they are not drawn as if the loss had stayed
    loss_values = np.where(np.arange(loss_values.size) <= last, loss_values, np.nan)
    return dict(
        map_part if map_part is not None else map_data(surface),
        title=traj.optimizer.title,
        steps=int(traj.steps),
        last=last,
        stop=stop,
        points=_b64(traj.points),
        losses=_b64(traj.losses),
        loss=dict(values=_b64(loss_values), label=loss_label, log=bool(loss_log)),
        arrows=dict(
            anchor=_b64(anchor),
            g=_b64(vec["g"]),
            m=_b64(vec["m"]) if arrows.moment else None,
            u=_b64(vec["u"]),
            m_label=_("{vector} (scaled)").format(vector=arrows.moment_label) if arrows.moment else "",
            m_key=arrows.moment or "",
        ),
        rows=[dict(r, values=_b64(r["values"])) for r in number_rows(traj)],
        theory=theory_data(traj, surface) if theory else None,
        **stage_extras(traj),  # the other sequences (Schedule-Free, Lookahead), the clipped steps, their caption
    )
