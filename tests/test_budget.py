"""budget/: the work of a run counted from its settings (no timing here: benchmarks/bench_budget.py calibrates).

- a formula's cost is its compiled programs' length; every built-in has its entry;
- work grows with every setting that adds work, and in proportion where it should;
- the costliest requests the pages allow are over the limit, the pages' defaults well under it;
- the run() hook is called every `every` steps with the steps done, and an exception it raises stops the run;
- a chunk of steps between two checks is at most CHUNK units of work.
"""

from __future__ import annotations

import numpy as np
import pytest

import budget
import optimizers
import surfaces
import training
from benchmarks.bench_budget import WORST, WORST_VIEW


def test_a_formula_costs_its_compiled_programs():
    s = surfaces.from_formula("x^2 + 3*y^2")
    ops = (len(s.f.program), len(s.grad.program), len(s.hessian.program))
    assert budget.surface_ops(s) == (ops, ops)
    tower = surfaces.from_formula(WORST)
    (f, g, h), _ = budget.surface_ops(tower)
    assert f < g < h and h > 3000  # the Hessian of the power tower is thousands of operations


def test_every_builtin_surface_has_its_cost():
    assert set(budget.BUILTIN_OPS) == set(surfaces.NAMES)
    assert set(budget.OPTIMIZER_OPS) == set(optimizers.NAMES)


def test_work_grows_with_steps_starts_racers_and_the_hessian():
    s = surfaces.get("rosenbrock")
    assert budget.run_work("adam", s, 200) == pytest.approx(2 * budget.run_work("adam", s, 100))
    assert budget.run_work("adam", s, 100, 2500) > 5 * budget.run_work("adam", s, 100, 1)
    assert budget.run_work("newton", s, 100) > budget.run_work("sgd", s, 100)
    assert budget.race_work(["sgd", "adam"], s, 100) < budget.race_work(["sgd", "adam", "newton"], s, 100)
    assert budget.sweep_work(["adam"], s, 100, 60) > budget.sweep_work(["adam"], s, 100, 30)
    assert budget.basin_work("adam", s, 100, 150) > budget.basin_work("adam", s, 100, 50)
    tower = surfaces.from_formula(WORST)
    assert budget.run_work("adam", tower, 100) > 10 * budget.run_work("adam", s, 100)


def test_the_costliest_requests_are_over_the_limit_and_the_defaults_well_under():
    tower = surfaces.from_formula(WORST, WORST_VIEW)
    eight = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "radam", "newton"]
    assert not budget.verdict(budget.explorer_work("newton", tower, 2000)).ok
    assert not budget.verdict(budget.race_work(eight, tower, 1000)).ok
    assert not budget.verdict(budget.sweep_work(eight, tower, 1000, 60)).ok
    assert not budget.verdict(budget.basin_work("adam", tower, 1000, 150)).ok
    rosen = surfaces.get("rosenbrock")
    for work in (budget.explorer_work("adam", rosen, 100), budget.race_work(["sgd", "momentum", "adam"], rosen, 500)):
        v = budget.verdict(work)
        assert v.ok and not v.chunked
    assert budget.verdict(budget.basin_work("adam", surfaces.get("himmelblau"), 500, 100)).ok  # Compare's default


def test_the_network_estimate_counts_what_the_old_one_missed():
    """The issue's case: spirals, 64,64,64, batch 4, 10 epochs, 12 optimizers (4.9 s of CPU; estimated 1.43 s)."""
    setup = training.prepare("spirals", (64, 64, 64), "relu", 4, 10, 0.3, 0)
    assert training.estimated_seconds(setup, list(training.OPTIMIZERS)) > 2.0
    with pytest.raises(ValueError, match="over the limit"):
        training.check_budget(setup, list(training.OPTIMIZERS))
    iris = training.prepare("iris", (16,), "relu", 16, 200, 0.3, 0)
    assert budget.verdict(training.work(iris, list(training.CLASSIC))).ok  # the page's default fits


def test_largest_finds_the_last_value_that_fits():
    assert budget.largest(lambda k: k * k <= 50, 1, 100) == 7
    assert budget.largest(lambda k: False, 1, 100) is None
    assert budget.largest(lambda k: True, 1, 100) == 100


@pytest.mark.parametrize("opt", ["sgd", "newton"])
def test_a_chunk_between_two_checks_is_at_most_chunk_units(opt):
    for s in (surfaces.get("beale"), surfaces.from_formula(WORST)):
        for starts in (1, 2500):
            step = budget.run_work(opt, s, 1, starts)
            every = budget.steps_per_chunk(step)
            assert every >= 1 and (every == 1 or every * step <= budget.CHUNK)


def test_the_run_hook_is_called_every_so_many_steps_and_can_stop_the_run():
    s = surfaces.get("bowl")
    seen = []
    traj = optimizers.run(optimizers.make("sgd", lr=0.1), s, np.array([1.0, 1.0]), 25, progress=seen.append, every=10)
    assert seen == [10, 20] and traj.steps == 25

    class Stop(Exception):
        pass

    def stop(t):
        raise Stop(t)

    with pytest.raises(Stop):
        optimizers.run(optimizers.make("sgd", lr=0.1), s, np.array([1.0, 1.0]), 25, progress=stop, every=10)


def test_training_calls_its_hook_every_so_many_updates():
    setup = training.prepare("iris", (4,), "relu", 16, 3, 0.3, 0)
    seen = []
    training.fit(setup, optimizers.make("sgd", lr=0.1), "sgd", progress=seen.append, every=5)
    updates = 3 * setup.batches_per_epoch
    assert seen == list(range(5, updates + 1, 5))
