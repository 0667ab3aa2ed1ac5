"""The Explorer's stage: one components-v2 element that owns the timeline and draws every view of "now".

The element holds the step controls (Step, Step ×10, Back, Reset, Play/Pause, the speeds ¼× 1× 4×, the scrubber),
the map (canvas: the background, the path to t, the current point, the arrows of step t), the numbers panel (each
recorded quantity per coordinate with its symbol, f(θ), θ and t), the loss curve and the state panels (a chooser,
up to three at a time), each with a cursor at t. Its JavaScript and CSS are ui/stage.js and ui/stage.css.

The run reaches the browser once per setting change, as the element's data: bytes, a header line of JSON (the
run's token, the step to open at, a note; the same bytes while the token stays) then a newline and the run's JSON
(viz.explorer.stage_data, arrays as base64). A press then redraws in the browser with no server round trip.
Its words (buttons, tooltips, hints) come from Python in the header, in the session's language (`words()`).
When stepping rests (0.25 s without a change, or on Pause) the element sets its state value `t` to
{"t": t, "token": token}; that reruns the fragment it is in, which shows the inspector for t. That run sends the
element with no data (`payload` None): the element keeps its identity (its key), the browser calls stage.js again
with no data and keeps the run it holds, and the server neither copies nor hashes the run's ~0.1-0.7 MB again (it
did, even when Streamlit's message cache then sent the browser only a reference). A click on the map
sends the trigger `start` with the point. When the run's data has `theory` (the Explorer's Theory switch), the map's
live layer also draws the local quadratic model at θ_t and the numbers panel adds λmin, λmax and κ.

    result = stage(payload, token="...", t0=0, note="", key="explorer:stage",
                   on_t=callback, on_start=callback)
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from i18n import translator

_, ngettext = translator("app")

_HERE = Path(__file__).resolve().parent
NAME = "optimizer_lab.stage"

_STAGE = st.components.v2.component(
    NAME,
    js=(_HERE / "stage.js").read_text(encoding="utf-8"),
    css=(_HERE / "stage.css").read_text(encoding="utf-8"),
)


def words() -> dict[str, str]:
    """The stage's words (buttons, their tooltips, readouts, hints) in the language in use: stage.js has none."""
    return {
        "step": _("Step"),
        "step_help": _("One update from where the run stands."),
        "step10": _("Step ×10"),
        "step10_help": _("Ten updates."),
        "back": _("Back"),
        "back_help": _("Undo one update."),
        "reset": _("Reset"),
        "reset_help": _("Back to the start (step 0)."),
        "play": _("Play"),
        "pause": _("Pause"),
        "play_help": _("Play the run from here; press again to pause."),
        "speed": _("Play speed {speed}"),
        "readout_step": _("At step"),
        "readout_loss": _("Loss"),
        "scrubber": _("Step t"),
        "click_map": _("Click to start the run here"),
        "over_run": _("Over the run:"),
        "hint": _("Arrows from θₜ₋₁: −g black, moment blue (both scaled), update red. Click the map to start there."),
        "hint_theory": _(
            "Arrows from θₜ₋₁: −g black, moment blue (scaled), update red. Magenta: the quadratic model at θₜ."
        ),
        "hint_plain": _("Arrows from θₜ₋₁: −g black (scaled), update red. Click the map to start there."),
        "hint_theory_plain": _("Arrows from θₜ₋₁: −g black (scaled), update red. Magenta: the quadratic model at θₜ."),
        "lmin": _("the Hessian's smaller eigenvalue at θₜ"),
        "lmax": _("the Hessian's larger eigenvalue at θₜ"),
        "kappa": _("the condition number λmax/λmin (— where λmin ≤ 0: no minimum)"),
        "path": _("θ (the path)"),
        # the count of clipped steps, in the language's form for one and for more (stage.js picks by n)
        "clipped_one": ngettext("clipped: {n} step of {last}", "clipped: {n} steps of {last}", 1),
        "clipped_other": ngettext("clipped: {n} step of {last}", "clipped: {n} steps of {last}", 2),
    }


def header(*, token: str, t0: int, note: str) -> bytes:
    """The data's first line: the run's token, the step to open at, a note, and the stage's words (the same bytes
    while the token and the language stay)."""
    return json.dumps({"token": token, "t0": int(t0), "note": note, "words": words()}).encode()


def split(data: bytes) -> tuple[dict, dict]:
    """(header, run) from the element's data (what tests and benchmarks read)."""
    head, _sep, body = bytes(data).partition(b"\n")
    return json.loads(head), json.loads(body)


def stage(payload: bytes | None, *, token: str, t0: int, note: str, key: str, on_t, on_start):
    """The element; `payload` None sends no data: the browser keeps the run it holds (see the module docstring)."""
    return _STAGE(
        key=key,
        data=None if payload is None else header(token=token, t0=t0, note=note) + b"\n" + payload,
        on_t_change=on_t,
        on_start_change=on_start,
        height="content",
    )
