"""Size and time of the exports (viz.export, viz.export_image): what a press of an export button costs the server.

Prints, on this machine:
- HTML of a 500-step Explorer run, for every optimizer on every built-in surface (recommended settings): file
  size (target <= 6 MB) and build time, without and with the Theory switch; and of the largest race the page
  allows (8 optimizers x 1000 steps);
- GIF of a 300-step run at 1280x720 (target: <= 10 s of server time, <= 8 MB): at the page's default settings
  (15 frames/s, at most 20 s: one step in 2) and with every step (30 frames/s); a race of 8 x 300 steps;
  wall time and the process's CPU time, size, and the peak memory it added (VmHWM, in a fresh process each);
- MP4 of the same run (H.264 through imageio-ffmpeg, when installed): size, the server process's CPU time and
  FFmpeg's (a child process: its CPU from getrusage, its peak memory VmHWM and anonymous RssAnon polled from
  /proc every 20 ms while it runs), and the peak memory the export added to the server process;
- PNG of one step at 1920x1080.
Run: .venv/bin/python benchmarks/bench_export.py [--quick] [--only html|gif|mp4|png]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from content import presets  # noqa: E402
from optimizers import analysis  # noqa: E402
from viz import export as html_export  # noqa: E402
from viz import export_image as ei  # noqa: E402

ROSEN = surfaces.get("rosenbrock")


def run(name: str, surface, steps: int):
    opt = optimizers.make(name, **presets.recommended(name, surface.name))
    return optimizers.run(opt, surface, surface.default_start, steps)


def race(names, steps: int):
    opts = [optimizers.make(n, **presets.recommended(n, ROSEN.name)) for n in names]
    return analysis.race(opts, ROSEN, ROSEN.default_start, steps, 0.0, 0, record=False)


def timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class _ChildPeak:
    """Polls this process's child processes' VmHWM and RssAnon (kB) from /proc while a `with` block runs."""

    def __enter__(self):
        self.peak = {"VmHWM": 0, "RssAnon": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            try:
                kids = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            except OSError:
                kids = []
            for pid in kids:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        field = line.split(":")[0]
                        if field in self.peak:
                            self.peak[field] = max(self.peak[field], int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _gif_job(kind: str, fps: int, seconds: float, queue, fmt: str = "gif") -> None:
    """In a fresh process: make one GIF (or MP4); report wall, CPU, size, frames and the peak memory it added
    (and for an MP4, FFmpeg's CPU time and peak memory)."""
    if kind == "run":
        traj = run("adam", ROSEN, 300)
        scene = ei.ExplorerScene(traj, ROSEN)
        last = ei.last_step(traj)
    else:
        names = list(optimizers.NAMES[:8])
        trajs = race(names, 300)
        scene = ei.RaceScene(ROSEN, trajs, names, names, f_star=0.0)
        last = scene.last
    plan = ei.frame_plan(last, fps, seconds)
    if fmt == "mp4":
        ei._ffmpeg()  # the import and the one-off check (FFmpeg -version) are not part of an export
    before = _kb("VmRSS")
    with _ChildPeak() as child:
        data, wall, cpu = timed(lambda: getattr(ei, fmt)(scene, plan, fps))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = kids.ru_utime + kids.ru_stime
    queue.put(
        (
            wall,
            cpu,
            len(data),
            len(plan),
            (_kb("VmHWM") - before) / 1024,
            child_cpu,
            child.peak["VmHWM"] / 1024,
            child.peak["RssAnon"] / 1024,
        )
    )


def gif_case(kind: str, fps: int, seconds: float, repeat: int, fmt: str = "gif") -> dict:
    results = []
    ctx = mp.get_context("spawn")
    for _ in range(repeat):
        q = ctx.Queue()
        p = ctx.Process(target=_gif_job, args=(kind, fps, seconds, q, fmt))
        p.start()
        results.append(q.get())
        p.join()
    walls, cpus, sizes, frames, peaks, child_cpus, child_peaks, child_anon = zip(*results, strict=True)
    return dict(
        wall=statistics.median(walls),
        wall_max=max(walls),
        cpu=statistics.median(cpus),
        size=sizes[0],
        frames=frames[0],
        peak=max(peaks),
        child_cpu=statistics.median(child_cpus),
        child_peak=max(child_peaks),
        child_anon=max(child_anon),
    )


def mp4_cases(repeat: int) -> None:
    why = ei.mp4_unavailable()
    if why:
        print(f"MP4: not measured ({why})")
    for label, kind, fps, seconds in (
        ()
        if why
        else (
            ("MP4, 300-step run, page defaults (15 fps, <= 20 s)", "run", 15, 20),
            ("MP4, 300-step run, every step (30 fps, <= 11 s)", "run", 30, 11),
            ("MP4, race of 8 x 300 steps, every step", "race", 30, 11),
        )
    ):
        r = gif_case(kind, fps, seconds, repeat, "mp4")
        print(
            f"{label}: {r['frames']} frames (+{ei.hold_frames(fps)} holding the last), {r['size'] / 1e6:.2f} MB; "
            f"wall median {r['wall']:.1f} s (max {r['wall_max']:.1f}), CPU {r['cpu']:.1f} s in the server process "
            f"+ {r['child_cpu']:.1f} s in FFmpeg; peak memory added to the server process {r['peak']:.0f} MB, "
            f"FFmpeg's peak {r['child_peak']:.0f} MB ({r['child_anon']:.0f} MB of it its own, the rest its "
            "mapped binary)"
        )


def html_cases(quick: bool) -> None:
    print(f"plotly.js inside every HTML file: {html_export.PLOTLY_JS.stat().st_size / 1e6:.2f} MB")
    pairs = [(o, s) for s in (["rosenbrock"] if quick else surfaces.NAMES) for o in optimizers.NAMES]
    for theory in (False, True):
        sizes, times = [], []
        for opt_name, surface_name in pairs:
            surface = surfaces.get(surface_name)
            traj = run(opt_name, surface, 500)
            html, wall, _ = timed(
                lambda tr=traj, su=surface, th=theory: html_export.explorer_html(tr, su, link=None, theory=th)
            )
            sizes.append((len(html.encode()), opt_name, surface_name))
            times.append(wall)
        big = max(sizes)
        print(
            f"HTML, 500-step run{', Theory on' if theory else ''}, {len(pairs)} optimizer x surface pairs: "
            f"median {statistics.median(s for s, *_ in sizes) / 1e6:.2f} MB, largest {big[0] / 1e6:.2f} MB "
            f"({big[1]} on {big[2]}); build median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms (target <= 6 MB)"
        )
    names = list(optimizers.NAMES[:8])
    trajs = race(names, 1000)
    html, wall, _ = timed(lambda: html_export.race_html(ROSEN, trajs, names, names, f_star=0.0))
    print(f"HTML, race of 8 x 1000 steps: {len(html.encode()) / 1e6:.2f} MB, built in {wall * 1000:.0f} ms")


def gif_cases(repeat: int) -> None:
    for label, kind, fps, seconds in (
        ("GIF, 300-step run, page defaults (15 fps, <= 20 s)", "run", 15, 20),
        ("GIF, 300-step run, every step (30 fps, <= 11 s)", "run", 30, 11),
        ("GIF, race of 8 x 300 steps, page defaults", "race", 15, 20),
        ("GIF, race of 8 x 300 steps, every step", "race", 30, 11),
    ):
        r = gif_case(kind, fps, seconds, repeat)
        print(
            f"{label}: {r['frames']} frames, {r['size'] / 1e6:.2f} MB; wall median {r['wall']:.1f} s (max "
            f"{r['wall_max']:.1f}), CPU {r['cpu']:.1f} s; peak memory added {r['peak']:.0f} MB "
            "(targets <= 10 s, <= 8 MB)"
        )


def png_cases() -> None:
    names = list(optimizers.NAMES[:8])
    traj = run("adam", ROSEN, 300)
    png, wall, cpu = timed(lambda: ei.explorer_png(traj, ROSEN, 150))
    print(f"PNG of a step, 1920x1080: {len(png) / 1e6:.2f} MB, {wall:.2f} s wall, {cpu:.2f} s CPU")
    trajs = race(names, 300)
    png, wall, cpu = timed(lambda: ei.race_png(ROSEN, trajs, names, names, f_star=0.0))
    print(f"PNG of a race of 8 x 300 steps, 1920x1080: {len(png) / 1e6:.2f} MB, {wall:.2f} s wall, {cpu:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Rosenbrock only for the HTML, one repeat per GIF")
    parser.add_argument("--only", choices=("html", "gif", "mp4", "png"), help="measure one kind of export only")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    if args.only in (None, "html"):
        html_cases(args.quick)
    if args.only in (None, "gif"):
        gif_cases(repeat)
    if args.only in (None, "mp4"):
        mp4_cases(repeat)
    if args.only in (None, "png"):
        png_cases()
    print(f"(load average while measuring: {' '.join(Path('/proc/loadavg').read_text().split()[:3])})")


if __name__ == "__main__":
    main()
