"""Explorer speed and size: server time of a control change (500-step run), figure JSON for 500 steps, and the
first render in a real browser (navigation to the Step metric visible).

    .venv/bin/python benchmarks/bench_explorer.py            # everything (needs /usr/bin/chromium for the last)
    .venv/bin/python benchmarks/bench_explorer.py --no-browser

Targets (issue 3): a control change re-renders within 300 ms of server time for a 500-step run; a 500-step
animation stays under 2 MB of figure JSON; the first render is within 3 s of navigation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402

import optimizers  # noqa: E402
import presets  # noqa: E402
import surfaces  # noqa: E402
from benchmarks._timing import median_seconds  # noqa: E402
from viz import surface_map as sm  # noqa: E402
from viz.explorer import explorer_figure  # noqa: E402


def pieces(opt: str = "adam", surface: str = "rosenbrock", steps: int = 500) -> None:
    """The parts of a re-render with a new setting (nothing cached but the map): run, figure, JSON."""
    s = surfaces.get(surface)
    hp = presets.recommended(opt, surface)
    base = sm.map_spec(s, clickable=True)
    lrs = iter(np.geomspace(0.01, 0.2, 1000))

    def run():
        return optimizers.run(optimizers.make(opt, **(hp | {"lr": float(next(lrs))})), s, s.default_start, steps)

    traj = run()
    t_run = median_seconds(run, repeat=7)
    t_fig = median_seconds(lambda: explorer_figure(traj, s, 0, base=base), repeat=7)
    spec = explorer_figure(traj, s, 0, base=base)
    t_json = median_seconds(lambda: pio.to_json(spec, validate=False), repeat=7)
    t_map = median_seconds(lambda: sm.map_spec(s, clickable=True), repeat=3)
    print(
        f"  {opt} on {surface}, {steps} steps: run {t_run * 1e3:.1f} ms, figure {t_fig * 1e3:.1f} ms, "
        f"JSON {t_json * 1e3:.1f} ms (map, cached per surface: {t_map * 1e3:.0f} ms)"
    )


def sizes(steps: int = 500) -> None:
    """Figure JSON (as st.plotly_chart sends it) for every optimizer on every surface."""
    worst = (0, "")
    all_sizes = []
    for sname in surfaces.NAMES:
        s = surfaces.get(sname)
        base = sm.map_spec(s, clickable=True)
        for opt in optimizers.NAMES:
            traj = optimizers.run(optimizers.make(opt, **presets.recommended(opt, sname)), s, s.default_start, steps)
            spec = explorer_figure(traj, s, 0, base=base)
            n = len(pio.to_json(spec, validate=False))
            all_sizes.append(n)
            worst = max(worst, (n, f"{opt} on {sname}, {len(spec['frames'])} frames"))
    print(
        f"  {steps} steps, {len(all_sizes)} pairs: median {statistics.median(all_sizes) / 1e6:.2f} MB, "
        f"largest {worst[0] / 1e6:.2f} MB ({worst[1]})"
    )


def apptest(repeat: int = 7) -> None:
    """Server time of a whole script run after a control change (AppTest: the page as Streamlit runs it)."""
    from streamlit.testing.v1 import AppTest

    link = presets.explorer_link("rosenbrock", "adam", (-1.5, 2.0), 500)
    from urllib.parse import parse_qsl, urlsplit

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/explorer.py")
    at.query_params.update(dict(parse_qsl(urlsplit(link).query)))
    at.run()
    change, step = [], []
    for lr in np.linspace(0.05, 0.15, repeat):  # a new learning rate each time: nothing cached
        at.number_input(key="explorer:lr").set_value(float(lr))
        t0 = time.perf_counter()
        at.run()
        change.append(time.perf_counter() - t0)
        assert not at.exception
        (button,) = [b for b in at.button if b.label == "Step"]
        button.click()
        t0 = time.perf_counter()
        at.run()
        step.append(time.perf_counter() - t0)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    print(
        f"  control change (new lr, 500-step run, AppTest): median {statistics.median(change) * 1e3:.0f} ms, "
        f"max {max(change) * 1e3:.0f} ms"
    )
    print(
        f"  Step press (run cached): median {statistics.median(step) * 1e3:.0f} ms; "
        f"figure {len(at.get('plotly_chart')[0].proto.spec) / 1e6:.2f} MB, {len(spec['frames'])} frames"
    )


# Installed before any page script: when an element first matches, the time (ms since navigation) after the next
# frame's paint step: requestAnimationFrame runs just before the frame is painted, a message posted from it is
# handled just after. This is when it is on screen; Playwright's own check runs on the page's main thread too, so
# it reports an element late whenever a long task (evaluating Plotly, drawing the figure) follows its paint.
PAINT_PROBE = """
window.__painted = {};
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
probe("metric", '[data-testid="stMetric"]');
probe("chart", ".js-plotly-plot .slider-container");
probe("plot", ".js-plotly-plot");
probe("nav", '[data-testid="stSidebarNav"]');
"""


METRIC = '[data-testid="stMetric"]'  # the Step metric, with the controls: the page is there
CHART = ".js-plotly-plot .slider-container"  # the animated chart, drawn


def new_visitor(browser):
    """A visitor with a browser profile of its own (nothing cached), the paint probe installed: (context, page)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.add_init_script(PAINT_PROBE)
    return ctx, ctx.new_page()


def _painted(page, name: str, timeout: float = 10.0) -> float:
    """Seconds from navigation to `name` painted (PAINT_PROBE), waiting for the probe to have fired."""
    page.wait_for_function(f"() => window.__painted && window.__painted.{name} > 0", timeout=timeout * 1e3)
    return page.evaluate(f"window.__painted.{name}") / 1e3


def _med(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (max {max(xs):.2f} s)"


def browser(repeat: int = 5, app: str = "app.py") -> None:
    """Navigation to the Step metric (and the chart) visible, in headless Chromium, warm server."""
    from playwright.sync_api import sync_playwright

    from benchmarks.load import start_server, stop_server

    proc, url = start_server(app)
    try:
        from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = b.new_page()
            warm.goto(url)  # app.py runs once (st.navigation), then /explorer links resolve to the page
            warm.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            warm.close()
            metric, chart, metric_paint, chart_paint, context = [], [], [], [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                ctx, pg = new_visitor(b)
                context.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                pg.goto(url + "/explorer")
                pg.wait_for_selector(METRIC, timeout=60_000)
                metric.append(time.perf_counter() - t0)
                pg.wait_for_selector(CHART, timeout=60_000)
                chart.append(time.perf_counter() - t0)
                metric_paint.append(_painted(pg, "metric"))
                chart_paint.append(_painted(pg, "chart"))
                ctx.close()
            # a returning visitor: the browser has the app's scripts cached (same profile, a new session each time)
            ctx, pg = new_visitor(b)
            pg.goto(url + "/explorer")
            pg.wait_for_selector(CHART, timeout=60_000)
            warm, warm_paint = [], []
            for _ in range(repeat):
                pg.goto(url + "/guide")
                pg.wait_for_selector("h1", timeout=60_000)
                t0 = time.perf_counter()
                pg.goto(url + "/explorer")
                pg.wait_for_selector(METRIC, timeout=60_000)
                warm.append(time.perf_counter() - t0)
                warm_paint.append(_painted(pg, "metric"))
            ctx.close()
            b.close()
        print(
            f"  first render, navigation -> Step metric visible: {_med(metric)}; -> animated chart drawn: "
            f"{_med(chart)} (a new browser profile each time: scripts downloaded and compiled)"
        )
        print(f"    painted, by the page's clock: Step metric {_med(metric_paint)}; chart {_med(chart_paint)}")
        print(f"    (a new browser context and page, before navigation: {_med(context)}, not counted)")
        print(
            f"  the same with the browser's cache warm (a returning visitor): {_med(warm)}; painted {_med(warm_paint)}"
        )
    finally:
        stop_server(proc)


def first_visits(repeat: int = 3, app: str = "app.py") -> None:
    """A first visit (new browser profile) to pages with and without a chart, and the Plotly script it loads."""
    from playwright.sync_api import sync_playwright

    from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS
    from benchmarks.load import start_server, stop_server

    proc, url = start_server(app)
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [("", '[data-testid="stSidebarNav"]', "nav"), ("guide", ".js-plotly-plot", "plot")]
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
    print("Explorer: pieces of a re-render")
    pieces()
    pieces("radam", "rastrigin")
    pieces("radam", "rastrigin", steps=2000)  # the cap
    print("Explorer: figure size")
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
