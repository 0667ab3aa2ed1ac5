"""What a language switch costs a page, in server CPU time, and that the catalogs are read once per process.

For each page, one AppTest session (the page's script runs in this process, as under `streamlit run`): after
warm-up runs in both languages (so every cache holds both), it alternates "a rerun in the same language" and "a
switch to the other language" (the switch's widget set, then a run), `--repeat` times each, and prints the median
CPU time (time.process_time of the whole process: the script's thread and AppTest's reading of what it sent) of
each, and their difference: what the switch itself adds. The first switch of a session is printed apart: it
fills the caches that hold displayed text in the new language (the Explorer's stage bytes, its 3-D figure).
Then i18n.catalog's cache counters: one read per (language, domain) however many runs.

Run: .venv/bin/python benchmarks/bench_i18n.py [--repeat 7] [--pages home,explorer,compare,network,guide]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

import i18n  # noqa: E402
from ui import i18n as lang_ui  # noqa: E402

PAGES = {
    "home": ("views/home.py", {}),
    "explorer": ("views/explorer.py", {"surface": "rosenbrock", "opt": "adam", "steps": "200"}),
    "compare": ("views/compare.py", {}),
    "network": ("views/network.py", {}),
    "guide": ("views/guide.py", {}),
}


def _cpu(at: AppTest) -> float:
    t0 = time.process_time()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.process_time() - t0


def _switch(at: AppTest, lang: str) -> float:
    (control,) = [w for w in at.sidebar if getattr(w, "key", None) == lang_ui.SWITCH_KEY]
    # AppTest formats the choices it sends back in this thread, outside the script: in the page's language now
    with i18n.use(control.value):
        control.set_value(lang)
        return _cpu(at)


def measure(page: str, repeat: int) -> dict:
    path, query = PAGES[page]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(path)
    at.query_params.update(query)
    at.run()
    at.run()  # the Explorer's stage reports its step after the first paint: the page as a visitor sees it
    first_switch = _switch(at, "zh")
    _switch(at, "en")
    same, switch = [], []
    lang = "en"
    for _ in range(repeat):
        with i18n.use(lang):
            same.append(_cpu(at))
        lang = "zh" if lang == "en" else "en"
        switch.append(_switch(at, lang))
    return dict(first=first_switch, same=statistics.median(same), switch=statistics.median(switch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    i18n.catalog.cache_clear()
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores); CPU ms, median of {args.repeat}")
    print(f"{'page':10} {'rerun':>8} {'switch':>8} {'switch adds':>12} {'first switch':>13}")
    for page in args.pages.split(","):
        m = measure(page, args.repeat)
        print(
            f"{page:10} {1e3 * m['same']:8.1f} {1e3 * m['switch']:8.1f} {1e3 * (m['switch'] - m['same']):12.1f} "
            f"{1e3 * m['first']:13.1f}"
        )
    info = i18n.catalog.cache_info()
    print(f"catalog reads: {info.misses} (one per language and domain used), cache hits: {info.hits}")


if __name__ == "__main__":
    main()
