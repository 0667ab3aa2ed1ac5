"""viz.network: the curves and decision-region figures carry the training results, one colour per optimizer."""

from __future__ import annotations

import numpy as np
import pytest

import training
from viz.compare import COLORS
from viz.network import CLASS_COLORS, curves_figure, regions_figure


@pytest.fixture(scope="module")
def spirals():
    # SGD at lr 10 diverges in the first epoch on this network; the others train.
    return training.train(
        {"sgd": {"lr": 10.0}, "momentum": {}, "adam": {}},
        dataset="spirals",
        hidden=(32, 32, 32),
        batch_size=32,
        epochs=15,
    )


def _lines(fig, name):
    return [t for t in fig.data if t.name == name and t.mode == "lines"]


def test_curves_every_optimizer_has_training_and_validation_lines_in_its_colour(spirals):
    fig = curves_figure(spirals)
    for name, c in spirals.curves.items():
        lines = _lines(fig, c.title)
        assert len(lines) == 4  # loss and accuracy, training and validation
        assert {t.line.color for t in lines} == {COLORS[name]}
        assert sorted(t.line.dash for t in lines) == ["dash", "dash", "solid", "solid"]
        by_key = {(t.xaxis, t.line.dash): np.asarray(t.y, dtype=float) for t in lines}
        np.testing.assert_array_equal(by_key[("x", "solid")], c.train_loss)
        np.testing.assert_array_equal(by_key[("x", "dash")], c.val_loss)
        np.testing.assert_array_equal(by_key[("x2", "solid")], c.train_acc)
        np.testing.assert_array_equal(by_key[("x2", "dash")], c.val_acc)
        assert sum(t.showlegend for t in lines) == 1  # one legend entry per optimizer
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.tickformat == ".0%"


def test_curves_mark_where_an_optimizer_diverged(spirals):
    fig = curves_figure(spirals)
    marks = [t for t in fig.data if t.mode == "markers"]
    assert len(marks) == 1 and marks[0].name == "SGD diverged"
    assert list(marks[0].x) == [0] and marks[0].y[0] == spirals.curves["sgd"].train_loss[0]


def test_log_ticks_cover_the_losses(spirals):
    ticks = curves_figure(spirals).layout.yaxis.tickvals
    losses = np.concatenate([np.r_[c.train_loss, c.val_loss] for c in spirals.curves.values()])
    losses = losses[np.isfinite(losses)]
    assert min(ticks) <= losses.min() * 1.5 and max(ticks) >= losses.max() / 1.5
    assert all(f"{t:.0e}"[0] in "125" for t in ticks)


def test_regions_one_panel_per_optimizer_with_the_data_on_top(spirals):
    fig = regions_figure(spirals, n=50)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 2  # the diverged SGD has no model to draw
    xs, ys, classes = spirals.decision_regions("adam", n=50)
    np.testing.assert_array_equal(np.asarray(heatmaps[1].z), classes)
    np.testing.assert_array_equal(heatmaps[1].x, xs)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "<b>SGD</b> · diverged (epoch 1)"
    assert titles[2] == f"<b>Adam</b> · val. {spirals.curves['adam'].final_val_acc:.1%}"
    points = [t for t in fig.data if t.type == "scatter"]
    assert len(points) == 3 * 2 * 3  # panels x (training, validation) x classes
    split = spirals.setup.split
    first_panel = points[:6]
    assert sum(len(t.x) for t in first_panel) == len(split.y_train) + len(split.y_val)
    assert [t.marker.color for t in first_panel[:3]] == list(CLASS_COLORS)
    # points sit on top of the regions: every scatter comes after its panel's heatmap
    order = [t.type for t in fig.data]
    assert order.index("scatter") < order.index("heatmap")  # SGD's panel: points only
    assert order[order.index("heatmap") + 1] == "scatter"


def test_no_regions_for_iris():
    assert regions_figure(training.train(["adam"], epochs=2)) is None
