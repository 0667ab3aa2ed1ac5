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


def test_heavy_runs_take_turns_and_light_ones_do_not_wait():
    """Work near the limit waits for its turn among the process's heavy runs (one at a time: six heavy tabs at once
    made another student wait for the interpreter behind all six); work below it never waits."""
    import threading

    import budget
    from ui import budget as budget_ui

    heavy = budget.Verdict(work=budget.LIMIT * 0.9)
    light = budget.Verdict(work=budget.NEAR * 0.5)
    assert heavy.chunked and not light.chunked
    order, first_in, release = [], threading.Event(), threading.Event()

    def first():
        with budget_ui.Progress(heavy, "first"):
            order.append("first in")
            first_in.set()
            release.wait(5)
            order.append("first out")

    def second():
        with budget_ui.Progress(heavy, "second"):
            order.append("second in")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(5)
    b = threading.Thread(target=second)
    b.start()
    with budget_ui.Progress(light, "light"):  # a light run goes ahead while the heavy one computes
        order.append("light")
    b.join(0.3)
    assert b.is_alive() and "second in" not in order  # waiting for its turn
    release.set()
    a.join(5)
    b.join(5)
    assert order == ["first in", "light", "first out", "second in"]
    with budget_ui.Progress(heavy, "outer"), budget_ui.Progress(heavy, "inner"):  # one run's nested work
        order.append("nested")
    assert order[-1] == "nested"
