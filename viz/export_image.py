"""A run or a race as an animated GIF or an MP4 for a slide or a chat, and one step as a 1920×1080 PNG.

Drawn with matplotlib's Agg renderer (the object API: no pyplot, no global state, safe in a server's threads)
and encoded by Pillow. The picture: the surface (the same banded colours and iso-lines as the app's map,
viz.background) with the path, the current point and, for a run, the step's arrows; the loss against the step
beside it; for a run, a table of the optimizer's numbers at that step; the title with the surface, optimizer
and hyperparameters; the step readout. Text is at least 14 px at 1280×720 (10.1 pt at 100 dpi).

Frames are drawn by blitting: the still parts are drawn once, and each frame restores them and draws only the
artists that move (matplotlib's animation writers redraw the whole figure for every frame, several times
slower). Every frame is mapped to one palette taken from the last frame, so the parts that do not move are
the same bytes in every frame and Pillow's GIF writer stores only the rectangle that changed.

    gif = explorer_gif(traj, surface, fps=15, max_seconds=20, progress=lambda done, total: ...)
    video = mp4(ExplorerScene(traj, surface), frame_plan(last, 15, 20), 15)   # H.264; see mp4_unavailable
    png = explorer_png(traj, surface, t)
    gif = race_gif(surface, trajs, names, labels, f_star=0.0)
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import GifImagePlugin, Image

import i18n
from i18n import translator

from . import background
from . import compare as vc
from . import explorer as ve
from .export import DIVERGED_WHY, _start_text, hyper_text, last_step, numbers_panel, theory_rows, truncated

_, ngettext = translator("core")

# Chinese text needs a CJK font: matplotlib falls back glyph by glyph along font.family (3.6+), so DejaVu Sans stays
# the font of every Latin letter and digit (its digits have one width: the numbers' columns line up) and a CJK
# family, where the system has one (Debian's fonts-noto-cjk), draws the rest. Without one, Chinese shows as boxes.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "WenQuanYi Zen Hei")


def simplified_faces() -> list[str]:
    """Noto Sans CJK's Simplified Chinese faces as fonts matplotlib can read, added to its font list.

    Matplotlib reads only the first face of a font collection (.ttc), and Noto's lists Japanese first, so Chinese
    would be drawn in the Japanese forms of the characters. fontTools (a matplotlib dependency) copies the SC face
    out of each collection into a file of its own, once, in matplotlib's cache folder (0.3 s, 16 MB a face); later
    processes add that file. Returns the files added ([] without Noto's collections)."""
    added = []
    cache = Path(matplotlib.get_cachedir())
    for path in font_manager.findSystemFonts():
        stem = Path(path).name
        if not (stem.startswith("NotoSansCJK-") and stem.endswith(".ttc")):
            continue
        target = cache / stem.replace(".ttc", "-SC.otf")
        try:
            if not target.exists():
                from fontTools.ttLib import TTCollection

                faces = [
                    f for f in TTCollection(path, lazy=True).fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC"
                ]
                if not faces:
                    continue
                part = target.with_suffix(f".{os.getpid()}.part")
                faces[0].save(str(part))
                os.replace(part, target)  # whole or absent: another process may be writing the same file
            font_manager.fontManager.addfont(str(target))
            added.append(str(target))
        except (OSError, RuntimeError, ValueError, KeyError, ImportError):
            continue
    return added


def cjk_family() -> str | None:
    """The first CJK font family matplotlib knows of: Noto Sans CJK SC where fonts-noto-cjk is installed
    (simplified_faces), else another (a .ttc is listed under its first face: JP for Noto's)."""
    simplified_faces()
    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FAMILIES if name in known), None)
    if found is None:  # installed after matplotlib cached its font list: add the system's CJK fonts now
        for path in font_manager.findSystemFonts():
            if "CJK" in path or "wqy" in path.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FAMILIES if name in known), None)
    return found


FONT_FAMILY = ["DejaVu Sans", *filter(None, [cjk_family()])]
# Set once, for every figure of the process (this module alone draws with matplotlib; a constant, so it is as
# safe in the server's threads as the object API itself).
matplotlib.rcParams["font.family"] = FONT_FAMILY

GIF_SIZE = (1280, 720)  # px: a projector's 720p
PNG_SIZE = (1920, 1080)
DPI = 100
FPS_RANGE = (1, 30)
SECONDS_RANGE = (1, 60)
DEFAULT_FPS = 15
DEFAULT_SECONDS = 20
HOLD_LAST_MS = 1500  # the last frame stays a moment before the GIF loops
MP4_CRF = 20  # x264's constant quality (0 lossless - 51): sharp text and lines at 1280×720, ~1-2 MB a minute
# One encoder thread and a 10-frame look-ahead: FFmpeg peaks at ~170 MB instead of ~280 MB with x264's defaults
# (three threads on 2 cores, 30 frames ahead), for the same CPU time and size (benchmarks/bench_export.py).
MP4_X264 = ["-crf", str(MP4_CRF), "-preset", "fast", "-threads", "1", "-rc-lookahead", "10"]
CLEAR = 255  # the palette index of transparent pixels (the palette has 255 colours: 0-254)
Progress = Callable[[int, int], None]


# -- parameters --------------------------------------------------------------------------------------------
def _FPS_MESSAGE() -> str:  # noqa: N802 (reads as the message it is)
    return _("the frame rate must be a whole number of frames per second in [{lo}, {hi}], got {value}")


def check_fps(fps) -> int:
    """The frame rate as an int, or ValueError with the valid range."""
    lo, hi = FPS_RANGE
    if isinstance(fps, bool) or not isinstance(fps, int | float) or not math.isfinite(fps) or fps != int(fps):
        raise ValueError(_FPS_MESSAGE().format(lo=lo, hi=hi, value=repr(fps)))
    if not lo <= fps <= hi:
        raise ValueError(_FPS_MESSAGE().format(lo=lo, hi=hi, value=f"{fps:g}"))
    return int(fps)


def check_seconds(seconds) -> float:
    """The length cap in seconds, or ValueError with the valid range."""
    lo, hi = SECONDS_RANGE
    ok = not isinstance(seconds, bool) and isinstance(seconds, int | float) and math.isfinite(seconds)
    if not ok or not lo <= seconds <= hi:
        got = f"{seconds:g}" if ok else repr(seconds)
        raise ValueError(
            _("the length must be a number of seconds in [{lo}, {hi}], got {value}").format(lo=lo, hi=hi, value=got)
        )
    return float(seconds)


def frame_plan(last: int, fps: int, max_seconds: float) -> np.ndarray:
    """The steps that get a frame: every step from 0 to `last` if they fit in `max_seconds` at `fps`, else
    evenly spaced (the same stride throughout, and always the last step)."""
    fps, max_seconds = check_fps(fps), check_seconds(max_seconds)
    budget = max(2, int(fps * max_seconds))
    stride = max(1, math.ceil((last + 1) / budget)) if last + 1 > budget else 1
    steps = np.arange(0, last + 1, stride)
    if steps[-1] != last:
        steps = np.append(steps, last)
    return steps


# -- drawing -----------------------------------------------------------------------------------------------
def _figure(size: tuple[int, int], dpi: int) -> tuple[Figure, FigureCanvasAgg]:
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, facecolor="white")
    return fig, FigureCanvasAgg(fig)


def _map(ax, surface, n: int = 400) -> None:
    """The surface as the app draws it: log-scaled loss in bands with darker iso-lines, minima and saddles."""
    (x0, x1), (y0, y1) = surface.bounds
    _xs, _ys, z = background.grid(surface, n=n)
    ax.imshow(background.rgb(background.normalise(z)), origin="lower", extent=(x0, x1, y0, y1), aspect="equal")
    mins, sads = np.asarray(surface.minima).reshape(-1, 2), np.asarray(surface.saddles).reshape(-1, 2)
    if len(mins):
        ax.scatter(mins[:, 0], mins[:, 1], marker="*", s=320 if len(mins) <= 12 else 60, c="white",
                   edgecolors="#1b1b1b", linewidths=1.2, zorder=3, label=_("minimum"))  # fmt: skip
    if len(sads):
        ax.scatter(sads[:, 0], sads[:, 1], marker="x", s=150, c="#ff7f0e", linewidths=3, zorder=3, label=_("saddle"))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x", fontsize=13)
    ax.set_ylabel("y", fontsize=13, rotation=0, labelpad=10)
    ax.tick_params(labelsize=12)


def _loss_axis(ax, steps: int, log: bool, label: str) -> None:
    ax.set_xlim(-0.01 * max(steps, 1), max(steps, 1) * 1.01)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(_("step"), fontsize=13)
    ax.set_title(label, fontsize=13, loc="left")
    ax.tick_params(which="both", labelsize=12)  # a log axis over less than a decade labels its minor ticks
    ax.grid(True, color="#e3e7ee")


def _ylim(ax, values, log: bool) -> None:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & ((v > 0) if log else True)]
    if v.size == 0:
        return
    lo, hi = float(v.min()), float(v.max())
    if log:
        ax.set_ylim(lo / 2, hi * 2)
    else:
        pad = 0.06 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)


def _fmt(v) -> str:
    if v is None:
        return "—"
    if v == 0:
        return "0"
    return f"{v:.6g}" if 1e-4 <= abs(v) < 1e6 else f"{v:.4e}"


def _cell(v) -> str:
    return ", ".join(_fmt(u) for u in v) if isinstance(v, list) else _fmt(v)


class _Scene:
    """A figure whose moving artists are redrawn per step by blitting (or drawn in full for a PNG)."""

    def __init__(self, size, dpi, animated: bool):
        self.fig, self.canvas = _figure(size, dpi)
        self.animated = animated
        self.moving: list = []
        self._bg = None

    def _mv(self, artist):
        artist.set_animated(self.animated)
        self.moving.append(artist)
        return artist

    def frame(self, t: int) -> Image.Image:
        """Step t as an RGB image (by blitting onto the still parts, drawn once)."""
        self._draw(t)
        w, h = self.canvas.get_width_height()
        return Image.frombuffer("RGBA", (w, h), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")

    def rgb(self, t: int) -> np.ndarray:
        """Step t as a C-contiguous (height, width, 3) uint8 array (the same picture as frame(t))."""
        self._draw(t)
        return np.ascontiguousarray(np.asarray(self.canvas.buffer_rgba())[:, :, :3])

    def _draw(self, t: int) -> None:
        if self._bg is None:
            self.canvas.draw()
            self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self._bg)
        self.update(t)
        for a in self.moving:
            if a.get_visible():
                self.fig.draw_artist(a)

    def png(self, t: int) -> bytes:
        self.update(t)
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=self.fig.dpi, facecolor="white")
        return buf.getvalue()

    def update(self, t: int) -> None:
        raise NotImplementedError


def _title(fig, title: str, lines: Sequence[str], notice: str | None, scale: float = 1.0) -> None:
    fig.text(0.012, 0.975, title, fontsize=19, fontweight="bold", va="top")
    y = 0.925
    for line in lines:
        fig.text(0.012, y, line, fontsize=12, va="top", color="#333333")
        y -= 0.035
    if notice:
        fig.text(0.012, y, "⚠ " + notice, fontsize=12, va="top", color="#b00020", wrap=True)


class ExplorerScene(_Scene):
    """One optimizer's run: map with path and arrows (left), loss (top right), the step's numbers (right).

    With `theory` (the Explorer's Theory switch): the local quadratic model at θₜ on the map as the stage draws
    it (viz.theory.stage_model: the ellipse or a saddle's asymptotes, the eigenvector axes dashed) and its
    numbers in the table (viz.export.theory_rows: λmin, λmax, κ, the sharpness against its limit)."""

    def __init__(self, traj, surface, *, size=GIF_SIZE, dpi=DPI, animated=True, theory: bool = False):
        super().__init__(size, dpi, animated)
        self.last = last_step(traj)
        run = truncated(traj, self.last)
        self.run = run
        fig = self.fig
        opt = traj.optimizer
        name = f"f(x, y) = {surface.formula}" if getattr(surface, "formula", None) else _(surface.title)
        start = run.points[0]
        lines = [hyper_text(opt), _start_text(start, traj.steps)]
        if traj.noise:
            lines[-1] += _(", gradient noise σ = {sigma} (seed {seed})").format(sigma=f"{traj.noise:g}", seed=traj.seed)
        notice = None
        d = traj.diverged_at
        if d is not None:
            notice = _("Diverged at step {t} ({why}): the run ends at step {last}.").format(
                t=d, why=_(DIVERGED_WHY), last=self.last
            )
        _title(fig, _("{optimizer} on {surface}").format(optimizer=opt.title, surface=name), lines, notice)
        self.step_words = _("step {t} / {last}")  # in the language of the scene's making (frames drawn later)
        self.readout = self._mv(fig.text(0.988, 0.975, "", fontsize=19, fontweight="bold", ha="right", va="top"))
        top = 0.80 if notice is None else 0.76
        ax = fig.add_axes((0.06, 0.08, 0.40, top - 0.10))
        _map(ax, surface)
        pts = run.points
        (self.path,) = ax.plot([], [], "-o", color=ve.PATH_COLOR, lw=2.5, ms=3.5, mec="white", mew=0.5, zorder=4)
        self._mv(self.path)
        (self.point,) = ax.plot([], [], "o", color=ve.PATH_COLOR, ms=13, mec="white", mew=2.2, zorder=6)
        self._mv(self.point)
        self.arrows = _ArrowArtists(ax, self._mv)
        self._arrows = ve._Arrows(run, surface)
        handles = self.arrows.handles(self._arrows.moment_label)
        self.model = None
        if theory:
            from .theory import ASYMPTOTE_COLOR, OVERLAY_COLOR, stage_model

            self.model = stage_model(surface, pts, bounds=surface.bounds)
            (self.shape,) = ax.plot([], [], color=OVERLAY_COLOR, lw=2.5, zorder=5)
            (self.axes_line,) = ax.plot([], [], color=ASYMPTOTE_COLOR, lw=2, ls=(0, (6, 4)), zorder=5)
            self._mv(self.shape)
            self._mv(self.axes_line)
            handles.append(Line2D([], [], color=OVERLAY_COLOR, lw=2.5, label=_("quadratic model at θₜ")))
        ax.legend(handles=handles, loc="upper left", fontsize=11, framealpha=0.85, bbox_to_anchor=(0.0, 1.0))
        # the loss
        loss, label, log = ve.loss_series(run, surface)
        self.loss = loss
        lax = fig.add_axes((0.53, top - 0.30, 0.445, 0.27))
        _loss_axis(lax, self.last, log, label)
        lax.plot(np.arange(len(loss)), loss, color="#b8bec8", lw=2)
        _ylim(lax, loss, log)
        (self.curve,) = lax.plot([], [], color=ve.LOSS_COLOR, lw=2.5)
        self._mv(self.curve)
        (self.dot,) = lax.plot([], [], "o", color=ve.LOSS_COLOR, ms=9, mec="white", mew=1.5)
        self._mv(self.dot)
        self.map_xy = pts
        # the numbers
        self.rows = numbers_panel(run) + (theory_rows(run, surface) if theory else [])
        n = len(self.rows) + 2
        size = 12 if n <= 11 else 11
        y0 = top - 0.40
        fig.text(0.53, y0, _("quantity"), fontsize=size, fontweight="bold", va="top")
        fig.text(0.75, y0, "x", fontsize=size, fontweight="bold", va="top", ha="right")
        fig.text(0.90, y0, "y", fontsize=size, fontweight="bold", va="top", ha="right")
        # one text per column (a text is about 1 ms to draw, whatever its length): DejaVu Sans's digits all have
        # the same width, so the right-aligned numbers line up
        dy = min(0.040, (y0 - 0.05) / n)
        spacing = dy * self.fig.get_figheight() * 72 / size / 1.2  # matplotlib's line height is 1.2 em x spacing
        below = y0 - dy
        labels = [_("t (step)"), _("f(θ) (loss)")] + [r["symbol"] for r in self.rows]
        fig.text(0.53, below, "\n".join(labels), fontsize=size, va="top", linespacing=spacing)
        self.col_x = self._mv(fig.text(0.75, below, "", fontsize=size, va="top", ha="right", linespacing=spacing))
        self.col_y = self._mv(fig.text(0.90, below, "", fontsize=size, va="top", ha="right", linespacing=spacing))

    def update(self, t: int) -> None:
        t = int(np.clip(t, 0, self.last))
        pts = self.map_xy
        self.readout.set_text(self.step_words.format(t=t, last=self.last))
        self.path.set_data(pts[: t + 1, 0], pts[: t + 1, 1])
        self.point.set_data(pts[t : t + 1, 0], pts[t : t + 1, 1])
        self.arrows.set(self._arrows.at(t))
        self.curve.set_data(np.arange(t + 1), self.loss[: t + 1])
        self.dot.set_data([t], [self.loss[t]])
        if self.model is not None:
            self.shape.set_data(*_model_shape(self.model, pts[t], t))
            self.axes_line.set_data(*_model_axes(self.model, pts[t], t))
        values = [[t, None], [float(self.run.losses[t]), None]]
        for r in self.rows:
            v = r["values"][t]
            values.append(v if isinstance(v, list) and len(v) == 2 else [v, None])
        self.col_x.set_text("\n".join(str(vx) if isinstance(vx, int) else _cell(vx) for vx, _ in values))
        self.col_y.set_text("\n".join("" if vy is None else _cell(vy) for _, vy in values))


_CIRCLE = np.linspace(0, 2 * np.pi, 73)


def _model_shape(model: dict, p: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The quadratic model's curve at step t (stage_model's arrays): θ + cos s·a₀ + sin s·a₁ at a minimum or
    maximum, the two asymptotes through θ at a saddle, nothing elsewhere (as ui/stage.js draws it)."""
    a, kind = model["axes"][t], int(model["kind"][t])
    if not (np.isfinite(p).all() and np.isfinite(a).all()):
        return np.zeros(0), np.zeros(0)
    if kind in (1, 2):
        c, s = np.cos(_CIRCLE), np.sin(_CIRCLE)
        return p[0] + c * a[0, 0] + s * a[1, 0], p[1] + c * a[0, 1] + s * a[1, 1]
    if kind == 3:
        d = model["asymptotes"][t]
        return _segments(p, d)
    return np.zeros(0), np.zeros(0)


def _model_axes(model: dict, p: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    a = model["axes"][t]
    if not (np.isfinite(p).all() and np.isfinite(a).all()):
        return np.zeros(0), np.zeros(0)
    return _segments(p, a)


def _segments(p: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two segments p ± d[0] and p ± d[1], NaN between them (one Line2D)."""
    x = [p[0] - d[0, 0], p[0] + d[0, 0], np.nan, p[0] - d[1, 0], p[0] + d[1, 0]]
    y = [p[1] - d[0, 1], p[1] + d[0, 1], np.nan, p[1] - d[1, 1], p[1] + d[1, 1]]
    return np.array(x), np.array(y)


class _ArrowArtists:
    """The step's three arrows (−g and the moment scaled, the update to scale) as matplotlib annotations."""

    STYLE = (
        (ve.GRAD_COLOR, 2.5),
        (ve.MOMENT_COLOR, 2.5),
        (ve.UPDATE_COLOR, 3.5),
    )

    def __init__(self, ax, mv):
        self.anns = []
        for color, width in self.STYLE:
            ann = ax.annotate(
                "",
                xy=(0, 0),
                xytext=(0, 0),
                arrowprops=dict(arrowstyle="-|>", color=color, lw=width, mutation_scale=22, shrinkA=0, shrinkB=0),
                zorder=5,
            )
            self.anns.append(mv(ann))

    def handles(self, moment_label: str):
        scaled = _("{vector} (scaled)")
        labels = [scaled.format(vector="−g"), scaled.format(vector=moment_label or "−m"), _("update θₜ − θₜ₋₁")]
        return [Line2D([], [], color=c, lw=w, label=lab) for (c, w), lab in zip(self.STYLE, labels, strict=True)] + [
            Line2D([], [], color=ve.PATH_COLOR, marker="o", ms=9, mec="white", lw=2.5, label=_("path, θₜ"))
        ]

    def set(self, at) -> None:
        anchor, *vecs = at
        for ann, vec in zip(self.anns, vecs, strict=True):
            ok = vec is not None and np.all(np.isfinite(vec)) and np.all(np.isfinite(anchor))
            ok = ok and float(np.hypot(*vec)) > 0
            ann.set_visible(bool(ok))
            if ok:
                ann.set_position((float(anchor[0]), float(anchor[1])))
                ann.xy = (float(anchor[0] + vec[0]), float(anchor[1] + vec[1]))


class RaceScene(_Scene):
    """Compare's race: every path on the map (left), every loss against the step (right)."""

    def __init__(self, surface, trajs, names, labels=None, *, f_star=None, size=GIF_SIZE, dpi=DPI, animated=True):
        super().__init__(size, dpi, animated)
        if not trajs:
            raise ValueError("a race needs at least one run")
        labels = list(labels) if labels is not None else [str(n) for n in names]
        fig = self.fig
        self.lasts = [last_step(t) for t in trajs]
        self.last = max(self.lasts)
        t0 = trajs[0]
        name = f"f(x, y) = {surface.formula}" if getattr(surface, "formula", None) else _(surface.title)
        start = np.asarray(t0.points[0])
        gone = [
            _("{racer} at step {t}").format(racer=lab, t=t.diverged_at)
            for lab, t in zip(labels, trajs, strict=True)
            if t.diverged_at
        ]
        gone += [
            _("{racer} at the start").format(racer=lab)
            for lab, t in zip(labels, trajs, strict=True)
            if t.diverged_at == 0
        ]
        notice = (
            _("Diverged ({why}): {list}; each path ends at its last step.").format(
                why=_(DIVERGED_WHY), list=i18n.join(gone)
            )
            if gone
            else None
        )
        line = _start_text(start, t0.steps)
        if t0.noise:
            line += _(", gradient noise σ = {sigma}, the same for every racer (seed {seed})").format(
                sigma=f"{t0.noise:g}", seed=t0.seed
            )
        _title(fig, _("Race on {surface}").format(surface=name), [line], notice)
        self.step_words = _("step {t} / {last}")
        self.readout = self._mv(fig.text(0.988, 0.975, "", fontsize=19, fontweight="bold", ha="right", va="top"))
        top = 0.86 if notice is None else 0.82
        ax = fig.add_axes((0.06, 0.08, 0.42, top - 0.12))
        _map(ax, surface)
        log = f_star is not None
        lax = fig.add_axes((0.55, 0.1, 0.43, top - 0.20))
        _loss_axis(lax, t0.steps, log, _("loss − f* (log scale)") if log else _("loss"))
        big = float(np.finfo(np.float32).max)
        self.items = []
        allv = []
        for traj, n, lab, own in zip(trajs, names, labels, self.lasts, strict=True):
            c = vc.color(n)
            pts = np.clip(np.asarray(traj.points, dtype=np.float64).reshape(-1, 2), -big, big)[: own + 1]
            yl = np.clip(vc.loss_axis_values(traj.losses, f_star), -big, big)[: own + 1]
            allv.append(yl)
            (path,) = ax.plot([], [], "-o", color=c, lw=2.5, ms=3, mec="white", mew=0.4, zorder=4)
            (head,) = ax.plot([], [], "o", color=c, ms=13, mec="white", mew=2, zorder=6)
            (curve,) = lax.plot([], [], color=c, lw=2.5, label=lab)
            (dot,) = lax.plot([], [], "o", color=c, ms=9, mec="white", mew=1.5)
            for a in (path, head, curve, dot):
                self._mv(a)
            self.items.append((pts, yl, own, path, head, curve, dot))
        _ylim(lax, np.concatenate(allv), log)
        handles = [Line2D([], [], color=vc.color(n), lw=3, label=lab) for n, lab in zip(names, labels, strict=True)]
        lax.legend(handles=handles, loc="upper right", fontsize=12, framealpha=0.9)
        lax.set_xlim(-0.01 * max(t0.steps, 1), max(t0.steps, 1) * 1.01)

    def update(self, t: int) -> None:
        t = int(np.clip(t, 0, self.last))
        self.readout.set_text(self.step_words.format(t=t, last=self.last))
        for pts, yl, own, path, head, curve, dot in self.items:
            k = min(t, own)
            path.set_data(pts[: k + 1, 0], pts[: k + 1, 1])
            head.set_data(pts[k : k + 1, 0], pts[k : k + 1, 1])
            curve.set_data(np.arange(k + 1), yl[: k + 1])
            dot.set_data([k], [yl[k]])


# -- encoding ----------------------------------------------------------------------------------------------
def gif(scene: _Scene, steps: Sequence[int], fps: int, progress: Progress | None = None) -> bytes:
    """The scene at `steps` as a looping GIF at `fps` (the last frame held a moment), encoded by Pillow.

    Streamed: each frame is drawn, mapped to the one palette, cut to the rectangle that changed since the frame
    before and encoded at once (Pillow's GifImagePlugin.getheader / getdata), so memory holds one frame, not
    all of them (Pillow's save_all keeps every full frame until the end: 0.9 MB each at 1280×720, 270 MB
    for 300). `progress(done, total)` is called after each frame and once more when the file is complete.
    """
    fps = check_fps(fps)
    total = len(steps) + 1
    frame_ms = round(1000 / fps)
    # the palette from the last frame: every colour the run will use (its whole path, its loss curve) is in it
    palette = scene.frame(int(steps[-1])).quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    previous = None
    pending = None  # (image, offset, duration): written when the next frame shows it is done
    for i, s in enumerate(steps):
        im = scene.frame(int(s)).quantize(palette=palette, dither=Image.Dither.NONE)
        idx = np.asarray(im)
        if previous is None:
            colours = (im.getpalette() + [0] * 768)[:768]
            header, _used = GifImagePlugin.getheader(im, info={"loop": 0, "duration": frame_ms})
            out.write(b"".join(header))
            pending = [im, (0, 0), frame_ms, False]
        else:
            changed = idx != previous
            rows, cols = np.flatnonzero(changed.any(1)), np.flatnonzero(changed.any(0))
            if rows.size == 0:  # nothing moved: the frame before lasts longer
                pending[2] += frame_ms
            else:
                _write_frame(out, *pending)
                y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
                # inside the rectangle, the pixels that did not change are transparent: the frame before shows
                # through, and long runs of one index compress well
                cut = np.where(changed[y0:y1, x0:x1], idx[y0:y1, x0:x1], CLEAR).astype(np.uint8)
                part = Image.fromarray(cut, mode="P")
                part.putpalette(colours)
                pending = [part, (x0, y0), frame_ms, True]
        previous = idx
        if progress is not None:
            progress(i + 1, total)
    pending[2] += HOLD_LAST_MS
    _write_frame(out, *pending)
    out.write(b";")  # the GIF trailer
    if progress is not None:
        progress(total, total)
    return out.getvalue()


def _write_frame(out: io.BytesIO, im: Image.Image, offset: tuple[int, int], duration: int, clear: bool) -> None:
    """One frame drawn over the one before (disposal 1), with CLEAR as its transparent index if `clear`."""
    extra = {"transparency": CLEAR} if clear else {}
    out.write(b"".join(GifImagePlugin.getdata(im, offset=offset, duration=duration, disposal=1, **extra)))


@functools.cache
def _has_mp4_encoder() -> bool:
    return importlib.util.find_spec("imageio_ffmpeg") is not None


def mp4_unavailable() -> str | None:
    """None when the MP4 encoder is installed; else why not, in words for the page.

    The encoder is FFmpeg's libx264 from the imageio-ffmpeg wheel (an FFmpeg build inside a pip package: no
    system download). It is optional: without it the app offers the GIF and says why there is no MP4. Cheap
    (the package is looked up, not imported: its import takes ~0.1 s and finding FFmpeg runs it once), so a
    page can ask on every run; mp4() does the rest when an MP4 is asked for."""
    if not _has_mp4_encoder():  # the look-up is cached; the words are in the language of the call
        return _("this server has no MP4 encoder (the imageio-ffmpeg package, `pip install imageio-ffmpeg`)")
    return None


def _ffmpeg():
    """imageio_ffmpeg, once it has found its FFmpeg (RuntimeError with the reason otherwise)."""
    why = mp4_unavailable()
    if why is not None:
        raise RuntimeError(why)
    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:  # the package without a binary for this platform, or a broken one
        raise RuntimeError(_("this server's imageio-ffmpeg has no FFmpeg to run ({error})").format(error=exc)) from exc
    return imageio_ffmpeg


def hold_frames(fps: int) -> int:
    """How many copies of the last frame an MP4 adds so that it stays HOLD_LAST_MS (a video has no delays)."""
    return math.ceil(HOLD_LAST_MS * check_fps(fps) / 1000)


def mp4(scene: _Scene, steps: Sequence[int], fps: int, progress: Progress | None = None) -> bytes:
    """The scene at `steps` as an MP4 (H.264, yuv420p: plays in every browser and slide program) at `fps`, the
    last frame held HOLD_LAST_MS. Frames are drawn as for the GIF and piped one at a time to FFmpeg (a separate
    process, imageio_ffmpeg.write_frames), which writes a temporary file (MP4 puts its index after the frames:
    "+faststart" moves it to the front for streaming); its bytes are returned and the file removed.
    RuntimeError when no encoder is installed (mp4_unavailable says why)."""
    fps = check_fps(fps)
    imageio_ffmpeg = _ffmpeg()
    w, h = scene.canvas.get_width_height()
    total = len(steps) + 1
    with tempfile.TemporaryDirectory(prefix="optlab-mp4-") as tmp:
        path = os.path.join(tmp, "export.mp4")
        writer = imageio_ffmpeg.write_frames(
            path,
            (w, h),
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            fps=fps,
            codec="libx264",
            quality=None,  # the rate is set by the CRF below
            macro_block_size=16,  # 1280×720 and 1920×1080 are multiples of 16: never rescaled
            ffmpeg_log_level="error",
            output_params=[*MP4_X264, "-movflags", "+faststart"],
        )
        writer.send(None)  # starts FFmpeg
        try:
            frame = None
            for i, s in enumerate(steps):
                frame = scene.rgb(int(s))
                writer.send(frame)
                if progress is not None:
                    progress(i + 1, total)
            for _ in range(hold_frames(fps)):
                writer.send(frame)
        finally:
            writer.close()  # waits for FFmpeg to finish the file (or stops it after an error)
        with open(path, "rb") as f:
            data = f.read()
    if progress is not None:
        progress(total, total)
    return data


def explorer_gif(
    traj,
    surface,
    *,
    fps: int = DEFAULT_FPS,
    max_seconds: float = DEFAULT_SECONDS,
    progress: Progress | None = None,
    theory: bool = False,
) -> bytes:
    """The Explorer's run as a GIF at 1280×720: every step if it fits in `max_seconds` at `fps`, else evenly
    spaced steps (see frame_plan). A diverged run ends at its last step and says so in its title. `theory`: with
    the local quadratic model (see ExplorerScene)."""
    steps = frame_plan(last_step(traj), fps, max_seconds)
    return gif(ExplorerScene(traj, surface, theory=theory), steps, fps, progress)


def race_gif(
    surface,
    trajs,
    names,
    labels=None,
    *,
    f_star=None,
    fps: int = DEFAULT_FPS,
    max_seconds: float = DEFAULT_SECONDS,
    progress: Progress | None = None,
) -> bytes:
    """Compare's race as a GIF at 1280×720 (see explorer_gif)."""
    scene = RaceScene(surface, trajs, names, labels, f_star=f_star)
    return gif(scene, frame_plan(scene.last, fps, max_seconds), fps, progress)


def explorer_png(traj, surface, t: int | None = None, *, size=PNG_SIZE, theory: bool = False) -> bytes:
    """Step t of the run (default: its last) as a PNG for a slide, 1920×1080: the GIF's picture, 1.5× as large."""
    dpi = int(DPI * size[0] / GIF_SIZE[0])
    scene = ExplorerScene(traj, surface, size=size, dpi=dpi, animated=False, theory=theory)
    return scene.png(scene.last if t is None else t)


def race_png(surface, trajs, names, labels=None, *, f_star=None, t: int | None = None, size=PNG_SIZE) -> bytes:
    """The race at step t (default: its end) as a 1920×1080 PNG for a slide."""
    scene = RaceScene(
        surface, trajs, names, labels, f_star=f_star, size=size, dpi=int(DPI * size[0] / GIF_SIZE[0]), animated=False
    )
    return scene.png(scene.last if t is None else t)
