"""No input breaks the app: every page, driven with random and extreme values, shows messages, never exceptions.

Hypothesis picks, for each page, a malformed query string and then a sequence of widget changes (numbers such as
NaN, ±inf, 0, negatives, 1e300 and huge step counts; arbitrary text in text boxes; any option of any select),
runs the page after each one and asserts that no exception element appears; then one ordinary interaction
must still work (the app still responds).
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

APP = "../../app.py"
TIMEOUT = 60
PAGES = ["views/explorer.py", "views/compare.py", "views/network.py", "views/guide.py"]

EXTREME_NUMBERS = [math.nan, math.inf, -math.inf, 0, -1, -1e300, 1e300, 1e-300, 10**9, 2**63, -(2**63), 0.5, 3]
NUMBERS = st.one_of(st.sampled_from(EXTREME_NUMBERS), st.floats(allow_nan=True, allow_infinity=True))
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            "x^2 - y^2",
            "__import__('os').system('id')",
            "9**9**9**9",
            "x**(10**100)",
            "(" * 500 + "x" + ")" * 500,
            "log(x) + sqrt(-y)",
            "1/0",
            "x" * 400,
            "nan",
        ]
    ),
    st.text(max_size=80),
)
QUERY_KEYS = ["surface", "opt", "lr", "steps", "x0", "y0", "noise", "seed", "formula", "dataset", "epochs", "opts"]
QUERY_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-1", "1e999", "", "adam", "rosenbrock", "🙂", "0x10", "[1,2]", "999999999"]),
    st.text(max_size=20),
)


def _open(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.query_params.update(query)
    return at.run()


def _assert_no_exception(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}: {[e.message for e in at.exception]}"
    # a page that catches its own failure says so in an error box: that is a break too
    caught = [e.value for e in at.error if "Something went wrong" in e.value]
    assert not caught, f"{what}: {caught}"


KINDS = ("number_input", "text_input", "selectbox", "multiselect", "radio", "slider", "select_slider", "toggle")


def _widgets(at: AppTest) -> list:
    return [(kind, w) for kind in KINDS for w in at.get(kind)]


INTS = st.one_of(st.sampled_from([0, -1, 10**9, 2**63 - 1, -(2**63)]), st.integers(-(2**63), 2**63 - 1))


def _raw_options(widget, options: list[str]) -> list:
    """The raw values behind a select's displayed options (AppTest takes raw values; the page shows formatted ones).

    Candidates: the displayed texts themselves, every name the core knows, the numbers inside the texts; a
    candidate counts when the widget's format_func turns it into one of the displayed options.
    """
    import optimizers
    import surfaces
    from training import datasets

    pool: list = list(options) + list(surfaces.NAMES) + list(optimizers.NAMES) + ["custom"]
    for text in options:
        for token in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", str(text)):
            pool += [float(token)] + ([int(token)] if re.fullmatch(r"-?\d+", token) else [])
    pool += list(datasets.NAMES)
    found = {}
    for candidate in pool:
        try:
            shown = str(widget.format_func(candidate))
        except Exception:  # noqa: BLE001 - a format_func that only takes the raw type
            continue
        if shown in options and shown not in found:
            found[shown] = candidate
    return [found[o] for o in options if o in found]


def _value_for(kind: str, widget, pick: int, number: float, integer: int, text: str, flag: bool):
    """A value for this widget from the drawn material (chosen by `pick`, so the draws never depend on the page)."""
    if kind == "number_input":
        # an integer box travels as an int64 in the protocol: NaN and infinities cannot be sent to it
        return integer if isinstance(widget.value, int) and not isinstance(widget.value, bool) else number
    if kind in ("text_input", "text_area"):
        return text
    if kind == "toggle":
        return flag
    if kind == "slider":
        ends = [widget.min, widget.max]
        if isinstance(widget.value, tuple | list):
            return (widget.min, ends[pick % 2])
        return ends[pick % 2]
    options = list(getattr(widget, "options", []) or [])
    if not options:
        return None
    raw = _raw_options(widget, options)
    if not raw:
        return None
    if kind == "multiselect":
        chosen = [o for i, o in enumerate(raw) if (pick >> i) & 1]
        # a browser cannot select more than max_selections (AppTest raises instead of refusing the click)
        return chosen[: widget.proto.max_selections or None]
    return raw[pick % len(raw)]  # selectbox, radio, select_slider


@pytest.mark.parametrize("page_file", PAGES)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a few page runs; the message names it
)
@given(
    query=st.dictionaries(st.sampled_from(QUERY_KEYS), QUERY_VALUES, max_size=4),
    changes=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), NUMBERS, INTS, TEXTS, st.booleans()),
        min_size=1,
        max_size=3,
    ),
)
def test_random_and_extreme_inputs_never_raise(page_file, query, changes):
    page = page_file
    at = _open(page, query)
    _assert_no_exception(at, f"{page} with query {query!r}")
    for which, pick, number, integer, text, flag in changes:
        widgets = _widgets(at)
        if not widgets:
            break
        kinds = sorted({k for k, _ in widgets})  # a kind first, so rare kinds (text, sliders) get their turn
        kind = kinds[which % len(kinds)]
        same = [w for k, w in widgets if k == kind]
        widget = same[pick % len(same)]
        value = _value_for(kind, widget, pick, number, integer, text, flag)
        if value is None:
            continue
        try:
            widget.set_value(value)
        except Exception:  # noqa: BLE001 - AppTest refuses values no browser could send (outside min/max)
            continue
        at.run()
        _assert_no_exception(at, f"{page} (query {query!r}): {kind} {getattr(widget, 'label', '')!r} := {value!r}")
    # the app still responds: the first buttons can still be pressed
    for button in list(at.button)[:2]:
        button.click()
        at.run()
        _assert_no_exception(at, f"{page}: pressing {button.label!r} after the inputs")
