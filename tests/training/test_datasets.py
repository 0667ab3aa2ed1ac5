"""The datasets: shapes and classes, Iris equal to plotly's copy, seeded generation, a stratified split
standardised on its training part."""

from __future__ import annotations

import numpy as np
import pytest

from training import datasets

# (name, n samples, n features, n classes)
TABLE = [("iris", 150, 4, 3), ("moons", 200, 2, 2), ("circles", 200, 2, 2), ("spirals", 300, 2, 3)]


@pytest.mark.parametrize(("name", "n", "d", "k"), TABLE)
def test_each_dataset_has_its_shape_and_balanced_classes(name, n, d, k):
    data = datasets.load(name, seed=0)
    assert data.X.shape == (n, d) and data.y.shape == (n,)
    assert data.n_features == d and data.n_classes == k == len(data.class_names)
    assert len(data.feature_names) == d
    np.testing.assert_array_equal(np.bincount(data.y), [n // k] * k)
    assert np.all(np.isfinite(data.X))


def test_iris_is_plotlys_copy():
    from plotly.express import data as px_data

    df = px_data.iris()
    data = datasets.load("iris")
    np.testing.assert_array_equal(data.X, df.iloc[:, :4].to_numpy())
    assert data.class_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(data.y, df["species_id"].to_numpy() - 1)  # plotly numbers them from 1


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_generated_datasets_are_drawn_from_the_seed(name):
    a, b, c = datasets.load(name, seed=3), datasets.load(name, seed=3), datasets.load(name, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_the_shapes_are_what_their_names_say():
    circles = datasets.load("circles", seed=0)
    r = np.hypot(*circles.X.T)
    assert r[circles.y == 0].mean() == pytest.approx(1.0, abs=0.05)  # outer circle, radius 1
    assert r[circles.y == 1].mean() == pytest.approx(0.5, abs=0.05)  # inner circle, radius 0.5
    moons = datasets.load("moons", seed=0)
    assert moons.X[moons.y == 0, 1].mean() > moons.X[moons.y == 1, 1].mean()  # the upper moon is above
    spirals = datasets.load("spirals", seed=0)
    assert np.hypot(*spirals.X.T).max() <= 1.0 + 1e-12


@pytest.mark.parametrize(("name", "n", "d", "k"), TABLE)
@pytest.mark.parametrize("val_fraction", [0.1, 0.3, 0.5])
def test_split_is_stratified_disjoint_complete_and_standardised_on_training(name, n, d, k, val_fraction):
    data = datasets.load(name, seed=1)
    s = datasets.split(data, val_fraction, seed=1)
    assert len(s.y_train) + len(s.y_val) == n
    per_class = n // k
    assert np.all(np.bincount(s.y_val, minlength=k) == round(val_fraction * per_class))
    # training features: mean 0, standard deviation 1
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1.0, rtol=1e-12)
    # undoing the scaling gives back every raw row exactly once, with its label
    raw = np.concatenate([s.X_train, s.X_val]) * s.std + s.mean
    labels = np.concatenate([s.y_train, s.y_val])
    got = sorted(zip(map(tuple, np.round(raw, 9)), labels.tolist(), strict=True))
    want = sorted(zip(map(tuple, np.round(data.X, 9)), data.y.tolist(), strict=True))
    assert got == want
    # the statistics are the training part's alone
    np.testing.assert_allclose(s.standardise(s.X_val * s.std + s.mean), s.X_val, atol=1e-12)


def test_split_is_seeded():
    data = datasets.load("iris")
    a, b, c = datasets.split(data, 0.3, seed=5), datasets.split(data, 0.3, seed=5), datasets.split(data, 0.3, seed=6)
    np.testing.assert_array_equal(a.X_val, b.X_val)
    assert not np.array_equal(a.X_val, c.X_val)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: datasets.load("mnist"), "dataset must be one of iris, moons, circles, spirals"),
        (lambda: datasets.load("moons", seed=-1), r"seed must be a whole number in \[0, "),
        (lambda: datasets.load("moons", seed=1.5), "seed"),
        (lambda: datasets.split(datasets.load("iris"), 0.05), r"val_fraction must be a number in \[0.1, 0.5\]"),
        (lambda: datasets.split(datasets.load("iris"), 0.9), "val_fraction"),
        (lambda: datasets.split(datasets.load("iris"), float("nan")), "val_fraction"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
