"""The network page's datasets: Iris (shipped with plotly), and two moons, concentric circles and spirals
generated from a seed. Nothing is downloaded at run time.

    data = datasets.load("moons", seed=0)          # Dataset: raw features X (n, d), labels y (n,)
    split = datasets.split(data, val_fraction=0.3, seed=0)

`split` shuffles with the seed, keeps every class in proportion in both parts (a stratified split), and
standardises the features with the training part's mean and standard deviation (the validation part never
leaks into the scaling), so every feature has mean 0 and standard deviation 1 on the training data.

Imports numpy only (plotly lazily, for Iris).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from i18n import N_, translator

_, ngettext = translator("core")

NAMES: tuple[str, ...] = ("iris", "moons", "circles", "spirals")
TITLES: dict[str, str] = {
    "iris": N_("Iris (150 flowers, 4 measurements, 3 species)"),
    "moons": N_("Two moons (200 points, 2 classes)"),
    "circles": N_("Concentric circles (200 points, 2 classes)"),
    "spirals": N_("Spirals (300 points, 3 arms)"),
}  # the English source: shown through title() (or translator("core")), in the language in use


def title(name: str) -> str:
    """A dataset's title in the language in use."""
    return _(TITLES[name])


MIN_VAL_FRACTION = 0.1
MAX_VAL_FRACTION = 0.5


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    title: str
    X: np.ndarray  # (n, d) raw features
    y: np.ndarray  # (n,) class index, int
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@dataclasses.dataclass(frozen=True, eq=False)
class Split:
    """A seeded, stratified train/validation split with features standardised on the training part."""

    dataset: Dataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    mean: np.ndarray  # the training part's feature means (raw units)
    std: np.ndarray  # and standard deviations

    def standardise(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.std


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= 2**32 - 1:
        raise ValueError(
            _("seed must be a whole number in [0, {high}], got {value}").format(high=2**32 - 1, value=repr(seed))
        )
    return int(seed)


@functools.lru_cache(maxsize=1)
def _iris() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    from plotly.express import data  # lazily: importing plotly.express takes a while

    df = data.iris()
    X = df[["sepal_length", "sepal_width", "petal_length", "petal_width"]].to_numpy(dtype=np.float64)
    species = tuple(dict.fromkeys(df["species"]))  # in order of appearance: setosa, versicolor, virginica
    y = df["species"].map({s: i for i, s in enumerate(species)}).to_numpy(dtype=np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y, species


def moons(n: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's make_moons), with Gaussian noise."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X, y


def circles(n: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one (as scikit-learn's make_circles), with Gaussian noise."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return X, y


def spirals(n_per_class: int = 100, arms: int = 3, noise: float = 0.2, seed: int = 0):
    """`arms` interleaved spirals, one class each (as in Stanford's CS231n notes)."""
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for k in range(arms):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.normal(0.0, noise, n_per_class)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, k, np.int64))
    return np.concatenate(Xs), np.concatenate(ys)


def load(name: str, seed: int = 0) -> Dataset:
    """The dataset called `name` (raw features); the generated ones are drawn from `seed`."""
    seed = _check_seed(seed)
    if name == "iris":
        X, y, species = _iris()
        return Dataset(
            name,
            TITLES[name],
            np.array(X),
            np.array(y),
            (N_("sepal length"), N_("sepal width"), N_("petal length"), N_("petal width")),
            species,
        )
    if name == "moons":
        X, y = moons(seed=seed)
        return Dataset(name, TITLES[name], X, y, ("x₁", "x₂"), (N_("upper moon"), N_("lower moon")))
    if name == "circles":
        X, y = circles(seed=seed)
        return Dataset(name, TITLES[name], X, y, ("x₁", "x₂"), (N_("outer circle"), N_("inner circle")))
    if name == "spirals":
        X, y = spirals(seed=seed)
        return Dataset(name, TITLES[name], X, y, ("x₁", "x₂"), (N_("arm 1"), N_("arm 2"), N_("arm 3")))
    raise ValueError(_("dataset must be one of {names}, got {value}").format(names=", ".join(NAMES), value=repr(name)))


def check_val_fraction(val_fraction: float) -> float:
    try:
        v = float(val_fraction)
    except (TypeError, ValueError):
        v = float("nan")
    if not MIN_VAL_FRACTION <= v <= MAX_VAL_FRACTION:
        raise ValueError(
            _("val_fraction must be a number in [{low}, {high}], got {value}").format(
                low=f"{MIN_VAL_FRACTION:g}", high=f"{MAX_VAL_FRACTION:g}", value=repr(val_fraction)
            )
        )
    return v


def split(data: Dataset, val_fraction: float = 0.3, seed: int = 0) -> Split:
    """Shuffle with `seed`, hold out `val_fraction` of each class for validation, standardise on training."""
    val_fraction = check_val_fraction(val_fraction)
    rng = np.random.default_rng(_check_seed(seed))
    train_idx, val_idx = [], []
    for k in range(data.n_classes):
        idx = rng.permutation(np.flatnonzero(data.y == k))
        n_val = int(round(val_fraction * idx.size))
        val_idx.append(idx[:n_val])
        train_idx.append(idx[n_val:])
    train = rng.permutation(np.concatenate(train_idx))
    val = rng.permutation(np.concatenate(val_idx))
    mean = data.X[train].mean(axis=0)
    std = data.X[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return Split(
        data,
        (data.X[train] - mean) / std,
        data.y[train],
        (data.X[val] - mean) / std,
        data.y[val],
        mean,
        std,
    )
