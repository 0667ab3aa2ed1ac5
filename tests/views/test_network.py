"""The network page under AppTest: it trains with the defaults, its charts and table carry the core's numbers,
settings come from and go to the URL, and bad input gives a message beside the control, never a traceback.

The page runs inside app.py (as it does in the app, under st.navigation), and once on its own with
AppTest.from_file on the page file.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import budget
import training
from ui.controls import racer_prefix
from views import network as network_page

K = network_page.PAGE.key  # a setting's session key (its widget's key)

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
PAGE_FILE = "../../views/network.py"
TIMEOUT = 120


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/network.py")
    if query:
        at.query_params.update(query)
    return at.run()


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _array(values) -> np.ndarray:
    """A trace's array from the figure JSON (Plotly sends typed arrays base64-encoded)."""
    if isinstance(values, dict) and "bdata" in values:
        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return arr.reshape(values["shape"]) if "shape" in values and isinstance(values["shape"], list) else arr
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _traces(fig: dict, name: str, dash: str) -> list[dict]:
    return [t for t in fig["data"] if t.get("name") == name and t.get("line", {}).get("dash") == dash]


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return _open()


def test_the_page_trains_the_classic_comparison_with_its_defaults(default_page):
    at = default_page
    assert not at.exception and not at.error
    assert [h.value for h in at.subheader] == ["Loss and accuracy", "Results", "Share and download"]
    table = at.dataframe[0].value
    assert table["Optimizer"].tolist() == ["SGD", "Momentum", "Adagrad", "RMSprop", "Adam"]
    # the numbers are the core's: train the same configuration directly
    expected = training.train(list(training.CLASSIC), dataset="iris", hidden=(16,), batch_size=16, epochs=200)
    for row, c in zip(table.itertuples(index=False), expected.curves.values(), strict=True):
        assert row[1] == c.final_val_acc and row[2] == c.best_val_acc and row[3] == c.best_epoch
    assert len(_figures(at)) == 1  # curves only: Iris has four features, no decision regions


def test_the_curves_chart_shows_train_and_validation_for_every_optimizer_in_one_colour_each(default_page):
    fig = _figures(default_page)[0]
    expected = training.train(["adam"], epochs=200).curves["adam"]
    colours = {}
    for title in ("SGD", "Momentum", "Adagrad", "RMSprop", "Adam"):
        solid, dashed = _traces(fig, title, "solid"), _traces(fig, title, "dash")
        assert len(solid) == 2 and len(dashed) == 2  # loss and accuracy panels
        colours[title] = {t["line"]["color"] for t in solid + dashed}
        assert len(colours[title]) == 1
    assert len({next(iter(c)) for c in colours.values()}) == 5
    loss, acc = _traces(fig, "Adam", "solid")
    np.testing.assert_allclose(_array(loss["y"]), expected.train_loss, rtol=1e-12)
    np.testing.assert_allclose(_array(acc["y"]), expected.train_acc, rtol=1e-12)
    val_loss = _traces(fig, "Adam", "dash")[0]
    np.testing.assert_allclose(_array(val_loss["y"]), expected.val_loss, rtol=1e-12)


def test_settings_are_mirrored_in_the_url(default_page):
    q = default_page.query_params
    assert q["dataset"] == "iris" and q["hidden"] == "16" and q["epochs"] == "200"
    assert q["opts"] == "sgd,momentum,adagrad,rmsprop,adam"
    assert float(q["adam_lr"]) == training.NETWORK_DEFAULTS["adam"]["lr"]
    assert "nadam_lr" not in q  # only the chosen optimizers' hyperparameters


def test_a_link_reproduces_a_run_with_decision_regions():
    query = {
        "dataset": "moons",
        "hidden": "8,8",
        "act": "tanh",
        "batch": "20",
        "epochs": "40",
        "val": "0.25",
        "seed": "3",
        "opts": "sgd,adam",
        "adam_lr": "0.02",
    }
    at = _open(query)
    assert not at.exception and not at.error
    assert "Decision regions" in [h.value for h in at.subheader]
    expected = training.train(
        {"sgd": {}, "adam": {"lr": 0.02}}, "moons", (8, 8), "tanh", batch_size=20, epochs=40, val_fraction=0.25, seed=3
    )
    table = at.dataframe[0].value
    assert table["Final val. accuracy"].tolist() == [c.final_val_acc for c in expected.curves.values()]
    curves, regions = _figures(at)
    heatmaps = [t for t in regions["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 2
    xs, ys, classes = expected.decision_regions("adam", n=120)
    np.testing.assert_array_equal(_array(heatmaps[1]["z"]).reshape(classes.shape), classes)
    # the data on top: every training and validation point once per panel
    points = [t for t in regions["data"] if t["type"] == "scatter"]
    n_points = sum(len(_array(t["x"])) for t in points)
    assert n_points == 2 * 200
    # and the URL keeps the link's values
    assert at.query_params["adam_lr"] == "0.02" and at.query_params["act"] == "tanh"


def test_a_malformed_link_value_falls_back_with_a_notice():
    at = _open({"dataset": "mnist", "epochs": "-5"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "dataset=mnist" in notices and "epochs=-5" in notices
    assert at.query_params["dataset"] == "iris" and at.query_params["epochs"] == "200"


def test_bad_hidden_layers_give_a_message_beside_the_control_and_no_training():
    at = _open()
    at.text_input(key=K("hidden")).set_value("16, lots").run()
    assert not at.exception
    assert any("hidden must be up to 3 whole numbers in [1, 64]" in e.value for e in at.error)
    assert any("Fix the settings" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    at.text_input(key=K("hidden")).set_value("12").run()
    assert not at.error and at.get("plotly_chart")


def test_too_much_work_is_refused_with_the_parameters_to_change():
    at = _open({"batch": "1", "epochs": "500"})
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Too much work for one run" in message and "a larger batch size" in message
    assert not at.get("plotly_chart")
    most = int(re.search(r"[Uu]se at most (\d+) epochs", message)[1])  # it fits, one more does not

    def work(epochs: int) -> float:
        return training.work(training.prepare("iris", (16,), "relu", 1, epochs, 0.3, 0), list(training.CLASSIC))

    assert work(most) <= budget.LIMIT < work(most + 1)
    at.number_input(key=K("epochs")).set_value(float(most)).run()
    assert not at.exception and not at.error and at.get("plotly_chart")


def test_a_bad_hyperparameter_is_reported_beside_it_and_its_default_used():
    at = _open({"opts": "adam"})
    at.number_input(key=K(racer_prefix("adam") + "lr")).set_value(50.0).run()
    assert not at.exception
    assert any("lr must be a finite number in (0, 10]" in e.value for e in at.error)
    assert at.dataframe[0].value["Optimizer"].tolist() == ["Adam"]


def test_newton_is_not_offered_and_the_page_says_why():
    at = _open({"opts": "newton,adam"})
    assert not at.exception
    assert "newton" not in at.multiselect(key=K("opts")).options
    assert any("newton" in w.value for w in at.warning)  # the link's value is refused with a notice
    reasons = [e for e in at.expander if "Newton" in e.label]
    assert reasons and "Hessian" in reasons[0].markdown[0].value


def test_no_optimizer_chosen_asks_for_one():
    at = _open()
    at.multiselect(key=K("opts")).set_value([]).run()
    assert not at.exception
    assert any("Choose at least one optimizer" in i.value for i in at.info)


def test_a_divergent_optimizer_is_reported_as_data():
    at = _open({"dataset": "spirals", "hidden": "32,32,32", "epochs": "20", "opts": "sgd,adam", "sgd_lr": "10"})
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Diverged at epoch"].tolist() == ["1", "never"]
    assert any("SGD diverged" in w.value for w in at.warning)


def test_a_csv_download_is_offered(default_page):  # its contents: tests/browser/test_network.py
    button = default_page.get("download_button")[0]
    assert "CSV" in button.proto.label


def test_the_page_file_runs_on_its_own():
    at = AppTest.from_file(PAGE_FILE, default_timeout=TIMEOUT)
    at.query_params.update({"opts": "adam", "epochs": "30"})
    at.run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Optimizer"].tolist() == ["Adam"]


def test_a_value_past_a_box_limit_is_reported_beside_the_box_and_nothing_trains():
    at = _open()
    at.number_input(key=K("epochs")).set_value(2000.0).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Epochs must be a whole number in [1, 1000]" in e and "2000" in e for e in errors)
    assert not any("200 epochs" in e for e in errors)  # no message speaks of a value the box does not hold
    assert not at.get("plotly_chart")
    at.number_input(key=K("epochs")).set_value(30.0).run()
    assert not at.error and at.get("plotly_chart")


def test_a_run_that_never_diverged_says_never_not_none(default_page):
    assert set(default_page.dataframe[0].value["Diverged at epoch"]) == {"never"}
