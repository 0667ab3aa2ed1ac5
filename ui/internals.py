"""Every private name of Streamlit that this project uses, in one place: the app (ui/guard.py, ui/budget.py), the
test harness (harness/: a websocket client speaking Streamlit's protocol) and the tests import them from here.

Streamlit does not promise to keep these across versions. Each is looked up here once; one that a Streamlit upgrade
removed or moved is recorded in MISSING (name -> what failed), and using it raises an ImportError that names it and
the Streamlit version. tests/ui/test_internals.py fails on any entry of MISSING, and checks that each still has
the fields and members the project uses (`check()`), so an upgrade breaks one test that says what broke.
"""

from __future__ import annotations

import importlib
from typing import Any

import streamlit

# name -> (module, attribute): what each is for
NAMES: dict[str, tuple[str, str]] = {
    # the websocket protocol (harness/client.py, the guard's tests, benchmarks/bench_cancel.py)
    "BackMsg": ("streamlit.proto.BackMsg_pb2", "BackMsg"),
    "ForwardMsg": ("streamlit.proto.ForwardMsg_pb2", "ForwardMsg"),
    "Element": ("streamlit.proto.Element_pb2", "Element"),
    "WidgetState": ("streamlit.proto.WidgetStates_pb2", "WidgetState"),
    # how a components-v2 trigger's widget id is made (harness/client.py: which element a trigger belongs to)
    "EVENT_DELIM": ("streamlit.components.v2.bidi_component.constants", "EVENT_DELIM"),
    "STREAMLIT_INTERNAL_KEY_PREFIX": ("streamlit.runtime.state.session_state", "STREAMLIT_INTERNAL_KEY_PREFIX"),
    # ui/guard.py: the clear-cache handler and the widget deserialisation it replaces
    "AppSession": ("streamlit.runtime.app_session", "AppSession"),
    "Serialized": ("streamlit.runtime.state.session_state", "Serialized"),
    "WStates": ("streamlit.runtime.state.session_state", "WStates"),
    # ui/budget.py: stopping a run that a newer run or a closed tab replaced
    "in_cached_function": ("streamlit.runtime.caching.cached_message_replay", "in_cached_function"),
    "RerunException": ("streamlit.runtime.scriptrunner_utils.exceptions", "RerunException"),
    "StopException": ("streamlit.runtime.scriptrunner_utils.exceptions", "StopException"),
    "ScriptRequestType": ("streamlit.runtime.scriptrunner_utils.script_requests", "ScriptRequestType"),
    "ScriptRequests": ("streamlit.runtime.scriptrunner_utils.script_requests", "ScriptRequests"),
    "get_script_run_ctx": ("streamlit.runtime.scriptrunner_utils.script_run_context", "get_script_run_ctx"),
    # tests: a script runner driven directly (tests/ui/test_cancel.py), the query parameters' class (test_state)
    "ScriptRunner": ("streamlit.runtime.scriptrunner.script_runner", "ScriptRunner"),
    "QueryParams": ("streamlit.runtime.state.query_params", "QueryParams"),
}

# what the project reads or calls on them: a name -> the members it needs
MEMBERS: dict[str, tuple[str, ...]] = {
    "BackMsg": ("rerun_script", "clear_cache"),
    "ForwardMsg": (
        "FINISHED_SUCCESSFULLY",
        "FINISHED_FRAGMENT_RUN_SUCCESSFULLY",
        "FINISHED_WITH_COMPILE_ERROR",
        "new_session",
        "delta",
        "script_finished",
        "ref_hash",
        "metadata",
        "page_info_changed",
        "navigation",
        "session_event",
        "page_not_found",
    ),
    "Element": ("bidi_component", "markdown", "alert", "exception", "number_input", "button", "slider"),
    "WidgetState": ("double_value", "bool_value", "string_value", "json_value", "trigger_value"),
    "AppSession": ("_handle_clear_cache_request", "handle_backmsg"),
    "WStates": ("__getitem__",),
    "ScriptRequestType": ("RERUN", "STOP"),
}

MISSING: dict[str, str] = {}
_FOUND: dict[str, Any] = {}

for _name, (_module, _attr) in NAMES.items():
    try:
        _FOUND[_name] = getattr(importlib.import_module(_module), _attr)
    except (ImportError, AttributeError) as _exc:
        MISSING[_name] = f"{_module}.{_attr}: {type(_exc).__name__}: {_exc}"

globals().update(_FOUND)


def __getattr__(name: str) -> Any:
    if name in MISSING:
        raise ImportError(
            f"Streamlit {streamlit.__version__} no longer has {MISSING[name]} (ui/internals.py: update the adapter)"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check() -> list[str]:
    """What is missing: every name that did not import, and every member the project uses that a name lacks."""
    out = [f"{name}: {why}" for name, why in MISSING.items()]
    for name, members in MEMBERS.items():
        obj = _FOUND.get(name)
        if obj is None:
            continue
        fields = set(getattr(getattr(obj, "DESCRIPTOR", None), "fields_by_name", {}) or {})
        for member in members:
            if member not in fields and not hasattr(obj, member):
                out.append(f"{name}.{member} (from {NAMES[name][0]})")
    return out
