"""Server CPU per script run for one student on the Explorer: stepping rests, and a control change (run cached).

One websocket session (benchmarks/load.py's Session, Streamlit's own protocol) on a server of its own; the
server's CPU time (user + system, from /proc) over 40 runs of each kind, three times; prints the medians.
Under a class the server's throughput is about one over these (one process runs its scripts on one core).
A Step press itself costs the server nothing (the browser's stage redraws); the server runs when stepping
rests (the stage reports t: the inspector's run).

    .venv/bin/python benchmarks/bench_server_cpu.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import load  # noqa: E402
from harness import client  # noqa: E402
from harness.server import start_server, stop_server  # noqa: E402


async def measure(url: str, pid: int, runs: int = 40, repeat: int = 3) -> dict[str, float]:
    out: dict[str, list[float]] = {"stepping rests": [], "control change": []}
    async with client.Session(url) as s:
        page = await s.open("explorer")
        for _ in range(repeat):
            c0 = load.cpu_seconds(pid)
            for i in range(runs):  # steps 1, 2, ... (the inspector's numbers differ every time)
                page = await s.rerun(client.rest_at(s.stage(), i + 1))
            out["stepping rests"].append((load.cpu_seconds(pid) - c0) / runs)
            c0 = load.cpu_seconds(pid)
            for i in range(runs):  # steps 300 <-> 310: both runs cached after the first
                page = await s.rerun(
                    client.change(page.widget("steps"), s.states.get(page.widget("steps").number_input.id), i, 0)
                )
            out["control change"].append((load.cpu_seconds(pid) - c0) / runs)
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    proc, url = start_server("app.py")
    try:
        figures = asyncio.run(measure(url, proc.pid))
    finally:
        stop_server(proc)
    print("Explorer, one student, server CPU per script run (median of 3 x 40):")
    for kind, seconds in figures.items():
        print(f"  {kind:15s} {seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
