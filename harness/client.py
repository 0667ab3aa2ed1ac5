"""A client that speaks Streamlit's websocket protocol as the browser does: the test harness's and the
benchmarks' way into a running server (tests/test_sessions.py, tests/ui/test_guard.py, tests/deploy/*,
benchmarks/load.py).

It connects to `/_stcore/stream` with the subprotocol `streamlit`, sends `BackMsg.rerun_script` with its widget
states and reads `ForwardMsg`s until `script_finished`. Like the browser, it keeps the large messages it was sent
(Streamlit's message cache) and tells the server their hashes, so a rerun that would send one again sends a
reference instead. On a page with the Explorer's stage (ui/stage.py), a Step press sends nothing; what reaches
the server is the stage's report when stepping rests (`rest_at`).

    async with Session(url) as s:
        run = await s.open("explorer", "surface=bowl&opt=sgd")
        run = await s.rerun(change(run.widget("steps"), None, 0, 0))

Streamlit's protobuf classes and the other private names come from ui.internals, the one adapter.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

from ui.internals import EVENT_DELIM, STREAMLIT_INTERNAL_KEY_PREFIX, BackMsg, Element, ForwardMsg, WidgetState

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

    def fragment_of(self, wid: str) -> str:
        """The st.fragment a widget on the page belongs to ("" for none)."""
        return next((f for f, e in self.page if widget_id(e) == wid), "")

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
            shown = {widget_id(e) for _, e in self.page} - {""}
            self.states = {k: v for k, v in self.states.items() if k in shown}
        self.runs += 1
        page = [e for _, e in (self.page if status == "ok" else elements)]
        return Run(seconds, page, exceptions, status, fragment, len(elements))


def widget_id(el: Element) -> str:
    kind = el.WhichOneof("type")
    return getattr(el, kind).id if kind in (*WIDGETS, "bidi_component") else ""


def _owner(widget_id: str) -> str:
    """The element a widget state belongs to: a components-v2 trigger's is its component."""
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
