"""The page helper (ui/page.py) and the shape every page has on it.

- Every page under views/ is a main() over one `PAGE = Page("<name>")`, run by `PAGE.run` when Streamlit runs it;
  no page defines key() or prefix() of its own or spells a session key ("<name>:..." or "<name>::...") itself.
- The guard: an error in main() or in a fragment's guarded body is a message on the page, never a traceback;
  st.stop passes through.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import state
from ui.page import Page

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "views").glob("*.py"))


def test_the_keys_are_ui_states_formats():
    page = Page("demo")
    assert page.key("lr") == state.setting_key("demo", "lr") == "demo:lr"
    assert page.private("t") == state.private_key("demo", "t") == "demo::t"


def _page_object(tree: ast.Module) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PAGE"]:
            call = node.value
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Page":
                return call.args[0].value
    return None


def _runs_main_under_the_guard(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'":
            return any(ast.unparse(s).startswith("PAGE.run(main, ") for s in node.body)
    return False


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_every_page_is_a_main_over_one_page_helper(path):
    tree = ast.parse(path.read_text())
    name = _page_object(tree)
    assert name is not None, "no PAGE = Page(...)"
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "main" in functions
    assert not functions & {"key", "prefix"}, "the page helper spells the keys"
    assert _runs_main_under_the_guard(tree)
    spelled = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith(f"{name}:")
    ]
    assert spelled == [], "session keys spelled by hand"


def _guarded_app():
    import streamlit as st

    from ui.page import Page

    page = Page("demo")

    @st.fragment
    def part():
        with page.guard("the part"):
            if st.session_state.get("fail_part"):
                raise RuntimeError("part broke")
            st.write("part fine")

    def main():
        if st.session_state.get("stop"):
            st.stop()
        if st.session_state.get("fail_main"):
            raise ValueError("main broke")
        part()
        st.write("after the part")

    page.run(main, "the demo")


@pytest.mark.parametrize(
    ("flag", "said", "shown"),
    [
        ("fail_main", "Something went wrong while drawing the demo: main broke", False),
        ("fail_part", "Something went wrong while drawing the part: part broke", True),
        ("stop", None, False),
        (None, None, True),
    ],
)
def test_an_error_is_a_message_and_st_stop_passes_through(flag, said, shown):
    at = AppTest.from_function(_guarded_app, default_timeout=30)
    if flag:
        at.session_state[flag] = True
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == ([f"{said}. Change a setting to try again."] if said else [])
    assert ("after the part" in [m.value for m in at.markdown]) is shown
