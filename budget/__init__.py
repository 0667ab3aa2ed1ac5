"""The work one run may do, counted in units that do not depend on the machine, and the one limit on it.

A step of an optimizer over m starts at once makes a number of vectorised NumPy calls, each over m elements
(times a few). It costs

    CALL x calls + m x elements         (units)

where `calls` and `elements` add up the optimizer's update with the engine's bookkeeping (OPTIMIZER_OPS,
OPTIMIZER_ELEMENTS), and the surface's f and gradient, and for Newton its Hessian and a 2 x 2 solve. A
formula's f, gradient and Hessian cost the length of their compiled programs in both (surfaces.formula; the
grammar bounds them: the 273-character power tower x^y^x^... of benchmarks/bench_budget.py, the worst found,
has 137 / 942 / 3613); a built-in's are its formula-equivalents measured at 1 and at 2,500 points (BUILTIN_OPS).
A network's epoch costs its updates (the layers' calls, the optimizer over every weight, the matrix products)
and an evaluation of both sets.

LIMIT is calibrated (benchmarks/bench_budget.py prints predicted units against measured CPU seconds) so that
no run the pages allow costs more than 2 s of CPU on the lab's machine; work above NEAR runs in chunks with a
progress bar. Pure Python: no streamlit (the pages' messages are in ui/budget.py), no NumPy needed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

CALL = 200  # units: the fixed cost of one NumPy call, in elements' worth
# A unit costs at most 3.9 ns of CPU on the lab's machine (benchmarks/bench_budget.py, the worst of its cases,
# measured while other work shared the machine); 4.4 ns leaves a tenth in hand: the limit is 2 s of CPU.
SECONDS_PER_UNIT = 4.4e-9
LIMIT = int(2.0 / SECONDS_PER_UNIT)  # 454 M units
NEAR = LIMIT // 5  # above this a run is computed in chunks, with a progress bar and a check for cancellation

# An optimizer's update plus the engine's own per-step work (loss, divergence checks, recording): NumPy calls
# per step (their fixed cost dominates a run from one start) and element-operations per start and step (they
# dominate a batch of thousands of starts: a basin map, a sweep).
OPTIMIZER_OPS = {
    "sgd": 45,
    "momentum": 50,
    "nesterov": 50,
    "adagrad": 55,
    "adadelta": 65,
    "rmsprop": 60,
    "adam": 75,
    "amsgrad": 80,
    "adamax": 75,
    "nadam": 85,
    "adamw": 80,
    "radam": 90,
    # the newer optimizers, from their CPU time per step against Adam's (1000 steps on Rosenbrock), a tenth added
    "yogi": 80,
    "adabelief": 80,
    "adafactor": 95,
    "signum": 55,
    "lion": 60,
    "lookahead": 95,  # with its default inner optimizer
    "sf_sgd": 60,
    "sf_adamw": 85,
    "newton": 70,
}
DEFAULT_OPTIMIZER_OPS = 90  # an optimizer not in the table
# A regimen around the optimizer (optimizers.regimen: schedule, decay, clipping, its four recorded fields): the most
# it added to a step with every part on, 1.75 x Adam's whole step on Rosenbrock (Lookahead's inner rebuilt each
# step; benchmarks/bench_core.py prints it), in calls, a tenth added.
REGIMEN_OPS = 200
ELEMENTS_PER_OP = 0.4  # an optimizer's element-operations per start and step, per op of OPTIMIZER_OPS
NEWTON_SOLVE = 30  # the damped 2 x 2 solve: calls and element-operations
# Built-in surfaces in formula ops: (f, gradient, Hessian) as calls (measured at 1 point) and as elements
# (measured at 2,500 points), rounded up (benchmarks/bench_budget.py prints the measurements).
BUILTIN_OPS = {
    "bowl": ((6, 14, 26), (5, 6, 16)),
    "ravine": ((6, 12, 29), (9, 6, 15)),
    "saddle": ((6, 12, 26), (5, 6, 12)),
    "monkey_saddle": ((8, 16, 24), (9, 13, 13)),
    "rosenbrock": ((8, 19, 33), (5, 8, 15)),
    "beale": ((17, 58, 105), (10, 36, 50)),
    "himmelblau": ((8, 22, 47), (8, 10, 25)),
    "double_well": ((6, 14, 37), (5, 7, 14)),
    "plateau": ((10, 22, 41), (13, 16, 26)),
    "styblinski_tang": ((16, 23, 32), (14, 14, 21)),
    "rastrigin": ((12, 19, 37), (24, 25, 33)),
}
DEFAULT_SURFACE_OPS = ((24, 64, 110), (24, 40, 50))  # a surface of unknown make
MAP_POINTS = 121 * 121  # the surface's map (f over the view, 120 x 120 cells), drawn with every figure

# the network (benchmarks/bench_budget.py)
LAYER_UPDATE = 12_000  # units per layer and update: the forward and backward passes' NumPy calls
LAYER_EPOCH = 30_000  # units per layer and epoch: evaluating both sets
MATMUL = 0.7  # units per multiply-add of a matrix product
SMALL_BATCH = 8  # rows a product takes for the price of its call
REGION_POINTS = 121 * 121  # a 2-D dataset's decision regions: viz.network.regions_figure's 120 x 120 grid
REGION_MATMUL = 0.3  # units per multiply-add there (one product over 14,641 rows: BLAS at its best)
REGION_FIGURE = 10_000_000  # units: the regions figure itself (Plotly's subplots)


def surface_ops(surface: Any) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """((f, gradient, Hessian) calls, (f, gradient, Hessian) element-operations) of a surface: a formula's
    compiled programs' lengths, a built-in's table entry."""
    programs = [getattr(getattr(surface, k, None), "program", None) for k in ("f", "grad", "hessian")]
    if all(p is not None for p in programs):
        ops = tuple(len(p) for p in programs)
        return ops, ops  # type: ignore[return-value]
    return BUILTIN_OPS.get(getattr(surface, "name", ""), DEFAULT_SURFACE_OPS)


def step_cost(opt_name: str, surface: Any, regimen: bool = False) -> tuple[float, float]:
    """(calls, element-operations per start) of one step of `opt_name` on `surface` (`regimen`: under one)."""
    (fc, gc, hc), (fe, ge, he) = surface_ops(surface)
    opt = OPTIMIZER_OPS.get(opt_name, DEFAULT_OPTIMIZER_OPS) + (REGIMEN_OPS if regimen else 0)
    calls, elements = opt + fc + gc, opt * ELEMENTS_PER_OP + fe + ge
    if opt_name == "newton":  # the only optimizer that needs the Hessian
        calls, elements = calls + hc + NEWTON_SOLVE, elements + he + NEWTON_SOLVE
    return calls, elements


def run_work(opt_name: str, surface: Any, steps: int, starts: int = 1, calls: int = 1, regimen: bool = False) -> float:
    """Units of `steps` steps from `starts` starts at once (`calls`: in that many separate vectorised runs)."""
    c, e = step_cost(opt_name, surface, regimen)
    return float(steps) * (c * CALL * calls + e * starts)


def map_work(surface: Any, points: int = MAP_POINTS) -> float:
    (fc, _, _), (fe, _, _) = surface_ops(surface)
    return float(fc * CALL + fe * points)


FIGURE_STEP_UNITS = 10_000  # the Explorer's figure, serialised once with a frame per step


def explorer_work(opt_name: str, surface: Any, steps: int, regimen: bool = False) -> float:
    """One Explorer run: the path, recorded step by step, the map, and the figure with every step."""
    return run_work(opt_name, surface, steps, regimen=regimen) + map_work(surface) + steps * FIGURE_STEP_UNITS


def race_work(opt_names: Sequence[str], surface: Any, steps: int, regimen: bool = False) -> float:
    return sum(run_work(o, surface, steps, regimen=regimen) for o in opt_names) + map_work(surface)


def sweep_work(opt_names: Sequence[str], surface: Any, steps: int, rates: int, regimen: bool = False) -> float:
    return sum(run_work(o, surface, steps, rates, regimen=regimen) for o in opt_names)


BASIN_START_UNITS = 150  # per start of a basin map: the grid, the labels, the steps to a minimum, the figure


def basin_work(opt_name: str, surface: Any, steps: int, grid: int, chunk: int = 2500, regimen: bool = False) -> float:
    starts = grid * grid
    calls = math.ceil(starts / chunk)
    return run_work(opt_name, surface, steps, starts, calls, regimen) + starts * BASIN_START_UNITS


def network_work(
    n_params: int,
    layers: int,
    n_train: int,
    n_val: int,
    batch: int,
    epochs: int,
    opt_names: Iterable[str],
    regions: bool = False,
    regimen: bool = False,
) -> float:
    """Training one network per optimizer: `epochs` passes of ceil(n_train / batch) updates, then an evaluation
    of both sets. Per update: the layers' NumPy calls, the optimizer over every weight, and the matrix products
    beyond a small batch's (up to SMALL_BATCH rows a product costs no more than its call); per epoch: the
    evaluation's calls and products. `regions`: each trained network also predicts over REGION_POINTS points.
    `regimen`: each optimizer runs under one (optimizers.regimen)."""
    batch = max(1, min(batch, n_train))
    updates = math.ceil(n_train / batch)
    per_update = layers * LAYER_UPDATE + 3 * n_params * max(0, batch - SMALL_BATCH) * MATMUL
    per_epoch = layers * LAYER_EPOCH + (n_train + n_val) * n_params * MATMUL
    total = REGION_FIGURE if regions else 0.0
    for name in opt_names:
        ops = OPTIMIZER_OPS.get(name, DEFAULT_OPTIMIZER_OPS) + (REGIMEN_OPS if regimen else 0)
        per_update_opt = ops / 25 * (n_params + CALL)
        total += epochs * (updates * (per_update + per_update_opt) + per_epoch)
        if regions:
            total += layers * LAYER_EPOCH + REGION_POINTS * n_params * REGION_MATMUL
    return total


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A run's work against the limit: `ok` to run it, `chunked` to run it in chunks with a progress bar."""

    work: float
    limit: float = LIMIT

    @property
    def ok(self) -> bool:
        return self.work <= self.limit

    @property
    def chunked(self) -> bool:
        return self.ok and self.work > NEAR

    @property
    def times(self) -> float:
        """How many times the limit the run is (>1 when refused)."""
        return self.work / self.limit

    def seconds(self) -> float:
        """The run's CPU time on the lab's machine, as the model estimates it."""
        return self.work * SECONDS_PER_UNIT


def verdict(work: float) -> Verdict:
    return Verdict(float(work))


def largest(fits, low: int, high: int) -> int | None:
    """The largest n in [low, high] with fits(n) (fits grows monotonically false), or None if not even low fits."""
    if not fits(low):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


CHUNK = NEAR // 10  # units between two checks for cancellation: about 40 ms on the lab's machine


def steps_per_chunk(step_units: float) -> int:
    """Steps between two checks (progress, cancellation) for steps of `step_units` each."""
    return max(1, int(CHUNK // max(step_units, 1.0)))
