"""ui/budget.py in AppTest: the refusal beside its control, and a progress bar drawn from a cached function
that is gone once the work is done and is not replayed when the result comes from the cache."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    import budget
    from ui import budget as budget_ui

    @st.cache_data(show_spinner=False)
    def work(n: int, _hook=None) -> int:
        progress, every = _hook
        for t in range(1, n + 1):
            if t % every == 0:
                progress(t)
        return n

    box = st.container()
    over = budget.verdict(budget.LIMIT * 3)
    if not budget_ui.allow(over, box, "this demo", "use fewer steps"):
        st.caption("refused")
    near = budget.verdict(budget.LIMIT * 0.9)
    assert near.chunked
    with budget_ui.Progress(near, "Working…") as w:
        st.session_state["result"] = work(50, _hook=w.hook(near.work / 50))
        st.session_state["done"] = w.done
    st.caption("finished")


def test_a_refusal_names_its_size_and_what_to_change_and_the_bar_goes_when_done():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "**Too much work for one run:** this demo is 3.0 times the limit (an estimated 6.0 s of the server's time; "
        "each run stays under 2 s so that no one slows the class). Use fewer steps."
    ]
    assert at.session_state["result"] == 50 and at.session_state["done"] > 0
    assert not at.get("progress")  # the bar is removed once the work is done
    at.run()  # from the cache now: nothing of the bar is replayed
    assert not at.exception and not at.get("progress")
    assert [c.value for c in at.caption] == ["refused", "finished"]
