"""ui.formula.formula_input: the f(x, y) box returns a surface or shows the parser's message beside itself."""

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from ui import state
    from ui.formula import formula_input, formula_params

    params = formula_params()
    for notice in state.restore("demo", params):
        st.warning(notice)
    surface, error = formula_input("demo")
    st.write(f"surface: {None if surface is None else surface.formula}")
    st.write(f"error: {error}")
    if surface is not None:
        st.write(f"bounds: {surface.bounds}")
        st.write(f"f(1, 2) = {float(surface.f([1.0, 2.0])):g}")
    state.mirror("demo", params)


def _said(at, prefix):
    return next(m.value for m in at.markdown if m.value.startswith(prefix))


def test_empty_box_means_no_formula_and_no_error():
    at = AppTest.from_function(_app).run()
    assert not at.exception and not at.error
    assert at.text_input[0].label == "f(x, y) ="
    assert at.text_input[0].placeholder == "x^2 - y^2 + 0.1*sin(3*x)"
    assert _said(at, "surface:") == "surface: None" and _said(at, "error:") == "error: None"
    assert [n.label for n in at.number_input] == ["x min", "x max", "y min", "y max"]


def test_a_formula_gives_a_surface():
    at = AppTest.from_function(_app).run()
    at.text_input(key="demo:formula").input("x**2 +  y").run()
    assert not at.exception and not at.error
    assert _said(at, "surface:") == "surface: x^2 + y"
    assert _said(at, "f(1, 2)") == "f(1, 2) = 3"
    assert _said(at, "bounds:") == "bounds: ((-3.0, 3.0), (-3.0, 3.0))"


def test_a_bad_formula_shows_its_message_and_returns_it():
    at = AppTest.from_function(_app).run()
    at.text_input(key="demo:formula").input("2x + z").run()
    assert not at.exception
    assert len(at.error) == 1
    assert "missing operator between '2' and 'x' at column 2" in at.error[0].value
    assert _said(at, "surface:") == "surface: None"
    assert "missing operator" in _said(at, "error:")
    # the app still answers the next input
    at.text_input(key="demo:formula").input("__import__('os')").run()
    # shown literally: Markdown would turn __import__ into bold "import"
    assert r"unknown function '\_\_import\_\_' at column 1" in at.error[0].value
    at.text_input(key="demo:formula").input("x$y$*2").run()
    assert r"unexpected character '\$' at column 2" in at.error[0].value
    at.text_input(key="demo:formula").input("x*y").run()
    assert not at.error and _said(at, "surface:") == "surface: x*y"


def test_bounds_are_used_and_validated():
    at = AppTest.from_function(_app).run()
    at.text_input(key="demo:formula").input("x").run()
    at.number_input(key="demo:fxmin").set_value(-1.0).run()
    at.number_input(key="demo:fymax").set_value(5.0).run()
    assert _said(at, "bounds:") == "bounds: ((-1.0, 3.0), (-3.0, 5.0))"
    at.number_input(key="demo:fxmin").set_value(4.0).run()
    assert not at.exception
    assert len(at.error) == 1 and "xmin must be less than xmax" in at.error[0].value
    assert _said(at, "surface:") == "surface: None"


def test_the_formula_and_bounds_travel_in_the_link():
    at = AppTest.from_function(_app)
    at.query_params.update({"formula": "sin(x)*y", "fxmin": "-2", "fxmax": "2"})
    at.run()
    assert not at.exception and not at.warning and not at.error
    assert at.text_input[0].value == "sin(x)*y"
    assert _said(at, "surface:") == "surface: sin(x)*y"
    assert _said(at, "bounds:") == "bounds: ((-2.0, 2.0), (-3.0, 3.0))"


def test_a_malformed_link_falls_back_with_a_notice():
    at = AppTest.from_function(_app)
    at.query_params.update({"formula": "().__class__", "fxmin": "nan", "fymax": "1e300"})
    at.run()
    assert not at.exception and not at.error
    notices = " ".join(w.value for w in at.warning)
    assert "formula=().__class__" in notices and "empty parentheses" in notices
    assert "fxmin=nan" in notices and "fymax=1e300" in notices
    assert at.text_input[0].value == ""
    assert _said(at, "surface:") == "surface: None"
