"""ui.state: settings restored from the query string, malformed values noticed, current values mirrored."""

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from ui import state

    params = [
        state.Param("opt", "adam", state.parse_choice(["sgd", "adam"])),
        state.Param("lr", 0.05, state.parse_float(0.0, 10.0), state.fmt_float),
        state.Param("steps", 100, state.parse_int(1, 2000)),
        state.Param("bc", True, state.parse_bool, state.fmt_bool),
        state.Param("grid", 100, state.parse_int_option((50, 75, 100))),
    ]
    for notice in state.restore("demo", params):
        st.warning(notice)
    st.selectbox("Optimizer", ["sgd", "adam"], key="demo:opt")
    st.number_input("lr", key="demo:lr", format="%g")
    st.number_input("steps", key="demo:steps", step=1)
    st.toggle("bias correction", key="demo:bc")
    state.mirror("demo", params)


def q(at, key):
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def test_defaults_are_mirrored_into_the_url():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert q(at, "opt") == "adam" and q(at, "lr") == "0.05"
    assert q(at, "steps") == "100" and q(at, "bc") == "true"


def test_a_link_restores_the_settings():
    at = AppTest.from_function(_app)
    at.query_params.update({"opt": "sgd", "lr": "0.2", "steps": "7", "bc": "false"})
    at.run()
    assert not at.exception and not at.warning
    assert at.selectbox[0].value == "sgd" and at.number_input[0].value == 0.2
    assert at.number_input[1].value == 7 and at.toggle[0].value is False


def test_malformed_values_fall_back_with_a_notice():
    at = AppTest.from_function(_app)
    at.query_params.update({"opt": "adamm", "lr": "nan", "steps": "1e9", "bc": "maybe"})
    at.run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    for key in ("opt=adamm", "lr=nan", "steps=1e9", "bc=maybe"):
        assert key in notices
    assert at.selectbox[0].value == "adam" and at.number_input[0].value == 0.05 and at.toggle[0].value is True
    assert q(at, "lr") == "0.05"


def test_widget_changes_win_over_the_original_link():
    at = AppTest.from_function(_app)
    at.query_params.update({"opt": "sgd", "lr": "0.2"})
    at.run()
    at.number_input[0].set_value(0.3).run()
    at.selectbox[0].select("adam").run()
    assert not at.exception
    assert at.number_input[0].value == 0.3 and at.selectbox[0].value == "adam"
    assert q(at, "lr") == "0.3" and q(at, "opt") == "adam"


def test_the_url_is_written_in_one_message(monkeypatch):
    """Each query-string message is a URL update the browser renders; a page's run sends at most one."""
    from ui.internals import QueryParams

    sent = []
    real = QueryParams._send_query_param_msg
    monkeypatch.setattr(QueryParams, "_send_query_param_msg", lambda self: (sent.append(1), real(self)))
    at = AppTest.from_function(_app)
    at.query_params.update({"stale": "1", "lr": "0.2"})  # one key to drop, one to keep, three to add
    at.run()
    assert not at.exception and len(sent) == 1
    assert "stale" not in at.query_params and q(at, "lr") == "0.2" and q(at, "steps") == "100"
    at.run()  # nothing changed: nothing sent
    assert len(sent) == 1
    at.number_input[1].set_value(8).run()
    assert len(sent) == 2 and q(at, "steps") == "8"


def _app_keeping_tab():
    import streamlit as st

    from ui import state

    params = [state.Param("lr", 0.05, state.parse_float(0.0, 10.0), state.fmt_float)]
    state.restore("demo", params)
    st.number_input("lr", key="demo:lr", format="%g")
    state.mirror("demo", params, keep=["tab"])


def test_kept_keys_stay_with_all_their_values_and_others_go():
    at = AppTest.from_function(_app_keeping_tab)
    at.query_params.update({"tab": ["a", "b"], "stale": "1"})
    at.run()
    assert not at.exception
    assert at.query_params["tab"] == ["a", "b"] and "stale" not in at.query_params and q(at, "lr") == "0.05"
    at.number_input[0].set_value(0.2).run()
    assert at.query_params["tab"] == ["a", "b"] and q(at, "lr") == "0.2"


def _notices(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_value_rounded_to_an_option_is_said_and_the_link_rewritten():
    at = AppTest.from_function(_app)
    at.query_params.update({"grid": "51"})
    at.run()
    assert not at.exception
    assert at.session_state["demo:grid"] == 50 and q(at, "grid") == "50"
    assert "Used `grid=50` for `grid=51` from the link (the nearest of 50, 75, 100)" in _notices(at)
    at.query_params.update({"grid": "88"})  # halfway or more: the nearest above
    at.run()
    assert at.session_state["demo:grid"] == 100 and q(at, "grid") == "100"


def test_values_read_from_unusual_text_are_said_and_the_link_rewritten():
    for raw in ("\u0661\u0660", "\uff11\uff10", "1_0", " 10 "):  # Arabic-Indic, full-width, underscore, spaces
        at = AppTest.from_function(_app)
        at.query_params.update({"steps": raw})
        at.run()
        assert not at.exception
        assert at.number_input[1].value == 10 and q(at, "steps") == "10", raw
        assert f"Read `steps={raw}` from the link as `10`" in _notices(at), raw
    at = AppTest.from_function(_app)
    at.query_params.update({"steps": "10", "opt": "sgd"})  # plain text: no notice
    at.run()
    assert not at.warning


def test_a_key_given_twice_is_said_the_last_counts_and_the_link_keeps_one():
    at = AppTest.from_function(_app)
    at.query_params["steps"] = ["5", "7"]
    at.run()
    assert not at.exception
    assert at.number_input[1].value == 7
    assert "`steps` is in the link 2 times; the last one counts." in _notices(at)
    assert at.query_params["steps"] in ("7", ["7"])
