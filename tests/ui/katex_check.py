"""Typeset LaTeX with KaTeX itself, the copy Streamlit's frontend ships, in one Node process for many strings.

    errors = render_errors(["x^2", "a^b^c"])   # -> [None, "KaTeX parse error: Double superscript ..."]

Streamlit's static bundle holds KaTeX as a standalone ES module (static/js/katex.<hash>.js, no imports), the one
st.latex typesets with in the browser; Node imports it from a data: URL (it is a .js file outside any package
that declares ES modules). `need_katex()` skips a test when Node or that file is missing, except under CI=true,
where it fails (as tests/browser/conftest.py does for Chromium); .ci/run installs Debian's nodejs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Reads a JSON list of LaTeX strings on stdin, writes a JSON list: per string null (typeset) or the error,
# display mode and throwOnError as a strict check; a strict-mode warning (e.g. Unicode text in maths) counts too.
_SCRIPT = r"""
import fs from "node:fs";
const src = fs.readFileSync(process.argv[1]);
const katex = (await import("data:text/javascript;base64," + src.toString("base64"))).default;
const texs = JSON.parse(fs.readFileSync(0, "utf8"));
const out = texs.map((tex) => {
  const warnings = [];
  const strict = (code, msg) => { warnings.push(code + ": " + msg); return "ignore"; };
  try {
    katex.renderToString(tex, { displayMode: true, throwOnError: true, strict });
  } catch (e) {
    return String(e.message || e);
  }
  return warnings.length ? "strict: " + warnings.join("; ") : null;
});
process.stdout.write(JSON.stringify({ version: katex.version, errors: out }));
"""


def streamlit_katex() -> Path | None:
    """Streamlit's own KaTeX bundle (static/js/katex.<hash>.js), or None."""
    try:
        import streamlit
    except ImportError:
        return None
    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("katex.*.js"))
    return found[0] if found else None


def need_katex() -> tuple[str, Path]:
    """(node, katex bundle), or skip the test (fail under CI=true) when one is missing."""
    node, bundle = shutil.which("node"), streamlit_katex()
    if node is None or bundle is None:
        what = "Node (apt-get install -y nodejs)" if node is None else "Streamlit's KaTeX bundle"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {what} is missing: the KaTeX check cannot run")
        pytest.skip(f"{what} not found")
    return node, bundle


def render_errors(texs: list[str], node: str | None = None, bundle: Path | None = None) -> tuple[str, list]:
    """KaTeX's version and, per string, None if it typesets, else KaTeX's error message."""
    if node is None or bundle is None:
        node, bundle = need_katex()
    proc = subprocess.run(
        [node, "--input-type=module", "-e", _SCRIPT, str(bundle)],
        input=json.dumps(texs),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result = json.loads(proc.stdout)
    assert len(result["errors"]) == len(texs)
    return result["version"], result["errors"]
