"""The network page's sharpness: how accurate the method is, and what it costs.

Accuracy: Hessian-vector products by central differences of the exact gradient (training/sharpness.py)
against exact Hessians: softmax regression in closed form, and (when torch is installed) hidden-layer
networks by torch.autograd.functional.hessian. Prints the largest relative error ‖Hv − exact‖/‖exact‖ over 20
random directions, and the relative error of λ_max found by power iteration against numpy.linalg.eigvalsh.

Cost: sharpness_curve for each optimizer of the page's classic comparison with the page's defaults (Iris,
one hidden layer of 16, batches of 16, 200 epochs, 40 measured epochs): seconds (wall) and products.

Run: .venv/bin/python benchmarks/bench_network_sharpness.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import training  # noqa: E402
from training import sharpness as S  # noqa: E402
from training.mlp import MLP  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def softmax_hessian(model, theta, X, y):
    p = model.probabilities(theta, X)
    xt = np.hstack([X, np.ones((len(X), 1))])
    h = np.zeros((model.n_params, model.n_params))
    for xi, pi in zip(xt, p, strict=True):
        h += np.kron(np.outer(xi, xi), np.diag(pi) - np.outer(pi, pi))
    return h / len(X)


def torch_hessian(model, theta, X, y):
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss(flat):
        a = Xt
        for i, (s, w, e, fan_in, fan_out) in enumerate(model._layers):
            z = a @ flat[s:w].reshape(fan_in, fan_out) + flat[w:e]
            last = i == len(model._layers) - 1
            a = z if last else (torch.relu(z) if model.activation == "relu" else torch.tanh(z))
        return torch.nn.functional.cross_entropy(a, yt)

    return torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()


def errors(model, theta, X, y, h) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(20):
        v = rng.standard_normal(model.n_params)
        exact = h @ v
        worst = max(worst, float(np.linalg.norm(S.hvp(model, theta, X, y, v) - exact) / np.linalg.norm(exact)))
    lam, _, _ = S.top_eigenvalue(lambda u: S.hvp(model, theta, X, y, u), model.n_params, tol=1e-10, iters=3000)
    top = float(np.linalg.eigvalsh(h)[-1])
    return worst, abs(lam - top) / abs(top)


def main() -> None:
    setup = training.prepare("iris", (16,), "relu", 16, 200, 0.3, 0)
    X, y = setup.split.X_train, setup.split.y_train
    print("Accuracy of H·v by central differences of the exact gradient (Iris training set, 105 rows)")
    print(f"{'network':<28}{'weights':>8}{'max rel. error Hv':>20}{'rel. error λmax':>18}")
    model = MLP(4, (), 3)
    theta = model.init(1)
    hv, lam = errors(model, theta, X, y, softmax_hessian(model, theta, X, y))
    print(f"{'softmax regression (exact)':<28}{model.n_params:>8}{hv:>20.2e}{lam:>18.2e}")
    if torch is not None:
        for hidden, act in (((16,), "tanh"), ((16,), "relu"), ((16, 16), "relu")):
            model = MLP(4, hidden, 3, act)
            theta = setup.theta0 if (hidden, act) == ((16,), "relu") else model.init(2)
            hv, lam = errors(model, theta, X, y, torch_hessian(model, theta, X, y))
            name = f"{hidden} {act} (torch)"
            print(f"{name:<28}{model.n_params:>8}{hv:>20.2e}{lam:>18.2e}")
    else:
        print("(torch is not installed: hidden-layer networks not checked)")
    print()
    print("Cost of the sharpness curve per optimizer (the page's defaults; 40 epochs measured of 200)")
    for name in training.CLASSIC:
        t = time.perf_counter()
        s = S.sharpness_curve(setup, name)
        print(f"  {s.title:<10} {time.perf_counter() - t:6.2f} s  {s.products:5d} Hessian-vector products")


if __name__ == "__main__":
    main()
