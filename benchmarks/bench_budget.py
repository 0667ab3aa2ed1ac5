"""Calibration of the work budget (budget/): predicted units against measured CPU seconds, case by case.

For each case (the costliest the pages allow, and ordinary ones) it prints the units budget/ predicts, the CPU
seconds the computation took (time.process_time, the least of `--repeat` runs: other processes on the machine
only add to it), and seconds per unit. budget.SECONDS_PER_UNIT must be at least the largest of these, so that
LIMIT units stay within 2 s of CPU; it also prints the built-ins' measured cost in formula ops (BUILTIN_OPS).
The worst surface is the 273-character power tower (WORST below); its program sizes are printed too.
Run: .venv/bin/python benchmarks/bench_budget.py [--repeat 2] [--quick] [--networks] [--explorer]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import budget  # noqa: E402
import optimizers  # noqa: E402
import surfaces  # noqa: E402
import training  # noqa: E402
from optimizers import analysis  # noqa: E402
from viz import explorer as viz_explorer  # noqa: E402
from viz import surface_map  # noqa: E402
from viz.network import regions_figure  # noqa: E402

# three distinct towers as deep as the parser allows, within the 300-character limit: the largest programs found.
# Its view is set around (1, 1), where every power stays finite, and its runs use a small rate: no start
# diverges, so every run computes all its steps (a run that diverges stops early and costs less).
WORST = "x^y^" * 24 + "x*" + "y^x^" * 24 + "y*" + "y^y^" * 19 + "x"
WORST_VIEW = ((0.9, 1.1), (0.9, 1.1))
SMALL_RATE = 1e-4


def make(name: str, surf):
    """The optimizer with its defaults, and a small rate on the tower (see WORST_VIEW)."""
    small = surf.formula is not None and "lr" in optimizers.get(name).HYPERS
    return optimizers.make(name, **({"lr": SMALL_RATE} if small else {}))


EIGHT = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "radam", "newton")


def start(surf):
    return (1.0, 1.0) if surf.formula is not None else surf.default_start


def cpu(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def cases(quick: bool, networks_only: bool = False, explorer_only: bool = False):
    tower = surfaces.from_formula(WORST, WORST_VIEW)
    rosen = surfaces.get("rosenbrock")
    beale = surfaces.get("beale")
    s = 0.25 if quick else 1.0  # --quick: shorter runs (same per-unit figures, noisier)

    def explorer(opt, surf, steps):
        def go():  # as ui/caches.py (the Explorer's): the run, the map, the figure serialised with every step
            traj = optimizers.run(make(opt, surf), surf, start(surf), steps)
            base = surface_map.map_spec(surf, clickable=True)
            spec = viz_explorer.explorer_figure(traj, surf, 0, base=base)
            viz_explorer.StepFigure(spec, traj, surf)

        return f"Explorer {opt} {steps} steps", budget.explorer_work(opt, surf, steps), go

    def race(opts, surf, steps):
        def go():
            analysis.race([make(o, surf) for o in opts], surf, start(surf), steps, record=False)
            surface_map.map_spec(surf)

        return f"race {len(opts)} x {steps} steps", budget.race_work(opts, surf, steps), go

    def sweep(opts, surf, steps, rates):
        def go():
            for o in opts:
                rates_ = analysis.log_rates(n=rates) * (SMALL_RATE if surf.formula else 1.0)
                analysis.sweep(o, surf, start(surf), steps, rates_, {})

        return f"sweep {len(opts)} x {rates} rates x {steps}", budget.sweep_work(opts, surf, steps, rates), go

    def basin(opt, surf, steps, grid):
        def go():
            analysis.basin_map(make(opt, surf), surf, steps, grid)

        return f"basin {opt} {grid}² x {steps}", budget.basin_work(opt, surf, steps, grid), go

    def network(dataset, hidden, batch, epochs, opts):
        setup = training.prepare(dataset, hidden, "relu", batch, epochs, 0.3, 0)
        work = budget.network_work(
            setup.model.n_params,
            len(setup.model.sizes) - 1,
            setup.n_train,
            len(setup.split.y_val),
            setup.batch_size,
            epochs,
            opts,
            regions=setup.split.dataset.n_features == 2,
        )

        def go():  # as the page: train each, then the decision regions of a 2-D dataset
            curves = {o: training.fit(setup, optimizers.make(o, **training.network_defaults(o)), o) for o in opts}
            regions_figure(training.Result(setup, curves))

        return f"network {dataset} {hidden} b{batch} {epochs} ep x {len(opts)}", work, go

    n = lambda k: max(1, int(k * s))  # noqa: E731
    spirals = list(training.OPTIMIZERS)
    nets = [
        network("spirals", (64, 64, 64), 4, n(10), spirals),
        network("iris", (16,), 16, 200, list(training.CLASSIC)),
        network("moons", (64, 64), 1, n(4), ["adam", "sgd"]),
        network("circles", (64, 64, 64), 1024, n(100), ["adam", "rmsprop"]),
        network("spirals", (64, 64, 64), 1, n(2), ["adam", "sgd"]),
        network("iris", (64,), 1024, 1000, ["adam"]),
    ]
    if networks_only:
        yield "network", None, nets
        return
    if explorer_only:
        yield (
            "Explorer",
            None,
            [explorer("adam", rosen, 2000), explorer("newton", beale, 2000), explorer("sgd", tower, 2000)],
        )
        return
    yield (
        "tower",
        tower,
        [
            explorer("newton", tower, n(500)),
            explorer("adam", tower, n(2000)),
            race(EIGHT, tower, n(300)),
            sweep(("adam", "sgd"), tower, n(100), 60),
            basin("adam", tower, n(4), 150),
            basin("newton", tower, n(2), 100),
        ],
    )
    yield (
        "built-in",
        rosen,
        [
            explorer("adam", rosen, 2000),
            explorer("newton", beale, 2000),
            race(EIGHT, beale, 1000),
            sweep(EIGHT, beale, n(1000), 60),
            basin("adam", rosen, n(222), 150),
            basin("adam", beale, n(222), 150),
            basin("newton", beale, n(74), 150),
        ],
    )
    yield "network", None, nets


def builtin_ops(repeat: int) -> None:
    """Each built-in's f, gradient and Hessian in formula ops: its time over the time of one formula op."""
    tower = surfaces.from_formula(WORST)
    print("\nBuilt-ins in formula ops (f, grad, hessian) at 1 and 2,500 points; the table's entry")
    for m in (1, 2500):
        xy = np.random.default_rng(0).uniform(0.5, 1.5, (m, 2))
        reps = 200 if m == 1 else 10
        grads = cpu(lambda xy=xy, reps=reps: [tower.grad(xy) for _ in range(reps)], repeat)
        per_op = grads / reps / len(tower.grad.program)
        for name in surfaces.NAMES:
            surf = surfaces.get(name)
            ops = [
                cpu(lambda f=f, xy=xy, reps=reps: [f(xy) for _ in range(reps)], repeat) / reps / per_op
                for f in (surf.f, surf.grad, surf.hessian)
            ]
            table = budget.BUILTIN_OPS[name][0 if m == 1 else 1]
            print(f"  m={m:5d} {name:16s} {ops[0]:5.1f} {ops[1]:5.1f} {ops[2]:5.1f}   table {table}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--networks", action="store_true", help="only the network cases")
    ap.add_argument("--explorer", action="store_true", help="only the Explorer cases")
    args = ap.parse_args(argv)
    tower = surfaces.from_formula(WORST)
    print(
        f"WORST formula: {len(WORST)} characters; ops f {len(tower.f.program)}, grad {len(tower.grad.program)}, "
        f"hessian {len(tower.hessian.program)}"
    )
    print(
        f"LIMIT {budget.LIMIT / 1e6:.0f} M units, NEAR {budget.NEAR / 1e6:.0f} M; SECONDS_PER_UNIT "
        f"{budget.SECONDS_PER_UNIT:g}\n"
    )
    print(f"{'case':44s} {'M units':>9s} {'CPU s':>7s} {'ns/unit':>8s} {'x limit':>8s}")
    worst = 0.0
    for group, _, items in cases(args.quick, args.networks, args.explorer):
        print(f"-- {group}")
        for label, work, fn in items:
            seconds = cpu(fn, args.repeat)
            per = seconds / work
            worst = max(worst, per)
            print(f"  {label:42s} {work / 1e6:9.1f} {seconds:7.3f} {per * 1e9:8.2f} {work / budget.LIMIT:8.2f}")
    print(
        f"\nlargest seconds per unit: {worst * 1e9:.2f} ns (SECONDS_PER_UNIT {budget.SECONDS_PER_UNIT * 1e9:.2f} ns): "
        f"a run at the limit costs at most {worst * budget.LIMIT:.2f} s of CPU here"
    )
    builtin_ops(args.repeat)


if __name__ == "__main__":
    main()
