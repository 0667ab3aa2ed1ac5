"""The work budget on the page: refusals beside their control, progress bars, and cancelling abandoned work.

The cost model is budget/ (no streamlit); this module is all the pages' UI of it:

    v = budget.verdict(budget.race_work(names, surface, steps))
    if not allow(v, box, "this race", "use fewer steps or racers"):   # an error beside the control; nothing runs
        ...
    with Progress(v, "Racing…") as tick:          # a bar when the work is near the limit, else nothing shown
        result = cached_fn(..., _hook=tick.hook(step_units))  # (progress, every) for run()

`checkpoint()` (what every hook calls) stops the run when its session has gone (the websocket closed: Streamlit
then asks the run to stop) or a newer run of the same session replaced it: Streamlit only looks for that at
its own calls (st.*), and a NumPy loop makes none, so work computed for nobody went on (a websocket dropped
1 s into a 7 s run: 5.8 s more). Hooks are called every ~40 ms of work, so a run stops within 0.2 s.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import streamlit as st

import budget
from i18n import translator
from ui.internals import RerunException, ScriptRequestType, StopException, get_script_run_ctx, in_cached_function

_, ngettext = translator("app")

DRAW_EVERY = 0.15  # seconds between two updates of a progress bar


def checkpoint() -> None:
    """Raise Streamlit's own stop or rerun exception if this run has been replaced or its session has gone.

    The same as Streamlit does at each st.* call (ScriptRunner._maybe_handle_execution_control_request). A no-op
    outside a script run (tests, benchmarks).
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    requests = getattr(ctx, "script_requests", None)
    if requests is None:
        return
    request = requests.on_scriptrunner_yield()
    if request is None:
        return
    if request.type == ScriptRequestType.RERUN:
        raise RerunException(request.rerun_data)
    raise StopException()


def message(v: budget.Verdict, what: str, advice: str) -> str:
    """The refusal: `what` and `advice` are translated where they are written (a clause each)."""
    return _(
        "**Too much work for one run:** {what} is {times} times the limit (an estimated {seconds} s of the "
        "server's time; each run stays under 2 s so that no one slows the class). {advice}."
    ).format(
        what=what, times=f"{v.times:.1f}", seconds=f"{v.seconds():.1f}", advice=f"{advice[:1].upper()}{advice[1:]}"
    )


def allow(v: budget.Verdict, box: Any, what: str, advice: str) -> bool:
    """True if the run fits the budget; else an error in `box` (beside the control to change) and False."""
    if v.ok:
        return True
    box.error(message(v, what, advice), icon=":material/hourglass_disabled:")
    return False


# Heavy work (near the limit) runs one at a time in a process. Every session's script is a thread of one process
# and they share one interpreter lock: six tabs of the costliest Explorer link, computing at once, made another
# student's setting change wait for the lock behind all six (p95 1.4 s; benchmarks/bench_noisy.py). Queued, the
# heavy runs take turns (each as long as before, the tabs' later ones later) and a light run competes with one.
HEAVY_AT_ONCE = 1
_heavy = threading.BoundedSemaphore(HEAVY_AT_ONCE)
_holding = threading.local()


class Progress:
    """A progress bar for work near the limit, and the hooks that advance it and check for cancellation.

    Near the limit (v.chunked) a bar is drawn where the `with` statement is and removed after, and the work waits
    for its turn among the process's heavy runs (HEAVY_AT_ONCE at a time; a run whose tab closed or that a newer
    run replaced stops waiting); otherwise no bar, but the hooks still check for cancellation. Safe to call from
    inside an st.cache_data function: the bar's updates are not recorded as the function's output (they would be
    replayed on every cache hit).
    """

    def __init__(self, v: budget.Verdict, text: str):
        self.v, self.text = v, text
        self.done = 0.0
        self._bar = None
        self._drawn = 0.0
        self._turn = False

    def __enter__(self) -> Progress:
        if self.v.chunked:
            self._bar = st.empty()
            self._bar.progress(0.0, text=self.text)
            if not getattr(_holding, "turn", False):  # (a heavy run inside another's turn does not wait for it)
                while not _heavy.acquire(timeout=0.1):
                    checkpoint()
                self._turn = _holding.turn = True
        return self

    def __exit__(self, *exc) -> None:
        if self._turn:
            _holding.turn = False
            _heavy.release()
        if self._bar is not None:
            self._bar.empty()

    def every(self, step_units: float) -> int:
        """Steps between two calls of a hook, for steps of `step_units` each (about 40 ms of work a chunk)."""
        return budget.steps_per_chunk(step_units)

    def hook(self, step_units: float) -> tuple:
        """(progress, every) for run() and its callers: progress(t) is called every `every` steps of
        `step_units` each, counts them done, checks for cancellation and redraws the bar."""
        every = self.every(step_units)

        def tick(_t: int = 0) -> None:
            self.add(every * step_units)

        return tick, every

    def add(self, units: float) -> None:
        """Count `units` of work done; check for cancellation; redraw the bar now and then."""
        self.done += units
        checkpoint()
        if self._bar is None or time.monotonic() - self._drawn < DRAW_EVERY:
            return
        self._drawn = time.monotonic()
        token = in_cached_function.set(False)  # not part of a cached function's replayed output
        try:
            self._bar.progress(min(1.0, self.done / max(self.v.work, 1.0)), text=self.text)
        finally:
            in_cached_function.reset(token)


def explorer_check(opt_name: str, surface: Any, steps: int, box: Any, regimen: bool = False) -> None:
    """The Explorer's run over the budget: an error beside its Steps (in `box`) and the page stops there.
    `regimen`: the optimizer runs under a schedule, weight decay or clipping (ui.regimen_controls)."""
    v = budget.verdict(budget.explorer_work(opt_name, surface, steps, regimen))
    if v.ok:
        return
    most = budget.largest(
        lambda k: budget.explorer_work(opt_name, surface, k, regimen) <= budget.LIMIT, 1, max(1, steps - 1)
    )
    if most is None:
        fewer = _("fewer steps")
    else:
        fewer = ngettext("at most {n} step", "at most {n} steps", most).format(n=most)
    if opt_name == "newton":
        advice = _("use {fewer}, a first-order optimizer or a simpler formula").format(fewer=fewer)
    else:
        advice = _("use {fewer} or a simpler formula").format(fewer=fewer)
    allow(v, box, ngettext("this run ({n} step)", "this run ({n} steps)", steps).format(n=steps), advice)
    st.info(_("Nothing is computed until the run fits: see the message under Steps in the sidebar."))
    st.stop()
