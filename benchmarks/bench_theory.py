"""What the theory overlays cost a setting change of the Explorer on a 500-step run (target: <= 50 ms), and a
Step press.

Per surface (with a first-order optimizer that runs there), the median over several repeats of:
- model: QuadraticOverlay(surface, traj.points) (every step's eigen-decomposition and shapes),
  sharpness(traj, surface), and step_theory at the current step (the model, predicted and measured rates,
  the model's radius of validity);
- frames: the overlay's data for every animation frame (surface_map.frame_steps) and for the figure at t,
  serialised to JSON with orjson as the Explorer serialises its figure (viz.explorer.StepFigure);
- chart: the edge-of-stability figure dict (viz.theory.sharpness_spec), built and serialised with orjson;
and the total, which is what a setting change pays on top of today's Explorer. A Step press pays only
overlay.traces(t) and step_theory at the new step (printed as "step").

Wall time is what a visitor waits; CPU time (this process's) is printed beside it because on a shared machine
the wall time also counts other processes' turns on the cores (the load average is printed).

Run: .venv/bin/python benchmarks/bench_theory.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from content import presets  # noqa: E402
from optimizers import analysis  # noqa: E402
from viz import surface_map as sm  # noqa: E402
from viz.theory import QuadraticOverlay, sharpness_spec  # noqa: E402

STEPS = 500
CASES = [
    ("ravine", "sgd"),
    ("saddle", "sgd"),
    ("rosenbrock", "adam"),
    ("himmelblau", "momentum"),
    ("rastrigin", "rmsprop"),
    ("beale", "adam"),
]


def median_ms(fn, repeat: int = 7) -> tuple[float, float]:
    """(wall, CPU) medians in ms over `repeat` calls after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def measure(name: str, opt: str) -> list[tuple[float, float]]:
    """(wall, CPU) ms of model, frames, chart, and a Step press, for one surface and optimizer."""
    surface = surfaces.get(name)
    traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, name)), surface, surface.default_start, STEPS)
    t_now = STEPS // 2
    frames = sm.frame_steps(STEPS)
    state = {}

    def model():
        state["ov"] = QuadraticOverlay(surface, traj.points)
        state["sharp"] = analysis.sharpness(traj, surface)
        analysis.step_theory(traj, surface, t_now)

    def encode_frames():
        ov = state["ov"]
        data = [ov.frame(int(t)) for t in frames] + [ov.traces(t_now)]
        return orjson.dumps(data)

    def chart():
        return orjson.dumps(sharpness_spec(state["sharp"]))

    def step():
        state["ov"].traces(t_now + 1)
        analysis.step_theory(traj, surface, t_now + 1)

    return [median_ms(f) for f in (model, encode_frames, chart, step)]


def main() -> None:
    print(f"Theory overlays on a {STEPS}-step run: median ms per setting change, wall / CPU (7 repeats)")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'surface':<12}{'optimizer':<10}{'model':>12}{'frames':>12}{'chart':>12}{'total':>12}{'step':>12}")
    totals = []
    for name, opt in CASES:
        *parts, step = measure(name, opt)
        total = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        totals.append(total)
        cells = "".join(f"{w:7.1f} /{c:4.1f}" for w, c in [*parts, total, step])
        print(f"{name:<12}{opt:<10}{cells}")
    print(
        f"largest total: {max(t[0] for t in totals):.1f} ms wall, {max(t[1] for t in totals):.1f} ms CPU (target 50 ms)"
    )


if __name__ == "__main__":
    main()
