"""The theory drawn beside the run: the local quadratic model on the map, and the sharpness against its limit.
Never imports streamlit.

    overlay = QuadraticOverlay(surface, traj.points)      # every step's model, computed once (vectorised)
    spec["data"] += overlay.traces(t)                      # three scatter dicts for step t (map axes x, y)
    overlay.frame(t)                                       # the same three, for an animation frame
    fig = sharpness_figure(optimizers.analysis.sharpness(traj, surface))   # the edge of stability
    fig = edge_of_stability_figure([EdgeSeries(...), ...])                   # several runs, one chart

The overlay, centred on θ_t, is the local quadratic model's shape: along each eigenvector v_i of H(θ_t) an axis
labelled with its eigenvalue λ_i, and the model's level set ½ dᵀHd = c, scaled so that its largest extent is a
fixed share of the view (the shape is what matters, not c): an ellipse at a minimum-like point, whose long
axis (∝ 1/√λ_min) lies along the flat direction and whose aspect ratio is √κ; at a saddle, the two branches
of ½ dᵀHd = ±c and, dashed, the asymptotes (the directions of zero curvature, d ∝ v_max/√λ_max ±
v_min/√|λ_min|); at a maximum, the ellipse of −H. An eigenvalue of exactly zero (a flat direction) leaves
only the axes.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from i18n import N_, translator
from optimizers.theory import Sharpness, curvature

from . import surface_map as sm

_, ngettext = translator("core")
# the local model's kinds (optimizers.theory), named in the overlay's trace: translated where shown
KIND_NAMES = (N_("minimum"), N_("maximum"), N_("saddle"), N_("flat"), N_("undefined"))

OVERLAY_COLOR = "#c51b7d"  # magenta: apart from the path (red), −g (black) and the moment (blue)
ASYMPTOTE_COLOR = "#7a0177"
LIMIT_COLOR = "#b2182b"
SHARP_COLOR = "#2166ac"
TEXT_SIZE = 15  # px: every chart text here is at least 14 px (read on a projector)
SIZE = 0.16  # the overlay's largest extent, as a share of the view's smaller side
N_ELLIPSE = 73
N_BRANCH = 41
FLAT = 1e-9  # |λ| below this share of the larger |λ| counts as zero curvature


# The overlay's templates (see QuadraticOverlay._build), in units of the semi-axes along (v_min, v_max).
_S = np.linspace(0, 2 * np.pi, N_ELLIPSE)
_U = np.linspace(-2.2, 2.2, N_BRANCH)
_GAP = np.full((1, 2), np.nan)
ELLIPSE_TEMPLATE = np.concatenate(
    [np.stack([np.cos(_S), np.sin(_S)], axis=-1), np.full((4 * (N_BRANCH + 1) - N_ELLIPSE, 2), np.nan)]
)
SHAPE_TEMPLATE = np.concatenate(
    [
        part
        for branch in (
            np.stack([0.45 * np.sinh(_U), 0.45 * np.cosh(_U)], axis=-1),
            np.stack([0.45 * np.sinh(_U), -0.45 * np.cosh(_U)], axis=-1),
            np.stack([0.45 * np.cosh(_U), 0.45 * np.sinh(_U)], axis=-1),
            np.stack([-0.45 * np.cosh(_U), 0.45 * np.sinh(_U)], axis=-1),
        )
        for part in (branch, _GAP)
    ]
)


def _b64(values: np.ndarray) -> dict:
    """Little-endian float32 values as plotly.js's typed array (NaN kept: it breaks the line)."""
    return {"dtype": "f4", "bdata": base64.b64encode(values.tobytes()).decode("ascii")}


def _fmt(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{x:.3g}"


class QuadraticOverlay:
    """The local quadratic model at every point of a run, as map traces (see the module docstring).

    All steps are computed at construction, in a few vectorised NumPy calls; `traces(t)` and `frame(t)` only
    slice and encode arrays, and return new dicts every call (nothing they return is shared, so one overlay
    can be cached for every session). Points where the Hessian is not finite get empty traces.
    """

    n_traces = 3  # shape (ellipse or hyperbola), axes and asymptotes, eigenvalue labels

    def __init__(self, surface, points, *, bounds=None, size: float = SIZE):
        pts = np.array(points, dtype=np.float64).reshape(-1, 2)  # a copy: the caller keeps its own
        (x0, x1), (y0, y1) = bounds if bounds is not None else surface.bounds
        with np.errstate(all="ignore"):  # undefined points become NaN rows, then empty traces
            self._build(surface, pts, size * min(x1 - x0, y1 - y0))

    def _build(self, surface, pts: np.ndarray, extent: float) -> None:
        w, v = curvature(surface, pts)  # (n, 2), (n, 2, 2)
        for arr in (pts, w, v):
            arr.setflags(write=False)  # shared when the overlay is cached: read-only
        self.points, self.eigenvalues, self.eigenvectors = pts, w, v
        n = len(pts)
        absw = np.abs(w)
        big = np.where(np.isfinite(absw), absw, 0.0).max(axis=1) if n else np.zeros(0)
        with np.errstate(all="ignore"):
            flat = (absw <= FLAT * big[:, None]) | ~np.isfinite(w)
            ok = np.isfinite(w).all(axis=1) & (big > 0)
            definite = ok & ~flat.any(axis=1) & (np.sign(w[:, 0]) == np.sign(w[:, 1]))
            saddle = ok & ~flat.any(axis=1) & (w[:, 0] < 0) & (w[:, 1] > 0)
            # semi-axes of ½dᵀ|H|d = c along v_i: √(2c/|λ_i|), the longest scaled to `extent`
            smallest = np.where(flat, np.inf, absw).min(axis=1, initial=np.inf)[:, None]
            semi = np.sqrt(smallest / absw) * extent
        semi = np.where(np.isfinite(semi), semi, 0.0)
        self.kind = np.where(definite, np.where(w[:, 0] > 0, "minimum", "maximum"), np.where(saddle, "saddle", "flat"))
        self.kind = np.where(ok, self.kind, "undefined")

        # The shapes are linear images of fixed templates: d = V diag(semi) (p, q), with (p, q) the unit circle
        # for an ellipse, and for the hyperbola's branches (in units of the semi-axes) q = ±0.45 cosh u,
        # p = 0.45 sinh u on ½dᵀHd = +c (crossing v_max), p = ±0.45 cosh u, q = 0.45 sinh u on −c.
        m = v * semi[:, None, :]  # (n, 2, 2): column i = semi_i v_i
        p = np.where(definite[:, None], ELLIPSE_TEMPLATE[None, :, 0], SHAPE_TEMPLATE[None, :, 0])  # (n, K)
        q = np.where(definite[:, None], ELLIPSE_TEMPLATE[None, :, 1], SHAPE_TEMPLATE[None, :, 1])
        dx = m[:, 0, 0, None] * p + m[:, 0, 1, None] * q
        dy = m[:, 1, 0, None] * p + m[:, 1, 1, None] * q
        hide = ~(definite | saddle)[:, None] | (dx * dx + dy * dy > (1.05 * extent) ** 2)  # branches: clipped
        shape = np.stack([dx + pts[:, 0, None], dy + pts[:, 1, None]], axis=1)  # (n, 2, K)
        shape[np.broadcast_to(hide[:, None, :], shape.shape)] = np.nan

        # the axes: along each eigenvector, ± the semi-axis (flat directions: the full extent); then, at a
        # saddle, the asymptotes: unit directions v_max/√λ_max ± v_min/√|λ_min|, drawn over the extent
        half = np.where(flat, extent, semi)
        lines = np.full((n, 12, 2), np.nan)  # four NaN-separated segments
        for i in range(2):
            d = half[:, i : i + 1] * v[:, :, i]
            lines[:, 3 * i], lines[:, 3 * i + 1] = pts - d, pts + d
        for j, sign in enumerate((1.0, -1.0)):
            d = v[:, :, 1] / np.sqrt(absw[:, 1:2]) + sign * v[:, :, 0] / np.sqrt(absw[:, 0:1])
            d = d / np.hypot(d[:, 0:1], d[:, 1:2]) * extent
            lines[:, 6 + 3 * j] = np.where(saddle[:, None], pts - d, np.nan)
            lines[:, 7 + 3 * j] = np.where(saddle[:, None], pts + d, np.nan)
        # each label beyond its axis's positive end, at least a third of the extent out (thin ellipses)
        reach = np.maximum(half, 0.33 * extent) + 0.12 * extent
        labels = np.stack([pts + reach[:, i : i + 1] * v[:, :, i] for i in range(2)], axis=1)
        self._ok = ok
        # what frames send, encoded once: float32 bytes per step, labels as short numbers
        self._shape = shape.astype("<f4")  # (n, 2, K)
        self._lines = np.ascontiguousarray(np.moveaxis(lines, -1, 1).astype("<f4"))  # (n, 2, 12)
        self._labels = np.round(labels.astype(np.float64), 6)

    def __len__(self) -> int:
        return len(self.points)

    def label_text(self, t: int) -> list[str]:
        w = self.eigenvalues[t]
        return [f"λ₁ = {_fmt(w[0])}", f"λ₂ = {_fmt(w[1])}"]

    def frame(self, t: int) -> list[dict]:
        """The data of the three traces at step t (what an animation frame replaces)."""
        t = int(np.clip(t, 0, len(self) - 1))
        if not self._ok[t]:
            return [dict(x=_b64(np.zeros(0, "<f4")), y=_b64(np.zeros(0, "<f4"))) for _ in range(2)] + [
                dict(x=[], y=[], text=[])
            ]
        sx, sy = self._shape[t]
        lx, ly = self._lines[t]
        (ax, ay), (bx, by) = self._labels[t].tolist()
        return [
            dict(x=_b64(sx), y=_b64(sy)),
            dict(x=_b64(lx), y=_b64(ly)),
            dict(x=[ax, bx], y=[ay, by], text=self.label_text(t)),
        ]

    def traces(self, t: int, *, xaxis: str = "x", yaxis: str = "y") -> list[dict]:
        """The three scatter traces of step t as dicts, ready for a figure's data (or go.Figure.add_traces)."""
        shape, axes, labels = self.frame(t)
        kind = str(self.kind[int(np.clip(t, 0, len(self) - 1))])
        common = dict(type="scatter", xaxis=xaxis, yaxis=yaxis, showlegend=False, cliponaxis=True)
        return [
            dict(
                common,
                **shape,
                mode="lines",
                name=_("local quadratic model ({kind})").format(kind=_(kind)),
                line=dict(color=OVERLAY_COLOR, width=2.5),
                hoverinfo="skip",
            ),
            dict(
                common,
                **axes,
                mode="lines",
                name=_("eigenvector axes"),
                line=dict(color=ASYMPTOTE_COLOR, width=2, dash="dash"),
                hoverinfo="skip",
            ),
            dict(
                common,
                **labels,
                mode="text",
                name=_("eigenvalues"),
                textfont=dict(size=TEXT_SIZE, color="#ffffff", shadow="0px 0px 3px #000000", weight="bold"),
                textposition="middle center",
                hoverinfo="skip",
            ),
        ]


def quadratic_overlay(surface, point, **options) -> list[dict]:
    """The overlay's traces at one point (see QuadraticOverlay)."""
    xaxis, yaxis = options.pop("xaxis", "x"), options.pop("yaxis", "y")
    return QuadraticOverlay(surface, [point], **options).traces(0, xaxis=xaxis, yaxis=yaxis)


# -- the edge of stability ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class EdgeSeries:
    """One run's sharpness on the chart: x (steps or epochs), values, and its limit (None: no line)."""

    name: str
    x: np.ndarray
    values: np.ndarray
    limit: float | None
    limit_label: str = ""
    color: str = SHARP_COLOR


def edge_of_stability_spec(
    series: Sequence[EdgeSeries],
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    log_y: bool = False,
) -> dict:
    """Sharpness against step for each series, with its limit as a dashed line (in the series' colour when
    there are several); the area above the lowest limit is shaded (the quadratic model's unstable side). The
    y axis stops at twice the largest limit (larger values are off the chart, still in the hover). With
    `log_y` (limits that differ by orders of magnitude) the axis is logarithmic, unshaded, and ranges over
    the positive values and limits.
    A plain figure dict (hand it to st.plotly_chart through surface_map.prepared, or to go.Figure)."""
    x_title = _("step") if x_title is None else x_title
    y_title = _("sharpness {label}").format(label="λmax(H)") if y_title is None else y_title
    limits = [s.limit for s in series if s.limit is not None and np.isfinite(s.limit)]
    finite = [np.asarray(s.values, dtype=np.float64) for s in series]
    finite = [v[np.isfinite(v)] for v in finite]
    top = max([float(v.max()) for v in finite if v.size] + limits + [0.0])
    if limits:  # an outlier (Adam's first steps, when v̂ holds one gradient) must not flatten the chart
        top = min(top, 2.0 * max(limits))
    low = min([float(v.min()) for v in finite if v.size] + [0.0])
    y_top = top * 1.15 + 1e-12
    one = len(series) == 1
    data = []
    for s in series:
        x = np.asarray(s.x, dtype=np.float64)
        data.append(
            dict(
                type="scatter",
                x=sm.b64(x, "f8"),
                y=sm.b64(s.values, "f8"),
                mode="lines",
                name=s.name,
                line=dict(color=s.color, width=3),
                hovertemplate=f"{s.name}<br>%{{x}}: %{{y:.4g}}<extra></extra>",
            )
        )
        if s.limit is not None and np.isfinite(s.limit):
            text = (
                f"{s.limit_label} = {s.limit:.4g}"
                if s.limit_label
                else _("limit {value}").format(value=f"{s.limit:.4g}")
            )
            ends = [float(x[0]), float(x[-1])] if x.size else [0.0, 1.0]
            data.append(
                dict(
                    type="scatter",
                    x=ends,
                    y=[float(s.limit)] * 2,
                    mode="lines",
                    name=_("limit {value}").format(value=text) if one else f"{s.name}: {text}",
                    line=dict(color=LIMIT_COLOR if one else s.color, width=2.5, dash="dash"),
                    hovertemplate=f"{text}<extra></extra>",
                )
            )
    shapes = []
    if limits and not log_y:
        shapes.append(
            dict(
                type="rect",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=min(limits),
                y1=max(y_top, min(limits)),
                fillcolor=LIMIT_COLOR,
                opacity=0.07,
                line=dict(width=0),
                layer="below",
            )
        )
    axis = dict(
        showline=True, linecolor="#444444", gridcolor="#e5e5e5", zeroline=False, mirror=True, tickfont=dict(size=14)
    )
    layout = dict(
        height=height,
        margin=dict(l=70, r=20, t=50, b=60),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font=dict(sm.FONT, size=TEXT_SIZE),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0, font=dict(size=TEXT_SIZE)),
        hovermode="x unified",
        shapes=shapes,
        xaxis=dict(axis, title=dict(text=x_title, font=dict(size=TEXT_SIZE))),
        yaxis=dict(axis, title=dict(text=y_title, font=dict(size=TEXT_SIZE)), range=[min(low, 0.0) * 1.1, y_top]),
    )
    if log_y:
        positive = [float(v[v > 0].min()) for v in finite if (v > 0).any()] + [x for x in limits if x > 0]
        hi = max([float(v.max()) for v in finite if v.size] + limits + [1e-12])
        lo = min(positive) if positive else hi / 10
        a, b = np.log10(lo) - 0.15, np.log10(hi) + 0.15
        # 1-2-5 ticks written out (Plotly labels a log axis's minor ticks with their first digit only)
        ticks = [m * 10.0**k for k in range(int(np.floor(a)), int(np.ceil(b)) + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if a <= np.log10(t) <= b]
        layout["yaxis"].update(type="log", range=[a, b], tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return {"data": data, "layout": layout}


def edge_of_stability_figure(series: Sequence[EdgeSeries], **options) -> go.Figure:
    """edge_of_stability_spec as a validated go.Figure."""
    return go.Figure(edge_of_stability_spec(series, **options))


def _series(sharp: Sharpness, name: str) -> EdgeSeries:
    return EdgeSeries(
        name or sharp.label,
        np.asarray(sharp.steps, dtype=np.float64),
        np.asarray(sharp.values, dtype=np.float64),
        sharp.limit.value,
        sharp.limit.label,
    )


def sharpness_spec(sharp: Sharpness, *, name: str = "", height: int = 380) -> dict:
    """One run's sharpness (or preconditioned sharpness, for an adaptive optimizer) against its limit, as a
    figure dict (cheap: no Plotly validation; for the Explorer)."""
    return edge_of_stability_spec(
        [_series(sharp, name)], y_title=_("sharpness {label}").format(label=sharp.label), height=height
    )


def sharpness_figure(sharp: Sharpness, *, name: str = "", height: int = 380) -> go.Figure:
    """sharpness_spec as a validated go.Figure."""
    return go.Figure(sharpness_spec(sharp, name=name, height=height))


# -- the Explorer's stage: the same model as plain arrays, drawn on canvas by ui/stage.js ---------------------
KIND_CODES = {"undefined": 0, "flat": 0, "minimum": 1, "maximum": 2, "saddle": 3}


def stage_model(surface, points, *, bounds=None, size: float = SIZE) -> dict[str, np.ndarray]:
    """The local quadratic model at every point of a run, as the arrays the stage draws from (one row per step).

    eigenvalues (n, 2) ascending (NaN where the Hessian is not finite); kappa (n,) λ_max/λ_min where λ_min > 0,
    inf where λ_min = 0 < λ_max, NaN otherwise (no minimum: no condition number); kind (n,) 0 none, 1 minimum,
    2 maximum, 3 saddle; axes (n, 2, 2): row i is semi_i·v_i, the semi-axis of ½dᵀ|H|d = c along the eigenvector
    of eigenvalue i, the longest scaled to `size` of the view's smaller side (a flat direction: that extent);
    asymptotes (n, 2, 2): at a saddle, the directions v_max/√λ_max ± v_min/√|λ_min| scaled to the extent
    (NaN elsewhere). An ellipse is θ + cos s·axes[0] + sin s·axes[1]. Vectorised: a few NumPy calls for all steps.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = bounds if bounds is not None else surface.bounds
    extent = size * min(x1 - x0, y1 - y0)
    w, v = curvature(surface, pts)
    n = len(pts)
    with np.errstate(all="ignore"):
        absw = np.abs(w)
        big = np.where(np.isfinite(absw), absw, 0.0).max(axis=1) if n else np.zeros(0)
        flat = (absw <= FLAT * big[:, None]) | ~np.isfinite(w)
        ok = np.isfinite(w).all(axis=1) & (big > 0)
        definite = ok & ~flat.any(axis=1) & (np.sign(w[:, 0]) == np.sign(w[:, 1]))
        saddle = ok & ~flat.any(axis=1) & (w[:, 0] < 0) & (w[:, 1] > 0)
        smallest = np.where(flat, np.inf, absw).min(axis=1, initial=np.inf)[:, None]
        semi = np.sqrt(smallest / absw) * extent
        semi = np.where(flat, extent, np.where(np.isfinite(semi), semi, 0.0))
        axes = np.swapaxes(v * semi[:, None, :], 1, 2)  # (n, i, xy)
        axes[~ok] = np.nan
        asym = np.full((n, 2, 2), np.nan)
        for j, sign in enumerate((1.0, -1.0)):
            d = v[:, :, 1] / np.sqrt(absw[:, 1:2]) + sign * v[:, :, 0] / np.sqrt(absw[:, 0:1])
            d = d / np.hypot(d[:, 0:1], d[:, 1:2]) * extent
            asym[:, j] = np.where(saddle[:, None], d, np.nan)
        kappa = np.where(w[:, 0] > 0, w[:, 1] / w[:, 0], np.where((w[:, 0] == 0) & (w[:, 1] > 0), np.inf, np.nan))
    kind = np.where(definite, np.where(w[:, 0] > 0, 1, 2), np.where(saddle, 3, 0))
    return dict(eigenvalues=w, kappa=kappa, kind=kind.astype(np.float64), axes=axes, asymptotes=asym)
