"""ui/internals.py, the one adapter for Streamlit's private names: fails loudly, naming what broke, when a Streamlit
upgrade removes or moves one of them (or a member the project uses); and nothing else imports them directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import streamlit

from ui import internals

ROOT = Path(__file__).resolve().parents[2]
# Streamlit's public modules (the documented API and the AppTest harness)
PUBLIC = ("streamlit", "streamlit.testing.v1", "streamlit.components.v2", "streamlit.column_config")


def test_every_private_name_the_project_uses_is_still_there():
    broken = internals.check()
    assert not broken, f"Streamlit {streamlit.__version__} broke ui/internals.py: " + "; ".join(broken)


def test_a_missing_name_raises_an_import_error_naming_it(monkeypatch):
    monkeypatch.setitem(internals.MISSING, "Gone", "streamlit.runtime.gone.Gone: ModuleNotFoundError")
    with pytest.raises(ImportError, match=r"no longer has streamlit\.runtime\.gone\.Gone"):
        internals.Gone  # noqa: B018
    with pytest.raises(AttributeError):
        internals.NeverListed  # noqa: B018


def test_the_check_names_a_missing_member(monkeypatch):
    monkeypatch.setitem(internals.MEMBERS, "AppSession", ("_handle_clear_cache_request", "_no_such_member"))
    assert internals.check() == ["AppSession._no_such_member (from streamlit.runtime.app_session)"]


def _streamlit_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("streamlit"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("streamlit")}
    return out


def test_no_module_but_the_adapter_imports_streamlits_private_modules():
    files = [p for d in ("app.py", "views", "ui", "harness", "benchmarks", "tests") for p in sorted(ROOT.glob(d))]
    files = [f for p in files for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    assert len(files) > 50
    private = {
        str(f.relative_to(ROOT)): sorted(m for m in _streamlit_imports(f) if m not in PUBLIC)
        for f in files
        if f != ROOT / "ui" / "internals.py"
    }
    assert {f: m for f, m in private.items() if m} == {}
