"""One student with several tabs of the costliest Explorer link, and another student changing a setting.

Starts its own server (`streamlit run app.py`, as `make run` does). `--tabs` sessions (default 6) reload the
costliest Explorer run the budget allows (the 273-character power tower of bench_budget.py, Newton, the most
steps that fit) over and over, each time with a new noise seed so that no cache can serve it; meanwhile one
other session on the Explorer changes its Steps `--changes` times (default 20), one change after the other.
Prints the other student's latency (p50, p95, max) with and without the tabs, and how many heavy runs the tabs
got through. Before the work budget, six such tabs pushed another student's Step from 13 ms to 3.8 s median.
Run: .venv/bin/python benchmarks/bench_noisy.py [--tabs 6] [--changes 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import budget  # noqa: E402
import surfaces  # noqa: E402
from benchmarks import load  # noqa: E402
from benchmarks.bench_budget import WORST, WORST_VIEW  # noqa: E402
from harness import client  # noqa: E402
from harness.server import start_server, stop_server  # noqa: E402


def heavy_query(seed: int) -> str:
    tower = surfaces.from_formula(WORST, WORST_VIEW)
    most = budget.largest(lambda k: budget.explorer_work("newton", tower, k) <= budget.LIMIT, 1, 2000)
    bounds = dict(zip(("fxmin", "fxmax", "fymin", "fymax"), (*WORST_VIEW[0], *WORST_VIEW[1]), strict=True))
    q = {"surface": "custom", "formula": WORST, **bounds, "opt": "newton", "lr": 1e-4, "x0": 1, "y0": 1, "steps": most}
    return urlencode({**q, "seed": seed, "noise": 1e-9})  # noise > 0: the seed is part of the run


async def tab(url: str, who: int, stop: asyncio.Event, runs: list[float]) -> None:
    async with client.Session(url, timeout=120) as s:
        k = 0
        while not stop.is_set():
            k += 1
            t0 = time.perf_counter()
            run = await s.open("explorer", heavy_query(1000 * who + k))
            if run.exceptions:
                raise RuntimeError(run.exceptions)
            runs.append(time.perf_counter() - t0)


async def student(url: str, changes: int) -> list[float]:
    async with client.Session(url, timeout=120) as s:
        run = await s.open("explorer")
        times = []
        for i in range(changes):
            change = client.change(run.widget("steps"), s.states.get(run.widget("steps").number_input.id), i, 0)
            run = await s.rerun(change)
            if run.exceptions:
                raise RuntimeError(run.exceptions)
            times.append(run.seconds)
        return times


async def scenario(url: str, tabs: int, changes: int) -> tuple[list[float], list[float]]:
    stop = asyncio.Event()
    heavy: list[float] = []
    tasks = [asyncio.create_task(tab(url, i, stop, heavy)) for i in range(tabs)]
    await asyncio.sleep(3 if tabs else 0)  # the tabs are busy
    times = await student(url, changes)
    stop.set()
    await asyncio.gather(*tasks)
    return times, heavy


def pct(xs, q):
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tabs", type=int, default=6)
    ap.add_argument("--changes", type=int, default=20)
    args = ap.parse_args(argv)
    proc, url = start_server("app.py")
    try:
        for tabs in (0, args.tabs):
            cpu0 = load.cpu_seconds(proc.pid)
            times, heavy = asyncio.run(scenario(url, tabs, args.changes))
            print(
                f"{tabs} heavy tabs: the other student's setting change p50 {statistics.median(times):.3f} s, "
                f"p95 {pct(times, 0.95):.3f} s, max {max(times):.3f} s ({len(times)} changes); heavy runs done "
                f"{len(heavy)}, each {statistics.median(heavy) if heavy else 0:.2f} s median; "
                f"server CPU {load.cpu_seconds(proc.pid) - cpu0:.1f} s"
            )
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
