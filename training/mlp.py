"""A multilayer perceptron in NumPy whose weights are one flat vector, so the lab's optimizers train it.

    net = MLP(n_inputs=4, hidden=(16,), n_classes=3, activation="relu")
    theta = net.init(seed=0)                      # (net.n_params,) float64
    loss, grad = net.loss_and_grad(theta, X, y)   # mean softmax cross-entropy and its gradient
    theta, state = opt.update(grad, state, theta) # any optimizer from optimizers.make(...)

The forward pass, for hidden layers l = 1..L with activation φ (ReLU or tanh):

    a₀ = X,   z_l = a_{l−1} W_l + b_l,   a_l = φ(z_l),   logits = a_L W_out + b_out
    p = softmax(logits),   loss = −(1/n) Σᵢ log p[i, yᵢ]

and the backward pass, written out (δ is ∂loss/∂z):

    δ_out = (p − onehot(y)) / n
    ∂W_l = a_{l−1}ᵀ δ_l,   ∂b_l = Σᵢ δ_l[i],   δ_{l−1} = (δ_l W_lᵀ) ⊙ φ'(z_{l−1})

with φ'(z) = 1[z > 0] for ReLU and 1 − tanh²(z) for tanh.

The flat vector holds, layer after layer, W (fan_in x fan_out, row-major) then b (fan_out). Weights start
from a seeded normal draw scaled for the activation (He: √(2/fan_in) for ReLU; Glorot: √(2/(fan_in +
fan_out)) for tanh and for the output layer), biases at zero.

Imports numpy only.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from i18n import translator

_, ngettext = translator("core")

ACTIVATIONS: tuple[str, ...] = ("relu", "tanh")
MAX_HIDDEN_LAYERS = 3
MAX_WIDTH = 64


def check_hidden(hidden) -> tuple[int, ...]:
    """The hidden layer widths as a tuple of ints, or ValueError naming `hidden` and its range."""
    try:
        sizes = tuple(hidden)
    except TypeError:
        sizes = (hidden,)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(
            _("hidden must have 0 to {limit} layers, got {n}").format(limit=MAX_HIDDEN_LAYERS, n=len(sizes))
        )
    out = []
    for w in sizes:
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or not 1 <= w <= MAX_WIDTH:
            raise ValueError(
                _("hidden layer widths must be whole numbers in [1, {limit}], got {value}").format(
                    limit=MAX_WIDTH, value=repr(w)
                )
            )
        out.append(int(w))
    return tuple(out)


def parse_hidden(text: str) -> tuple[int, ...]:
    """'16, 8' -> (16, 8); '' or 'none' -> () (no hidden layer: softmax regression)."""
    cleaned = str(text).strip().lower()
    if cleaned in ("", "none", "0", "-"):
        return ()
    parts = [p for p in cleaned.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        widths = [int(p) for p in parts]
    except ValueError:
        raise ValueError(
            _(
                "hidden must be up to {layers} whole numbers in [1, {limit}] separated by commas (e.g. 16, 16), "
                "got {value}"
            ).format(layers=MAX_HIDDEN_LAYERS, limit=MAX_WIDTH, value=repr(text))
        ) from None
    return check_hidden(widths)


def format_hidden(hidden: tuple[int, ...]) -> str:
    return ",".join(str(w) for w in hidden) if hidden else "none"


@dataclasses.dataclass(frozen=True)
class MLP:
    n_inputs: int
    hidden: tuple[int, ...]
    n_classes: int
    activation: str = "relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", check_hidden(self.hidden))
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                _("activation must be one of {names}, got {value}").format(
                    names=", ".join(ACTIVATIONS), value=repr(self.activation)
                )
            )
        if self.n_inputs < 1 or self.n_classes < 2:
            raise ValueError("n_inputs must be at least 1 and n_classes at least 2")
        sizes = self.sizes
        layers, start = [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            w_end = start + fan_in * fan_out
            layers.append((start, w_end, w_end + fan_out, fan_in, fan_out))
            start = w_end + fan_out
        object.__setattr__(self, "_layers", tuple(layers))
        object.__setattr__(self, "_n_params", start)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.n_inputs, *self.hidden, self.n_classes)

    @property
    def n_params(self) -> int:
        return self._n_params

    def unflatten(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W, b), ...] as views into `theta` (W of shape (fan_in, fan_out), b of shape (fan_out,))."""
        if np.shape(theta) != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {np.shape(theta)}")
        return [(theta[s:w].reshape(fan_in, fan_out), theta[w:e]) for s, w, e, fan_in, fan_out in self._layers]

    def init(self, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.n_params)
        last = len(self._layers) - 1
        for i, (W, _b) in enumerate(self.unflatten(theta)):
            fan_in, fan_out = W.shape
            if self.activation == "relu" and i < last:
                scale = np.sqrt(2.0 / fan_in)
            else:
                scale = np.sqrt(2.0 / (fan_in + fan_out))
            W[...] = rng.normal(0.0, scale, W.shape)
        return theta

    # -- forward and backward -----------------------------------------------------------------------------
    def _act(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0) if self.activation == "relu" else np.tanh(z)

    def _act_grad(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return (z > 0).astype(np.float64) if self.activation == "relu" else 1.0 - a * a

    def forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, list]:
        """logits (n, n_classes) and the cache [(a_prev, z, a), ...] that the backward pass needs."""
        layers = self.unflatten(theta)
        a = np.asarray(X, dtype=np.float64)
        cache = []
        for W, b in layers[:-1]:
            z = a @ W + b
            h = self._act(z)
            cache.append((a, z, h))
            a = h
        W, b = layers[-1]
        return a @ W + b, cache + [(a, None, None)]

    def logits(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        return self.forward(theta, X)[0]

    def probabilities(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        return softmax(self.logits(theta, X))

    def predict(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        return np.argmax(self.logits(theta, X), axis=1)

    def loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        return cross_entropy(self.logits(theta, X), y)

    def evaluate(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean cross-entropy, accuracy) on (X, y)."""
        logits = self.logits(theta, X)
        return cross_entropy(logits, y), float(np.mean(np.argmax(logits, axis=1) == y))

    def loss_and_grad(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean softmax cross-entropy over the rows of X and its gradient with respect to theta."""
        logits, cache = self.forward(theta, X)
        n = logits.shape[0]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
        delta = exp / total  # p
        delta[rows, y] -= 1.0
        delta /= n  # δ_out = (p − onehot(y)) / n
        grad = np.empty(self.n_params)
        layers = self.unflatten(theta)
        for i in range(len(layers) - 1, -1, -1):
            s, w, e, fan_in, fan_out = self._layers[i]
            a_prev = cache[i][0]
            grad[s:w] = (a_prev.T @ delta).ravel()  # ∂W = a_prevᵀ δ
            grad[w:e] = delta.sum(axis=0)  # ∂b = Σᵢ δ
            if i > 0:
                _, z_prev, a_out = cache[i - 1]
                delta = (delta @ layers[i][0].T) * self._act_grad(z_prev, a_out)
        return loss, grad


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean of −log softmax(logits)[i, yᵢ], computed stably (log-sum-exp)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_total - shifted[np.arange(len(y)), y]))
