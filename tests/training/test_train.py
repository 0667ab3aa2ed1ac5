"""Training: every optimizer learns every dataset, Adam fits Iris, runs are reproducible and fair, divergence is
data, and bad settings are ValueErrors naming the parameter."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

import optimizers
import training
from training import datasets
from training.train import MAX_SECONDS, check_budget, estimated_seconds, fit, prepare, train

OPTS = training.OPTIMIZERS  # every optimizer but Newton


class _Count(NamedTuple):
    count: int


class Recorder:
    """A stand-in optimizer: records every gradient it is given and leaves the weights alone."""

    def __init__(self):
        self.grads = []
        self.params = []

    def init(self, params):
        return _Count(0)

    def update(self, grad, state, params):
        self.grads.append(np.array(grad))
        self.params.append(np.array(params))
        return params, _Count(state.count + 1)


class Blowup:
    """A stand-in optimizer that multiplies the weights by 1e100 at every step: inf after a few steps."""

    def init(self, params):
        return _Count(0)

    def update(self, grad, state, params):
        return params * 1e100, _Count(state.count + 1)


def test_newton_is_excluded_with_its_reason():
    assert "newton" not in OPTS and set(OPTS) == set(optimizers.FIRST_ORDER)
    with pytest.raises(ValueError, match="Hessian"):
        train(["newton"])
    with pytest.raises(ValueError, match="Hessian"):
        training.network_defaults("newton")


@pytest.mark.parametrize("dataset", datasets.NAMES)
def test_every_optimizer_lowers_the_training_loss_on_every_dataset(dataset):
    result = train(list(OPTS), dataset=dataset, hidden=(8,), batch_size=32, epochs=20, seed=1)
    start = {c.train_loss[0] for c in result.curves.values()}
    assert len(start) == 1  # the same initial weights for all
    for name, c in result.curves.items():
        assert not c.diverged, name
        assert c.train_loss[-1] < 0.9 * c.train_loss[0], name


def test_adam_with_its_defaults_fits_iris_to_95_percent_within_200_epochs():
    result = train(["adam"], dataset="iris", epochs=200)  # hidden (16,), batch 16, seed 0: the page's defaults
    c = result.curves["adam"]
    assert c.hypers == {**optimizers.defaults("adam"), **training.NETWORK_DEFAULTS["adam"]}
    assert c.train_acc.max() >= 0.95
    assert c.train_acc[-1] >= 0.95


def test_the_same_seed_gives_identical_curves_and_another_seed_different_ones():
    kw = {"dataset": "moons", "hidden": (6, 6), "activation": "tanh", "batch_size": 10, "epochs": 15}
    a = train(["sgd", "adam"], seed=7, **kw)
    b = train(["sgd", "adam"], seed=7, **kw)
    c = train(["sgd", "adam"], seed=8, **kw)
    for name in ("sgd", "adam"):
        for field in ("train_loss", "val_loss", "train_acc", "val_acc", "theta"):
            np.testing.assert_array_equal(getattr(a.curves[name], field), getattr(b.curves[name], field))
        assert not np.array_equal(a.curves[name].train_loss, c.curves[name].train_loss)
    # one optimizer alone trains exactly as it does beside others (the page trains them one at a time)
    alone = train(["adam"], seed=7, **kw)
    np.testing.assert_array_equal(alone.curves["adam"].train_loss, a.curves["adam"].train_loss)


def test_every_optimizer_sees_the_same_start_and_the_same_batches_in_the_same_order():
    setup = prepare("spirals", hidden=(5,), batch_size=32, epochs=3, seed=2)
    first, second = Recorder(), Recorder()
    fit(setup, first)
    fit(setup, second)
    assert len(first.grads) == 3 * setup.batches_per_epoch == 3 * 7  # 210 training rows in batches of 32
    for g1, g2, p1 in zip(first.grads, second.grads, first.params, strict=True):
        np.testing.assert_array_equal(g1, g2)
        np.testing.assert_array_equal(p1, setup.theta0)
    # and the batches are the shared order's: each epoch a permutation of the training set, cut in order
    X, y = setup.split.X_train, setup.split.y_train
    k = 0
    for epoch in (1, 2, 3):
        batches = setup.batches(epoch)
        assert sorted(np.concatenate(batches).tolist()) == list(range(setup.n_train))
        assert [len(b) for b in batches] == [32] * 6 + [18]
        for rows in batches:
            _, grad = setup.model.loss_and_grad(setup.theta0, X[rows], y[rows])
            np.testing.assert_array_equal(first.grads[k], grad)
            k += 1
    assert not np.array_equal(setup.batches(1)[0], setup.batches(2)[0])  # reshuffled each epoch


def test_training_equals_a_hand_written_loop_with_the_optimizer():
    setup = prepare("circles", hidden=(4,), batch_size=50, epochs=4, seed=3)
    opt = optimizers.make("momentum", lr=0.05, momentum=0.9)
    curves = fit(setup, opt)
    X, y = setup.split.X_train, setup.split.y_train
    theta, buf = np.array(setup.theta0), None
    for epoch in range(1, 5):
        for rows in setup.batches(epoch):
            _, g = setup.model.loss_and_grad(theta, X[rows], y[rows])
            buf = g if buf is None else 0.9 * buf + g  # torch's SGD momentum buffer
            theta = theta - 0.05 * buf
        loss, acc = setup.model.evaluate(theta, X, y)
        assert curves.train_loss[epoch] == loss and curves.train_acc[epoch] == acc
    np.testing.assert_allclose(curves.theta, theta, rtol=1e-15, atol=1e-15)


def test_divergence_is_recorded_not_raised():
    setup = prepare("iris", hidden=(4,), batch_size=16, epochs=5)
    curves = fit(setup, Blowup(), "blowup")
    assert curves.diverged and curves.diverged_at == 1
    assert np.isfinite(curves.train_loss[0])
    assert np.all(np.isnan(curves.train_loss[1:])) and np.all(np.isnan(curves.val_acc[1:]))
    assert np.all(np.isfinite(curves.theta))  # the last finite weights
    assert curves.best_epoch == 0


def test_a_real_optimizer_can_diverge_and_the_others_still_train():
    # SGD with lr 10 on a three-layer ReLU network: the weights and logits overflow in the first epoch.
    result = train({"sgd": {"lr": 10.0}, "adam": {}}, dataset="spirals", hidden=(32, 32, 32), batch_size=16, epochs=40)
    bad, good = result.curves["sgd"], result.curves["adam"]
    assert bad.diverged and bad.diverged_at == 1
    assert np.all(np.isnan(bad.train_loss[bad.diverged_at :]))
    assert not good.diverged and good.train_loss[-1] < good.train_loss[0]
    table = result.summary()
    assert table["Diverged at epoch"].tolist()[0] == bad.diverged_at


def test_summary_and_frame_agree_with_the_curves():
    result = train(["sgd", "rmsprop"], dataset="moons", epochs=12, seed=4)
    table = result.summary()
    assert table["Optimizer"].tolist() == ["SGD", "RMSprop"]
    for row, c in zip(table.itertuples(index=False), result.curves.values(), strict=True):
        assert row[1] == c.val_acc[-1]
        assert row[2] == np.max(c.val_acc) and row[3] == int(np.argmax(c.val_acc))
        assert row[6] == c.seconds > 0
    frame = result.to_frame()
    assert list(frame.columns) == ["optimizer", "epoch", "train_loss", "val_loss", "train_acc", "val_acc"]
    assert len(frame) == 2 * 13
    sgd = frame[frame.optimizer == "sgd"]
    np.testing.assert_array_equal(sgd.epoch, np.arange(13))
    np.testing.assert_array_equal(sgd.val_loss, result.curves["sgd"].val_loss)


def test_decision_regions_are_the_models_predictions_on_a_grid():
    result = train(["adam"], dataset="moons", hidden=(8,), epochs=10)
    xs, ys, classes = result.decision_regions("adam", n=40)
    assert xs.shape == (40,) and ys.shape == (40,) and classes.shape == (40, 40)
    theta, model = result.curves["adam"].theta, result.setup.model
    for i, j in [(0, 0), (5, 30), (39, 12), (20, 20)]:
        assert classes[i, j] == model.predict(theta, np.array([[xs[j], ys[i]]]))[0]
    X = np.concatenate([result.setup.split.X_train, result.setup.split.X_val])
    assert xs[0] < X[:, 0].min() and xs[-1] > X[:, 0].max()
    assert set(np.unique(classes)) == {0, 1}
    assert train(["adam"], dataset="iris", epochs=2).decision_regions("adam") is None  # 4 features


def test_progress_reports_each_optimizer_then_done():
    calls = []
    train(["sgd", "adam", "nadam"], epochs=2, progress=lambda f, msg: calls.append((f, msg)))
    assert [f for f, _ in calls] == [0.0, 1 / 3, 2 / 3, 1.0]
    assert "Adam (2 of 3)" in calls[1][1]


def test_network_defaults_are_valid_for_every_optimizer():
    for name in OPTS:
        hypers = training.network_defaults(name)
        assert set(hypers) == set(optimizers.get(name).HYPERS)
        optimizers.make(name, **hypers)


def test_the_budget_scales_with_the_work_and_rejects_a_long_run():
    small = prepare("iris", batch_size=16, epochs=200)
    assert estimated_seconds(small, 5) < MAX_SECONDS  # the classic comparison fits
    assert estimated_seconds(small, 10) == pytest.approx(2 * estimated_seconds(small, 5))
    sgd_like = prepare("iris", batch_size=1, epochs=200)
    with pytest.raises(ValueError, match=r"epochs, batch_size and hidden: .*\(5 optimizers x 200 epochs x 105 batches"):
        check_budget(sgd_like, 5)
    with pytest.raises(ValueError, match="batch_size"):
        train(list(OPTS), batch_size=1, epochs=200)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dataset": "mnist"}, "dataset must be one of"),
        ({"hidden": (0,)}, r"hidden layer widths must be whole numbers in \[1, 64\]"),
        ({"hidden": (8, 8, 8, 8)}, "hidden must have 0 to 3 layers"),
        ({"activation": "sigmoid"}, "activation must be one of relu, tanh"),
        ({"batch_size": 0}, r"batch_size must be a whole number in \[1, 1024\]"),
        ({"batch_size": 16.0}, "batch_size"),
        ({"epochs": 0}, r"epochs must be a whole number in \[1, 1000\]"),
        ({"epochs": 1001}, "epochs"),
        ({"val_fraction": 0.6}, r"val_fraction must be a number in \[0.1, 0.5\]"),
        ({"seed": -3}, "seed must be a whole number"),
        ({"opts": []}, "optimizers: choose 1 to 20"),
        ({"opts": ["lbfgs"]}, "unknown optimizer 'lbfgs'"),
        ({"opts": {"adam": {"lr": -1.0}}}, r"lr must be a finite number in \(0, 10\]"),
        ({"opts": {"adam": {"momentum": 0.9}}}, "adam has no hyperparameter 'momentum'"),
    ],
)
def test_bad_settings_are_value_errors_naming_the_parameter(kwargs, match):
    kwargs = {"opts": ["sgd"], "epochs": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(**kwargs)


def test_a_batch_larger_than_the_training_set_is_full_batch_gradient_descent():
    setup = prepare("iris", batch_size=1024, epochs=2)
    assert setup.batch_size == setup.n_train == 105 and setup.batches_per_epoch == 1
