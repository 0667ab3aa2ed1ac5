"""Start loading Streamlit's Plotly component as soon as a page with a chart opens.

Streamlit imports its Plotly component (`static/js/PlotlyChart.<hash>.js`, 4.7 MB of JavaScript that takes
about a second of the browser's main thread to evaluate) only when a chart element reaches the browser and
is rendered, after the page's widgets and their own chunks; on a first visit that import sits on the path
to the first drawn chart. `plotly_component()`, called before a page runs, sends as the page's first
element a script that imports the same file from the folder Streamlit's own entry script came from (same
URL, so Streamlit's lazy import later finds the module loaded), while the server runs the page and the
widget chunks download. It shows nothing: the script sits in a container hidden, with its layout wrapper, by
`display: none` (no box, so no gap in the column), and the `<style>` goes to Streamlit's event container.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

KEY = "optlab-plotly-preload"


@functools.cache
def chunk_name() -> str | None:
    """The file name of the installed Streamlit's Plotly chunk, or None unless there is exactly one."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    names = sorted(p.name for p in folder.glob("PlotlyChart.*.js"))
    return names[0] if len(names) == 1 else None


def script(name: str) -> str:
    """A script that imports `name` from the folder of Streamlit's entry script (`.../static/js/index.*.js`)."""
    return (
        "<script>(() => {"
        'const entry = document.querySelector(\'script[type="module"][src*="/static/js/index."]\');'
        f"if (entry) import(new URL({json.dumps(name)}, entry.src).href).catch(() => {{}});"
        "})()</script>"
    )


def plotly_component() -> None:
    """Import Streamlit's Plotly component now; call before a page that draws a chart runs. Shows nothing."""
    name = chunk_name()
    if name is None:  # a Streamlit that names or splits its chunks differently: load as Streamlit does
        return
    # the key's class is on the container's inner block; its layout wrapper would still take a gap in the column
    hidden = f'.st-key-{KEY}, [data-testid="stLayoutWrapper"]:has(> .st-key-{KEY})'
    st.html(f"<style>{hidden} {{ display: none; }}</style>")
    with st.container(key=KEY):
        st.html(script(name), unsafe_allow_javascript=True)
