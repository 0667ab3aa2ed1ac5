"""Speed of the network page's training: the classic comparison and its parts.

Prints medians of several runs:
- 5 optimizers (SGD, Momentum, Adagrad, RMSprop, Adam) x 200 epochs on Iris, the page's defaults (hidden 16,
  ReLU, batches of 16, validation 30%): the README's figure, target within 2 s;
- the same on spirals, and every optimizer but Newton x 100 epochs on Iris;
- one forward+backward pass and one Adam update on a batch of 16, the per-step costs;
- the estimate the page's budget uses next to the measured time.
Run: .venv/bin/python benchmarks/bench_network.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds  # noqa: E402

import optimizers  # noqa: E402
import training  # noqa: E402


def run(opts, **kw) -> float:
    setup = training.prepare(**kw)
    training.datasets.load(kw.get("dataset", "iris"))  # Iris's first load imports plotly.express: not timed
    seconds = median_seconds(lambda: training.train(list(opts), **kw), repeat=5)
    estimate = training.estimated_seconds(setup, len(opts))
    updates = len(opts) * setup.epochs * setup.batches_per_epoch
    print(
        f"  {len(opts):2d} optimizers x {setup.epochs} epochs on {kw.get('dataset', 'iris'):8s} "
        f"({updates:,} updates): {seconds:.3f} s  (budget estimate {estimate:.2f} s)"
    )
    return seconds


def main() -> None:
    print("Network training (median of 5 runs)")
    classic = run(training.CLASSIC, dataset="iris", epochs=200)
    run(training.CLASSIC, dataset="spirals", epochs=200)
    run(training.OPTIMIZERS, dataset="iris", epochs=100)

    setup = training.prepare("iris", epochs=1)
    X, y = setup.split.X_train[:16], setup.split.y_train[:16]
    theta = np.array(setup.theta0)
    n = 20_000
    grad_s = median_seconds(lambda: [setup.model.loss_and_grad(theta, X, y) for _ in range(n)], repeat=3) / n
    opt = optimizers.make("adam", **training.network_defaults("adam"))
    state = opt.init(theta)
    _, g = setup.model.loss_and_grad(theta, X, y)
    upd_s = median_seconds(lambda: [opt.update(g, state, theta) for _ in range(n)], repeat=3) / n
    print(
        f"  per step, batch of 16, {setup.model.n_params} weights: forward+backward {grad_s * 1e6:.1f} us, "
        f"Adam update {upd_s * 1e6:.1f} us"
    )
    verdict = "within" if classic <= 2.0 else "OVER"
    print(f"5 optimizers x 200 epochs on Iris: {classic:.2f} s ({verdict} the 2 s target)")


if __name__ == "__main__":
    main()
