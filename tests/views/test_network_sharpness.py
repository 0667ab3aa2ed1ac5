"""The network page's sharpness toggle: off by default (no cost, no chart); on, it charts each optimizer's
sharpness of the full training loss against its limit, the numbers those of training.sharpness."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import training
from training.sharpness import sharpness_curve
from views import network as network_page
from viz import surface_map as sm

K = network_page.PAGE.key  # a setting's session key (its widget's key)

APP = "../../app.py"
TIMEOUT = 180


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/network.py")
    at.query_params.update(query)
    return at.run()


def _eos_charts(at: AppTest) -> list[dict]:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [c for c in charts if "sharpness" in c["layout"].get("yaxis", {}).get("title", {}).get("text", "")]


@pytest.fixture(scope="module")
def page() -> AppTest:
    return _open({"dataset": "iris", "epochs": "20", "opts": "sgd,momentum,adam"})


def test_the_toggle_is_off_by_default_and_nothing_is_measured(page):
    assert not page.exception
    assert page.toggle(key=K("eos")).value is False
    assert _eos_charts(page) == []


def test_switched_on_it_charts_each_optimizers_sharpness_against_its_limit(page):
    at = page.toggle(key=K("eos")).set_value(True).run()
    assert not at.exception and not at.error
    plain, pre = _eos_charts(at)
    assert "λmax(H)" in plain["layout"]["yaxis"]["title"]["text"]
    assert "P⁻¹H" in pre["layout"]["yaxis"]["title"]["text"]
    setup = training.prepare("iris", (16,), "relu", 16, 20, 0.3, 0)
    expected = {n: sharpness_curve(setup, n) for n in ("sgd", "momentum", "adam")}
    for chart, names in ((plain, ("sgd", "momentum")), (pre, ("adam",))):
        for name in names:
            s = expected[name]
            i = next(i for i, t in enumerate(chart["data"]) if t["name"] == s.title)
            line, limit = chart["data"][i], chart["data"][i + 1]  # each line is followed by its limit
            np.testing.assert_array_equal(sm.unpack(line["x"]), s.epochs)
            np.testing.assert_allclose(sm.unpack(line["y"]), s.values, rtol=1e-12, equal_nan=True)
            assert limit["y"] == [pytest.approx(s.limit.value)] * 2 and s.limit.label in limit["name"]
    assert expected["sgd"].limit.value == pytest.approx(2 / 0.1)  # the page's SGD default γ = 0.1
    assert plain["layout"]["font"]["size"] >= 14 and plain["layout"]["yaxis"]["tickfont"]["size"] >= 14


def test_full_batch_sgd_at_a_large_step_settles_at_its_limit_as_the_caption_says():
    at = _open({"dataset": "iris", "epochs": "200", "batch": "1024", "opts": "sgd", "sgd_lr": "2"})
    at = at.toggle(key=K("eos")).set_value(True).run()
    assert not at.exception
    (chart,) = _eos_charts(at)
    x, y = sm.unpack(chart["data"][0]["x"]), sm.unpack(chart["data"][0]["y"])
    assert chart["data"][1]["y"] == [1.0, 1.0]  # 2/γ
    assert np.all(np.abs(y[x >= 50] - 1.0) < 0.15)  # from epoch 50 on, within 15% of the limit
