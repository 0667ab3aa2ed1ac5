"""Speed of the Compare page's work: learning-rate sweeps, basin maps, the race and its figures.

Prints medians of several runs on this machine:
- the sweep: 8 optimizers x 30 log-spaced rates x 500 steps on Rosenbrock (one vectorised run per optimizer;
  target: within 1 s), and all 13 optimizers;
- the basin map: 100 x 100 starts x 500 steps (target: within 2 s) for Adam, SGD and Newton;
- the race: 8 optimizers x 1000 steps (the page's caps), its metrics, and building its animated figure;
- figure sizes (what st.plotly_chart sends);
- the page's server time (AppTest, the script run's CPU time in this process: the page, the runs, the figure's
  JSON and its protobuf, not the browser): each classic race preset chosen from the box, and a surface change,
  first with the caches empty (the first student to ask) and then again (cached) (targets: a preset <= 2 s, a
  surface change <= 1 s).
Run: .venv/bin/python benchmarks/bench_compare.py [--page-only]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from optimizers import analysis  # noqa: E402
from viz import compare as vc  # noqa: E402
from viz import surface_map as sm  # noqa: E402

ROSEN = surfaces.get("rosenbrock")
HIMMEL = surfaces.get("himmelblau")
START = np.array([-1.5, 2.0])
EIGHT = optimizers.NAMES[:8]


def sweep_all(names, steps=500, n=30) -> None:
    rates = analysis.log_rates(n=n)
    for name in names:
        analysis.sweep(name, ROSEN, START, steps, rates)


def _cpu(at) -> float:
    """CPU seconds of one script run of an AppTest (every thread of this process: the script runs in one)."""
    t0 = time.process_time()
    at.run()
    seconds = time.process_time() - t0
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "no race drawn"
    return seconds


def page_server_time(repeat: int = 3) -> dict[str, list[float]]:
    """The Compare page's CPU time per script run: choosing each preset, and changing the surface, cold and warm.

    "cold": st.cache_data cleared; the first repetition is the coldest (the process's own lru caches of maps and
    formulas are empty too), so `first` is printed beside the median."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from content.races import PRESETS
    from views import compare

    root = Path(__file__).resolve().parent.parent
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        st.cache_data.clear()
        at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("views/compare.py")
        at.run()
        for p in PRESETS:
            at.selectbox(key=compare.PAGE.key("preset")).set_value(p.key)
            out.setdefault(f"preset {p.key} (cold)", []).append(_cpu(at))
        for p in PRESETS:  # the same presets again: the caches hold their runs
            at.selectbox(key=compare.PAGE.key("preset")).set_value(p.key)
            out.setdefault(f"preset {p.key} (cached)", []).append(_cpu(at))
        for name in ("himmelblau", "beale", "rosenbrock"):
            at.selectbox(key=compare.PAGE.key("surface")).set_value(name)
            out.setdefault(f"surface -> {name} (cold)", []).append(_cpu(at))
        at.selectbox(key=compare.PAGE.key("surface")).set_value("himmelblau")
        out.setdefault("surface -> himmelblau (cached)", []).append(_cpu(at))
    return out


def print_page_server_time() -> None:
    import os

    print(f"Compare page, CPU time of a script run (AppTest; load average {os.getloadavg()[0]:.1f})")
    for what, times in page_server_time().items():
        print(
            f"  {what:32s} median {statistics.median(times) * 1e3:6.0f} ms, max {max(times) * 1e3:6.0f} ms, "
            f"first {times[0] * 1e3:6.0f} ms"
        )


def main() -> None:
    if "--page-only" in sys.argv:
        print_page_server_time()
        return
    print(f"sweep: {len(EIGHT)} optimizers ({', '.join(EIGHT)}) x 30 rates x 500 steps on rosenbrock")
    t = median_seconds(lambda: sweep_all(EIGHT), repeat=5)
    print(f"  {t * 1e3:7.0f} ms   (target 1000 ms)")
    t13 = median_seconds(lambda: sweep_all(optimizers.NAMES), repeat=3)
    print(f"  all {len(optimizers.NAMES)} optimizers: {t13 * 1e3:.0f} ms")
    for name in ("sgd", "adam", "newton"):
        ts = median_seconds(lambda name=name: sweep_all([name]), repeat=5)
        print(f"  {name:8s} alone: {ts * 1e3:6.0f} ms")

    print("basin map: 100 x 100 starts x 500 steps on himmelblau (target 2000 ms)")
    for name, hp in (("adam", {"lr": 0.1}), ("sgd", {"lr": 0.01}), ("newton", {})):
        opt = optimizers.make(name, **hp)
        tb = median_seconds(lambda opt=opt: analysis.basin_map(opt, HIMMEL, 500, 100), repeat=3)
        print(f"  {name:8s} {tb * 1e3:7.0f} ms")
    bm = analysis.basin_map(optimizers.make("adam", lr=0.1), HIMMEL, 500, 100)
    tf = median_seconds(lambda: vc.basin_spec(HIMMEL, bm, "minimum"), repeat=5)
    size = sm.figure_bytes(vc.basin_spec(HIMMEL, bm, "minimum"))
    print(f"  its figure: {tf * 1e3:.0f} ms to build, {size / 1e6:.2f} MB")

    print(f"race: {len(EIGHT)} optimizers x 1000 steps on rosenbrock (the page's caps)")
    opts = [optimizers.make(n, lr=1e-3 if n in ("sgd", "momentum", "nesterov") else 0.01) for n in EIGHT]
    tr = median_seconds(lambda: analysis.race(opts, ROSEN, START, 1000, record=False), repeat=5)
    trr = median_seconds(lambda: analysis.race(opts, ROSEN, START, 1000), repeat=5)
    trajs = analysis.race(opts, ROSEN, START, 1000, record=False)
    tm = median_seconds(lambda: [analysis.metrics(t, ROSEN) for t in trajs], repeat=5)
    ts = median_seconds(lambda: vc.race_spec(ROSEN, trajs, list(EIGHT), f_star=0.0), repeat=3)
    spec = vc.race_spec(ROSEN, trajs, list(EIGHT), f_star=0.0)
    print(f"  runs {tr * 1e3:.0f} ms (recording every internal quantity: {trr * 1e3:.0f} ms)")
    print(f"  metrics {tm * 1e3:.1f} ms, animated figure {ts * 1e3:.0f} ms to build")
    print(f"  figure: {len(spec['frames'])} frames, {sm.figure_bytes(spec) / 1e6:.2f} MB")
    trajs500 = analysis.race(opts, ROSEN, START, 500)
    spec500 = vc.race_spec(ROSEN, trajs500, list(EIGHT), f_star=0.0)
    print(f"  at 500 steps: {len(spec500['frames'])} frames, {sm.figure_bytes(spec500) / 1e6:.2f} MB")
    print_page_server_time()


if __name__ == "__main__":
    main()
