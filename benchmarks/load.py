"""Classroom load: N students at once, each opening a page, pressing `Step` and changing a control K times.

Every session speaks Streamlit's own websocket protocol, as the browser does: it connects to
`/_stcore/stream` with the subprotocol `streamlit`, sends `BackMsg.rerun_script` with its widget states
(protobufs from the installed streamlit package) and reads `ForwardMsg`s until `script_finished`. A session
opens the page (page name as in the URL, e.g. `explorer`), then K times: presses the button labelled
`--button` and changes the control `--control` (a number input, slider, checkbox/toggle, selectbox or
radio, found by its label or its widget key; each session moves it by its own amount).

On a page with the Explorer's stage (ui/stage.py: one components-v2 element that owns the timeline), a Step
press sends nothing: the browser redraws. What reaches the server is the stage's report when stepping rests,
its state value `t`; so there a "press" is `--presses` presses in the browser (default 10, Step ×10) and then
the one report, as the browser sends it. Like the browser, a session keeps the large messages it was sent
(Streamlit's message cache) and tells the server their hashes, so a rerun that would send one again sends a
reference instead.

It starts its own server (`streamlit run app.py`, the repo's .streamlit/config.toml, a free loopback port)
unless --url points at a running one (e.g. the nginx proxy of deploy/) or --replicas N starts N behind nginx
(deploy/run_replicas.sh), and prints: script runs per second,
p50/p95/max latency of the interactions (and of the first page load), errors (exceptions shown on the page,
an st.error saying "Something went wrong" (how the pages show a caught exception), compile errors, timeouts,
dropped connections), and the server's RSS (VmRSS from /proc): cold, baseline
after one warm-up session, peak while the sessions run, just after they close, and --settle seconds later.

Bounded: at most 200 sessions, 50 interactions, a deadline for the whole run; loopback addresses only.
Run: .venv/bin/python benchmarks/load.py [--sessions 40] [--interactions 5] [--page explorer]
     [--button Step] [--presses 10] [--control steps] [--settle 60] [--replicas 2 (behind nginx)]
     [--url http://127.0.0.1:8080 --pid PID ...]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import ipaddress
import json
import math
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages

# the server starter and the websocket client live in harness/ (shared with the tests); imported here by name
from harness.client import (  # noqa: E402
    ERROR_TEXTS,
    Run,
    Session,
    change,
    press,
    rest_at,
    stage_head,
    stage_last,
)
from harness.server import (  # noqa: E402
    start_replicas,
    start_server,
    stop_server,
)
from ui.internals import WidgetState  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 200
MAX_INTERACTIONS = 50


# -- the server's memory ----------------------------------------------------------------------------------
def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (VmRSS in /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakRss:
    """Samples the summed RSS of some processes every 50 ms in a thread; `.peak` is the largest sum seen."""

    def __init__(self, pids: Sequence[int]):
        self.pids, self.peak, self._stop = list(pids), 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, total_rss(self.pids))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, total_rss(self.pids))


def total_rss(pids: Sequence[int]) -> float:
    return sum(rss_mb(p) for p in pids) if pids else math.nan


# -- the load ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Student:
    who: int
    load_seconds: float = math.nan
    seconds: list[float] = dataclasses.field(default_factory=list)
    kinds: list[str] = dataclasses.field(default_factory=list)  # "button" or "control", per interaction
    errors: list[str] = dataclasses.field(default_factory=list)
    runs: int = 0


async def student(url: str, who: int, args: argparse.Namespace, start: asyncio.Event | None = None) -> Student:
    out = Student(who)
    rng = random.Random(who)
    if start is not None:
        await start.wait()
    try:
        async with Session(url, timeout=args.timeout, error_texts=args.error_text or ERROR_TEXTS) as s:
            run = await s.open(args.page, args.query)
            out.runs = s.runs  # one, or two with the stage's first report
            out.load_seconds = run.seconds
            out.errors += run.exceptions
            if run.status != "ok":
                return out
            for i in range(args.interactions):
                moves = []
                if args.button and s.stage() is not None and args.button in STAGE_BUTTONS:
                    moves.append(("button", lambda r: stage_press(s, args)))  # the browser's; its rest, the server's
                elif args.button:
                    moves.append(("button", lambda r: press(r.widget(args.button))))
                if args.control:
                    moves.append(("control", lambda r, i=i: control(r, s, i, who, args)))
                for kind, move in moves:
                    if args.think:
                        await asyncio.sleep(rng.uniform(0, args.think))
                    run = await s.rerun(move(run))
                    out.runs = s.runs
                    out.seconds.append(run.seconds)
                    out.kinds.append(kind)
                    out.errors += run.exceptions
                    if run.status != "ok":
                        return out
    except Exception as exc:  # timeouts, a dropped connection (websockets.ConnectionClosed), a missing widget
        out.errors.append(f"{type(exc).__name__}: {exc}")
    return out


STAGE_BUTTONS = {"Step": 1, "Step ×10": 10, "Back": -1}


def stage_press(s: Session, args: argparse.Namespace) -> WidgetState:
    """`--presses` presses of the button in the browser (no message), then the stage's report where it rests."""
    stage = s.stage()
    held = s.states.get(stage.bidi_component.id)
    head, reported = stage_head(stage), json.loads(held.json_value)["t"] if held is not None else None
    t = reported["t"] if reported and reported.get("token") == head["token"] else head["t0"]  # a new run: its t0
    t = min(max(t + args.presses * STAGE_BUTTONS[args.button], 0), stage_last(stage))
    return rest_at(stage, t)


def control(run: Run, s: Session, i: int, who: int, args: argparse.Namespace) -> WidgetState:
    el = run.widget(args.control)
    w = getattr(el, el.WhichOneof("type"))
    return change(el, s.states.get(w.id), i, who, args.spread)


async def classroom(url: str, args: argparse.Namespace, n: int, first: int = 0) -> tuple[list[Student], float]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(student(url, first + who, args, start)) for who in range(n)]
    await asyncio.sleep(0)
    t0 = time.perf_counter()
    start.set()  # everyone at the same moment
    done, pending = await asyncio.wait(tasks, timeout=args.deadline)
    for t in pending:
        t.cancel()
    wall = time.perf_counter() - t0
    students = [t.result() for t in tasks if t in done]
    students += [Student(-1, errors=["deadline: session cancelled"]) for _ in pending]
    return students, wall


def pct(xs: Sequence[float], q: float) -> float:
    if not xs:
        return math.nan
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else xs[0]


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"--url must be a loopback address (127.0.0.1, ::1, localhost), not {host!r}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sessions", type=int, default=40, help="concurrent sessions (default 40, at most 200)")
    p.add_argument("--interactions", type=int, default=5, help="Step presses + control changes per session")
    p.add_argument("--page", default="explorer", help="page url path, as in the address bar (default explorer)")
    p.add_argument("--query", default="", help="query string each session opens the page with")
    p.add_argument("--button", default="Step", help="label of the button to press ('' for none)")
    p.add_argument(
        "--presses",
        type=int,
        default=10,
        help="on the Explorer's stage: presses in the browser before stepping rests and reports (default 10)",
    )
    p.add_argument("--control", default="steps", help="label or key of the control to change ('' for none)")
    p.add_argument("--rounds", type=int, default=1, help="classes one after another (default 1, at most 10)")
    p.add_argument(
        "--spread",
        type=int,
        default=3,
        help="session k moves the control by 1 + k %% SPREAD steps (default 3: a class shares a few settings; "
        "200: every session explores its own, numbered across rounds)",
    )
    p.add_argument("--settle", type=float, default=60, help="seconds to wait after the sessions close")
    p.add_argument("--timeout", type=float, default=60, help="per script run, seconds")
    p.add_argument("--deadline", type=float, default=600, help="for all sessions together, seconds")
    p.add_argument(
        "--error-text",
        action="append",
        default=[],
        help=f"an st.error containing this text counts as an error (default {ERROR_TEXTS[0]!r})",
    )
    p.add_argument("--think", type=float, default=0, help="pause 0..THINK s (random) before each interaction")
    p.add_argument("--app", default="app.py", help="script the own server runs (default app.py)")
    p.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="extra `streamlit run` option for the own server, e.g. --server-arg=--runner.postScriptGC=true",
    )
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        help="KEY=VALUE in the own server's environment (default MALLOC_ARENA_MAX=2; empty value unsets)",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="start N replicas behind nginx (deploy/run_replicas.sh; needs nginx) instead of one server",
    )
    p.add_argument("--url", help="use this running server (loopback) instead of starting one")
    p.add_argument("--pid", type=int, action="append", default=[], help="with --url: server pid(s) for RSS")
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        p.error(f"--sessions must be in [1, {MAX_SESSIONS}]")
    if not 0 <= args.interactions <= MAX_INTERACTIONS:
        p.error(f"--interactions must be in [0, {MAX_INTERACTIONS}]")
    if not 1 <= args.rounds <= 10:
        p.error("--rounds must be in [1, 10]")
    if args.spread < 1:
        p.error("--spread must be at least 1")
    if not 0 <= args.settle <= 600:
        p.error("--settle must be in [0, 600] seconds")
    if args.url:
        check_loopback(args.url)
    if not 0 <= args.replicas <= 8 or (args.replicas and args.url):
        p.error("--replicas must be in [0, 8], and not with --url")
    return args


def main(argv: Sequence[str] | None = None) -> dict:
    args = parse_args(argv)
    proc = None
    if args.url:
        url, pids = args.url.rstrip("/"), args.pid
    elif args.replicas:
        proc, url, pids = start_replicas(args.replicas)
    else:
        env = dict(kv.split("=", 1) for kv in args.server_env)
        proc, url = start_server(args.app, None, ROOT, *args.server_arg, env=env)
        pids = [proc.pid]
    try:
        figures = measure(url, pids, args)
    finally:
        if proc is not None:
            stop_server(proc)
    report(figures, args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return figures


def measure(url: str, pids: list[int], args: argparse.Namespace) -> dict:
    rss_cold = total_rss(pids)
    # a warm-up student loads the modules and fills the caches a first class would (behind a proxy, four per
    # replica, so that every replica is warm: the sticky cookie spreads them)
    warm = asyncio.run(classroom(url, args, 1 if len(pids) <= 1 else 4 * len(pids)))[0]
    if any(w.errors for w in warm):
        raise SystemExit(f"warm-up session failed: {[e for w in warm for e in w.errors][:3]}")
    time.sleep(2)
    rss_before = total_rss(pids)
    cpu0, own0 = sum(cpu_seconds(p) for p in pids), time.process_time()
    students, wall, rss_rounds = [], 0.0, []
    with PeakRss(pids) as peak:
        for r in range(args.rounds):  # a class, then the next class (a leak per session grows round by round)
            round_students, round_wall = asyncio.run(classroom(url, args, args.sessions, r * args.sessions))
            students += round_students
            wall += round_wall
            time.sleep(2)
            rss_rounds.append(total_rss(pids))
    cpu, own = sum(cpu_seconds(p) for p in pids) - cpu0, time.process_time() - own0
    rss_after = rss_rounds[-1]
    time.sleep(args.settle)
    rss_settled = total_rss(pids)
    rss_settled_each = [rss_mb(p) for p in pids]
    seconds = [x for s in students for x in s.seconds]
    loads = [s.load_seconds for s in students if not math.isnan(s.load_seconds)]
    errors = [e for s in students for e in s.errors]
    runs = sum(s.runs for s in students)
    by_kind = {
        kind: [x for st in students for x, k in zip(st.seconds, st.kinds, strict=True) if k == kind]
        for kind in ("button", "control")
    }
    return {
        "sessions": args.sessions,
        "rounds": args.rounds,
        "interactions": args.interactions,
        "page": args.page,
        "script_runs": runs,
        "wall_seconds": wall,
        "runs_per_second": runs / wall if wall else math.nan,
        "p50_seconds": pct(seconds, 50),
        "p95_seconds": pct(seconds, 95),
        "max_seconds": max(seconds, default=math.nan),
        **{f"{kind}_p{q}_seconds": pct(by_kind[kind], q) for kind in ("button", "control") for q in (50, 95)},
        "load_p50_seconds": pct(loads, 50),
        "load_p95_seconds": pct(loads, 95),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "server_cpu_seconds": cpu,
        "client_cpu_seconds": own,
        "rss_cold_mb": rss_cold,
        "rss_before_mb": rss_before,
        "rss_peak_mb": peak.peak,
        "rss_after_mb": rss_after,
        "rss_after_each_round_mb": rss_rounds,
        "rss_settled_mb": rss_settled,
        "rss_settled_each_mb": rss_settled_each,
        "settle_seconds": args.settle,
    }


def report(f: dict, args: argparse.Namespace) -> None:
    per = f["script_runs"] / max(f["sessions"] * f["rounds"], 1)
    think = f", think time 0-{args.think:g} s" if args.think else ""
    rounds = f"{f['rounds']} rounds of " if f["rounds"] > 1 else ""
    print(f"{rounds}{f['sessions']} sessions x {f['interactions']} interactions on /{f['page']}", end=" ")
    print(f"({per:g} script runs each{think})")
    if args.server_arg or args.server_env:
        print(f"  server options     {' '.join(args.server_arg + args.server_env)}")
    print(f"  script runs        {f['script_runs']} in {f['wall_seconds']:.1f} s = {f['runs_per_second']:.1f} runs/s")
    print(
        f"  interaction        p50 {f['p50_seconds']:.3f} s   p95 {f['p95_seconds']:.3f} s   "
        f"max {f['max_seconds']:.3f} s"
    )
    for kind, what in (("button", args.button), ("control", args.control)):
        if what and not math.isnan(f[f"{kind}_p95_seconds"]):
            print(
                f"    {kind + ' ' + repr(what):<17}p50 {f[f'{kind}_p50_seconds']:.3f} s   "
                f"p95 {f[f'{kind}_p95_seconds']:.3f} s"
            )
    print(f"  first page load    p50 {f['load_p50_seconds']:.3f} s   p95 {f['load_p95_seconds']:.3f} s")
    print(f"  errors             {f['errors']}" + (f"   e.g. {f['error_samples']}" if f["errors"] else ""))
    print(
        f"  CPU                server {f['server_cpu_seconds']:.1f} s, this client {f['client_cpu_seconds']:.1f} s "
        f"(2 cores: {2 * f['wall_seconds']:.1f} s available)"
    )
    if not math.isnan(f["rss_cold_mb"]):
        base = f["rss_before_mb"]
        print(f"  server RSS         cold {f['rss_cold_mb']:.0f} MB, baseline after warm-up {base:.0f} MB")
        print(f"{'':21}peak during {f['rss_peak_mb']:.0f} MB, just after close {f['rss_after_mb']:.0f} MB")
        if f["rounds"] > 1:
            each = ", ".join(f"{x:.0f}" for x in f["rss_after_each_round_mb"])
            print(f"{'':21}after each round {each} MB")
        print(
            f"                     {f['settle_seconds']:.0f} s after close {f['rss_settled_mb']:.0f} MB "
            f"({100 * (f['rss_settled_mb'] / base - 1):+.0f}% of baseline)"
        )
        if len(f["rss_settled_each_mb"]) > 1:
            each = ", ".join(f"{x:.0f}" for x in f["rss_settled_each_mb"])
            print(f"{'':21}(summed over {len(f['rss_settled_each_mb'])} processes; each then: {each} MB)")
    loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average       {loadavg} (other work on the machine skews the times)")
    print("  targets            " + ", ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in verdict(f).items()))


def verdict(f: dict) -> dict[str, bool]:
    """The classroom targets (README): zero errors, p95 <= 1.5 s, RSS <= 1 GB, back within 20% after settling."""
    out = {"zero errors": f["errors"] == 0, "p95 <= 1.5 s": f["p95_seconds"] <= 1.5}
    if not math.isnan(f["rss_peak_mb"]):
        out["peak RSS <= 1 GB"] = f["rss_peak_mb"] <= 1024
        out["RSS within 20% of baseline"] = f["rss_settled_mb"] <= 1.2 * f["rss_before_mb"]
    return out


if __name__ == "__main__":
    main()
