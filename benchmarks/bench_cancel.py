"""Abandoned work: how much CPU a server spends on a run after its tab closed, or after a newer run replaced it.

Starts its own server (`streamlit run app.py`), then, over Streamlit's websocket protocol (load.py's client):
- drop: opens Compare on the costliest race the budget allows (the 273-character power tower of
  bench_budget.py, 8 racers, the most steps that fit: about 2 s of CPU) and closes the websocket DELAY s after
  the race has started (its progress bar has arrived);
- replace: the same, then the same page with 1 step instead (a newer run of the session).
For each it prints the server's CPU seconds (/proc/<pid>/stat) from that moment until it is idle again, and
whether the abandoned race reached the cache (a next visitor's lookup is a hit only if it was finished).
Before the budget's checks between chunks, a run went on to its end (a websocket dropped 1 s into a 7 s run:
5.8 s more of CPU).
Run: .venv/bin/python benchmarks/bench_cancel.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


import budget  # noqa: E402
import surfaces  # noqa: E402
from benchmarks import load  # noqa: E402
from benchmarks.bench_budget import WORST, WORST_VIEW  # noqa: E402
from harness import client  # noqa: E402
from harness.server import start_server, stop_server  # noqa: E402
from ui.internals import BackMsg, ForwardMsg  # noqa: E402

DELAY = 0.2  # seconds into the race (from its progress bar) when the tab closes or the newer run comes
EIGHT = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "radam", "newton"]
RACE = "race_runs"  # the Compare page's cached race (ui/caches.py)


def heavy_query(seed: int = 0, steps: int | None = None) -> str:
    """Compare on the tower with 8 racers and the most steps the budget allows (or `steps`); the seed is only
    there to make a race that is not in the cache yet (it draws the noise, and there is none)."""
    tower = surfaces.from_formula(WORST, WORST_VIEW)
    most = budget.largest(lambda k: budget.race_work(EIGHT, tower, k) <= budget.LIMIT, 1, 1000)
    bounds = dict(zip(("fxmin", "fxmax", "fymin", "fymax"), (*WORST_VIEW[0], *WORST_VIEW[1]), strict=True))
    q = {"surface": "custom", "formula": WORST, **bounds, "opts": ",".join(EIGHT), "x0": 1, "y0": 1}
    return urlencode({**q, "steps": steps or most, "seed": seed})


def race_lookups(url: str) -> dict[str, int]:
    """The server's lookups of the Compare page's cached race so far: {"hit": n, "miss": m}."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {"hit": 0, "miss": 0}
    for m in re.finditer(
        r'cache_lookups_total\{cache="([^"]+)",cache_type="st_cache_data",result="(\w+)"\} (\d+)', text
    ):
        if m[1].endswith(RACE):
            out[m[2]] += int(m[3])
    return out


async def start_race(s: client.Session, query: str) -> float:
    """Ask for the race; once it is being computed (its progress bar has arrived) wait DELAY s, then read what the
    server has sent meanwhile. Returns the share of the race done as the server last reported it (its bar), 1.0
    if the race has finished.

    The client's clock is not the server's: on a busy machine this client may read the bar late (the page's
    earlier messages first), when the server has raced on for a second or more, or to the end. The share read
    just before the abandon says how much of the race was left to stop.
    """
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = "compare"
    await s.ws.send(msg.SerializeToString())
    share = None
    while share is None:
        share = _race_share(await asyncio.wait_for(s.ws.recv(), s.timeout), None)
    await asyncio.sleep(DELAY)
    while True:  # everything the server sent until now (what arrives within 20 ms)
        try:
            raw = await asyncio.wait_for(s.ws.recv(), 0.02)
        except TimeoutError:
            return share
        share = _race_share(raw, share)


def _race_share(raw: bytes, share: float | None) -> float | None:
    """The race's share done after this message: its progress bar's value, 1.0 once the page goes on past it."""
    fwd = ForwardMsg()
    fwd.ParseFromString(raw)
    if fwd.WhichOneof("type") == "script_finished":
        if share is None:
            raise RuntimeError("the run finished without a progress bar: not a race near the limit")
        return 1.0
    if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
        el = fwd.delta.new_element
        if el.WhichOneof("type") == "progress":
            return max(share or 0.0, el.progress.value / 100)
        if share is not None and el.WhichOneof("type") == "plotly_chart":  # the race's chart: it is done
            return 1.0
    return share


def idle_cpu(pid: int, quiet: float = 0.3, timeout: float = 15.0) -> float:
    """CPU seconds the server spends from now until it has been idle for `quiet` s (less than 10 ms of CPU)."""
    start = last = load.cpu_seconds(pid)
    t_quiet = time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = load.cpu_seconds(pid)
        if now - last > 0.01:
            last, t_quiet = now, time.monotonic()
        elif time.monotonic() - t_quiet >= quiet:
            break
    return last - start


async def drop(url: str, seed: int, pid: int | None = None) -> tuple[float | None, float]:
    """Open the heavy race, close the tab DELAY s in; the server's CPU after the close (None without pid) and the
    share of the race done when it closed (as start_race)."""
    async with client.Session(url) as s:
        share = await start_race(s, heavy_query(seed))
    return (await asyncio.to_thread(idle_cpu, pid) if pid else None), share


async def replace(url: str, seed: int, pid: int | None = None) -> tuple[float | None, client.Run, str, float]:
    """Send the heavy race, DELAY s later a newer run (1 step); the server's CPU from the newer request on, the
    newer run, the page's query string after it, and the share of the race done when it was replaced."""
    async with client.Session(url) as s:
        s.page_name = "compare"
        share = await start_race(s, heavy_query(seed))
        before = load.cpu_seconds(pid) if pid else 0.0
        s.query = heavy_query(seed, steps=1)
        run = await s.rerun()
        cpu = (load.cpu_seconds(pid) - before + await asyncio.to_thread(idle_cpu, pid)) if pid else None
    return cpu, run, s.query, share


async def abandoned(how, url: str, seed: int, pid: int | None = None, most: float = 0.5, tries: int = 4):
    """`drop` or `replace` a race that had at most `most` of its work done when abandoned: a trial in which this
    client read the race's progress too late (a busy machine) is repeated with a new seed, a race not in the
    cache yet. Returns (seed, what `how` returned); RuntimeError after `tries` late trials."""
    shares = []
    for k in range(tries):
        out = await how(url, seed * 10 + k, pid)
        shares.append(out[-1])
        if out[-1] <= most:
            return seed * 10 + k, out
        if pid:
            await asyncio.to_thread(idle_cpu, pid)
    raise RuntimeError(f"no race abandoned with at most {most:.0%} done in {tries} tries (done: {shares})")


async def cached(url: str, seed: int) -> bool:
    """Whether the heavy race is in the cache: a next visitor opens it and finds it (a hit, and no miss: a race
    that was not stored is a miss, computed then, and a later run of the same page would count a hit for it)."""
    before = race_lookups(url)
    async with client.Session(url, timeout=120) as s:
        run = await s.open("compare", heavy_query(seed))
        assert run.status == "ok" and not run.exceptions, run.exceptions
    after = race_lookups(url)
    return after["miss"] == before["miss"] and after["hit"] > before["hit"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    proc, url = start_server("app.py")
    try:
        t0 = load.cpu_seconds(proc.pid)
        asyncio.run(cached(url, 0))  # the whole race once (the formula compiled on the way)
        print(f"the whole race, computed once: {load.cpu_seconds(proc.pid) - t0:.2f} s of server CPU")
        for i in range(1, args.repeat + 1):  # a new seed each time: a race not in the cache yet
            seed, (seconds, share) = asyncio.run(abandoned(drop, url, 2 * i, proc.pid))
            was = asyncio.run(cached(url, seed))
            print(
                f"drop {i}: tab closed {DELAY} s into the race ({share:.0%} done); server CPU after: {seconds:.2f} s; "
                f"cached: {was}"
            )
            seed, (seconds, _, _, share) = asyncio.run(abandoned(replace, url, 2 * i + 1, proc.pid))
            was = asyncio.run(cached(url, seed))
            print(
                f"replace {i}: a newer run {DELAY} s in ({share:.0%} done); server CPU from then on: {seconds:.2f} s; "
                f"cached: {was}"
            )
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
