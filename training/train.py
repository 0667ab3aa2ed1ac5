"""Train the small network with several optimizers, fairly, and record their curves.

    result = train({"sgd": {"lr": 0.1}, "adam": {}}, dataset="iris", hidden=(16,), epochs=200)
    result.curves["adam"].val_acc        # (epochs + 1,) validation accuracy after each epoch (0 = at init)
    result.summary()                      # pandas: final and best validation accuracy, epoch of best, time
    result.to_frame()                     # pandas, long format: the curves for a CSV download

Fairness: every optimizer starts from the same initial weights (drawn from the seed) and sees the same
mini-batches in the same order (one seeded permutation of the training set per epoch, shared by all).
Hyperparameters not given take this task's defaults (NETWORK_DEFAULTS), not the 2-D demos' defaults.

Losses and accuracies are measured on the whole training set and the whole validation set at the end of each
epoch (and once before training, epoch 0), so every optimizer's curve starts at the same point.

Divergence is data: when a step makes the loss or the weights non-finite, the optimizer stops there, its
curves hold NaN from that epoch on and `diverged_at` records the epoch.

Newton is excluded (see EXCLUDED): it needs the full Hessian of the loss over every weight.

Sizes are capped (MAX_EPOCHS, mlp.MAX_WIDTH, mlp.MAX_HIDDEN_LAYERS, and the run's work counted by budget/
against its limit, MAX_SECONDS of CPU on the lab's machine); bad input raises ValueError naming the parameter
and its valid range.

Imports numpy and budget/ (pure Python) only (pandas lazily, for the tables).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import budget
import optimizers
from i18n import N_, translator

from . import datasets
from .mlp import ACTIVATIONS, MLP, check_hidden

# Hyperparameters for this task (standardised features, a few hundred weights, mini-batches of 16, 100-200
# epochs) where they differ from the 2-D demos' defaults: each optimizer at a setting that trains every
# dataset here, so the comparison is between sensible configurations, not one tuned against the rest.
NETWORK_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.01, "momentum": 0.9},  # the same effective step as SGD's 0.1: γ / (1 − μ)
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.05},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},  # torch's defaults
    "rmsprop": {"lr": 0.01},  # torch's default
    "adam": {"lr": 0.01},
    "amsgrad": {"lr": 0.01},
    "adamax": {"lr": 0.02},
    "nadam": {"lr": 0.01},
    "adamw": {"lr": 0.01, "weight_decay": 0.01},
    "radam": {"lr": 0.01},
    "yogi": {"lr": 0.01},
    "adabelief": {"lr": 0.01},
    "adafactor": {"lr": 0.01},  # torch's default: a relative step of at most 1% of the weights' RMS
    "signum": {"lr": 0.005},  # every weight moves γ each step: smaller than Adam's γ
    "lion": {"lr": 0.002},  # 3-10x smaller than AdamW's, as optax advises
    "lookahead": {"lr": 0.01},  # the inner Adam's
    "sf_sgd": {"lr": 0.1},
    "sf_adamw": {"lr": 0.01},
}

_, ngettext = translator("core")

EXCLUDED: dict[str, str] = {  # the English source, marked N_: shown as _(EXCLUDED[name])
    "newton": N_(
        "Newton is not offered for the network: its step solves with the full Hessian of the loss over every "
        "weight (d x d, with d in the hundreds to thousands here), which costs d extra gradient evaluations "
        "and an O(d³) solve per step, and on a network the Hessian is indefinite, so the undamped step heads "
        "for saddle points and maxima as readily as for minima. Networks use approximations instead "
        "(L-BFGS, Gauss-Newton, K-FAC), which are not part of this lab. Try Newton on the 2-D surfaces."
    )
}

OPTIMIZERS: tuple[str, ...] = tuple(n for n in optimizers.NAMES if n not in EXCLUDED)
CLASSIC: tuple[str, ...] = ("sgd", "momentum", "adagrad", "rmsprop", "adam")  # the classic comparison

MAX_EPOCHS = 1000
MAX_BATCH_SIZE = 1024
MAX_OPTIMIZERS = len(OPTIMIZERS)
# The work one call may do: budget.network_work counts it (the layers' NumPy calls per update and epoch, the
# optimizer over every weight, the matrix products), calibrated against CPU time by benchmarks/bench_budget.py.
MAX_SECONDS = 2.0  # budget.LIMIT's CPU time on the lab's machine


def network_defaults(name: str) -> dict[str, Any]:
    """Every hyperparameter of optimizer `name` at this task's default."""
    if name in EXCLUDED:
        raise ValueError(_(EXCLUDED[name]))
    return {**optimizers.defaults(name), **NETWORK_DEFAULTS.get(name, {})}


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(
            _("{name} must be a whole number in [{low}, {high}], got {value}").format(
                name=name, low=low, high=high, value=repr(value)
            )
        )
    return int(value)


@dataclasses.dataclass(frozen=True, eq=False)
class Setup:
    """What every optimizer shares: data split, network, initial weights, and the batch order."""

    batch_size: int  # as used: at most the training set's size
    epochs: int
    split: datasets.Split
    model: MLP
    theta0: np.ndarray  # the initial weights, read-only
    order: np.ndarray  # (epochs, n_train): the training rows in the order they are visited in each epoch

    @property
    def n_train(self) -> int:
        return len(self.split.y_train)

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.batch_size)

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The row indices of each mini-batch of epoch `epoch` (1-based), in order."""
        rows = self.order[epoch - 1]
        return [rows[i : i + self.batch_size] for i in range(0, len(rows), self.batch_size)]


def prepare(
    dataset: str = "iris",
    hidden: Sequence[int] = (16,),
    activation: str = "relu",
    batch_size: int = 16,
    epochs: int = 100,
    val_fraction: float = 0.3,
    seed: int = 0,
) -> Setup:
    """Validate the settings and draw the split, the initial weights and the batch order from `seed`."""
    if dataset not in datasets.NAMES:
        raise ValueError(
            _("dataset must be one of {names}, got {value}").format(
                names=", ".join(datasets.NAMES), value=repr(dataset)
            )
        )
    hidden = check_hidden(hidden)
    if activation not in ACTIVATIONS:
        raise ValueError(
            _("activation must be one of {names}, got {value}").format(
                names=", ".join(ACTIVATIONS), value=repr(activation)
            )
        )
    batch_size = _check_int("batch_size", batch_size, 1, MAX_BATCH_SIZE)
    epochs = _check_int("epochs", epochs, 1, MAX_EPOCHS)
    val_fraction = datasets.check_val_fraction(val_fraction)
    seed = _check_int("seed", seed, 0, 2**32 - 1)

    data = datasets.load(dataset, seed=seed)
    split = datasets.split(data, val_fraction, seed=seed)
    model = MLP(data.n_features, hidden, data.n_classes, activation)
    # Separate streams for the weights and the batch order, so changing epochs leaves the weights alone.
    init_seed, order_seed = np.random.SeedSequence(seed).spawn(2)
    theta0 = model.init(np.random.default_rng(init_seed))
    theta0.setflags(write=False)
    n_train = len(split.y_train)
    rng = np.random.default_rng(order_seed)
    order = np.stack([rng.permutation(n_train) for _epoch in range(epochs)])
    order.setflags(write=False)
    return Setup(min(batch_size, n_train), epochs, split, model, theta0, order)


@dataclasses.dataclass(frozen=True, eq=False)
class Curves:
    """One optimizer's run: curves indexed by epoch 0..E (0 = the shared initial weights)."""

    name: str
    title: str
    hypers: dict[str, Any]
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    seconds: float  # wall time of the training loop (updates and per-epoch evaluation)
    diverged_at: int | None  # the epoch in which the loss or the weights became non-finite
    theta: np.ndarray  # the final weights (the last finite ones if it diverged)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(len(self.train_loss))

    @property
    def best_epoch(self) -> int:
        """The first epoch with the highest validation accuracy (NaN epochs never count)."""
        acc = np.where(np.isfinite(self.val_acc), self.val_acc, -1.0)
        return int(np.argmax(acc))

    @property
    def best_val_acc(self) -> float:
        return float(self.val_acc[self.best_epoch])

    @property
    def final_val_acc(self) -> float:
        return float(self.val_acc[-1])


def fit(
    setup: Setup,
    opt: Any,
    name: str = "",
    title: str = "",
    hypers: Mapping | None = None,
    on_epoch: Callable[[int, np.ndarray, Any], None] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> Curves:
    """Train setup.model from setup.theta0 with `opt` (anything with init/update in optax's shape).

    `on_epoch(epoch, theta, state)`, if given, is called at the start (epoch 0, the initial state) and after
    every epoch that ended with finite weights and curves (training/sharpness.py measures the network there).
    progress(k) is called after every `every` updates (k updates done): to show progress, or to stop by raising.
    """
    model, split = setup.model, setup.split
    X, y = split.X_train, split.y_train
    E = setup.epochs
    curves = np.full((4, E + 1), np.nan)  # train loss, train acc, val loss, val acc
    diverged_at = None
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        theta = np.array(setup.theta0)
        curves[0:2, 0] = model.evaluate(theta, X, y)
        curves[2:4, 0] = model.evaluate(theta, split.X_val, split.y_val)
        state = opt.init(theta)
        last_finite = theta
        spent = 0.0  # in on_epoch: not part of the training's wall time

        def measure(epoch: int) -> float:
            t = time.perf_counter()
            on_epoch(epoch, theta, state)
            return time.perf_counter() - t

        if on_epoch is not None:
            spent += measure(0)
        done = 0
        for epoch in range(1, E + 1):
            for rows in setup.batches(epoch):
                loss, grad = model.loss_and_grad(theta, X[rows], y[rows])
                if not math.isfinite(loss) or not np.all(np.isfinite(grad)):
                    diverged_at = epoch
                    break
                last_finite = theta
                theta, state = opt.update(grad, state, theta)
                done += 1
                if progress is not None and done % every == 0:
                    progress(done)
            if diverged_at is None:
                curves[0:2, epoch] = model.evaluate(theta, X, y)
                curves[2:4, epoch] = model.evaluate(theta, split.X_val, split.y_val)
                if not (np.all(np.isfinite(curves[:, epoch])) and np.all(np.isfinite(theta))):
                    curves[:, epoch] = np.nan
                    diverged_at = epoch
                else:
                    last_finite = theta
                    if on_epoch is not None:
                        spent += measure(epoch)
            if diverged_at is not None:
                break
    seconds = time.perf_counter() - t0 - spent
    train_loss, train_acc, val_loss, val_acc = curves
    return Curves(
        name,
        title or name,
        dict(hypers or {}),
        train_loss,
        val_loss,
        train_acc,
        val_acc,
        seconds,
        diverged_at,
        np.array(last_finite),
    )


@dataclasses.dataclass(frozen=True, eq=False)
class Result:
    setup: Setup
    curves: dict[str, Curves]

    def summary(self):
        """One row per optimizer: final and best validation accuracy, epoch of best, wall time, divergence."""
        import pandas as pd

        rows = []
        for c in self.curves.values():
            rows.append(
                {
                    "Optimizer": c.title,
                    "Final val. accuracy": c.final_val_acc,
                    "Best val. accuracy": c.best_val_acc,
                    "Epoch of best": c.best_epoch,
                    "Final train loss": float(c.train_loss[-1]),
                    "Final val. loss": float(c.val_loss[-1]),
                    "Wall time (s)": c.seconds,
                    "Diverged at epoch": c.diverged_at,
                }
            )
        table = pd.DataFrame(rows)
        table["Diverged at epoch"] = table["Diverged at epoch"].astype("Int64")  # empty where it did not
        return table

    def to_frame(self):
        """The curves in long format: optimizer, epoch, train_loss, val_loss, train_acc, val_acc."""
        import pandas as pd

        frames = [
            pd.DataFrame(
                {
                    "optimizer": c.name,
                    "epoch": c.epochs,
                    "train_loss": c.train_loss,
                    "val_loss": c.val_loss,
                    "train_acc": c.train_acc,
                    "val_acc": c.val_acc,
                }
            )
            for c in self.curves.values()
        ]
        return pd.concat(frames, ignore_index=True)

    def decision_regions(self, name: str, n: int = 150, margin: float = 0.5):
        """For a 2-D dataset: xs (n,), ys (n,), the predicted class (n, n) at (xs[j], ys[i]) in standardised
        features, over the data's extent plus `margin`; None if the data is not 2-D or the weights are not
        finite."""
        split = self.setup.split
        if split.dataset.n_features != 2:
            return None
        theta = self.curves[name].theta
        if not np.all(np.isfinite(theta)):
            return None
        X = np.concatenate([split.X_train, split.X_val])
        (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        with np.errstate(all="ignore"):
            classes = self.setup.model.predict(theta, grid).reshape(n, n)
        return xs, ys, classes


def check_optimizers(opts: Mapping[str, Mapping[str, Any]] | Sequence[str]) -> dict[str, dict[str, Any]]:
    """{name: every hyperparameter} with this task's defaults filled in; ValueError on a bad name or value."""
    if not isinstance(opts, Mapping):
        opts = {n: {} for n in opts}
    if not 1 <= len(opts) <= MAX_OPTIMIZERS:
        raise ValueError(_("optimizers: choose 1 to {limit}, got {n}").format(limit=MAX_OPTIMIZERS, n=len(opts)))
    out = {}
    for name, hypers in opts.items():
        full = {**network_defaults(name), **dict(hypers)}  # ValueError for an optimizer this page leaves out
        optimizers.make(name, **full)  # ValueError naming the hyperparameter and its range
        out[name] = full
    return out


def work(setup: Setup, opts: int | Sequence[str], regimen: bool = False) -> float:
    """budget/'s units for training `opts` (names; a count means that many of the costliest) on `setup`
    (`regimen`: each under a schedule, weight decay or clipping, optimizers.regimen)."""
    names = [""] * opts if isinstance(opts, int) else list(opts)
    return budget.network_work(
        setup.model.n_params,
        len(setup.model.sizes) - 1,
        setup.n_train,
        len(setup.split.y_val),
        setup.batch_size,
        setup.epochs,
        names,
        regions=setup.split.dataset.n_features == 2,  # the page draws each network's decision regions
        regimen=regimen,
    )


def estimated_seconds(setup: Setup, opts: int | Sequence[str]) -> float:
    """The CPU time training `opts` on `setup` is expected to take on the lab's machine (at most: budget/)."""
    return work(setup, opts) * budget.SECONDS_PER_UNIT


def check_budget(setup: Setup, opts: int | Sequence[str]) -> None:
    """ValueError if the run is over the budget of one run (budget.LIMIT, about MAX_SECONDS of CPU)."""
    if work(setup, opts) > budget.LIMIT:
        n = opts if isinstance(opts, int) else len(opts)
        seconds = estimated_seconds(setup, opts)
        raise ValueError(
            _(
                "epochs, batch_size and hidden: this run would take about {seconds} s ({n} optimizers "
                "x {epochs} epochs x {batches} batches of a {weights}-weight network), over the limit of {limit} s "
                "per run: use fewer epochs, a larger batch_size, a smaller network or fewer optimizers"
            ).format(
                seconds=f"{seconds:.1f}",
                n=n,
                epochs=setup.epochs,
                batches=setup.batches_per_epoch,
                weights=setup.model.n_params,
                limit=f"{MAX_SECONDS:g}",
            )
        )


def train(
    opts: Mapping[str, Mapping[str, Any]] | Sequence[str],
    dataset: str = "iris",
    hidden: Sequence[int] = (16,),
    activation: str = "relu",
    batch_size: int = 16,
    epochs: int = 100,
    val_fraction: float = 0.3,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> Result:
    """Train one network per optimizer in `opts` ({name: hyperparameters} or names), all from the same start.

    `progress(fraction_done, message)` is called before each optimizer and once at the end.
    """
    full = check_optimizers(opts)
    setup = prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    check_budget(setup, list(full))
    curves = {}
    for i, (name, hypers) in enumerate(full.items()):
        opt = optimizers.make(name, **hypers)
        title = optimizers.get(name).title
        if progress is not None:
            progress(
                i / len(full), _("Training with {optimizer} ({i} of {n})").format(optimizer=title, i=i + 1, n=len(full))
            )
        curves[name] = fit(setup, opt, name, title, hypers)
    if progress is not None:
        progress(1.0, _("Done"))
    return Result(setup, curves)
