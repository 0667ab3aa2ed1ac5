"""ui/guard.py: a client cannot clear the shared caches, and no value it sends for a widget breaks its session.

Over a real server (`streamlit run app.py`) and Streamlit's websocket protocol (harness.client):
- a `BackMsg` with `clear_cache = True` leaves st.cache_data and st.cache_resource as they were: the next
  visitor's run is a cache hit (read from the server's /_stcore/metrics counters);
- crafted values (NaN, ±inf, huge numbers, strings, wrong types, malformed JSON ...) sent for every widget of
  every page at once give no exception, and the next valid value works again (it reaches the URL).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import re
import urllib.request
from urllib.parse import parse_qsl

import pytest

from harness import client
from harness.server import start_server, stop_server
from ui import guard
from ui.internals import BackMsg, WidgetState
from views import compare


def _run_async(coro):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_streamlit_still_has_what_the_guards_replace():
    """Fails loudly when a Streamlit upgrade moves the clear-cache handler or the widget deserialisation."""
    assert guard.check() == []


def test_the_widget_name_of_a_widget_id():
    assert guard.widget_name("$$ID-0123abcd-explorer:steps") == "steps"
    assert guard.widget_name("$$ID-0123abcd-None") == "a control"


@pytest.fixture(scope="module")
def server():
    proc, url = start_server("app.py")
    try:
        yield proc, url
    finally:
        stop_server(proc)


def lookups(url: str) -> dict[tuple[str, str], int]:
    """The server's cache lookups so far: (cached function, "hit" or "miss") -> count."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(r'cache_lookups_total\{cache="([^"]+)",cache_type="[^"]+",result="(\w+)"\} (\d+)', text):
        out[(m[1], m[2])] = int(m[3])
    return out


async def _clear_cache(url: str) -> None:
    async with client.Session(url) as s:
        run = await s.open("explorer", "surface=himmelblau&opt=adam&steps=77")
        assert run.status == "ok" and not run.exceptions, run.exceptions
        before = lookups(url)
        assert before[("ui.caches.explorer_run", "miss")] >= 1
        msg = BackMsg()
        msg.clear_cache = True
        await s.ws.send(msg.SerializeToString())
        again = await s.rerun()  # the server has read the message before this run (one websocket, in order)
        assert again.status == "ok" and not again.exceptions
    # the next visitor, same run with Theory on: its run is looked up in st.cache_data (the process's own cache of
    # runs, which no client can clear either, holds it only with the stage's bytes for Theory off)
    async with client.Session(url) as other:
        run = await other.open("explorer", "surface=himmelblau&opt=adam&steps=77&theory=true")
        assert run.status == "ok" and not run.exceptions
    after = lookups(url)
    fn = "ui.caches.explorer_run"
    assert after[(fn, "miss")] == before[(fn, "miss")], (before, after)  # still there: not cleared
    assert after[(fn, "hit")] > before.get((fn, "hit"), 0)


def test_a_clients_clear_cache_message_clears_no_cache(server):
    _run_async(_clear_cache(server[1]))


# -- crafted values ------------------------------------------------------------------------------------------
def _crafted(wid: str) -> list[WidgetState]:
    """Every kind of value a websocket can carry for a widget, most of them wrong for it."""
    out = [WidgetState(id=wid, double_value=v) for v in (math.nan, math.inf, -math.inf, 1e308, -1e308, 0.5)]
    out += [WidgetState(id=wid, int_value=v) for v in (2**62, -(2**62))]
    out += [WidgetState(id=wid, string_value=v) for v in ("abc", "", "1e999", "nan", "\x00" * 3, "٣")]
    out += [WidgetState(id=wid, bool_value=True), WidgetState(id=wid, json_value="{")]
    out += [WidgetState(id=wid, bytes_value=b"\xff")]
    arrays = [("double_array_value", [math.nan]), ("double_array_value", [])]
    arrays += [("double_array_value", [1e308, -1e308, 3])]
    arrays += [("string_array_value", ["zz"]), ("string_array_value", []), ("int_array_value", [2**62])]
    for field, data in arrays:
        w = WidgetState(id=wid)
        getattr(w, field).data.extend(data)
        out.append(w)
    return out


N_KINDS = len(_crafted("x"))
# Every page with widgets (Home and the Guide have none), in the states that show all of them: (page, link,
# toggles switched on first, a number box whose value the URL mirrors: after the crafted runs, a valid change
# of it must reach the URL).
STATES = [
    ("explorer", "", (), "steps"),
    ("explorer", "surface=custom&formula=x%5E2-y%5E2", (), "steps"),
    ("compare", "", (), "steps"),
    (
        "compare",
        "surface=custom&formula=x%5E2%2B3*y%5E2&steps=50&basin_steps=20&grid=50",
        ("Sweep learning rates", "Map the basins"),
        "steps",
    ),
    ("network", "", (), "epochs"),
    ("network", "dataset=moons&opts=adam,sgd&epochs=20", (), "epochs"),
]


async def _crafted_values(url: str, page: str, query: str, toggles: tuple, control: str | None) -> None:
    async with client.Session(url) as s:
        run = await s.open(page, query)
        assert run.status == "ok" and not run.exceptions, run.exceptions
        for label in toggles:
            run = await s.rerun(client.change(run.widget(label), None, 0, 0))
            assert run.status == "ok" and not run.exceptions, run.exceptions
        valid = dict(s.states)
        ids = {client.widget_id(e) for e in run.elements} - {""}
        assert ids
        if toggles:  # what the toggles show is on the page: the sweep's button, the basin map's controls
            assert any(i.endswith(compare.PAGE.key("usebest")) for i in ids) and any(
                i.endswith(":color_by") for i in ids
            )
        warned = 0
        for k in range(N_KINDS):
            s.states = {**valid, **{wid: _crafted(wid)[k] for wid in ids}}  # every widget at once
            bad = await s.rerun()
            assert bad.status == "ok" and not bad.exceptions, (page, _crafted("x")[k], bad.exceptions)
            warned += any(
                e.WhichOneof("type") == "alert" and "Ignored a value for" in e.alert.body for e in bad.elements
            )
            s.states = dict(valid)
            good = await s.rerun()
            assert good.status == "ok" and not good.exceptions, (page, _crafted("x")[k], good.exceptions)
        assert warned > 0  # the values a widget cannot read are said to be ignored
        if control:
            box = good.widget(control)
            held = s.states.get(box.number_input.id)
            change = client.change(box, held, 0, 0)
            after = await s.rerun(change)
            assert after.status == "ok" and not after.exceptions, after.exceptions
            assert float(dict(parse_qsl(s.query))[control]) == change.double_value


@pytest.mark.parametrize("state", STATES, ids=[f"{p}?{q[:20]}" for p, q, _, _ in STATES])
def test_no_value_sent_for_any_widget_breaks_the_session(server, state):
    _run_async(_crafted_values(server[1], *state))
