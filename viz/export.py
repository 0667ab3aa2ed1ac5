"""A run or a race as ONE self-contained HTML file that plays in any browser with no network.

plotly.js is copied into the file from the installed plotly package; the figure is the app's own (the
Explorer's map and rows of numbers, or Compare's race), drawn once, and the file's own script moves it step by
step: Play/Pause, a scrubber, speeds, the step readout and (for a run) a panel with every state quantity of the
optimizer per coordinate, the loss and t. No frames are stored: the file carries each moving trace's numbers
once (the whole path, the arrows of every step) and the script slices them, so a 500-step run is a few hundred
kilobytes of data beside plotly.js's 4.8 MB, every step shown.

    html = explorer_html(traj, surface, link="http://host:8501/explorer?...", theory=False)
    html = race_html(surface, trajs, names, labels, f_star=..., link="http://host:8501/compare?...")

A run that diverged ends at its last good step, and the file says so (and why) above the figure.

With `theory` (the Explorer's Theory switch), a run's file also carries the local quadratic model at every step,
as the stage draws it (viz.theory.stage_model: the ellipse or a saddle's asymptotes and the eigenvector axes on
the map, drawn by the file's script from four numbers per shape per step), and λmin, λmax, κ, the sharpness and
its edge-of-stability limit in the numbers panel (theory_rows).
"""

from __future__ import annotations

import dataclasses
import datetime
import html as html_lib
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import orjson
import plotly

import i18n
from i18n import N_, translator

from . import compare as vc
from . import explorer as ve

_, ngettext = translator("core")

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
MIN_FONT_PX = 14  # legible on a projector
POWER_TICK_PX = 16  # plotly.js draws the exponent of 10⁻³ at 0.875 of the tick font (Chromium): 14 px
FRAME_MS = 80  # one step every 80 ms at 1× (the app's Play speed)
SPEEDS = (0.25, 1.0, 4.0)
DIVERGED_WHY = N_("the next iterate left the finite numbers or the region ten view-widths around the map")


# -- small helpers -----------------------------------------------------------------------------------------
def app_link(base_url: str, link: str) -> str:
    """`link` (relative, like presets.explorer_link's "explorer?...", or absolute) under the app's `base_url`.

    ValueError when the base URL is not an http(s) address (the file's link must open the app, not a script).
    """
    if urlsplit(link).scheme in ("http", "https"):
        return link
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the app's base URL must start with http:// or https://, got {base_url!r}")
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def last_step(traj) -> int:
    """The last step of the run worth showing: the step before it diverged, else its last step."""
    d = traj.diverged_at
    if d is None or traj.batched:
        return int(traj.steps)
    return max(int(d) - 1, 0)


def truncated(traj, last: int):
    """The run cut after step `last` (a diverged run repeats its last good row after it; nothing to show)."""
    if last >= traj.steps:
        return traj
    cut = slice(0, last + 1)
    return dataclasses.replace(
        traj,
        steps=last,
        points=traj.points[cut],
        losses=traj.losses[cut],
        grads=traj.grads[cut],
        quantities={k: v[cut] for k, v in traj.quantities.items()},
    )


def _plain(symbol: str, fallback: str) -> str:
    from optimizers.symbols import plain

    try:
        return plain(symbol)
    except KeyError:
        return fallback


def hyper_text(opt) -> str:
    """The hyperparameters as a reader sees them: γ = 0.1, β₁ = 0.9, ..., bias_correction on."""
    parts = []
    for name, value in opt.hyperparams().items():
        h = opt.HYPERS.get(name)
        if h is None:  # a regimen's schedule (optimizers.regimen): its name
            title = value.shown_title() if hasattr(value, "shown_title") else getattr(value, "title", value)
            parts.append(f"{name}: {title}")
        elif h.kind is bool:
            parts.append(f"{name} " + (_("on") if value else _("off")))
        else:
            parts.append(f"{_plain(h.symbol, name) if h.symbol else name} = {float(value):.4g}")
    return ", ".join(parts)


def _where(d: int) -> str:
    return _("at the start") if d == 0 else _("at step {t}").format(t=d)


def _num(x: float) -> str:
    return f"{x:.4g}"


def _legible(layout, min_px: int = MIN_FONT_PX) -> None:
    """Raise every font size in the layout to at least `min_px` (a projector at the back of a room).

    Ticks written as powers of ten (10⁻³) draw the exponent smaller than the tick font: their axes get a tick
    font large enough for the exponent to reach `min_px` too."""
    if isinstance(layout, dict):
        if layout.get("exponentformat") == "power":
            tick = layout.setdefault("tickfont", {})
            tick["size"] = max(tick.get("size", 0), POWER_TICK_PX)
        for key, value in layout.items():
            if key in ("font", "tickfont") and isinstance(value, dict):
                if value.get("size", min_px) < min_px:
                    value["size"] = min_px
            _legible(value, min_px)
    elif isinstance(layout, list):
        for item in layout:
            _legible(item, min_px)


def _clean(values, digits: int = 7) -> list:
    """Numbers for the file's script: float lists with NaN/inf as null, `digits` significant digits."""
    arr = np.asarray(values, dtype=np.float64)
    out = np.where(np.isfinite(arr), arr, np.nan)
    rounded = [float(f"{v:.{digits}g}") if v == v else None for v in out.ravel()]
    return np.array(rounded, dtype=object).reshape(arr.shape).tolist() if arr.ndim > 1 else rounded


def _json(value) -> str:
    """JSON safe inside a <script> element (no "</" to end it early)."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS).decode()
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


# -- the Explorer's run ------------------------------------------------------------------------------------
def _segments(traj, surface, last: int) -> list[dict]:
    """Per step, the three arrows of viz.explorer (−g, the moment, the update), as start and end points."""
    arrows = ve._Arrows(traj, surface)
    out = [{"x0": [], "y0": [], "x1": [], "y1": []} for _ in range(3)]
    for t in range(last + 1):
        anchor, *vecs = arrows.at(t)
        for k, vec in enumerate(vecs):
            ok = vec is not None and np.all(np.isfinite(vec)) and float(np.hypot(*vec)) > 0
            ok = ok and np.all(np.isfinite(anchor))
            end = np.asarray(anchor) + np.asarray(vec) if ok else None
            for key, v in (("x0", anchor[0]), ("y0", anchor[1]), ("x1", None if end is None else end[0])):
                out[k][key].append(float(v) if ok and v is not None else None)
            out[k]["y1"].append(float(end[1]) if ok else None)
    for seg in out:
        for key in seg:
            seg[key] = [None if v is None else float(f"{v:.7g}") for v in seg[key]]
    return out


def numbers_panel(traj) -> list[dict]:
    """The panel's rows: label, symbol, meaning and per step the value per coordinate (or one value).

    t and the loss, θ, the gradient the step used (g at θ_{t−1}; none at step 0), every recorded state field
    of the optimizer in its own order (symbol from QUANTITIES), then the update θ_t − θ_{t−1}.
    """
    opt = traj.optimizer
    rows = [
        dict(key="theta", symbol="θ", meaning=_("the point (parameters)"), values=_clean(traj.points)),
    ]
    g = np.full_like(traj.grads, np.nan)
    g[1:] = traj.grads[:-1]
    rows.append(dict(key="g", symbol="g", meaning=_("the gradient this step used (at θₜ₋₁)"), values=_clean(g)))
    order = [n for n in opt.State._fields if n in traj.quantities]
    order += [n for n in traj.quantities if n not in order and n != "update"]
    for name in order:
        symbol, meaning = opt.QUANTITIES.get(name, (name, ""))
        values = np.asarray(traj.quantities[name], dtype=np.float64)
        meaning = opt.meaning(name)
        rows.append(dict(key=name, symbol=_plain(symbol, name), meaning=meaning, values=_clean(values)))
    rows.append(
        dict(key="update", symbol="θₜ − θₜ₋₁", meaning=_("the update"), values=_clean(traj.quantities["update"]))
    )
    return rows


def theory_rows(run, surface) -> list[dict]:
    """The Theory switch's numbers at every step, as numbers_panel rows: λmin, λmax and κ of the Hessian at θₜ
    (viz.theory.stage_model, as the stage's panel), then the sharpness that meets the optimizer's
    edge-of-stability limit (λmax(P⁻¹H) for a preconditioned optimizer; λmax(H) is the row above) and that
    limit (optimizers.theory.sharpness; no limit row for an optimizer that has none)."""
    from optimizers.theory import sharpness

    from .theory import stage_model

    m = stage_model(surface, run.points, bounds=surface.bounds)
    w = m["eigenvalues"]
    rows = [
        dict(key="lmin", symbol="λmin", meaning=_("the Hessian's smaller eigenvalue at θₜ"), values=_clean(w[:, 0])),
        dict(key="lmax", symbol="λmax", meaning=_("the Hessian's larger eigenvalue at θₜ"), values=_clean(w[:, 1])),
        dict(
            key="kappa",
            symbol="κ",
            meaning=_("the condition number λmax/λmin (— where λmin ≤ 0: no minimum)"),
            values=_clean(m["kappa"]),
        ),
    ]
    sharp = sharpness(run, surface)
    if sharp.values is not sharp.sharpness:
        rows.append(
            dict(
                key="sharpness",
                symbol=sharp.label,
                meaning=_("the preconditioned sharpness: λmax of the Hessian scaled by the per-coordinate step"),
                values=_clean(sharp.values),
            )
        )
    if sharp.limit.value is not None:
        rows.append(
            dict(
                key="limit",
                symbol=sharp.limit.label,
                meaning=(
                    _(
                        "the edge-of-stability limit on {label}: above it the step is unstable on the quadratic model "
                        "(with the per-coordinate scaling held fixed)"
                    )
                    if sharp.limit.preconditioned
                    else _(
                        "the edge-of-stability limit on {label}: above it the step is unstable on the quadratic model"
                    )
                ).format(label=sharp.label),
                values=_clean(np.full(len(run.points), sharp.limit.value)),
            )
        )
    return rows


def model_update(run, surface, trace: int, axes_trace: int) -> dict:
    """The file's data for the quadratic model's two map traces: per step θ, the semi-axes (row i: semi_i·v_i)
    and, at a saddle, the asymptotes' half-lengths (viz.theory.stage_model), and the kind (0 none, 1 minimum,
    2 maximum, 3 saddle); the script draws the ellipse θ + cos s·a₀ + sin s·a₁ (or the asymptotes) and the axes."""
    from .theory import stage_model

    m = stage_model(surface, run.points, bounds=surface.bounds)
    n = len(run.points)
    return dict(
        kind="model",
        trace=trace,
        axes_trace=axes_trace,
        x=_clean(run.points[:, 0]),
        y=_clean(run.points[:, 1]),
        shape=[int(k) for k in m["kind"]],
        axes=_clean(m["axes"].reshape(n, 4), 6),
        asym=_clean(m["asymptotes"].reshape(n, 4), 6),
    )


def _model_traces() -> list[dict]:
    from .theory import ASYMPTOTE_COLOR, OVERLAY_COLOR

    common = dict(type="scatter", mode="lines", x=[], y=[], xaxis="x", yaxis="y", showlegend=False, hoverinfo="skip")
    return [
        dict(common, name=_("local quadratic model at θₜ"), line=dict(color=OVERLAY_COLOR, width=2.5)),
        dict(common, name=_("its eigenvector axes"), line=dict(color=ASYMPTOTE_COLOR, width=2, dash="dash")),
    ]


def explorer_html(traj, surface, *, link: str | None = None, frame_ms: int = FRAME_MS, theory: bool = False) -> str:
    """The Explorer's run as one self-contained HTML file (see the module docstring).

    `traj` is one run (not a batch); `link` the absolute URL of the same settings in the app (or None); `theory`
    adds the local quadratic model on the map and its numbers in the panel (the Explorer's Theory switch).
    """
    if traj.batched:
        raise ValueError("explorer_html takes one run, not a batch of starts")
    _check_frame_ms(frame_ms)
    last = last_step(traj)
    run = truncated(traj, last)
    spec = ve.explorer_figure(run, surface, last, animate=False)
    layout, meta = spec["layout"], spec["layout"]["meta"]
    layout["margin"] = dict(layout["margin"], b=70)
    layout.pop("uirevision", None)
    _legible(layout)
    rows = ve.series_rows(run)
    values = [v for _key, _label, v in rows] + [ve.loss_series(run, surface)[0]]
    segs = _segments(run, surface, last)
    updates = [
        dict(kind="prefix", trace=meta["path"], x=_clean(run.points[:, 0]), y=_clean(run.points[:, 1])),
        dict(kind="at", trace=meta["current"], x=_clean(run.points[:, 0]), y=_clean(run.points[:, 1])),
        *[dict(kind="seg", trace=i, **s) for i, s in zip(meta["arrows"], segs, strict=True)],
        *[dict(kind="cursor", trace=i) for i in meta["cursors"]],
        *[
            dict(kind="dot", trace=i, values=_clean(np.asarray(v, dtype=np.float64).reshape(len(v), -1)))
            for i, v in zip(meta["dots"], values, strict=True)
        ],
    ]
    panel = numbers_panel(run)
    if theory:
        first = len(spec["data"])
        spec["data"].extend(_model_traces())
        updates.append(model_update(run, surface, first, first + 1))
        panel += theory_rows(run, surface)
    opt = traj.optimizer
    title = _("{optimizer} on {surface}").format(optimizer=opt.title, surface=_surface_name(surface))
    start = np.asarray(traj.points[0], dtype=np.float64)
    subtitle = [hyper_text(opt), _start_text(start, traj.steps)]
    if traj.noise:
        subtitle[-1] += _(", gradient noise σ = {sigma} (seed {seed})").format(sigma=f"{traj.noise:g}", seed=traj.seed)
    notice = None
    d = traj.diverged_at
    if d is not None:
        notice = _("The run diverged {where}: {why}. It ends at step {last}, the last step it took.").format(
            where=_where(d), why=_(DIVERGED_WHY), last=last
        )
    data = dict(
        last=last,
        frame_ms=int(frame_ms),
        updates=updates,
        losses=_clean(run.losses),
        panel=panel,
        coords=["x", "y"],
    )
    return _page(title, subtitle, notice, spec, data, link, kind="run")


def _surface_name(surface) -> str:
    return f"f(x, y) = {surface.formula}" if getattr(surface, "formula", None) else _(surface.title)


def _start_text(start, steps: int) -> str:
    return ngettext("start {point}, {n} step", "start {point}, {n} steps", int(steps)).format(
        point=f"({_num(start[0])}, {_num(start[1])})", n=int(steps)
    )


# -- Compare's race ----------------------------------------------------------------------------------------
def race_html(
    surface,
    trajs: Sequence,
    names: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    f_star: float | None = None,
    link: str | None = None,
    frame_ms: int = FRAME_MS,
) -> str:
    """Compare's race as one self-contained HTML file: every path and loss curve grows step by step."""
    if not trajs:
        raise ValueError("a race needs at least one run")
    _check_frame_ms(frame_ms)
    labels = list(labels) if labels is not None else [str(n) for n in names]
    spec = vc.race_spec(surface, trajs, names, labels, f_star=f_star, clickable=False)
    spec.pop("frames", None)
    layout = spec["layout"]
    for k in ("updatemenus", "sliders", "uirevision"):
        layout.pop(k, None)
    layout["margin"] = dict(layout["margin"], b=70)
    _legible(layout)
    lasts = [last_step(t) for t in trajs]
    end = max(lasts)
    big = float(np.finfo(np.float32).max)
    updates = []
    for first, traj, own_last in zip(layout["meta"]["racers"], trajs, lasts, strict=True):
        pts = np.clip(np.asarray(traj.points, dtype=np.float64).reshape(-1, 2), -big, big)[: own_last + 1]
        yl = np.clip(vc.loss_axis_values(traj.losses, f_star), -big, big)[: own_last + 1]
        xs, ys, ls = _clean(pts[:, 0]), _clean(pts[:, 1]), _clean(yl)
        updates += [
            dict(kind="prefix", trace=first, x=xs, y=ys, last=own_last),
            dict(kind="at", trace=first + 1, x=xs, y=ys, last=own_last),
            dict(kind="curve", trace=first + 2, y=ls, last=own_last),
            dict(kind="dot", trace=first + 3, values=[[v] for v in ls], last=own_last),
        ]
    title = _("Race on {surface}").format(surface=_surface_name(surface))
    start = np.asarray(trajs[0].points[0], dtype=np.float64)
    t0 = trajs[0]
    subtitle = [
        i18n.join((f"{lab}: {hyper_text(t.optimizer)}" for lab, t in zip(labels, trajs, strict=True)), clauses=True),
        _start_text(start, t0.steps),
    ]
    if t0.noise:
        subtitle[-1] += _(", gradient noise σ = {sigma}, the same for every racer (seed {seed})").format(
            sigma=f"{t0.noise:g}", seed=t0.seed
        )
    gone = [
        _("{racer} diverged {where}: its path ends at step {last}").format(
            racer=lab, where=_where(t.diverged_at), last=k
        )
        for lab, t, k in zip(labels, trajs, lasts, strict=True)
        if t.diverged_at is not None
    ]
    notice = None
    if gone:
        notice = _("{list} ({why}).").format(list=i18n.join(gone, clauses=True), why=_(DIVERGED_WHY))
        if end < t0.steps:
            notice += " " + _("Every racer had stopped by step {t}: the race ends there.").format(t=end)
    data = dict(last=end, frame_ms=int(frame_ms), updates=updates, labels=labels)
    return _page(title, subtitle, notice, spec, data, link, kind="race")


def _check_frame_ms(frame_ms) -> None:
    if isinstance(frame_ms, bool) or not isinstance(frame_ms, int | float) or not 10 <= frame_ms <= 2000:
        raise ValueError(f"frame_ms must be a number of milliseconds in [10, 2000], got {frame_ms!r}")


# -- the page ----------------------------------------------------------------------------------------------
def _page(title: str, subtitle: list[str], notice: str | None, spec: dict, data: dict, link, *, kind: str) -> str:
    if link and urlsplit(link).scheme not in ("http", "https"):
        raise ValueError(f"the link back to the app must be an http(s) address, got {link!r}")
    esc = html_lib.escape
    figure = {"data": spec["data"], "layout": spec["layout"]}
    made = datetime.date.today().isoformat()
    link_html = (
        f'<a id="applink" href="{esc(link, quote=True)}">{esc(_("Open these settings in Optimizer Lab"))}</a> '
        + esc(_("(needs the app's server)."))
        if link
        else esc(_("Made with Optimizer Lab."))
    )
    notice_html = f'<p class="notice" id="notice" role="alert">⚠ {esc(notice)}</p>' if notice else ""
    speeds = "".join(f'<option value="{s}"{" selected" if s == 1 else ""}>{_speed(s)}</option>' for s in SPEEDS)
    heading = esc(_("Step {t}: the numbers inside the optimizer")).replace("{t}", '<span id="panel-t">0</span>')
    panel = (
        f'<section id="numbers" aria-label="{esc(_("the numbers of this step"), quote=True)}"><h2>{heading}</h2>'
        '<table id="panel"></table></section>'
        if kind == "run"
        else ""
    )
    words = {
        "play": "▶ " + _("Play"),
        "pause": "❚❚ " + _("Pause"),
        "step": _("step {t} / {last}"),
        "quantity": _("quantity"),
        "what": _("what it is"),
        "t": _("the step (updates so far)"),
        "loss": _("the loss"),
    }
    data = dict(data, words=words)
    return _TEMPLATE.format(
        lang="zh-Hans" if i18n.lang() == "zh" else "en",
        w_play=esc(words["play"]),
        w_scrub=esc(_("step"), quote=True),
        w_readout=esc(words["step"].format(t=0, last=int(data["last"]))),
        w_speed=esc(_("speed")),
        sep="" if i18n.lang() == "zh" else " ",  # Chinese puts no space after its full stop
        w_footer=esc(
            _("Made on {date}; plotly.js (plotly {version}) is inside this file: it plays with no network.")
        ).format(date=made, version=esc(plotly.__version__)),
        title=esc(title),
        subtitle="".join(f"<p class='sub'>{esc(s)}</p>" for s in subtitle),
        notice=notice_html,
        speeds=speeds,
        panel=panel,
        link=link_html,
        made=made,
        plotly_version=esc(plotly.__version__),
        plotly_js=PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script"),
        figure=_json(figure),
        data=_json(data),
        last=int(data["last"]),
        script=_SCRIPT,
    )


def _speed(s: float) -> str:
    return {0.25: "¼×", 0.5: "½×", 1.0: "1×", 2.0: "2×", 4.0: "4×"}.get(s, f"{s:g}×")


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Inter, Helvetica, Arial, sans-serif; font-size: 18px; color: #0b0c0e; margin: 16px 24px; }}
h1 {{ font-size: 28px; margin: 0 0 4px; }}
h2 {{ font-size: 20px; margin: 12px 0 6px; }}
.sub {{ margin: 2px 0; font-size: 17px; color: #333; }}
.notice {{ background: #fdecea; border-left: 6px solid #c0392b; padding: 8px 12px; font-size: 18px; }}
#controls {{ display: flex; align-items: center; gap: 14px; margin: 10px 0; flex-wrap: wrap; font-size: 18px; }}
#controls button, #controls select {{ font-size: 18px; padding: 6px 14px; }}
#scrub {{ flex: 1 1 320px; min-width: 200px; height: 28px; }}
#readout {{ font-variant-numeric: tabular-nums; min-width: 9em; font-weight: 600; }}
#panel {{ border-collapse: collapse; font-size: 17px; font-variant-numeric: tabular-nums; }}
#panel td, #panel th {{ border-bottom: 1px solid #d9dde3; padding: 4px 14px; text-align: right; }}
#panel td.sym, #panel th.sym {{ text-align: left; font-weight: 600; }}
#panel td.what {{ text-align: left; color: #444; font-size: 15px; }}
footer {{ margin-top: 14px; font-size: 15px; color: #444; }}
</style></head>
<body>
<h1>{title}</h1>
{subtitle}
{notice}
<div id="controls">
<button id="play" type="button">{w_play}</button>
<input id="scrub" type="range" min="0" max="{last}" step="1" value="0" aria-label="{w_scrub}">
<span id="readout">{w_readout}</span>
<label>{w_speed} <select id="speed">{speeds}</select></label>
</div>
<div id="plot"></div>
{panel}
<footer>{link}{sep}{w_footer}</footer>
<script>{plotly_js}</script>
<script type="application/json" id="figure">{figure}</script>
<script type="application/json" id="data">{data}</script>
<script>{script}</script>
</body></html>
"""

# The player: each moving trace's numbers come once; show(t) slices them and moves the figure with
# Plotly.animate (only the moving traces are redrawn, as the app's own frames do).
_SCRIPT = r"""
(function () {
  const FIG = JSON.parse(document.getElementById('figure').textContent);
  const D = JSON.parse(document.getElementById('data').textContent);
  const gd = document.getElementById('plot');
  const scrub = document.getElementById('scrub'), readout = document.getElementById('readout');
  const play = document.getElementById('play'), speed = document.getElementById('speed');
  let t = 0, timer = null, busy = false, pending = null;
  const range = (n) => Array.from({length: n}, (_, i) => i);
  function traceAt(u, t) {
    const k = Math.min(t, u.last === undefined ? D.last : u.last);
    switch (u.kind) {
      case 'prefix': return {x: u.x.slice(0, k + 1), y: u.y.slice(0, k + 1)};
      case 'at': return {x: [u.x[k]], y: [u.y[k]]};
      case 'curve': return {x: range(k + 1), y: u.y.slice(0, k + 1)};
      case 'cursor': return {x: [t, t], y: [0, 1]};
      case 'dot': return {x: u.values[k].map(() => k), y: u.values[k]};
      case 'seg': return u.x0[k] === null ? {x: [], y: []} : {x: [u.x0[k], u.x1[k]], y: [u.y0[k], u.y1[k]]};
      case 'model': return modelShape(u, k);
    }
  }
  // the local quadratic model at θ_k (viz.theory.stage_model's numbers): the ellipse at a minimum or maximum, the
  // asymptotes at a saddle; modelAxes: the eigenvector axes, dashed (as the app's stage draws them)
  function modelShape(u, k) {
    const px = u.x[k], py = u.y[k], a = u.axes[k], kind = u.shape[k];
    if (px === null || py === null || a.some((v) => v === null)) return {x: [], y: []};
    const x = [], y = [];
    if (kind === 1 || kind === 2) {
      for (let i = 0; i <= 72; i++) {
        const s = (2 * Math.PI * i) / 72, c = Math.cos(s), n = Math.sin(s);
        x.push(px + c * a[0] + n * a[2]); y.push(py + c * a[1] + n * a[3]);
      }
    } else if (kind === 3 && u.asym[k].every((v) => v !== null)) {
      const d = u.asym[k];
      for (const j of [0, 2]) { x.push(px - d[j], px + d[j], null); y.push(py - d[j + 1], py + d[j + 1], null); }
    }
    return {x: x, y: y};
  }
  function modelAxes(u, k) {
    const px = u.x[k], py = u.y[k], a = u.axes[k];
    if (px === null || py === null || a.some((v) => v === null)) return {x: [], y: []};
    return {x: [px - a[0], px + a[0], null, px - a[2], px + a[2]],
      y: [py - a[1], py + a[1], null, py - a[3], py + a[3]]};
  }
  function fmt(v) {
    if (v === null || v === undefined) return '—';
    if (v === 0) return '0';
    const a = Math.abs(v);
    return (a >= 1e-4 && a < 1e6) ? String(Number(v.toPrecision(6))) : v.toExponential(4);
  }
  function cell(v) { return Array.isArray(v) ? v.map(fmt).join(', ') : fmt(v); }
  function buildPanel() {
    const table = document.getElementById('panel');
    if (!table) return;
    const W = D.words;
    let h = '<tr><th class="sym">' + esc(W.quantity) + '</th><th>x</th><th>y</th><th class="sym">' + esc(W.what)
      + '</th></tr>';
    h += '<tr><td class="sym">t</td><td id="v-t" colspan="2"></td><td class="what">' + esc(W.t) + '</td></tr>';
    h += '<tr><td class="sym">f(θ)</td><td id="v-loss" colspan="2"></td><td class="what">' + esc(W.loss)
      + '</td></tr>';
    D.panel.forEach((r, i) => {
      const two = Array.isArray(r.values[0]);
      h += '<tr><td class="sym">' + esc(r.symbol) + '</td>' + (two
        ? '<td id="v' + i + 'x"></td><td id="v' + i + 'y"></td>'
        : '<td id="v' + i + 'x" colspan="2"></td>') + '<td class="what">' + esc(r.meaning) + '</td></tr>';
    });
    table.innerHTML = h;
  }
  function esc(s) { const d = document.createElement('div'); d.textContent = s; return d.innerHTML; }
  function fillPanel(t) {
    if (!D.panel) return;
    document.getElementById('panel-t').textContent = t;
    document.getElementById('v-t').textContent = t;
    document.getElementById('v-loss').textContent = fmt(D.losses[t]);
    D.panel.forEach((r, i) => {
      const v = r.values[t];
      if (Array.isArray(v)) {
        document.getElementById('v' + i + 'x').textContent = cell(v[0]);
        document.getElementById('v' + i + 'y').textContent = cell(v[1]);
      } else {
        document.getElementById('v' + i + 'x').textContent = fmt(v);
      }
    });
  }
  function show(s) {
    t = Math.max(0, Math.min(D.last, s));
    scrub.value = t;
    readout.textContent = D.words.step.replace('{t}', t).replace('{last}', D.last);
    gd.dataset.step = t;
    fillPanel(t);
    if (busy) { pending = t; return; }
    busy = true;
    const frame = {data: D.updates.map((u) => traceAt(u, t)), traces: D.updates.map((u) => u.trace)};
    D.updates.filter((u) => u.kind === 'model').forEach((u) => {
      frame.data.push(modelAxes(u, Math.min(t, D.last))); frame.traces.push(u.axes_trace);
    });
    Plotly.animate(gd, frame, {frame: {duration: 0, redraw: false}, transition: {duration: 0}, mode: 'immediate'})
      .catch(() => {}).then(() => {
        busy = false;
        gd.dataset.drawn = t;
        if (pending !== null) { const p = pending; pending = null; show(p); }
      });
  }
  function stop() { if (timer) clearTimeout(timer); timer = null; play.textContent = D.words.play; }
  function tick() {
    if (t >= D.last) { stop(); return; }
    show(t + 1);
    timer = setTimeout(tick, D.frame_ms / Number(speed.value));
  }
  play.addEventListener('click', () => {
    if (timer) { stop(); return; }
    if (t >= D.last) show(0);
    play.textContent = D.words.pause;
    timer = setTimeout(tick, D.frame_ms / Number(speed.value));
  });
  scrub.addEventListener('input', () => { stop(); show(Number(scrub.value)); });
  document.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'SELECT') return;
    if (e.key === 'ArrowRight') { stop(); show(t + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { stop(); show(t - 1); e.preventDefault(); }
    if (e.key === ' ') { play.click(); e.preventDefault(); }
  });
  buildPanel();
  Plotly.newPlot(gd, FIG.data, FIG.layout, {displaylogo: false, responsive: true, scrollZoom: false})
    .then(() => { gd.dataset.ready = '1'; show(0); });
})();
"""
