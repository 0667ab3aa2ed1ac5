"""training.sharpness: Hessian-vector products by finite differences of the exact gradient, measured against
exact Hessians (softmax regression in closed form; hidden layers by torch.autograd), power iteration against
numpy.linalg, and the sharpness curve of a training run (the edge of stability of full-batch gradient descent)."""

from __future__ import annotations

import numpy as np
import pytest

import training
from training import sharpness as S
from training.mlp import MLP
from training.train import fit


def _data(n=60, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, k, n)


def _softmax_hessian(model: MLP, theta, X, y) -> np.ndarray:
    """The exact Hessian of mean cross-entropy for softmax regression: (1/n) Σᵢ (x̃ᵢx̃ᵢᵀ) ⊗ (diag pᵢ − pᵢpᵢᵀ),
    x̃ = (x, 1), in the flat layout W (row-major, input-major) then b."""
    p = model.probabilities(theta, X)
    xt = np.hstack([X, np.ones((len(X), 1))])
    h = np.zeros((model.n_params, model.n_params))
    for xi, pi in zip(xt, p, strict=True):
        h += np.kron(np.outer(xi, xi), np.diag(pi) - np.outer(pi, pi))
    return h / len(X)


def test_the_closed_form_hessian_is_the_gradients_derivative():
    """The test's own exact Hessian, checked column by column against the exact gradient (so the comparisons
    below are against a right answer)."""
    X, y = _data()
    model = MLP(4, (), 3)
    theta = model.init(1)
    h = _softmax_hessian(model, theta, X, y)
    for i in (0, 5, 13):
        e = np.zeros(model.n_params)
        e[i] = 1e-6
        col = (model.loss_and_grad(theta + e, X, y)[1] - model.loss_and_grad(theta - e, X, y)[1]) / 2e-6
        np.testing.assert_allclose(col, h[:, i], atol=1e-8)


def test_finite_difference_hvp_against_the_exact_softmax_regression_hessian():
    X, y = _data()
    model = MLP(4, (), 3)
    theta = model.init(1)
    h = _softmax_hessian(model, theta, X, y)
    rng = np.random.default_rng(2)
    errors = []
    for _ in range(10):
        v = rng.standard_normal(model.n_params)
        exact = h @ v
        errors.append(np.linalg.norm(S.hvp(model, theta, X, y, v) - exact) / np.linalg.norm(exact))
    assert max(errors) < 1e-8, max(errors)


def test_power_iteration_finds_the_top_eigenvalue_of_the_network_hessian():
    X, y = _data()
    model = MLP(4, (), 3)
    theta = model.init(1)
    h = _softmax_hessian(model, theta, X, y)
    lam, v, k = S.top_eigenvalue(lambda u: S.hvp(model, theta, X, y, u), model.n_params, tol=1e-10, iters=2000)
    top = np.linalg.eigvalsh(h)[-1]
    assert lam == pytest.approx(top, rel=1e-7)
    np.testing.assert_allclose(h @ v, top * v, atol=1e-4 * top)


def test_power_iteration_on_matrices_with_a_known_spectrum():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    spectrum = np.linspace(-1, 1, 30)
    spectrum[-1] = 4.0
    a = q @ np.diag(spectrum) @ q.T
    lam, v, _ = S.power_iteration(lambda u: a @ u, 30, tol=1e-12, iters=1000)
    assert lam == pytest.approx(4.0, rel=1e-10)
    # the largest in magnitude is negative: top_eigenvalue shifts and still finds the largest
    spectrum[-1], spectrum[0] = 2.0, -6.0
    b = q @ np.diag(spectrum) @ q.T
    assert S.power_iteration(lambda u: b @ u, 30, tol=1e-12, iters=2000)[0] == pytest.approx(-6.0, rel=1e-8)
    assert S.top_eigenvalue(lambda u: b @ u, 30, tol=1e-12, iters=3000)[0] == pytest.approx(2.0, rel=1e-6)


def _torch_hessian(model: MLP, theta, X, y):
    torch = pytest.importorskip("torch")
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss(flat):
        a = Xt
        layers = model._layers
        for i, (s, w, e, fan_in, fan_out) in enumerate(layers):
            z = a @ flat[s:w].reshape(fan_in, fan_out) + flat[w:e]
            a = z if i == len(layers) - 1 else (torch.relu(z) if model.activation == "relu" else torch.tanh(z))
        return torch.nn.functional.cross_entropy(a, yt)

    return torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()


@pytest.mark.torch
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_finite_difference_hvp_against_torch_autograd_on_a_hidden_layer_network(activation):
    X, y = _data(n=40)
    model = MLP(4, (8, 6), 3, activation)
    theta = model.init(3)
    h = _torch_hessian(model, theta, X, y)
    rng = np.random.default_rng(4)
    errors = []
    for _ in range(10):
        v = rng.standard_normal(model.n_params)
        exact = h @ v
        errors.append(np.linalg.norm(S.hvp(model, theta, X, y, v) - exact) / np.linalg.norm(exact))
    assert max(errors) < 1e-6, max(errors)
    lam, _, _ = S.top_eigenvalue(lambda u: S.hvp(model, theta, X, y, u), model.n_params, tol=1e-10, iters=3000)
    assert lam == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-6)


def test_the_epoch_callback_sees_every_epoch_and_changes_nothing():
    setup = training.prepare("moons", (8,), "tanh", 32, 12, 0.3, 0)
    opt = training.network_defaults("adam")
    import optimizers

    seen = []
    plain = fit(setup, optimizers.make("adam", **opt))
    watched = fit(setup, optimizers.make("adam", **opt), on_epoch=lambda e, th, st: seen.append((e, th.copy())))
    assert [e for e, _ in seen] == list(range(13))
    np.testing.assert_array_equal(plain.train_loss, watched.train_loss)
    np.testing.assert_array_equal(seen[-1][1], watched.theta)
    np.testing.assert_array_equal(seen[0][1], setup.theta0)


def test_sharpness_curve_measures_the_epochs_asked_for():
    setup = training.prepare("iris", (16,), "relu", 16, 30, 0.3, 0)
    s = S.sharpness_curve(setup, "adam", points=7)
    assert s.epochs.tolist() == S.measured_epochs(30, 7).tolist() == [0, 5, 10, 15, 20, 25, 30]
    assert np.isfinite(s.sharpness).all() and s.label == "λmax(P⁻¹H)"
    assert np.isnan(s.preconditioned[0]) and np.isfinite(s.preconditioned[1:]).all()  # no step yet at epoch 0
    assert s.limit.value == pytest.approx(38 / 0.01) and s.products > 7
    # epoch 0's sharpness is the initial weights' (the training set's full loss), by the same method
    model, X, y = setup.model, setup.split.X_train, setup.split.y_train
    lam, _, _ = S.top_eigenvalue(lambda u: S.hvp(model, setup.theta0, X, y, u), model.n_params, tol=1e-8, iters=500)
    assert s.sharpness[0] == pytest.approx(lam, rel=1e-3)


def test_full_batch_gradient_descent_on_the_network_settles_at_the_edge_of_stability():
    """Full-batch GD with γ = 2 (limit 2/γ = 1) on Iris: the sharpness starts at 3 and comes down to the limit,
    then stays within 15% of it at every epoch from 50 on (Cohen et al.'s edge of stability)."""
    setup = training.prepare("iris", (16,), "relu", 1024, 200, 0.3, 0)
    assert setup.batch_size == setup.n_train  # full batch
    s = S.sharpness_curve(setup, "sgd", {"lr": 2.0}, points=201)
    assert s.limit.value == 1.0 and s.sharpness[0] > 2.5
    late = s.sharpness[s.epochs >= 50]
    assert np.all(np.abs(late - 1.0) < 0.15), late
    assert np.percentile(np.abs(late - 1.0), 90) < 0.1
