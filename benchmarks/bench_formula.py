"""Speed of formula surfaces (surfaces.formula.from_formula).

Prints:
- parse + differentiate + compile time per formula (cache cleared each time), and the size of each program;
- f / grad / hessian evaluation time over a 200 x 200 grid;
- the rejection time of hostile inputs: every one, and the worst;
- the worst accepted input we could think of (300 characters of nested functions or products).
Run: .venv/bin/python benchmarks/bench_formula.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds  # noqa: E402

from surfaces import formula  # noqa: E402

FORMULAS = [
    "x^2 - y^2 + 0.1*sin(3*x)",
    "(1 - x)^2 + 100*(y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "exp(-(x^2 + y^2))*cos(x*y)/(1 + x^2) + log(1 + x^2 + y^2)",
    "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
]

HEAVY = [
    "sin(" * 49 + "x*y" + ")" * 49,  # the deepest accepted nesting
    "*".join(["sin(x*y)"] * 33),  # a long product: derivatives grow, sharing keeps them linear
    "+".join(["x^3*y^2"] * 37),
    "(" * 49 + "x" + ")" * 49,
]

HOSTILE = [
    "__import__('os').system('id')",
    "().__class__.__bases__[0].__subclasses__()",
    "9**9**9**9",
    "x**(10**100)",
    "10**1000",
    "(" * 1000 + "x" + ")" * 1000,
    "(" * 140 + "x" + ")" * 140,
    "-" * 299 + "x",
    "x^" * 149 + "x",
    "lambda: 1",
    "exec('1')",
    "x" * 301,
    "x" * 10**6,
    "exp(exp(exp(exp(10))))",
    "1/" + "(x-x)" * 0 + "0",
    "\uff58\u200b",
    "sin(" * 55 + "x" + ")" * 55,
    "x + " * 74 + "z",
]


def build(text: str):
    formula.CACHE.clear()
    return formula.from_formula(text)


def main() -> None:
    xy = np.stack(np.meshgrid(np.linspace(-3, 3, 200), np.linspace(-3, 3, 200)), axis=-1)
    print(f"{'formula':<62} {'build ms':>9} {'nodes f/g/H':>12} {'f ms':>7} {'grad ms':>8} {'hess ms':>8}")
    for text in FORMULAS + HEAVY:
        t_build = median_seconds(lambda text=text: build(text), repeat=5)
        s = build(text)
        sizes = f"{len(s.f.program)}/{len(s.grad.program)}/{len(s.hessian.program)}"
        tf = median_seconds(lambda s=s: s.f(xy))
        tg = median_seconds(lambda s=s: s.grad(xy))
        th = median_seconds(lambda s=s: s.hessian(xy))
        shown = text if len(text) <= 60 else text[:57] + "..."
        print(f"{shown:<62} {t_build * 1e3:>9.2f} {sizes:>12} {tf * 1e3:>7.2f} {tg * 1e3:>8.2f} {th * 1e3:>8.2f}")

    print("\nhostile inputs (each rejected with a ValueError):")
    worst = 0.0
    for text in HOSTILE:
        best = float("inf")
        message = ""
        for _ in range(5):
            t0 = time.perf_counter()
            try:
                build(text)
            except ValueError as exc:
                message = str(exc)
            else:
                raise SystemExit(f"accepted a hostile input: {text[:60]!r}")
            best = min(best, time.perf_counter() - t0)
        worst = max(worst, best)
        shown = repr(text) if len(text) <= 40 else repr(text[:37]) + "..."
        print(f"  {best * 1e6:>8.1f} us  {shown:<46} {message[:70]}")
    print(f"worst hostile rejection: {worst * 1e3:.3f} ms (the brief's bound: 100 ms)")


if __name__ == "__main__":
    main()
