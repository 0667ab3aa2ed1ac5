"""Two students on one server never see each other's runs.

- Two AppTest sessions in one process (they share the process-wide st.cache_data and module globals, as
  two browser tabs on one server do) on the Explorer with different settings, stepped in turns: each one's
  step (the inspector's) and loss (from the run its stage holds) are its own run's, computed by the core.
- The same through a real `streamlit run app.py` and two websocket sessions speaking Streamlit's protocol
  (harness.client), stepping at the same moment.
- The Explorer's cached functions hand out copies: mutating what one call returned changes nothing for the
  next caller. The one st.cache_resource (one object shared by every session) is the Explorer's frozen
  3-D figure, and nothing it hands out can change it.
- The load benchmark itself runs a few sessions through the Explorer without an error.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import concurrent.futures
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from benchmarks import load
from content import presets
from harness import client
from harness.server import start_server, stop_server
from ui import caches
from ui.stage import split
from views import explorer
from viz import surface_map as sm


def _run_async(coro):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests) may hold this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


ROOT = Path(__file__).resolve().parent.parent
T = explorer.PAGE.private(explorer.T)  # the step the inspector shows
APP = "../app.py"  # AppTest.from_file resolves paths from this file
TIMEOUT = 120

# two students, two different configurations (every setting in the link, as the Guide's Try-it links do)
LINK_A = presets.explorer_link("bowl", "sgd", start=(2.0, 1.5), steps=40, lr=0.1)
LINK_B = presets.explorer_link("rosenbrock", "adam", start=(-1.5, 2.0), steps=60, lr=0.05)


def query_of(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def expected(link: str, t: int) -> tuple[int, str]:
    """(step, loss as the Explorer shows it) after t steps of the link's configuration, from the core."""
    q = query_of(link)
    cls = optimizers.get(q["opt"])
    hypers = {n: (q[n].lower() == "true" if h.kind is bool else float(q[n])) for n, h in cls.HYPERS.items()}
    traj = optimizers.run(
        optimizers.make(q["opt"], **hypers),
        surfaces.get(q["surface"]),
        np.array([float(q["x0"]), float(q["y0"])]),
        max(int(q["steps"]), t),
    )
    return t, f"{float(traj.losses[t]):.4g}"


# -- AppTest: two sessions in one process --------------------------------------------------------------------
def open_explorer(link: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/explorer.py")
    at.query_params.update(query_of(link))
    return at.run()


def shown(at: AppTest) -> tuple[int, str]:
    """(the step the inspector shows, the loss at that step in the run the session's stage holds)."""
    assert not at.exception, [e.value for e in at.exception]
    (stage,) = [e for e in at.main if e.type == "bidi_component"]
    t = int(at.session_state[T])
    losses = np.frombuffer(base64.b64decode(split(stage.proto.bytes)[1]["losses"]), "<f8")
    return t, f"{float(losses[t]):.4g}"


def step(at: AppTest, times: int = 1) -> AppTest:
    """Step pressed `times` in the browser; stepping rests and the stage reports t (what its callback stores)."""
    at.session_state[T] = int(at.session_state[T]) + times
    return at.run()


def test_two_apptest_sessions_with_different_settings_keep_their_own_runs():
    a, b = open_explorer(LINK_A), open_explorer(LINK_B)
    assert shown(a) == expected(LINK_A, 0)
    assert shown(b) == expected(LINK_B, 0)
    assert expected(LINK_A, 1) != expected(LINK_B, 1)  # the two runs are distinguishable
    for t in range(1, 4):  # in turns: A, B, A, B, ...
        step(a)
        assert shown(a) == expected(LINK_A, t)
        step(b)
        assert shown(b) == expected(LINK_B, t)
        assert shown(a.run()) == expected(LINK_A, t)  # B's step did not move A
    step(b, 2)
    assert shown(b) == expected(LINK_B, 5)
    assert shown(a.run()) == expected(LINK_A, 3)
    assert a.session_state[explorer.PAGE.key("opt")] == "sgd" and b.session_state[explorer.PAGE.key("opt")] == "adam"
    assert a.query_params["opt"] == "sgd" and b.query_params["opt"] == "adam"


def test_a_setting_changed_in_one_session_leaves_the_other_alone():
    a, b = open_explorer(LINK_A), open_explorer(LINK_A)  # same settings: the same cache entries
    step(a, 2)
    step(b, 3)
    a.number_input(key=explorer.PAGE.key("lr")).set_value(0.05).run()  # A changes lr: a fresh run at step 0
    link_a2 = presets.explorer_link("bowl", "sgd", start=(2.0, 1.5), steps=40, lr=0.05)
    assert shown(a) == expected(link_a2, 0)
    step(a)
    assert shown(a) == expected(link_a2, 1)
    assert shown(b.run()) == expected(LINK_A, 3)
    step(b)
    assert shown(b) == expected(LINK_A, 4)
    assert b.session_state[explorer.PAGE.key("lr")] == pytest.approx(0.1)


# -- the cached functions hand out copies -------------------------------------------------------------------
def cache_decorators(path: Path) -> list[tuple[str, str]]:
    """(function, decorator) for every st.cache_* decorator in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                is_st = isinstance(target, ast.Attribute) and getattr(target.value, "id", None) == "st"
                if is_st and target.attr.startswith("cache"):
                    out.append((node.name, target.attr))
    return out


def test_only_the_explorer_figure_is_shared_between_sessions_through_cache_resource():
    files = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    found = {f"{p.name}:{fn}": dec for p in files for fn, dec in cache_decorators(p)}
    assert found, "expected st.cache_data functions in the pages"
    assert set(found.values()) <= {"cache_data", "cache_resource"}, found
    # one shared object, and it is immutable (the next test): the Explorer's frozen figure
    assert {f for f, dec in found.items() if dec == "cache_resource"} == {"caches.py:explorer_figure"}


def test_the_shared_explorer_figure_cannot_be_changed_through_what_it_hands_out():
    figure_cached = caches.explorer_figure
    hypers = tuple(presets.recommended("adam", "rosenbrock").items())
    args = (("builtin", "rosenbrock"), "adam", hypers, (-1.5, 2.0), 30, 0.0, 0, False)
    figure_cached.clear()
    shared = figure_cached(*args)
    assert figure_cached(*args) is shared  # one object for every session ...
    before = pio.to_json(sm.prepared(shared.at(7)), validate=False)
    spec = shared.at(7)  # ... so one student's code scribbling over what it got ...
    for trace in spec["data"]:
        trace.clear()
    spec["layout"].clear()
    spec["data"].clear()
    # ... changes nothing for the next: the rest is immutable JSON fragments
    assert pio.to_json(sm.prepared(shared.at(7)), validate=False) == before
    assert json.loads(before)["layout"]["sliders"][0]["active"] == 7


def test_explorer_run_cache_hands_each_caller_its_own_copy():
    run_cached = caches.explorer_run
    hypers = tuple(presets.recommended("adam", "rosenbrock").items())
    args = (("builtin", "rosenbrock"), "adam", hypers, (-1.5, 2.0), 30, 0.0, 0)
    run_cached.clear()
    first = run_cached(*args)
    clean = first.points.copy(), first.losses.copy()
    # one student's code scribbles over its result ...
    first.points[:] = np.nan
    first.losses[:] = -1.0
    second = run_cached(*args)  # ... the next student (a cache hit) gets the computed run
    assert second is not first
    np.testing.assert_array_equal(second.points, clean[0])
    np.testing.assert_array_equal(second.losses, clean[1])
    direct = optimizers.run(
        optimizers.make("adam", **dict(hypers)), surfaces.get("rosenbrock"), np.array([-1.5, 2.0]), 30
    )
    np.testing.assert_array_equal(second.points, direct.points)


def test_explorer_map_cache_hands_each_caller_its_own_copy():
    map_cached = caches.explorer_map
    map_cached.clear()
    first = map_cached(("builtin", "bowl"), False)
    snapshot = repr(first)
    first.clear()  # a figure builder that consumed its base in place
    second = map_cached(("builtin", "bowl"), False)
    assert second is not first
    assert repr(second) == snapshot


# -- a real server, two websocket sessions at the same moment -----------------------------------------------
@pytest.fixture(scope="module")
def server():
    proc, url = start_server("app.py")
    try:
        yield proc, url
    finally:
        stop_server(proc)


def metrics_of(run: client.Run) -> tuple[int, str]:
    """(the step the inspector shows, the loss at that step in the run the stage holds)."""
    assert run.status == "ok" and not run.exceptions, run.exceptions
    (stage,) = [e for e in run.elements if client.is_stage(e)]
    t = client.inspector_step(run)
    return t, f"{client.stage_losses(stage)[t]:.4g}"


def rest(run: client.Run, t: int):
    """What the browser sends when stepping rests at t on the run's stage."""
    (stage,) = [e for e in run.elements if client.is_stage(e)]
    return client.rest_at(stage, t)


async def _two_students(url: str) -> None:
    async with client.Session(url) as a, client.Session(url) as b:
        ra, rb = await asyncio.gather(
            a.open("explorer", urlsplit(LINK_A).query), b.open("explorer", urlsplit(LINK_B).query)
        )
        assert metrics_of(ra) == expected(LINK_A, 0)
        assert metrics_of(rb) == expected(LINK_B, 0)
        for t in range(1, 4):  # both press Step at the same moment
            ra, rb = await asyncio.gather(a.rerun(rest(ra, t)), b.rerun(rest(rb, t)))
            assert metrics_of(ra) == expected(LINK_A, t)
            assert metrics_of(rb) == expected(LINK_B, t)
        rb = await b.rerun(rest(rb, 4))  # B alone
        assert metrics_of(rb) == expected(LINK_B, 4)
        ra = await a.rerun()  # A reruns (as after any widget change): still its own step 3
        assert metrics_of(ra) == expected(LINK_A, 3)
        assert "opt=sgd" in a.query and "opt=adam" in b.query


async def _step_area_only(url: str) -> None:
    async with client.Session(url) as s:
        page = await s.open("explorer")  # the page, then the stage's first report's run (the inspector)
        assert page.fragment and metrics_of(page)[0] == 0
        widgets = {e.WhichOneof("type") for e in page.elements}
        assert "bidi_component" in widgets and "plotly_chart" not in widgets
        received = s.received
        run = await s.rerun(rest(page, 10))  # Step ×10 in the browser, then the stage's report
        assert run.fragment and metrics_of(run)[0] == 10  # a fragment's run ...
        assert {e.WhichOneof("type") for e in run.elements} == widgets  # ... and the page still has it all
        assert s.received - received < 10_000  # the inspector, and the stage by reference: not the run again
        full = await s.rerun(client.change(run.widget("steps"), None, 0, 0))  # a setting: the whole page again
        assert full.fragment == "" and metrics_of(full)[0] == 0  # (+ "a fresh run")
        assert s.received - received > 50_000  # the new run


def test_a_rest_reruns_only_the_step_area_and_sends_no_run(server):
    _run_async(_step_area_only(server[1]))


def test_two_websocket_sessions_on_one_server_keep_their_own_runs(server):
    _, url = server
    _run_async(_two_students(url))


def test_the_load_benchmark_drives_the_explorer_without_errors(server):
    proc, url = server
    args = load.parse_args(["--sessions", "3", "--interactions", "2", "--settle", "0", "--url", url])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its asyncio.run needs a thread without a loop
        figures = pool.submit(load.measure, url, [proc.pid], args).result()
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["script_runs"] == 3 * (2 + 2 * 2)  # the page, the stage's first report, 2 x (a rest, control)
    # RSS figures are read from /proc; "cold" is this (shared, already used) server's RSS at the start, which a
    # periodic malloc_trim can lower while the sessions run, so only their presence is checked here.
    assert figures["rss_cold_mb"] > 0 and figures["rss_peak_mb"] > 0


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the server's memory map (Linux)")
def test_the_server_runs_on_uvloop_and_httptools(server):
    """requirements.txt installs them and Streamlit and uvicorn take them: a first visit paints 0.3 s sooner."""
    proc, _ = server
    maps = Path(f"/proc/{proc.pid}/maps").read_text()
    assert "uvloop" in maps and "httptools" in maps
