"""Speed of the optimizer core, and of torch.optim doing the same work when torch is installed.

Prints medians of several runs:
- single start, 1000 steps, each optimizer on rosenbrock (full recording of every quantity);
- 10,000 starts x 500 steps of Adam on rosenbrock (full recording, and points-only);
- torch.optim driving the same loop (autograd gradient, optimizer step, iterate recorded), and the ratio;
- a regimen's cost (optimizers.regimen: schedule, decay, clipping) per step, against the optimizer alone, and a
  learning-rate sweep under a schedule (still one vectorised run per optimizer), in CPU time.
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
from optimizers import analysis, regimen  # noqa: E402

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

    regimen_costs()


def _cpu(fn, repeat: int = 5) -> float:
    """The median CPU time of fn() (process time: the machine is shared), after one warm-up call."""
    import time

    fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return float(np.median(times))


def regimen_costs() -> None:
    full = regimen.spec("warmup_cosine", {"warmup": 10, "T_max": 3000}, 0.01, True, 1.0, 0.5)
    sched = regimen.spec("warmup_cosine", {"warmup": 10, "T_max": 3000})
    print("\nunder a regimen, single start, 2000 steps on rosenbrock (median CPU time of 5)")
    print(f"{'optimizer':10s} {'alone us/step':>13s} {'schedule':>9s} {'all parts':>10s}")
    worst = 0.0
    for name in ("sgd", "adam", "lion", "sf_adamw", "lookahead"):
        per = []
        for spec in ((), sched, full):
            hp = {regimen.KEY: regimen.for_optimizer(spec, optimizers.get(name))} if spec else {}
            opt = regimen.make(name, lr=0.001, **hp)
            per.append(_cpu(lambda opt=opt: optimizers.run(opt, ROSEN, START, 2000)) / 2000 * 1e6)
        worst = max(worst, per[2] - per[0])
        print(f"{name:10s} {per[0]:13.1f} {per[1]:9.1f} {per[2]:10.1f}")
    adam = _cpu(lambda: optimizers.run(optimizers.make("adam", lr=0.001), ROSEN, START, 2000)) / 2000 * 1e6
    print(
        f"  the most a regimen added: {worst:.1f} us/step = {worst / adam:.2f} x Adam's whole step "
        "(budget.REGIMEN_OPS prices it)"
    )
    calls = []
    real = analysis.run
    analysis.run = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        rates = analysis.log_rates(n=30)
        plain = _cpu(lambda: analysis.sweep("momentum", ROSEN, START, 500, rates), repeat=3)
        n_plain = len(calls)
        scheduled = _cpu(lambda: analysis.sweep("momentum", ROSEN, START, 500, rates, {regimen.KEY: sched}), repeat=3)
    finally:
        analysis.run = real
    print(
        f"sweep, momentum, 30 rates x 500 steps (median CPU time of 3): {plain:.3f} s constant, {scheduled:.3f} s "
        f"under warm-up + cosine; run() calls per sweep: {n_plain // 4} and {(len(calls) - n_plain) // 4}"
    )


if __name__ == "__main__":
    main()
