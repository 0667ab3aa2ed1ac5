"""Draw the page first, its heavy chart right after: a beacon that reruns a fragment once the browser has painted.

On a browser's first visit, Streamlit's Plotly component is a 4.7 MB script. While it loads and compiles, the
browser holds back the whole page, not only the chart: in headless Chromium on the 2-core development machine
the Explorer's Step metric and controls appeared after 5-7 s with the chart in the first run, and after about
3 s without it (README, "Speed"). So the first run of a session shows a placeholder where the chart goes and
mounts this beacon: a components-v2 element with a few lines of JavaScript that, once the page has been painted
(the next animation frame, then a task), sends a trigger value. The trigger reruns the fragment the beacon is
in, and that run draws the chart (and, in the Explorer, what needs KaTeX: the surface's formula and the
inspector, whose script and fonts would hold the first paint back the same way).

    if first_run:
        placeholder(height, "Drawing the map ...")
        beacon(key="explorer:painted")      # its trigger reruns the enclosing st.fragment
    else:
        st.plotly_chart(...)

No browser (AppTest, a websocket client) sends the trigger; their next run, whatever causes it, draws the chart.
"""

from __future__ import annotations

import streamlit as st

_BEACON = st.components.v2.component(
    "optimizer_lab.painted",
    js="""
export default function ({ setTriggerValue }) {
  // requestAnimationFrame runs just before the next paint; a task queued from it runs just after.
  requestAnimationFrame(() => setTimeout(() => setTriggerValue("painted", true), 0));
}
""",
)


def _rerun() -> None:
    """The trigger's callback: nothing to do, the rerun it causes is the point."""


def beacon(key: str) -> None:
    _BEACON(key=key, on_painted_change=_rerun)


def placeholder(height: int, text: str) -> None:
    """An empty box of the chart's height (nothing below it jumps when the chart arrives), with a note."""
    with st.container(height=height, border=False):
        st.caption(text)
