"""Explorer speed and size: the stage's data per run (time and bytes), the server time of a setting change and of
the run when stepping rests, a Step press in the browser (the new step painted, by the page's clock), and the
first visit (new browser profile: navigation to the map painted).

    .venv/bin/python benchmarks/bench_explorer.py            # everything (needs /usr/bin/chromium for the browser)
    .venv/bin/python benchmarks/bench_explorer.py --no-browser

Targets (README): a Step press shows the new step in <= 50 ms (browser clock); a first visit paints the map in
<= 2.5 s (median of 5, a new browser profile each); a setting change re-renders within 300 ms of server time for
a 500-step run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import orjson  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from benchmarks._timing import median_seconds  # noqa: E402
from content import presets  # noqa: E402
from viz.explorer import map_data, stage_data  # noqa: E402


def pieces(opt: str = "adam", surface: str = "rosenbrock", steps: int = 500) -> None:
    """The parts of a setting change on the server (nothing cached but the map): the run, its stage data, bytes."""
    s = surfaces.get(surface)
    hp = presets.recommended(opt, surface)
    still = map_data(s)
    lrs = iter(np.geomspace(0.01, 0.2, 1000))

    def run():
        return optimizers.run(optimizers.make(opt, **(hp | {"lr": float(next(lrs))})), s, s.default_start, steps)

    traj = run()
    t_run = median_seconds(run, repeat=7)
    t_data = median_seconds(lambda: stage_data(traj, s, map_part=still), repeat=7)
    data = stage_data(traj, s, map_part=still)
    t_bytes = median_seconds(lambda: orjson.dumps(data), repeat=7)
    t_map = median_seconds(lambda: map_data(s), repeat=3)
    print(
        f"  {opt} on {surface}, {steps} steps: run {t_run * 1e3:.1f} ms, stage data {t_data * 1e3:.1f} ms, "
        f"bytes {t_bytes * 1e3:.1f} ms (map, cached per surface: {t_map * 1e3:.0f} ms)"
    )


def sizes(steps: int = 500) -> None:
    """The stage's bytes (what a setting change sends the browser) for every optimizer on every surface."""
    worst = (0, "")
    all_sizes = []
    for sname in surfaces.NAMES:
        s = surfaces.get(sname)
        still = map_data(s)
        for opt in optimizers.NAMES:
            traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, sname)), s, s.default_start, steps)
            n = len(orjson.dumps(stage_data(traj, s, map_part=still)))
            all_sizes.append(n)
            worst = max(worst, (n, f"{opt} on {sname}"))
    print(
        f"  {steps} steps, {len(all_sizes)} pairs: median {statistics.median(all_sizes) / 1e3:.0f} kB, "
        f"largest {worst[0] / 1e3:.0f} kB ({worst[1]})"
    )


def apptest(repeat: int = 7) -> None:
    """Server time of a whole script run after a setting change, and when stepping rests (AppTest)."""
    from urllib.parse import parse_qsl, urlsplit

    from streamlit.testing.v1 import AppTest

    from views import explorer

    link = presets.explorer_link("rosenbrock", "adam", (-1.5, 2.0), 500)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state[explorer.PAGE.private(explorer.DRAWN)] = True
    at.switch_page("views/explorer.py")
    at.query_params.update(dict(parse_qsl(urlsplit(link).query)))
    at.run()
    change, rest = [], []
    for i, lr in enumerate(np.linspace(0.05, 0.15, repeat)):  # a new learning rate each time: nothing cached
        at.number_input(key=explorer.PAGE.key("lr")).set_value(float(lr))
        t0 = time.perf_counter()
        at.run()
        change.append(time.perf_counter() - t0)
        assert not at.exception
        # stepping rests: the stage's report, as its callback stores it
        at.session_state[explorer.PAGE.private(explorer.T)] = 10 + i
        t0 = time.perf_counter()
        at.run()
        rest.append(time.perf_counter() - t0)
    (stage,) = [e for e in at.main if e.type == "bidi_component"]
    print(
        f"  setting change (new lr, 500-step run, AppTest): median {statistics.median(change) * 1e3:.0f} ms, "
        f"max {max(change) * 1e3:.0f} ms; the stage's bytes {len(stage.proto.bytes) / 1e3:.0f} kB"
    )
    print(f"  stepping rests (the inspector's run): median {statistics.median(rest) * 1e3:.0f} ms")


# Installed before any page script: when an element first matches, the time (ms since navigation) after the next
# frame's paint step: requestAnimationFrame runs just before the frame is painted, a message posted from it is
# handled just after. The stage (ui/stage.js) writes window.__painted.map the same way once its map is drawn.
PAINT_PROBE = """
window.__painted = window.__painted || {};
const probe = (name, selector) => {
  const check = () => {
    if (name in window.__painted || !document.querySelector(selector)) return;
    window.__painted[name] = null;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { window.__painted[name] = performance.now(); };
      ch.port2.postMessage(0);
    });
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true});
};
probe("plot", ".js-plotly-plot");
probe("nav", '[data-testid="stSidebarNav"]');
"""

MAP = '[data-testid="lab-map"]'  # the stage's map (Playwright's selectors look into its shadow root)

# In the page: press Step n times; for each, the time from the click to just after the frame that shows it is
# painted (the readout says the new step), by the page's clock.
STEP_CLOCK = """async (n) => {
  const host = document.querySelector('[data-testid="stMain"]');
  const find = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot && el.shadowRoot.querySelector('button[data-act="step"]')) return el.shadowRoot;
    }
    return null;
  };
  const root = find(host);
  const button = root.querySelector('button[data-act="step"]');
  const readout = root.querySelector('[data-testid="lab-step"]');
  const painted = () => new Promise((done) => requestAnimationFrame(() => {
    const ch = new MessageChannel(); ch.port1.onmessage = done; ch.port2.postMessage(0);
  }));
  const out = [], handler = [];
  for (let i = 0; i < n; i++) {
    const want = String(Number(readout.textContent) + 1);
    const t0 = performance.now();
    button.click();
    handler.push(performance.now() - t0);
    await painted();
    if (readout.textContent !== want) throw new Error(`readout ${readout.textContent}, wanted ${want}`);
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 30));
  }
  return [out, handler];
}"""


def new_visitor(browser, width: int = 1280, height: int = 720):
    """A visitor with a browser profile of its own (nothing cached), the paint probe installed: (context, page)."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.add_init_script(PAINT_PROBE)
    return ctx, ctx.new_page()


def _painted(page, name: str, timeout: float = 30.0) -> float:
    """Seconds from navigation to `name` painted (PAINT_PROBE, or the stage's map), waiting for it to be."""
    page.wait_for_function(f"() => window.__painted && window.__painted.{name} > 0", timeout=timeout * 1e3)
    return page.evaluate(f"window.__painted.{name}") / 1e3


def _med(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (max {max(xs):.2f} s)"


def browser(repeat: int = 5, app: str = "app.py") -> None:
    """First visits (a new profile each) to the Explorer: navigation to the map painted; then Step presses."""
    from playwright.sync_api import sync_playwright

    from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS
    from harness.server import start_server, stop_server

    proc, url = start_server(app)
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = b.new_page()
            warm.goto(url)  # app.py runs once (st.navigation), then /explorer links resolve to the page
            warm.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            warm.close()
            visible, painted = [], []
            for _ in range(repeat):
                ctx, pg = new_visitor(b)
                t0 = time.perf_counter()
                pg.goto(url + "/explorer")
                pg.wait_for_selector(MAP, timeout=60_000)
                visible.append(time.perf_counter() - t0)
                painted.append(_painted(pg, "map"))
                ctx.close()
            print(
                f"  first visit (a new browser profile each, 1280x720), map painted by the page's clock: "
                f"{_med(painted)}; Playwright sees the map element at {_med(visible)}"
            )
            ctx, pg = new_visitor(b)
            pg.goto(url + "/explorer")
            pg.wait_for_selector(MAP, timeout=60_000)
            pg.get_by_text("Inspector", exact=True).wait_for(timeout=60_000)
            presses, handler = pg.evaluate(STEP_CLOCK, 40)
            ms = sorted(presses)
            print(
                f"  Step press -> the new step painted (page's clock, 40 presses): "
                f"median {statistics.median(ms):.1f} ms, "
                f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms; of which the click's handler "
                f"(the redraw) median {statistics.median(handler):.1f} ms, max {max(handler):.1f} ms"
            )
            ctx.close()
            b.close()
    finally:
        stop_server(proc)


def first_visits(repeat: int = 3, app: str = "app.py") -> None:
    """A first visit (new browser profile) to pages with and without a chart, and the Plotly script it loads."""
    from playwright.sync_api import sync_playwright

    from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS
    from harness.server import start_server, stop_server

    proc, url = start_server(app)
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [
                ("", '[data-testid="stSidebarNav"]', "nav"),
                ("explorer", MAP, "map"),
                ("guide", ".js-plotly-plot", "plot"),
            ]
            for path, ready, probe in pages:
                times, painted, plotly = [], [], []
                for _ in range(repeat):
                    ctx, pg = new_visitor(b)
                    pg.on("response", lambda r, out=plotly: out.append(r.headers) if "PlotlyChart" in r.url else None)
                    t0 = time.perf_counter()
                    pg.goto(f"{url}/{path}")
                    pg.wait_for_selector(ready, timeout=60_000)
                    times.append(time.perf_counter() - t0)
                    painted.append(_painted(pg, probe))
                    ctx.close()
                size = int(plotly[0].get("content-length", 0)) / 1e6 if plotly else 0
                script = f", Plotly script {size:.1f} MB" if plotly else ", no Plotly script"
                print(f"  first visit to /{path or ' (home)'}: {_med(times)}; painted {_med(painted)}{script}")
            b.close()
    finally:
        stop_server(proc)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    print("Explorer: the stage's data per setting change")
    pieces()
    pieces("radam", "rastrigin")
    pieces("radam", "rastrigin", steps=2000)  # the cap
    print("Explorer: the stage's bytes")
    sizes(500)
    sizes(2000)
    print("Explorer: server time")
    apptest()
    if not a.no_browser:
        print("Explorer: browser")
        browser()
        first_visits()


if __name__ == "__main__":
    main()
