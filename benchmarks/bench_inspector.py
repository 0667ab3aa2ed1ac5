"""The inspector's server time per Step press: explain(traj, t) and step_tex (the LaTeX st.latex is given).

    .venv/bin/python benchmarks/bench_inspector.py

Every optimizer on every built-in surface (recommended settings, default start, 300 steps); per pair, steps 1, 10,
100 and 300 (or the last before a divergence). Prints the median and the slowest pair per optimizer, and over all.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from benchmarks._timing import median_seconds  # noqa: E402
from content import presets  # noqa: E402
from optimizers.explain import explain  # noqa: E402
from ui.inspector import step_tex  # noqa: E402

STEPS = 300
SAMPLE = (1, 10, 100, 300)


def main() -> None:
    print(f"Inspector per Step press (explain + step_tex), {STEPS}-step runs, steps {SAMPLE}:")
    every = []
    for opt in optimizers.NAMES:
        times = []
        for sname in surfaces.NAMES:
            s = surfaces.get(sname)
            traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, sname)), s, s.default_start, STEPS)
            last = STEPS if traj.diverged_at is None else traj.diverged_at - 1
            for t in sorted({min(t, last) for t in SAMPLE if last >= 1}):
                seconds = median_seconds(lambda traj=traj, t=t: step_tex(explain(traj, t)), repeat=5)
                times.append((seconds, f"{sname} t={t}"))
        every += [x for x, _ in times]
        worst = max(times)
        print(
            f"  {opt:9s} median {statistics.median(x for x, _ in times) * 1e3:6.2f} ms, "
            f"slowest {worst[0] * 1e3:6.2f} ms ({worst[1]})"
        )
    print(
        f"  all {len(every)} steps: median {statistics.median(every) * 1e3:.2f} ms, "
        f"90th percentile {statistics.quantiles(every, n=10)[-1] * 1e3:.2f} ms, max {max(every) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
