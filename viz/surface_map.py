"""The surface map that animates: background image, iso-lines, critical points, paths, play controls.

Plotly drops contour traces while an animation plays (plotly.py#2151, plotly.js#4491), so the map is drawn
with things that survive it: the filled bands as a PNG in `layout.images` (viz.background) and the iso-lines
as one Scatter trace of line segments (marching squares on the same log-scaled loss, so the lines sit on the
bands' edges). Frames carry only the traces that move (`frame.traces`).

Everything is built as plain figure dicts (numbers as base64 typed arrays, float32): building thousands of
plotly graph objects for 500 frames takes seconds, a dict takes milliseconds. `prepared(spec)` hands a dict to
st.plotly_chart without a second validation (go.Figure(spec) validates one, as the tests do).

    spec = map_spec(surface)                        # {"data": [...], "layout": {...}}: image, iso-lines, minima,
                                                    # saddles (2-D); three_d=True: a 3-D surface, the same markers
    spec["data"].append(path_trace(points, name="Adam", color="#d62728"))
    spec["frames"] = frames_spec(frames, traces=[...], labels=[...])
    spec["layout"].update(animation_controls(labels))
    st.plotly_chart(prepared(spec))

Trace order of a map (2-D): iso-lines, [click targets], minima, saddles; (3-D): surface, minima, saddles.
`layout.meta.map_traces` holds their count. Non-finite regions (formula surfaces) are grey in the image,
have no iso-lines and are holes in the 3-D surface.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from . import background

# Colours that read on the light-yellow (low) to dark-purple (high) background and on a projector.
MINIMUM_COLOR = "#ffffff"
SADDLE_COLOR = "#ff7f0e"
ISO_COLOR = "rgba(20, 20, 30, 0.45)"
FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=15, color="#0b0c0e")

Bounds = tuple[tuple[float, float], tuple[float, float]]


# -- iso-lines ---------------------------------------------------------------------------------------------
def _segments(xs: np.ndarray, ys: np.ndarray, s: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares: the level set s = level as segments, shape (k, 2) of start and end x (and y).

    s[i, j] is the value at (xs[j], ys[i]); cells touching a NaN are skipped (no line through a hole).
    """
    a, b = s[:-1, :-1], s[:-1, 1:]  # bottom-left, bottom-right
    d, c = s[1:, :-1], s[1:, 1:]  # top-left, top-right
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    x0, x1 = xs[:-1][None, :], xs[1:][None, :]
    y0, y1 = ys[:-1][:, None], ys[1:][:, None]

    def cross(p, q):
        hit = ok & ((p >= level) != (q >= level))
        with np.errstate(all="ignore"):
            t = np.where(hit, (level - p) / (q - p), 0.0)
        return hit, t

    # edges in order: bottom (a->b), right (b->c), top (d->c), left (a->d)
    hb, tb = cross(a, b)
    hr, tr = cross(b, c)
    ht, tt = cross(d, c)
    hl, tl = cross(a, d)
    shape = a.shape
    px = [x0 + tb * (x1 - x0), np.broadcast_to(x1, shape), x0 + tt * (x1 - x0), np.broadcast_to(x0, shape)]
    py = [np.broadcast_to(y0, shape), y0 + tr * (y1 - y0), np.broadcast_to(y1, shape), y0 + tl * (y1 - y0)]
    hits = np.stack([hb, hr, ht, hl])
    n = hits.sum(0)
    sx, sy = [], []
    # two crossings: one segment between them
    two = n == 2
    if two.any():
        idx = np.argsort(~hits[:, two], axis=0, kind="stable")[:2]  # the two edges hit, in edge order
        cols = np.nonzero(two)
        for k in range(2):
            e = idx[k]
            sx.append(np.choose(e, [p[cols] for p in px]))
            sy.append(np.choose(e, [p[cols] for p in py]))
        seg_x = np.stack(sx, -1)
        seg_y = np.stack(sy, -1)
    else:
        seg_x = seg_y = np.zeros((0, 2))
    # four crossings (a saddle cell): pair by the centre value
    four = n == 4
    if four.any():
        cols = np.nonzero(four)
        centre = (a + b + c + d)[cols] / 4
        above_a = a[cols] >= level
        # centre on a's side: a and c are joined, b's and d's corners are cut off: (bottom, right), (top, left);
        # otherwise a's and c's corners are: (bottom, left), (right, top)
        same = (centre >= level) == above_a
        pairs_same = ((0, 1), (2, 3))  # bottom-right, top-left
        pairs_diff = ((0, 3), (1, 2))  # bottom-left, right-top
        fx, fy = [], []
        for (p1, p2), (q1, q2) in zip(pairs_same, pairs_diff, strict=True):
            e_1 = np.where(same, p1, q1)
            e_2 = np.where(same, p2, q2)
            fx.append(np.stack([np.choose(e_1, [p[cols] for p in px]), np.choose(e_2, [p[cols] for p in px])], -1))
            fy.append(np.stack([np.choose(e_1, [p[cols] for p in py]), np.choose(e_2, [p[cols] for p in py])], -1))
        seg_x = np.concatenate([seg_x, *fx])
        seg_y = np.concatenate([seg_y, *fy])
    return seg_x, seg_y


def iso_lines(
    surface, bounds: Bounds | None = None, n: int = 120, levels: int = 18, image_n: int = 240
) -> tuple[np.ndarray, np.ndarray]:
    """x, y (float32, NaN between segments) of the iso-lines at the background's band edges.

    The loss is normalised on the background image's own grid (`image_n`, as viz.background does), so the
    lines sit on the image's band edges even where the loss is singular, then traced on about every
    (image_n / n)-th grid line.
    """
    xs, ys, z = background.grid(surface, bounds, image_n)
    s = background.normalise(z)
    k = max(1, image_n // max(n, 2))
    idx = np.unique(np.r_[np.arange(0, image_n, k), image_n - 1])
    xs, ys, s = xs[idx], ys[idx], s[np.ix_(idx, idx)]
    xparts, yparts = [], []
    for k in range(1, levels):
        sx, sy = _segments(xs, ys, s, k / levels)
        for line in _chain(sx, sy):
            # NaN first: JSON escapes "/" (as \u002f), and a float32 NaN ending a base64 group always encodes
            # to one; leading the group it almost never does
            xparts.append(np.r_[np.nan, line[:, 0]])
            yparts.append(np.r_[np.nan, line[:, 1]])
    if not xparts:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    return np.concatenate(xparts).astype(np.float32), np.concatenate(yparts).astype(np.float32)


def _chain(sx: np.ndarray, sy: np.ndarray) -> list[np.ndarray]:
    """Join segments (k, 2) that share end points into polylines (m, 2): a third of the points, and far fewer
    breaks for plotly.js to draw (neighbouring cells compute a shared edge's crossing identically)."""
    n = len(sx)
    if n == 0:
        return []
    ends = np.stack([np.stack([sx[:, 0], sy[:, 0]], -1), np.stack([sx[:, 1], sy[:, 1]], -1)], 1)  # (n, 2, 2)
    at: dict[tuple[float, float], list[int]] = {}
    for i in range(n):
        for e in (0, 1):
            at.setdefault((float(ends[i, e, 0]), float(ends[i, e, 1])), []).append(i)
    used = np.zeros(n, dtype=bool)

    def walk(seg: int, point: tuple[float, float]) -> list[tuple[float, float]]:
        out = []
        while True:
            nxt = [j for j in at.get(point, ()) if not used[j]]
            if not nxt:
                return out
            j = nxt[0]
            used[j] = True
            a, b = (float(ends[j, 0, 0]), float(ends[j, 0, 1])), (float(ends[j, 1, 0]), float(ends[j, 1, 1]))
            point = b if a == point else a
            out.append(point)

    lines = []
    for i in range(n):
        if used[i]:
            continue
        used[i] = True
        a, b = (float(ends[i, 0, 0]), float(ends[i, 0, 1])), (float(ends[i, 1, 0]), float(ends[i, 1, 1]))
        forward = walk(i, b)
        backward = walk(i, a)
        lines.append(np.array([*reversed(backward), a, b, *forward]))
    return lines


# -- plain-dict helpers ------------------------------------------------------------------------------------
def b64(values, dtype: str = "f4") -> dict:
    """A typed array as plotly.js reads it: {"dtype": "f4", "bdata": base64} (NaN/None kept as NaN)."""
    arr = np.asarray(values, dtype=np.float64 if dtype.startswith("f") else None)
    arr = np.ascontiguousarray(arr.astype({"f4": "<f4", "f8": "<f8", "i4": "<i4", "u1": "u1", "i2": "<i2"}[dtype]))
    out = {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
    if arr.ndim > 1:  # a matrix (a surface's z): plotly.js reads the shape
        out["shape"] = ", ".join(str(n) for n in arr.shape)
    return out


def unpack(values) -> np.ndarray:
    """The inverse of b64 (also accepts plain lists): for tests and benchmarks reading a spec."""
    if isinstance(values, dict) and "bdata" in values:
        dt = {"f4": "<f4", "f8": "<f8", "i4": "<i4", "u1": "u1", "i2": "<i2", "i1": "i1", "u2": "<u2", "u4": "<u4"}
        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=dt[values["dtype"]])
        if "shape" in values:
            arr = arr.reshape([int(k) for k in str(values["shape"]).split(",")])
        return arr
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def rounded(values, digits: int = 5) -> list:
    """Short numbers for small per-frame arrays (plain JSON lists; NaN/inf become None)."""
    out = []
    for v in np.asarray(values, dtype=np.float64).ravel():
        out.append(float(f"{v:.{digits}g}") if np.isfinite(v) else None)
    return out


class PreparedFigure(go.Figure):
    """A go.Figure that hands a prebuilt figure dict to st.plotly_chart as it is (no second validation).

    st.plotly_chart calls `to_dict()` on a Figure; validating 500 frames of graph objects costs seconds.
    Build the dict with this module's helpers and pass `prepared(spec)`. Test a spec with go.Figure(spec).
    It is a go.Figure only for st.plotly_chart's isinstance test, which is why it skips
    go.Figure.__init__: even an empty one validates a layout and a template (about 1 ms on every Step press).
    Only `to_dict` and `to_plotly_json` work on it.
    """

    def __init__(self, spec: dict):  # no super().__init__(): see above
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec


def prepared(spec: dict) -> PreparedFigure:
    return PreparedFigure(spec)


# -- heights for the 3-D view ------------------------------------------------------------------------------
def height(z: np.ndarray, zref: np.ndarray) -> tuple[np.ndarray, str]:
    """Heights to draw for losses z, and the z-axis title, fitted to the view grid `zref`.

    The loss itself when its range in view is modest; when it spans orders of magnitude (Beale, say) the
    colours' log scale mapped to [0, 1] (so the valley floor is not flattened by the walls).
    """
    z = np.asarray(z, dtype=np.float64)
    finite = zref[np.isfinite(zref)]
    if finite.size == 0:
        return np.full(z.shape, np.nan), "loss"
    lo, hi = float(finite.min()), float(finite.max())
    med = float(np.median(finite))
    if hi > lo and (hi - lo) > 30 * max(med - lo, 1e-12):
        with np.errstate(all="ignore"):
            h = np.log1p(1000 * np.maximum(z - lo, 0) / (hi - lo)) / np.log1p(1000)
        return np.where(np.isfinite(z), h, np.nan), "loss, log-scaled to [0, 1] in view"
    return z, "loss"


def height_fn(surface, bounds: Bounds | None = None):
    """f(points (..., 2)) -> heights, and the z title, for the 3-D view of this surface."""
    _, _, zref = background.grid(surface, bounds, 60)

    def fn(points):
        with np.errstate(all="ignore"):
            z = np.asarray(surface.f(np.asarray(points, dtype=np.float64)), dtype=np.float64)
        return height(z, zref)[0]

    return fn, height(zref[:1, :1], zref)[1]


# -- the map -----------------------------------------------------------------------------------------------
def point_markers(surface, *, three_d: bool = False, zfun=None, scene: str = "scene", xaxis="x", yaxis="y"):
    """Minima (white stars) and saddle points (orange crosses) as trace dicts (always two, maybe empty)."""
    out = []
    for pts, name, color in (
        (surface.minima, "minimum", MINIMUM_COLOR),
        (surface.saddles, "saddle point", SADDLE_COLOR),
    ):
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        star = name == "minimum"
        hover = f"{name}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"
        trace = dict(
            x=rounded(pts[:, 0], 6),
            y=rounded(pts[:, 1], 6),
            mode="markers",
            name=name,
            hovertemplate=hover,
            showlegend=len(pts) > 0,
        )
        if three_d:
            trace.update(
                type="scatter3d",
                z=rounded(zfun(pts) if len(pts) else [], 6),
                scene=scene,
                marker=dict(
                    size=7, color=color, symbol="diamond" if star else "cross", line=dict(color="#222222", width=1)
                ),
            )
        else:
            trace.update(
                type="scatter",
                xaxis=xaxis,
                yaxis=yaxis,
                cliponaxis=False,
                marker=dict(
                    symbol="star" if star else "x-thin",
                    # Rastrigin has 121 minima and 220 saddles: smaller marks, the saddles smallest
                    size=(18 if star else 16) if len(pts) <= 12 else (9 if star else 6),
                    color=color,
                    line=dict(color="#1b1b1b" if star else color, width=1.5 if star else 3),
                ),
            )
        out.append(trace)
    return out


CLICK_GROUP = "click-to-start"  # the click targets' legend group: a page knows a click on them by it (ui.start)


def click_targets(bounds: Bounds, n: int = 41, xaxis: str = "x", yaxis: str = "y") -> dict:
    """An invisible grid of points: a click anywhere on the map selects the nearest one (st.plotly_chart
    on_select reports it, with the trace's legend group, CLICK_GROUP), which the page takes as a new start."""
    (x0, x1), (y0, y1) = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return dict(
        type="scatter",
        x=b64(gx.ravel()),
        y=b64(gy.ravel()),
        mode="markers",
        name="click to start here",
        legendgroup=CLICK_GROUP,
        marker=dict(size=16, opacity=0.0, color="#000000"),
        selected=dict(marker=dict(opacity=0.0)),
        unselected=dict(marker=dict(opacity=0.0)),
        hovertemplate="click to start here: (%{x:.2f}, %{y:.2f})<extra></extra>",
        showlegend=False,
        xaxis=xaxis,
        yaxis=yaxis,
    )


def map_traces(
    surface,
    *,
    bounds: Bounds | None = None,
    three_d: bool = False,
    resolution: int = 120,
    levels: int = 18,
    clickable: bool = False,
    xaxis: str = "x",
    yaxis: str = "y",
    scene: str = "scene",
) -> list[dict]:
    """The static traces of a map, as dicts: 2-D iso-lines [+ click targets] + minima + saddles;
    3-D surface + minima + saddles."""
    bounds = bounds if bounds is not None else surface.bounds
    if three_d:
        xs, ys, z = background.grid(surface, bounds, min(resolution, 80))
        zfun, _ = height_fn(surface, bounds)
        surf = dict(
            type="surface",
            x=b64(xs),
            y=b64(ys),
            z=b64(zfun(np.stack(np.meshgrid(xs, ys), -1))),
            surfacecolor=b64(background.normalise(z)),
            colorscale="Viridis",
            reversescale=True,
            cmin=0,
            cmax=1,
            showscale=False,
            opacity=0.9,
            name=surface.title,
            hoverinfo="skip",
            scene=scene,
            lighting=dict(ambient=0.8, diffuse=0.5, specular=0.05),
        )
        return [surf, *point_markers(surface, three_d=True, zfun=zfun, scene=scene)]
    lx, ly = iso_lines(surface, bounds, resolution, levels)
    iso = dict(
        type="scatter",
        x=b64(lx),
        y=b64(ly),
        mode="lines",
        line=dict(color=ISO_COLOR, width=1),
        hoverinfo="skip",
        showlegend=False,
        name="iso-lines",
        xaxis=xaxis,
        yaxis=yaxis,
    )
    traces = [iso]
    if clickable:
        traces.append(click_targets(bounds, xaxis=xaxis, yaxis=yaxis))
    return traces + point_markers(surface, xaxis=xaxis, yaxis=yaxis)


def map_axes(
    surface, bounds: Bounds | None = None, *, xaxis: str = "x", yaxis: str = "y", resolution: int = 240
) -> dict:
    """Layout entries for a 2-D map on an axis pair: the background image, fixed ranges, equal aspect."""
    bounds = bounds if bounds is not None else surface.bounds
    (x0, x1), (y0, y1) = bounds
    image = background.layout_image(surface, bounds, resolution)
    image.update(xref=xaxis, yref=yaxis)
    common = dict(showgrid=False, zeroline=False, ticks="outside", mirror=True, showline=True, linecolor="#444444")
    return {
        "images": [image],
        "xaxis" + xaxis[1:]: dict(
            range=[x0, x1], constrain="domain", title=dict(text="x", standoff=2), automargin=True, **common
        ),
        "yaxis" + yaxis[1:]: dict(
            range=[y0, y1],
            scaleanchor=xaxis,
            scaleratio=1,
            constrain="domain",
            title=dict(text="y", standoff=4),
            **common,
        ),
    }


def scene_layout(surface, bounds: Bounds | None = None, *, ztitle: str = "loss") -> dict:
    (x0, x1), (y0, y1) = bounds if bounds is not None else surface.bounds
    return dict(
        xaxis=dict(range=[x0, x1], title=dict(text="x")),
        yaxis=dict(range=[y0, y1], title=dict(text="y")),
        zaxis=dict(title=dict(text=ztitle)),
        aspectmode="manual",
        aspectratio=dict(x=1, y=max(0.3, min(3.0, (y1 - y0) / (x1 - x0))), z=0.6),
        camera=dict(eye=dict(x=1.25, y=-1.55, z=0.95)),
    )


def base_layout(height_px: int = 600) -> dict:
    return dict(
        height=height_px,
        margin=dict(l=60, r=20, t=40, b=60),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0, bgcolor="rgba(255,255,255,0.85)"),
        hovermode="closest",
        dragmode="pan",
        uirevision="map",
    )


def map_spec(
    surface,
    *,
    bounds: Bounds | None = None,
    resolution: int = 120,
    three_d: bool = False,
    levels: int = 18,
    clickable: bool = False,
    height_px: int = 600,
) -> dict:
    """The map alone as a figure dict {"data", "layout"} (see the module docstring)."""
    bounds = bounds if bounds is not None else surface.bounds
    data = map_traces(
        surface, bounds=bounds, three_d=three_d, resolution=resolution, levels=levels, clickable=clickable
    )
    layout = base_layout(height_px)
    if three_d:
        layout["scene"] = scene_layout(surface, bounds, ztitle=height_fn(surface, bounds)[1])
    else:
        layout.update(map_axes(surface, bounds))
    layout["meta"] = {"map_traces": len(data)}
    return {"data": data, "layout": layout}


# -- paths -------------------------------------------------------------------------------------------------
def path_trace(
    points,
    *,
    name: str,
    color: str,
    z=None,
    width: float = 3,
    marker_size: float = 6,
    xaxis: str = "x",
    yaxis: str = "y",
    scene: str = "scene",
    showlegend: bool = True,
) -> dict:
    """A path through points (k, 2) as lines and small markers (a trace dict); pass z for the 3-D view.
    Hovering a point shows its step (its index)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    hover = f"{name}<br>step %{{pointNumber}}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>"
    trace = dict(
        x=b64(pts[:, 0]), y=b64(pts[:, 1]), mode="lines+markers", name=name, hovertemplate=hover, showlegend=showlegend
    )
    if z is not None:
        trace.update(
            type="scatter3d",
            z=b64(z),
            scene=scene,
            line=dict(color=color, width=width + 3),
            marker=dict(size=max(2, marker_size - 3), color=color),
        )
    else:
        trace.update(
            type="scatter",
            xaxis=xaxis,
            yaxis=yaxis,
            line=dict(color=color, width=width),
            marker=dict(size=marker_size, color=color, line=dict(color="#ffffff", width=0.75)),
        )
    return trace


# -- animation ---------------------------------------------------------------------------------------------
def frame_steps(steps: int, max_frames: int = 400, budget_points: int = 32_000) -> np.ndarray:
    """The steps that get a frame: every step when cheap, else evenly spaced (always 0 and the last).

    A frame carries the path so far, so the frames hold about steps²/(2·stride) points; the stride keeps that
    within `budget_points` (32,000 points: about 0.4 MB of JSON, as float32 base64 with JSON's escaped "/")
    and the frame count within `max_frames`. Up to 252 steps get every step; 300 steps every 2nd, 500 every
    4th. The budget is a trade: every Step press sends the whole figure, frames and all, and under a class of
    40 the server's time per press grows with its size (benchmarks/load.py); the browser's first draw of the
    figure grows with the number of frames too (Plotly measures every scrubber label).
    """
    if steps <= 0:
        return np.array([0])
    stride = max(1, int(np.ceil(steps / max_frames)), int(np.ceil(steps * steps / (2 * budget_points))))
    out = np.arange(0, steps + 1, stride)
    if out[-1] != steps:
        out = np.append(out, steps)
    return out


SPEEDS = ((0.25, "¼×"), (1.0, "1×"), (4.0, "4×"))  # the extra Play buttons: slow motion and fast


def frames_spec(frames: Sequence[Sequence[dict]], traces: Sequence[int], labels: Sequence[str]) -> list[dict]:
    """Frame dicts that update only `traces`: frames[k] lists the new trace dicts in the order of `traces`."""
    return [
        {"name": str(label), "data": list(data), "traces": list(traces)}
        for data, label in zip(frames, labels, strict=True)
    ]


def animation_controls(
    labels: Sequence[str], *, frame_ms: int = 80, active: int | None = None, prefix: str = "step ", redraw: bool = False
) -> dict:
    """Layout entries: Play, Pause and two more Play buttons at other speeds (each plays from the current
    frame), and a scrubber (slider) over the frames named `labels`, showing frame `active` (default: the last) at first.
    3-D scenes need `redraw=True` (plotly.js redraws WebGL scenes only then)."""
    active = len(labels) - 1 if active is None else int(active)

    def play(speed: float) -> dict:
        return dict(
            frame=dict(duration=max(1, int(frame_ms / speed)), redraw=redraw),
            transition=dict(duration=0),
            fromcurrent=True,
            mode="immediate",
        )

    still = dict(frame=dict(duration=0, redraw=redraw), transition=dict(duration=0), mode="immediate")
    buttons = [
        dict(label="▶ Play", method="animate", args=[None, play(1.0)]),
        dict(label="❚❚ Pause", method="animate", args=[[None], still]),
    ] + [dict(label=f"▶ {text}", method="animate", args=[None, play(speed)]) for speed, text in SPEEDS if speed != 1]
    return {
        "updatemenus": [
            dict(
                type="buttons",
                direction="right",
                showactive=False,
                x=0.0,
                y=-0.085,
                yanchor="top",
                xanchor="left",
                pad=dict(t=0, r=0, l=0, b=0),
                bgcolor="#eef1f5",
                bordercolor="#5f6b7a",
                font=dict(size=14),
                buttons=buttons,
                name="play",
            )
        ],
        "sliders": [
            dict(
                active=active,
                x=0.46,
                len=0.54,
                y=-0.075,
                yanchor="top",
                pad=dict(t=0, b=0, l=0, r=0),
                currentvalue=dict(prefix=prefix, visible=True, xanchor="right", font=dict(size=14)),
                steps=[dict(label=str(label), method="animate", args=[[str(label)], still]) for label in labels],
                transition=dict(duration=0),
                font=dict(size=10),
                ticklen=3,
                minorticklen=0,
                bgcolor="#eef1f5",
                bordercolor="#5f6b7a",
            )
        ],
    }


def figure_bytes(fig) -> int:
    """Size of the figure's JSON as st.plotly_chart sends it (a go.Figure or a figure dict), in bytes."""
    import plotly.io as pio

    spec = fig if isinstance(fig, dict) else fig.to_dict()
    return len(pio.to_json(spec, validate=False).encode())


def copy_spec(spec: dict) -> dict:
    """A deep copy of a figure dict (cached specs are shared: copy before changing one)."""
    return copy.deepcopy(spec)
