"""The architecture rules that a test can keep true."""

import ast
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ["optimizers", "surfaces", "viz", "training", "budget", "content"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", CORE)
def test_core_never_imports_streamlit(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offenders = [str(f.relative_to(ROOT)) for f in files if "streamlit" in _imports(f)]
    assert offenders == []


def test_optimizers_import_numpy_only():
    """The core needs NumPy alone (pandas only inside Trajectory.to_frame) besides the standard library, and the
    lab's i18n layer (plain Python: gettext) for the words it writes."""
    allowed = {"numpy", "pandas", "optimizers", "i18n"} | set(sys.stdlib_module_names)
    for f in sorted((ROOT / "optimizers").rglob("*.py")):
        third_party = _imports(f) - allowed
        assert third_party == set(), f"{f.name} imports {third_party}"


def test_the_checker_sees_an_import(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("import streamlit as st\nfrom streamlit import session_state\n")
    assert "streamlit" in _imports(bad)


def _bare_expressions(path: Path) -> list[int]:
    """Lines of expression statements Streamlit's magic would write to the page (not calls, not docstrings)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    scopes = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    docstrings = {id(n.body[0]) for n in ast.walk(tree) if isinstance(n, scopes) and ast.get_docstring(n) is not None}
    quiet = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and not isinstance(node.value, quiet) and id(node) not in docstrings
    ]


def test_no_page_relies_on_magic_which_is_off():
    assert tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    pages = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py"))]
    assert {str(p.relative_to(ROOT)): _bare_expressions(p) for p in pages} == {
        str(p.relative_to(ROOT)): [] for p in pages
    }


def test_the_magic_checker_sees_a_bare_expression(tmp_path):
    page = tmp_path / "p.py"
    page.write_text('"""Docstring."""\nimport streamlit as st\nx = 1\nx\nst.write(x)\n"shown"\n')
    assert _bare_expressions(page) == [4, 6]


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("package", ["ui", "viz", "optimizers", "surfaces", "training", "budget"])
def test_nothing_below_the_pages_imports_the_guide(package):
    """The Guide is content the Guide page shows; what the other layers need (an optimizer's symbols) lives with
    them."""
    offenders = [
        str(f.relative_to(ROOT))
        for f in sorted((ROOT / package).rglob("*.py"))
        if any(n == "content.guide" or n.startswith("content.guide.") for n in _full_imports(f))
    ]
    assert offenders == []


def test_content_is_data_that_reads_no_page_layer():
    for f in sorted((ROOT / "content").rglob("*.py")):
        assert not _imports(f) & {"streamlit", "ui", "views", "viz"}, f


def test_the_guide_import_checker_sees_one(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("from content.guide.tables import plain\n")
    assert "content.guide.tables" in _full_imports(bad)
