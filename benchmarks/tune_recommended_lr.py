"""Print the per-surface learning rates for presets.RECOMMENDED_LR (how the table there was chosen).

For each surface and first-order optimizer: one vectorised run over a 1-2-5 ladder of rates, 200 steps from the
surface's first suggested start. A rate is acceptable when the run does not diverge, does not finish in under
15 steps (too fast to watch), and closes 80% of the gap to the nearest known minimum; on surfaces without
minima (the saddles) when it leaves the saddle (distance 1 from the start) within 15-150 steps. The acceptable
rate nearest the optimizer's general default wins; if none is acceptable, the one with the lowest final gap.

    .venv/bin/python benchmarks/tune_recommended_lr.py
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import optimizers  # noqa: E402
import surfaces  # noqa: E402

LADDER = np.array([1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0])
STEPS = 200


def choose(surface_name: str, opt_name: str) -> tuple[float, bool]:
    s = surfaces.get(surface_name)
    start = s.default_start
    default = optimizers.defaults(opt_name)["lr"]
    hp = optimizers.defaults(opt_name) | {"lr": LADDER[:, None]}
    t = optimizers.run(optimizers.make(opt_name, **hp), s, np.repeat(start[None], len(LADDER), 0), STEPS)
    if len(s.minima) == 0:
        dist = np.linalg.norm(t.points - start, axis=-1)
        first = np.where((dist > 1).any(0), (dist > 1).argmax(0), 10**6)
        ok = (first >= 15) & (first <= 150)
        score = np.abs(np.log(first / 50))
    else:
        final = np.nan_to_num(t.points[-1], nan=1e9, posinf=1e9, neginf=-1e9)
        nearest = s.minima[np.argmin(np.linalg.norm(final[:, None, :] - s.minima, axis=-1), axis=1)]
        with np.errstate(invalid="ignore"):
            gap = np.where(np.isfinite(t.losses), np.maximum(t.losses - s.f(nearest), 0), np.inf)
        first = np.where((gap <= 0.01 * gap[0]).any(0), (gap <= 0.01 * gap[0]).argmax(0), 10**6)
        diverged = t.diverged >= 0
        ok = ~diverged & (gap[-1] <= 0.2 * gap[0]) & (first >= 15)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(diverged, np.inf, np.maximum(gap[-1], 1e-300) / gap[0])
    if ok.any():
        cand = np.flatnonzero(ok)
        return float(LADDER[cand[np.argmin(np.abs(np.log(LADDER[cand] / default)))]]), True
    return float(LADDER[np.argmin(score)]), False


def main() -> None:
    table: dict[str, dict[str, float]] = {}
    for sn in surfaces.NAMES:
        for on in optimizers.FIRST_ORDER:
            lr, ok = choose(sn, on)
            if lr != optimizers.defaults(on)["lr"]:
                table.setdefault(sn, {})[on] = lr
            print(f"{sn:16s} {on:9s} lr={lr:<6g} default={optimizers.defaults(on)['lr']:<6g} {'' if ok else '(best)'}")
    print("\nRECOMMENDED_LR =", table)


if __name__ == "__main__":
    main()
