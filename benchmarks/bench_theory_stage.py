"""What the Explorer's Theory toggle adds to a setting change: viz.explorer.stage_data with and without the local
quadratic model at every step, on a 500-step run (the median of repeated calls, wall time and this process's CPU
time), and the bytes it adds; and what the theory panel adds to a rest (analysis.step_theory at one step).
A Step press pays nothing: the browser draws the model from the arrays it already holds.

    .venv/bin/python benchmarks/bench_theory_stage.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from content import presets  # noqa: E402
from optimizers import analysis  # noqa: E402
from viz import explorer  # noqa: E402

STEPS = 500
REPEATS = 15


def _median_ms(fn) -> str:
    wall, cpu = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return f"{1000 * float(np.median(wall)):6.2f} ms (CPU {1000 * float(np.median(cpu)):6.2f})"


def main() -> None:
    print(f"stage_data on a {STEPS}-step run, median of {REPEATS} (map part precomputed, as the page caches it)")
    for surface_name, opt_name in (("ravine", "sgd"), ("rosenbrock", "adam"), ("saddle", "momentum")):
        _measure(surface_name, opt_name)


def _measure(surface_name: str, opt_name: str) -> None:
    surface = surfaces.get(surface_name)
    opt = optimizers.make(opt_name, **presets.recommended(opt_name, surface_name))
    traj = optimizers.run(opt, surface, surface.default_start, STEPS)
    part = explorer.map_data(surface)
    off = _median_ms(lambda: orjson.dumps(explorer.stage_data(traj, surface, map_part=part)))
    on = _median_ms(lambda: orjson.dumps(explorer.stage_data(traj, surface, map_part=part, theory=True)))
    alone = _median_ms(lambda: explorer.theory_data(traj, surface))
    rest = _median_ms(lambda: analysis.step_theory(traj, surface, STEPS // 2))
    size_off = len(orjson.dumps(explorer.stage_data(traj, surface, map_part=part)))
    size_on = len(orjson.dumps(explorer.stage_data(traj, surface, map_part=part, theory=True)))
    print(
        f"  {surface_name:10s} {opt_name:9s} off {off}  on {on}\n"
        f"      theory_data alone {alone}  step_theory per rest {rest}"
        f"  bytes +{(size_on - size_off) / 1024:.0f} KiB ({size_off / 1024:.0f} -> {size_on / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
