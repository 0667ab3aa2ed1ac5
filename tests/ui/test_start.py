"""The start-point helper (ui/start.py): a click counts only on the map's click targets, which viz names by their
legend group (never by their position among the traces); the check falls back to the suggested start, saying so."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from ui import start
from viz import compare as vc
from viz import surface_map as sm


def _race(surface_name: str = "rosenbrock") -> dict:
    s = surfaces.get(surface_name)
    trajs = [optimizers.run(optimizers.make(n), s, s.default_start, 20) for n in ("sgd", "adam")]
    return vc.race_spec(s, trajs, ["sgd", "adam"])


def _event(spec: dict, curve: int, index: int = 0) -> dict:
    """What st.plotly_chart's selection reports for a click on point `index` of trace `curve` (Streamlit's
    frontend copies the trace's legend group into the point)."""
    trace = spec["data"][curve]
    point = {"curve_number": curve, "point_index": index}
    if "x" in trace:  # a trace whose points come with the frames has none yet
        point |= {"x": float(sm.unpack(trace["x"])[index]), "y": float(sm.unpack(trace["y"])[index])}
    if "legendgroup" in trace:
        point["legendgroup"] = trace["legendgroup"]
    return {"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}}


def test_only_the_click_targets_carry_the_click_group_in_the_race_figure():
    spec = _race()
    groups = [i for i, t in enumerate(spec["data"]) if t.get("legendgroup") == sm.CLICK_GROUP]
    assert len(groups) == 1
    (i,) = groups
    assert spec["data"][i]["name"] == "click to start here"


def test_a_click_on_a_target_is_a_start_and_a_click_on_a_path_is_not():
    spec = _race()
    target = next(i for i, t in enumerate(spec["data"]) if t.get("legendgroup") == sm.CLICK_GROUP)
    xs, ys = sm.unpack(spec["data"][target]["x"]), sm.unpack(spec["data"][target]["y"])
    assert start.clicked(_event(spec, target, 100)) == (round(float(xs[100]), 3), round(float(ys[100]), 3))
    paths = [i for i, t in enumerate(spec["data"]) if str(t.get("legendgroup", "")).startswith("racer-")]
    assert paths
    for i in paths:
        assert start.clicked(_event(spec, i)) is None
    assert start.clicked(None) is None and start.clicked({"selection": {"points": []}}) is None


def test_a_click_on_the_stage_is_rounded_and_a_non_number_is_ignored():
    assert start.clicked([1.23456, -0.5]) == (1.235, -0.5)
    assert start.clicked(["x", 1]) is None
    assert start.clicked([float("nan"), 1.0]) is None
    assert start.clicked(None) is None


class _Box:
    """Collects what `checked` says beside the boxes."""

    def __init__(self):
        self.said: list[tuple[str, str]] = []

    def error(self, text, **_):
        self.said.append(("error", text))

    def caption(self, text, **_):
        self.said.append(("caption", text))


@pytest.mark.parametrize(
    ("point", "kind"),
    [((0.5, 0.5), None), ((4.0, 0.0), "caption"), ((1e7, 0.0), "error"), ((float("nan"), 0.0), "error")],
)
def test_checked_keeps_a_start_in_the_followed_region_and_says_why_it_changes_one(point, kind):
    s = surfaces.get("bowl")
    box = _Box()
    got = start.checked(s, *point, box)
    (lo, hi), view = s.divergence_box(), np.asarray(s.bounds)
    assert lo[0] < 4.0 < hi[0] and not view[0, 0] <= 4.0 <= view[0, 1]  # the caption case is what it claims
    if kind == "error":
        assert got == tuple(map(float, s.default_start))
        ((said, text),) = box.said
        assert said == "error" and "start must be finite" in text and f"{hi[0]:g}" in text
    else:
        assert got == point
        assert [k for k, _ in box.said] == ([kind] if kind else [])
