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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 200
MAX_INTERACTIONS = 50
WIDGETS = ("button", "number_input", "slider", "checkbox", "selectbox", "radio")
# pages catch their exceptions and show st.error("Something went wrong ...") instead of a traceback
ERROR_TEXTS = ("Something went wrong",)
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


# -- one session, speaking the browser's protocol -------------------------------------------------------
@dataclasses.dataclass
class Run:
    """What one script run left on the page (its elements in order), and how long it took."""

    seconds: float
    elements: list[Element]  # the whole page after the run (a fragment's run: the rest as it was)
    exceptions: list[str]
    status: str  # "ok", "compile_error", "page_not_found"
    fragment: str = ""  # the st.fragment this run reran, "" for a full run
    sent: int = 0  # elements the server sent in this run

    def widget(self, name: str) -> Element:
        """The widget whose label is `name`, or whose key is or ends with `name`, or whose label contains it."""
        widgets = [e for e in self.elements if e.WhichOneof("type") in WIDGETS]

        def proto(e: Element):
            return getattr(e, e.WhichOneof("type"))

        def user_key(e: Element) -> str:
            wid = proto(e).id  # "$$ID-<hash>-<user key>" (the key part is "None" for unkeyed widgets)
            return wid.split("-", 2)[2] if wid.startswith("$$ID-") and wid.count("-") >= 2 else ""

        low = name.lower()
        for test in (
            lambda e: proto(e).label == name,
            lambda e: user_key(e) == name or user_key(e).endswith(":" + name),
            lambda e: low in proto(e).label.lower(),
        ):
            found = [e for e in widgets if test(e)]
            if found:
                return found[0]
        labels = [f"{e.WhichOneof('type')} {proto(e).label!r}" for e in widgets]
        raise LookupError(f"no widget {name!r} on the page; widgets: {labels}")


class Session:
    """A websocket session on a Streamlit server: `await s.open(page)`, then `await s.rerun(widget states)`."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        cookies: dict[str, str] | None = None,
        load_index: bool = True,
        resume: str = "",
        error_texts: Sequence[str] = ERROR_TEXTS,
    ):
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.base_url = base_url.rstrip("/")
        self.url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.timeout = timeout
        self.cookies = dict(cookies or {})  # like a browser's cookie jar for this site
        self.load_index = load_index
        self.resume = resume  # a session id to reconnect to, as the browser does after a dropped connection
        self.session_id = ""
        self.error_texts = tuple(error_texts)  # st.error messages that mean the page failed (it caught an exception)
        self.ws = None
        self.page_name = ""
        self.page_hash = ""
        self.query = ""
        self.states: dict[str, WidgetState] = {}  # the widget values this client holds, by widget id
        self.page: list[tuple[str, Element]] = []  # the page as shown: (fragment id or "", element)
        self.runs = 0
        self.cache: dict[str, ForwardMsg] = {}  # large messages by hash, as the browser's ForwardMsg cache
        self.received = 0  # bytes of websocket messages received

    async def __aenter__(self) -> Session:
        if self.load_index:  # the browser loads the page first (a proxy may set its sticky cookie here)
            await asyncio.to_thread(self._get, "/")
        # Sec-WebSocket-Protocol: "streamlit", then an XSRF token (unused without an Origin header), then the
        # id of the session to resume, as the frontend sends them
        protocols = ["streamlit", "xsrf", self.resume] if self.resume else ["streamlit"]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.ws = await connect(
            self.url,
            subprotocols=protocols,
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            compression=None,
        )
        return self

    def _get(self, path: str) -> bytes:
        req = urllib.request.Request(self.base_url + path)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            for header in r.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return r.read()

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def open(self, page: str = "", query: str = "") -> Run:
        """Load a page as a browser does when its URL is opened: page name from the path, no widget states.

        Then, as the browser does once it has painted the page, send what the Explorer's stage sends then: its
        step (the run that adds the inspector's LaTeX). The Run returned is the last one, with `seconds` from the
        first request to the page complete.
        """
        self.page_name, self.page_hash, self.query = page, "", query
        run = await self.rerun()
        stage = self.stage()
        if run.status == "ok" and stage is not None:
            first = run
            run = await self.rerun(rest_at(stage, stage_t(stage)))
            run.seconds += first.seconds
            run.exceptions = first.exceptions + run.exceptions
        return run

    def stage(self) -> Element | None:
        """The Explorer's stage element on the page, if there is one."""
        return next((e for _, e in self.page if is_stage(e)), None)

    def fragment_of(self, widget_id: str) -> str:
        """The st.fragment a widget on the page belongs to ("" for none)."""
        return next((f for f, e in self.page if _widget_id(e) == widget_id), "")

    async def rerun(self, *changes: WidgetState) -> Run:
        """One script run with the widget values this client holds plus `changes` (a trigger counts once).

        As the browser does, a change to a widget inside an st.fragment reruns only that fragment; the Run
        then holds the whole page as the browser shows it (the fragment's new elements, the rest as before).
        """
        for w in changes:
            if w.WhichOneof("value") != "trigger_value":
                self.states[w.id] = w
        fragment = next((f for f in map(self.fragment_of, (_owner(w.id) for w in changes)) if f), "")
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = "" if self.page_hash else self.page_name
        cs.fragment_id = fragment
        cs.widget_states.widgets.extend(self.states.values())
        cs.widget_states.widgets.extend(w for w in changes if w.WhichOneof("value") == "trigger_value")
        cs.cached_message_hashes.extend(self.cache)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        elements: list[tuple[str, Element]] = []
        exceptions: list[str] = []
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), self.timeout)
            self.received += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":  # a message this client holds: the server sent only its hash
                fwd = self.cache[fwd.ref_hash]
                kind = fwd.WhichOneof("type")
            elif fwd.metadata.cacheable and fwd.hash:
                self.cache[fwd.hash] = fwd
                while len(self.cache) > 64:
                    self.cache.pop(next(iter(self.cache)))
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                elements = []  # a new run (also after st.rerun) replaces the page, or its fragment
                fragment = next(iter(fwd.metadata.run.fragment_ids), "")  # what this run really is
            elif kind == "navigation" and fwd.navigation.page_script_hash:
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                if is_stage(el) and el.bidi_component.WhichOneof("data") is None and self.stage() is not None:
                    el = self.stage()  # sent without its data: the browser keeps the run it holds (ui/stage.py)
                elements.append((fwd.delta.fragment_id, el))
                if el.WhichOneof("type") == "exception":
                    exceptions.append(f"{el.exception.type}: {el.exception.message}")
                elif el.WhichOneof("type") == "alert" and el.alert.format == el.alert.ERROR:
                    if any(t in el.alert.body for t in self.error_texts):
                        exceptions.append(f"error shown: {el.alert.body[:200]}")
                elif el.WhichOneof("type") in WIDGETS:
                    self._render(el)
            elif kind == "session_event" and fwd.session_event.WhichOneof("type") == "script_compilation_exception":
                exc = fwd.session_event.script_compilation_exception
                exceptions.append(f"{exc.type}: {exc.message}")
            elif kind == "page_not_found":
                return self._done(t0, elements, exceptions + ["page not found"], "page_not_found", fragment)
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    return self._done(t0, elements, exceptions or ["compile error"], "compile_error", fragment)
                if fwd.script_finished in DONE:
                    return self._done(t0, elements, exceptions, "ok", fragment)
                # FINISHED_EARLY_FOR_RERUN: the script called st.rerun(); the next run follows.

    def _render(self, el: Element) -> None:
        """Hold the widget's value as the browser's widget manager does: first sight or a server-set value."""
        w = getattr(el, el.WhichOneof("type"))
        if w.id not in self.states or getattr(w, "set_value", False):
            state = browser_state(el)
            if state is not None:
                self.states[w.id] = state

    def _done(self, t0: float, elements, exceptions, status, fragment: str = "") -> Run:
        seconds = time.perf_counter() - t0
        if status == "ok":
            # a fragment's run replaces that fragment's elements; a full run, the page
            page = [(f, e) for f, e in self.page if f != fragment] if fragment else []
            self.page = page + elements
            # the browser forgets the widgets that are gone from the page
            shown = {_widget_id(e) for _, e in self.page} - {""}
            self.states = {k: v for k, v in self.states.items() if k in shown}
        self.runs += 1
        page = [e for _, e in (self.page if status == "ok" else elements)]
        return Run(seconds, page, exceptions, status, fragment, len(elements))


def _widget_id(el: Element) -> str:
    kind = el.WhichOneof("type")
    return getattr(el, kind).id if kind in (*WIDGETS, "bidi_component") else ""


def _owner(widget_id: str) -> str:
    """The element a widget state belongs to: a components-v2 trigger's is its component."""
    from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
    from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

    prefix = STREAMLIT_INTERNAL_KEY_PREFIX + "_"
    if widget_id.startswith(prefix) and EVENT_DELIM in widget_id:
        return widget_id[len(prefix) :].rsplit(EVENT_DELIM, 1)[0]
    return widget_id


STAGE = "optimizer_lab.stage"  # ui/stage.py's component name


def is_stage(el: Element) -> bool:
    return el.WhichOneof("type") == "bidi_component" and el.bidi_component.component_name == STAGE


def stage_head(el: Element) -> dict:
    """The stage's header (ui/stage.py): the run's token, the step it opens at, its note."""
    return json.loads(bytes(el.bidi_component.bytes).partition(b"\n")[0])


def stage_t(el: Element) -> int:
    return int(stage_head(el)["t0"])


def stage_last(el: Element) -> int:
    """The last step the stage's timeline reaches (from the run it holds)."""
    return int(json.loads(bytes(el.bidi_component.bytes).partition(b"\n")[2])["last"])


def rest_at(stage: Element, t: int) -> WidgetState:
    """What the stage sends when stepping rests at t: its state value {"t": {"t": t, "token": token}} (the whole
    state, as the browser's widget manager holds it, JSON)."""
    value = {"t": {"t": int(t), "token": stage_head(stage)["token"]}}
    return WidgetState(id=stage.bidi_component.id, json_value=json.dumps(value))


def stage_losses(el: Element) -> list[float]:
    """The loss at every step of the run the stage holds."""
    import base64
    import struct

    raw = base64.b64decode(json.loads(bytes(el.bidi_component.bytes).partition(b"\n")[2])["losses"])
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def inspector_step(run: Run) -> int | None:
    """The step the Explorer's inspector shows ("**Step 3** with its numbers ..."), None without one."""
    import re

    for e in run.elements:
        if e.WhichOneof("type") == "markdown":
            m = re.match(r"\*\*Step (\d+)\*\*", e.markdown.body)
            if m:
                return int(m.group(1))
    return None


# -- widget values, as the browser would send them ------------------------------------------------------
def press(button: Element) -> WidgetState:
    return WidgetState(id=button.button.id, trigger_value=True)


def browser_state(el: Element) -> WidgetState | None:
    """The value the browser holds for a widget element it renders: the server's value if it sent one
    (`set_value`), else the widget's default. None for widgets this client does not model (and buttons)."""
    kind = el.WhichOneof("type")
    w = getattr(el, kind)
    if kind == "number_input":
        if w.set_value:
            return WidgetState(id=w.id, double_value=w.value) if w.HasField("value") else None
        return WidgetState(id=w.id, double_value=w.default) if w.HasField("default") else None
    if kind == "slider" and w.type == w.SELECT_SLIDER:  # its value: the formatted options chosen
        out = WidgetState(id=w.id)
        chosen = list(w.raw_value) if w.set_value else [w.options[int(i)] for i in w.default if 0 <= i < len(w.options)]
        out.string_array_value.data.extend(chosen)
        return out
    if kind == "slider":
        out = WidgetState(id=w.id)
        out.double_array_value.data.extend(w.value if w.set_value else w.default)
        return out
    if kind == "checkbox":
        return WidgetState(id=w.id, bool_value=w.value if w.set_value else w.default)
    if kind in ("selectbox", "radio"):
        if w.set_value:
            return WidgetState(id=w.id, string_value=w.raw_value) if w.HasField("raw_value") else None
        if w.HasField("default") and 0 <= w.default < len(w.options):
            return WidgetState(id=w.id, string_value=w.options[w.default])
    return None


def current_value(held: WidgetState):
    value = getattr(held, held.WhichOneof("value"))
    return list(value.data) if held.WhichOneof("value").endswith("_array_value") else value


def change(el: Element, held: WidgetState | None, i: int, who: int, spread: int = 3) -> WidgetState:
    """A new value for the control: session `who` moves it by (1 + who % spread) steps, up on even i, down on odd."""
    kind = el.WhichOneof("type")
    w = getattr(el, kind)
    held = held if held is not None else browser_state(el)
    if held is None:
        raise LookupError(f"{kind} {w.label!r} has no value to change")
    value = current_value(held)
    sign = 1 if i % 2 == 0 else -1
    by = 1 + who % spread  # steps (options) this session moves the control by
    if kind == "number_input":
        step = w.step or (1 if w.data_type == w.INT else 0.01)
        new = value + sign * by * step
        if w.has_max and new > w.max:
            new = value - by * step
        if w.has_min and new < w.min:
            new = value + by * step
        if w.data_type == w.INT:
            new = round(new)
        return WidgetState(id=w.id, double_value=float(new))
    if kind == "slider" and w.type == w.SELECT_SLIDER:
        options = list(w.options)
        k = options.index(value[0]) if value and value[0] in options else 0
        k = k + sign * by
        k = k if 0 <= k < len(options) else k - 2 * sign * by
        out = WidgetState(id=w.id)
        out.string_array_value.data.append(options[min(max(k, 0), len(options) - 1)])
        return out
    if kind == "slider":
        step = w.step or 1
        new = [min(max(v + sign * by * step, w.min), w.max) for v in value]
        if new == value:
            new = [min(max(v - sign * by * step, w.min), w.max) for v in value]
        out = WidgetState(id=w.id)
        out.double_array_value.data.extend(new)
        return out
    if kind == "checkbox":
        return WidgetState(id=w.id, bool_value=not value)
    options = list(w.options)
    k = (options.index(value) + by) % len(options) if value in options else 0
    return WidgetState(id=w.id, string_value=options[k])


# -- the server and its memory ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(50):
        first = free_port()
        if first + n > 65000:
            continue
        socks = []
        try:
            for p in range(first, first + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports")


# Two malloc arenas, with app.py's periodic malloc_trim (ui/memory.py), bring memory back near its baseline after
# a class (README, "Teaching with it"); `make run` and deploy/run_replicas.sh set the same.
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}  # as `make run` starts the app


def start_server(app: str | Path = "app.py", port: int | None = None, cwd: Path = ROOT, *extra: str, env=None):
    """`streamlit run app` on 127.0.0.1:port with the config of `cwd`; returns (process, base url) once healthy.

    The server's environment is this process's plus SERVER_ENV (unless already set) plus `env`.
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", *extra]
    full_env = {k: v for k, v in {**SERVER_ENV, **os.environ, **(env or {})}.items() if v != ""}
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


def start_replicas(n: int) -> tuple[subprocess.Popen, str, list[int]]:
    """deploy/run_replicas.sh: n replicas and nginx in front, on free loopback ports; (process, proxy url, pids)."""
    first = free_ports(n + 1)  # the replicas, then the proxy
    proxy = first + n
    work = Path(tempfile.mkdtemp(prefix="optlab-replicas-"))
    cmd = [str(ROOT / "deploy" / "run_replicas.sh"), "-n", str(n), "-p", str(first), "--proxy", str(proxy)]
    cmd += ["--proxy-address", "127.0.0.1", "--dir", str(work)]
    env = {**SERVER_ENV, **os.environ, "PYTHON": sys.executable}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{proxy}"
    try:
        wait_healthy(url, proc, timeout=120)
        pids = [int((work / f"replica-{first + i}.pid").read_text()) for i in range(n)]
    except BaseException:
        stop_server(proc)
        raise
    return proc, url, pids


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read()[-2000:]}")
        if time.time() > deadline:
            raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


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
