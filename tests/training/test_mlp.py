"""The network: the written-out backward pass against central differences, hand-worked numbers, the flat
weight layout, seeded initialisation, and the hidden-layer parser."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.mlp import MAX_HIDDEN_LAYERS, MAX_WIDTH, MLP, cross_entropy, format_hidden, parse_hidden

# (activation, n_inputs, hidden, n_classes)
NETS = [
    ("relu", 2, (), 2),
    ("tanh", 2, (), 3),
    ("relu", 4, (5,), 3),
    ("tanh", 4, (5,), 3),
    ("relu", 2, (6, 4), 2),
    ("tanh", 2, (6, 4), 3),
    ("relu", 3, (3, 5, 4), 4),
    ("tanh", 3, (3, 5, 4), 4),
]


@pytest.mark.parametrize(("activation", "n_inputs", "hidden", "n_classes"), NETS)
def test_backward_pass_equals_central_differences_on_random_weights(activation, n_inputs, hidden, n_classes):
    net = MLP(n_inputs, hidden, n_classes, activation)
    rng = np.random.default_rng(len(hidden) * 10 + n_classes)
    theta = rng.normal(0.0, 0.8, net.n_params)
    theta[-n_classes:] = rng.normal(0.0, 0.3, n_classes)
    X = rng.normal(size=(23, n_inputs))
    y = rng.integers(0, n_classes, 23)
    loss, grad = net.loss_and_grad(theta, X, y)
    assert loss == pytest.approx(net.loss(theta, X, y), rel=1e-14)
    h = 1e-6
    numeric = np.array(
        [(net.loss(theta + h * e, X, y) - net.loss(theta - h * e, X, y)) / (2 * h) for e in np.eye(net.n_params)]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_hand_worked_softmax_regression_step():
    # No hidden layer, zero weights: p = (½, ½) for every row, loss = log 2.
    net = MLP(2, (), 2)
    theta = np.zeros(net.n_params)  # W (2x2) then b (2)
    X = np.array([[1.0, 2.0]])
    loss, grad = net.loss_and_grad(theta, X, np.array([0]))
    assert loss == pytest.approx(math.log(2), abs=1e-15)
    # δ = p − onehot = (−½, ½); ∂W = xᵀ δ = [[−½, ½], [−1, 1]]; ∂b = δ
    np.testing.assert_array_equal(grad, [-0.5, 0.5, -1.0, 1.0, -0.5, 0.5])


def test_hand_worked_relu_layer():
    # 1 input -> 1 ReLU unit -> 2 classes. x = 2, w1 = 1.5, b1 = −1: z = 2, a = 2.
    # logits = (a·1 + 0, a·(−1) + 0) = (2, −2); p₀ = 1/(1 + e⁻⁴); y = 1: loss = −log p₁ = log(1 + e⁴).
    net = MLP(1, (1,), 2, "relu")
    theta = np.array([1.5, -1.0, 1.0, -1.0, 0.0, 0.0])
    X, y = np.array([[2.0]]), np.array([1])
    loss, grad = net.loss_and_grad(theta, X, y)
    p0 = 1 / (1 + math.exp(-4))
    assert loss == pytest.approx(math.log(1 + math.exp(4)), rel=1e-14)
    d_out = np.array([p0, (1 - p0) - 1])  # p − onehot(1)
    d_hidden = d_out @ np.array([1.0, -1.0])  # δ W_outᵀ, times relu'(2) = 1
    expected = [2.0 * d_hidden, d_hidden, 2.0 * d_out[0], 2.0 * d_out[1], d_out[0], d_out[1]]
    np.testing.assert_allclose(grad, expected, rtol=1e-14)
    # a dead unit (z < 0) passes no gradient to its weights
    theta[1] = -10.0
    _, grad = net.loss_and_grad(theta, X, y)
    assert grad[0] == 0.0 and grad[1] == 0.0


def test_weights_live_in_one_flat_vector():
    net = MLP(4, (8, 5), 3)
    assert net.n_params == 4 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3
    theta = np.arange(net.n_params, dtype=float)
    layers = net.unflatten(theta)
    assert [(W.shape, b.shape) for W, b in layers] == [((4, 8), (8,)), ((8, 5), (5,)), ((5, 3), (3,))]
    assert layers[0][0][0, 1] == 1.0 and layers[0][1][0] == 32.0 and layers[1][0][0, 0] == 40.0
    layers[2][1][:] = -1.0  # views: writing a layer writes the vector
    assert np.all(theta[-3:] == -1.0)
    with pytest.raises(ValueError, match="theta must have shape"):
        net.unflatten(np.zeros(5))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_init_is_seeded_scaled_for_the_activation_and_biases_start_at_zero(activation):
    net = MLP(64, (64, 64), 3, activation)
    a, b, c = net.init(0), net.init(0), net.init(1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    layers = net.unflatten(a)
    hidden_scale = math.sqrt(2 / 64) if activation == "relu" else math.sqrt(2 / 128)
    for W, bias in layers[:-1]:
        assert W.std() == pytest.approx(hidden_scale, rel=0.05)
        assert np.all(bias == 0)
    assert layers[-1][0].std() == pytest.approx(math.sqrt(2 / 67), rel=0.15)


def test_predictions_and_probabilities_agree_with_the_logits():
    net = MLP(2, (7,), 3, "tanh")
    theta = net.init(3)
    X = np.random.default_rng(0).normal(size=(50, 2))
    logits = net.logits(theta, X)
    p = net.probabilities(theta, X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(net.predict(theta, X), np.argmax(logits, axis=1))
    y = np.random.default_rng(1).integers(0, 3, 50)
    loss, acc = net.evaluate(theta, X, y)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(50), y])), rel=1e-12)
    assert acc == np.mean(np.argmax(logits, axis=1) == y)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    assert cross_entropy(logits, np.array([0, 1])) == 0.0
    assert cross_entropy(logits, np.array([1, 0])) == 1000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("16", (16,)), ("16, 16", (16, 16)), ("8,4,2", (8, 4, 2)), ("32 16", (32, 16)), ("", ()), ("none", ())],
)
def test_parse_hidden(text, expected):
    assert parse_hidden(text) == expected
    assert parse_hidden(format_hidden(expected)) == expected


@pytest.mark.parametrize("text", ["abc", "16.5", f"{MAX_WIDTH + 1}", "16,0", "-4", "1,2,3,4"])
def test_parse_hidden_rejects_with_the_range(text):
    with pytest.raises(ValueError, match="hidden") as err:
        parse_hidden(text)
    assert str(MAX_WIDTH) in str(err.value) or str(MAX_HIDDEN_LAYERS) in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"hidden": (0,)}, "hidden"),
        ({"hidden": (MAX_WIDTH + 1,)}, "hidden"),
        ({"hidden": (4,) * (MAX_HIDDEN_LAYERS + 1)}, "hidden"),
        ({"hidden": (2.5,)}, "hidden"),
        ({"activation": "sigmoid"}, "activation"),
    ],
)
def test_bad_networks_are_value_errors_naming_the_parameter(kwargs, match):
    args = {"n_inputs": 2, "hidden": (4,), "n_classes": 2, "activation": "relu", **kwargs}
    with pytest.raises(ValueError, match=match):
        MLP(**args)
