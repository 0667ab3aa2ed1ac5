"""Speed of the optimizer core, and of torch.optim doing the same work when torch is installed.

Prints medians of several runs:
- single start, 1000 steps, each optimizer on rosenbrock (full recording of every quantity);
- 10,000 starts x 500 steps of Adam on rosenbrock (full recording, and points-only);
- torch.optim driving the same loop (autograd gradient, optimizer step, iterate recorded), and the ratio.
Run: .venv/bin/python benchmarks/bench_core.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

ROSEN = surfaces.get("rosenbrock")
START = np.array([-1.5, 2.0])
TORCH_ARGS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "adadelta": ("Adadelta", {"eps": 1e-3}),
    "rmsprop": ("RMSprop", {"alpha": 0.99}),
    "adam": ("Adam", {}),
    "amsgrad": ("Adam", {"amsgrad": True}),
    "adamax": ("Adamax", {}),
    "nadam": ("NAdam", {}),
    "adamw": ("AdamW", {"weight_decay": 0.01}),
    "radam": ("RAdam", {}),
    "adafactor": ("Adafactor", {}),
}


def torch_run(name: str, lr: float, start: np.ndarray, steps: int) -> None:
    cls, kw = TORCH_ARGS[name]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], lr=lr, **kw)
    out = torch.empty((steps + 1, *p.shape), dtype=torch.float64)
    out[0] = p.detach()
    for t in range(1, steps + 1):
        opt.zero_grad()
        x, y = p[..., 0], p[..., 1]
        loss = ((1 - x) ** 2 + 100 * (y - x**2) ** 2).sum()
        loss.backward()
        opt.step()
        out[t] = p.detach()


def main() -> None:
    if torch is not None:
        torch.set_num_threads(2)
    print("single start, 1000 steps on rosenbrock (median of 5)")
    print(f"{'optimizer':10s} {'ours ms':>8s} {'torch ms':>9s} {'ratio':>6s}")
    ratios = []
    for name in optimizers.NAMES:
        opt = optimizers.make(name, lr=1e-3 if name in ("sgd", "momentum", "nesterov") else 0.01)
        ours = median_seconds(lambda opt=opt: optimizers.run(opt, ROSEN, START, 1000))
        if torch is not None and name in TORCH_ARGS:
            theirs = median_seconds(lambda name=name, opt=opt: torch_run(name, opt.lr, START, 1000))
            ratios.append(theirs / ours)
            print(f"{name:10s} {ours * 1e3:8.1f} {theirs * 1e3:9.1f} {theirs / ours:5.1f}x")
        else:
            print(f"{name:10s} {ours * 1e3:8.1f} {'-':>9s}")
    if ratios:
        print(
            f"single start: ours is {min(ratios):.1f}x to {max(ratios):.1f}x faster than torch.optim "
            f"(median {np.median(ratios):.1f}x)"
        )

    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], size=(10_000, 2))
    adam = optimizers.make("adam", lr=0.01)
    full = median_seconds(lambda: optimizers.run(adam, ROSEN, starts, 500), repeat=3)
    path = median_seconds(lambda: optimizers.run(adam, ROSEN, starts, 500, record=False), repeat=3)
    print(
        f"\n10,000 starts x 500 steps, Adam on rosenbrock (median of 3): {full:.2f} s recording every quantity, "
        f"{path:.2f} s points/losses/grads only"
    )
    traj = optimizers.run(adam, ROSEN, starts, 500)
    extra = sum(a.nbytes for a in traj.quantities.values()) / 1e6
    print(f"  recording every quantity ({', '.join(traj.quantities)}) adds {extra:.0f} MB")
    if torch is not None:
        theirs = median_seconds(lambda: torch_run("adam", 0.01, starts, 500), repeat=3)
        print(
            f"torch.optim.Adam, same work: {theirs:.2f} s -> ours is {theirs / full:.1f}x faster "
            f"({theirs / path:.1f}x points-only)"
        )


if __name__ == "__main__":
    main()
