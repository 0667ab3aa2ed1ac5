"""Interleaved first visits to the Explorer on several servers, one per source tree: an A/B of a change.

First-visit times on this machine drift by 0.3 s from one minute to the next (the browser and the servers share
two cores), so two trees measured one after the other compare badly. This starts a server per tree and visits
them in turns (ABAB..., then BABA...), each visit a new browser profile, and prints per tree the median time to
the stage's map: visible to Playwright, and painted by the page's clock (ui/stage.js, as bench_explorer reads it).

    git worktree add /tmp/before <commit before the change>
    .venv/bin/python benchmarks/ab_first_visit.py --visits 10 /tmp/before .

A tree may carry environment settings for its server after its first @: `/tmp/before@PYTHONPATH=/tmp/x;FOO=1`
(so a tree's path cannot contain an @).
Every server runs with this Python (the same packages); a tree's own .streamlit/config.toml applies.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from benchmarks.bench_explorer import MAP, _painted, new_visitor  # noqa: E402
from harness.server import start_server, stop_server  # noqa: E402


def parse_tree(spec: str) -> tuple[Path, dict[str, str]]:
    """`dir[@K=V;K2=V2]` -> (resolved dir, environment)."""
    path, _, env = spec.partition("@")
    pairs = [kv.split("=", 1) for kv in env.split(";") if kv]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"environment settings must be K=V separated by ';': {env!r}")
    return Path(path).resolve(), dict(pairs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+", help="source trees (each with app.py), optionally @K=V;K2=V2")
    ap.add_argument("--visits", type=int, default=10, help="first visits per tree (default 10)")
    ap.add_argument("--page", default="explorer")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    trees = [parse_tree(t) for t in a.trees]
    servers = []
    try:
        for path, env in trees:
            servers.append(start_server(path / "app.py", None, path, env=env or None))
        visible: dict[int, list[float]] = {i: [] for i in range(len(trees))}
        painted: dict[int, list[float]] = {i: [] for i in range(len(trees))}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _, url in servers:  # each server's caches warm, as after a first student
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(f"{url}/{a.page}")
                page.wait_for_selector(MAP, timeout=60_000)
                ctx.close()
            for visit in range(a.visits):
                order = list(enumerate(servers))
                for i, (_, url) in order if visit % 2 == 0 else order[::-1]:
                    ctx, page = new_visitor(browser)
                    t0 = time.perf_counter()
                    page.goto(f"{url}/{a.page}")
                    page.wait_for_selector(MAP, timeout=60_000)
                    visible[i].append(time.perf_counter() - t0)
                    painted[i].append(_painted(page, "map"))
                    ctx.close()
            browser.close()
    finally:
        for proc, _ in servers:
            stop_server(proc)
    for i, spec in enumerate(a.trees):
        v, pt = visible[i], painted[i]
        print(
            f"{spec}: map visible median {statistics.median(v):.2f} s (max {max(v):.2f}); painted median "
            f"{statistics.median(pt):.2f} s (min {min(pt):.2f}, max {max(pt):.2f}); {len(v)} first visits"
        )


if __name__ == "__main__":
    main()
