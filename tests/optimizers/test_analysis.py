"""optimizers.analysis: the sweep equals one-at-a-time runs bit for bit, the best rate is the lowest final loss
among the non-diverged, basin maps and race metrics against hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import i18n
import optimizers
import surfaces
from optimizers import analysis as A
from surfaces.formula import from_formula

ALL = optimizers.NAMES
ROSEN = surfaces.get("rosenbrock")
BOWL = surfaces.get("bowl")
SADDLE = surfaces.get("saddle")
WELL = surfaces.get("double_well")


# -- rates ----------------------------------------------------------------------------------------------------
def test_log_rates_are_log_spaced_from_low_to_high():
    r = A.log_rates(1e-3, 10.0, 30)
    assert len(r) == 30 and r[0] == pytest.approx(1e-3) and r[-1] == pytest.approx(10.0)
    ratios = r[1:] / r[:-1]
    np.testing.assert_allclose(ratios, 10 ** (4 / 29), rtol=1e-12)


@pytest.mark.parametrize("low, high, n", [(0, 1, 30), (1, 0.5, 30), (1e-3, 1, 1), (1e-3, math.inf, 30)])
def test_log_rates_reject_bad_ranges(low, high, n):
    with pytest.raises(ValueError):
        A.log_rates(low, high, n)


# -- the sweep --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_the_sweep_equals_runs_one_rate_at_a_time_bit_for_bit(name):
    rates = A.log_rates(1e-4, 10.0, 30)
    start = np.array([-1.0, 0.5])
    sw = A.sweep(name, ROSEN, start, 60, rates)
    assert sw.rates.shape == sw.final_loss.shape == sw.diverged_at.shape == (30,)
    for i, lr in enumerate(rates):
        one = optimizers.run(optimizers.make(name, lr=float(lr)), ROSEN, start, 60)
        for kind in ("diverged_at", "escaped_at", "undefined_at"):
            assert getattr(sw, kind)[i] == (-1 if getattr(one, kind) is None else getattr(one, kind))
        assert sw.final_loss[i] == one.losses[-1]  # bitwise: the same floating-point operations
    if name in ("sgd", "momentum", "nesterov"):
        assert sw.diverged.any() and not sw.diverged.all()  # the range spans both behaviours on Rosenbrock


@pytest.mark.parametrize("name", ["adam", "momentum", "rmsprop"])
def test_the_sweep_keeps_the_other_hyperparameters(name):
    hp = {"adam": {"beta1": 0.5}, "momentum": {"momentum": 0.5}, "rmsprop": {"centered": True}}[name]
    rates = A.log_rates(1e-3, 1.0, 5)
    sw = A.sweep(name, BOWL, (2.0, 1.5), 20, rates, hypers={**hp, "lr": 123.0})  # the lr given is ignored
    for i, lr in enumerate(rates):
        one = optimizers.run(optimizers.make(name, lr=float(lr), **hp), BOWL, (2.0, 1.5), 20)
        assert sw.final_loss[i] == one.losses[-1]


def test_rates_are_sorted_ascending():
    sw = A.sweep("sgd", BOWL, (2.0, 1.5), 5, np.array([0.3, 0.01, 0.1]))
    assert list(sw.rates) == [0.01, 0.1, 0.3]
    assert sw.final_loss[2] == optimizers.run(optimizers.make("sgd", lr=0.3), BOWL, (2.0, 1.5), 5).losses[-1]


@pytest.mark.parametrize(
    "losses, diverged, best",
    [
        ([3.0, 1.0, 2.0], [False, False, False], 1),
        ([3.0, 1.0, 2.0], [False, True, False], 2),  # a diverged rate never wins, whatever its loss
        ([1.0, 1.0, 2.0], [False, False, False], 0),  # exact tie: the smaller rate
        ([5.0, np.nan, 4.0], [False, False, False], 2),  # non-finite never wins
        ([3.0, 1.0], [True, True], None),  # all diverged: no best
    ],
)
def test_best_index(losses, diverged, best):
    assert A.best_index(np.array(losses), np.array(diverged)) == best


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop", "adagrad", "newton"])
def test_the_best_rate_has_the_lowest_final_loss_among_those_that_did_not_diverge(name):
    sw = A.sweep(name, ROSEN, (-1.5, 2.0), 200)
    ok = ~sw.diverged
    assert ok.any()
    assert sw.best_loss == sw.final_loss[ok].min()
    assert sw.best_rate == sw.rates[ok][np.argmin(sw.final_loss[ok])]
    one = optimizers.run(optimizers.make(name, lr=sw.best_rate), ROSEN, (-1.5, 2.0), 200)
    assert one.diverged_at is None and one.losses[-1] == sw.best_loss


def test_a_sweep_where_every_rate_diverges_has_no_best():
    sw = A.sweep("sgd", BOWL, (2.0, 1.5), 50, A.log_rates(1.5, 10.0, 30))  # |1 - 2γ| > 1: every rate blows up
    assert sw.diverged.all()
    assert sw.best_index is None and sw.best_rate is None and sw.best_loss is None


# -- the basin map ------------------------------------------------------------------------------------------------
def test_basin_grid_and_one_step_to_the_bowls_minimum():
    # SGD with γ = 0.5 on x² + y² lands on the origin in one step from anywhere: θ − 0.5·2θ = 0.
    bm = A.basin_map(optimizers.make("sgd", lr=0.5), BOWL, 5, n=101)
    assert bm.label.shape == bm.steps_to.shape == (101, 101)
    np.testing.assert_allclose(bm.xs, np.linspace(-2.5, 2.5, 101))
    assert (bm.label == 0).all()
    assert bm.tol == 0.02 * 5.0
    expected = np.where(np.hypot(bm.xs[None, :], bm.ys[:, None]) <= bm.tol, 0, 1)  # starts already there: 0
    np.testing.assert_array_equal(bm.steps_to, expected)
    assert bm.counts() == {0: 101 * 101, A.NOT_REACHED: 0, A.DIVERGED: 0, A.ESCAPED: 0, A.UNDEFINED: 0}


def test_basin_steps_to_halving_contraction():
    # γ = 0.25: θ_t = θ₀/2ᵗ, so the distance drops within tol at t = ceil(log2(|θ₀| / tol)).
    bm = A.basin_map(optimizers.make("sgd", lr=0.25), BOWL, 40, n=11, tol=0.01)
    for i, y in enumerate(bm.ys):
        for j, x in enumerate(bm.xs):
            r = math.hypot(x, y)
            want = 0 if r <= 0.01 else math.ceil(math.log2(r / 0.01))
            assert bm.steps_to[i, j] == want, (x, y)


def test_basins_of_the_double_well_follow_the_sign_of_x():
    bm = A.basin_map(optimizers.make("sgd", lr=0.05), WELL, 300, n=41)
    x = bm.xs[None, :] * np.ones((41, 1))
    assert list(map(tuple, WELL.minima)) == [(-1.0, 0.0), (1.0, 0.0)]
    assert (bm.label[x < 0] == 0).all() and (bm.label[x > 0] == 1).all()
    assert (bm.label[x == 0] == A.NOT_REACHED).all()  # on the ridge the gradient has no x part: stuck at the saddle


def test_diverged_starts_are_labelled_diverged():
    bm = A.basin_map(optimizers.make("sgd", lr=1.5), BOWL, 200, n=21)  # θ ← −2θ: every start but 0 blows up
    centre = (bm.xs[None, :] == 0) & (bm.ys[:, None] == 0)
    assert (bm.label[~centre] == A.DIVERGED).all() and (bm.steps_to[~centre] == -1).all()
    assert (bm.diverged_at[~centre] > 0).all()
    assert bm.label[centre].item() == 0


@pytest.mark.parametrize("name", ["adam", "momentum", "newton"])
def test_basin_map_agrees_with_single_runs_and_does_not_depend_on_chunks(name):
    s = surfaces.get("himmelblau")
    opt = optimizers.make(name, **({"lr": 0.05} if name != "newton" else {}))
    bm = A.basin_map(opt, s, 80, n=12)
    small = A.basin_map(opt, s, 80, n=12, chunk=7)
    np.testing.assert_array_equal(bm.label, small.label)
    np.testing.assert_array_equal(bm.steps_to, small.steps_to)
    for i, j in [(0, 0), (3, 7), (11, 11), (6, 2), (9, 5)]:
        one = optimizers.run(opt, s, (bm.xs[j], bm.ys[i]), 80)
        d = np.linalg.norm(s.minima - one.final, axis=1)
        want = int(d.argmin()) if d.min() <= bm.tol else A.NOT_REACHED
        if one.diverged_at is not None:
            want = A.DIVERGED
        assert one.escaped_at is None and one.undefined_at is None
        assert bm.label[i, j] == want
        assert bm.final_loss[i, j] == one.losses[-1]


# -- race metrics -----------------------------------------------------------------------------------------------
def test_steps_to_tolerance_and_distance_on_the_bowl():
    # γ = 0.25 halves θ each step: f_t = 6.25 / 4ᵗ <= 1e-3 first at t = ceil(log4(6250)) = 7.
    traj = optimizers.run(optimizers.make("sgd", lr=0.25), BOWL, (2.0, 1.5), 10)
    m = A.metrics(traj, BOWL, loss_tol=1e-3)
    assert m["steps_to_tol"] == 7
    assert m["final_loss"] == traj.losses[-1]
    assert m["distance_to_minimum"] == pytest.approx(2.5 / 2**10, rel=1e-12)
    assert m["near_saddle_at"] is None and m["escaped_saddle_at"] is None and m["diverged_at"] is None


def test_saddle_escape_hand_worked():
    # SGD γ = 0.05 on x² − y²: x_t = 1.5·0.9ᵗ, y_t = 1e-3·1.1ᵗ; radius 5% of the 4-wide view = 0.2.
    traj = optimizers.run(optimizers.make("sgd", lr=0.05), SADDLE, (1.5, 1e-3), 100)
    t = np.arange(101)
    x, y = 1.5 * 0.9**t, 1e-3 * 1.1**t
    np.testing.assert_allclose(traj.points[:, 0], x, rtol=1e-12)
    r = np.hypot(x, y)
    near = int(np.argmax(r <= 0.2))
    escaped = int(near + 1 + np.argmax((r[near + 1 :] > 0.2) & (x[near + 1 :] ** 2 < y[near + 1 :] ** 2)))
    m = A.metrics(traj, SADDLE)
    assert (m["near_saddle_at"], m["escaped_saddle_at"]) == (near, escaped)
    assert 15 < near < escaped < 70
    assert m["distance_to_minimum"] is None and m["steps_to_tol"] is None  # no minimum on a saddle


def test_newton_on_the_saddle_is_near_and_never_escapes():
    traj = optimizers.run(optimizers.make("newton"), SADDLE, (1.0, 0.5), 30)
    m = A.metrics(traj, SADDLE)
    assert m["near_saddle_at"] == 1 and m["escaped_saddle_at"] is None


def test_steps_after_divergence_do_not_count():
    traj = optimizers.run(optimizers.make("sgd", lr=1.5), BOWL, (2.0, 1.5), 50)
    m = A.metrics(traj, BOWL)
    assert m["diverged_at"] == traj.diverged_at > 0 and m["steps_to_tol"] is None


def test_a_race_shares_one_noise_sequence():
    opts = [optimizers.make("sgd", lr=0.01), optimizers.make("adam", lr=0.05), optimizers.make("momentum")]
    trajs = A.race(opts, BOWL, (2.0, 1.5), 40, noise=0.3, seed=7)
    noise = [t.grads - BOWL.grad(t.points) for t in trajs]
    for n in noise[1:]:
        np.testing.assert_allclose(n, noise[0], atol=1e-12)
    for opt, t in zip(opts, trajs, strict=True):
        one = optimizers.run(opt, BOWL, (2.0, 1.5), 40, noise=0.3, seed=7)
        np.testing.assert_array_equal(t.points, one.points)


def test_global_min_value():
    assert A.global_min_value(ROSEN) == 0.0
    assert A.global_min_value(SADDLE) is None


# -- outcomes: escaped is not diverged, and the sweep and the basin map keep them apart ---------------------------
MONKEY = surfaces.get("monkey_saddle")


@pytest.mark.parametrize("name", ["sgd", "momentum"])
def test_the_saddle_escapes_are_not_divergences_in_metrics_and_outcome(name):
    traj = optimizers.run(optimizers.make(name), SADDLE, (1.0, 0.5), 1000)
    m = A.metrics(traj, SADDLE)
    out = m["outcome"]
    assert m["diverged_at"] is None and m["undefined_at"] is None and m["escaped_at"] == out.step
    assert out.kind == "escaped" and out.step == int(traj.last_real) + 1
    # the claim: it left the map, going downhill, to below every value on the view
    lo, hi = SADDLE.divergence_box()
    last = traj.points[out.last_step]
    assert ((last >= lo) & (last <= hi)).all() and out.point == tuple(last)
    assert (np.diff(traj.losses[: out.last_step + 1][-3:]) < 0).all()
    assert traj.exit_loss < traj.losses[out.last_step] and traj.exit_loss < -4.0  # −4: f's lowest on the view
    assert SADDLE.unbounded_below and "f → −∞" in out.detail and "lower the learning rate" not in out.message
    with i18n.use("zh"):  # the same claims in Chinese, with the run's own step numbers
        zh = A.outcome(traj)
    assert (zh.kind, zh.step, zh.last_step, zh.point) == (out.kind, out.step, out.last_step, out.point)
    assert f"第 {out.step} 步" in zh.headline and f"第 {out.last_step} 步" in zh.detail
    assert "f → −∞" in zh.detail and "降低学习率" not in zh.message


def _outcome_cases():
    apex = from_formula("sqrt(x^2+y^2)")
    return [
        ("apex", apex, optimizers.make("sgd", lr=0.5), (0.5, 0.0), "undefined", 1, (0.0, 0.0)),
        ("monkey-newton", MONKEY, optimizers.make("newton"), (0.0, 0.0), "undefined", 0, (0.0, 0.0)),
        ("bowl-too-fast", BOWL, optimizers.make("sgd", lr=5.0), (1.0, 1.0), "diverged", 2, (-9.0, -9.0)),
        ("bowl", BOWL, optimizers.make("sgd", lr=0.1), (1.0, 1.0), "ran", None, None),
    ]


@pytest.mark.parametrize("case", _outcome_cases(), ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_outcome_says_what_happened_where(case):
    _, surf, opt, start, kind, step, point = case
    traj = optimizers.run(opt, surf, start, 30)
    out = A.outcome(traj)
    assert out.kind == kind and out.step == step
    if point is not None:
        assert out.point == pytest.approx(point)
        p = np.array(out.point)
    if kind == "undefined":  # the claim: nothing is defined to step with at that point
        bad_grad = not np.isfinite(surf.grad(p)).all()
        h = surf.hessian(p)
        singular = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0] == 0
        assert bad_grad or (opt.needs_hessian and singular)
        assert ("gradient is undefined" in out.headline) == bad_grad
        assert "lower the learning rate" not in out.message
    if kind == "diverged":  # the claim "the loss grew": the iterate it refused has a larger loss
        assert traj.exit_loss > traj.losses[out.last_step] and "lower the learning rate" in out.message
    if kind == "ran":
        assert not out.stopped and out.last_step == 30
    with i18n.use("zh"):  # the same claims in Chinese: the same numbers, the advice only for a divergence
        zh = A.outcome(traj)
    assert (zh.kind, zh.step, zh.last_step, zh.point) == (out.kind, out.step, out.last_step, out.point)
    assert ("降低学习率" in zh.message) == ("lower the learning rate" in out.message)
    if kind == "undefined":
        assert ("梯度在" in zh.headline and "无定义" in zh.headline) == bad_grad
        assert f"第 {step} 步是最后一步" in zh.detail
    if kind == "diverged":
        assert zh.headline == f"运行在第 {step} 步发散" and f"第 {out.last_step} 步之前的路径予以保留" in zh.detail
    if kind == "ran":
        assert zh.headline == f"运行走完了全部 {traj.steps} 步"


def test_outcome_of_a_batch_start_equals_the_single_run():
    starts = np.array([[1.0, 0.5], [0.0, 0.0], [0.3, 1e-12]])
    opt = optimizers.make("newton", lr=0.5)
    batch = optimizers.run(opt, MONKEY, starts, 40)
    for i, s in enumerate(starts):
        assert A.outcome(batch, i) == A.outcome(optimizers.run(opt, MONKEY, s, 40))
    with pytest.raises(ValueError):
        A.outcome(batch)


@pytest.mark.parametrize(
    "losses, failed, escaped, best",
    [
        ([3.0, 1.0, 2.0], [False, False, False], [-1, -1, -1], 1),
        ([3.0, 1.0, 2.0], [False, True, False], [-1, -1, -1], 2),
        ([3.0, 1.0, 2.0], [False, False, False], [-1, 40, 12], 2),  # an escape beats any loss; the soonest wins
        ([3.0, 1.0, 2.0], [False, False, False], [12, -1, 12], 0),  # tie: the smaller rate
        ([3.0, 1.0, 2.0], [True, True, True], [-1, -1, -1], None),
    ],
)
def test_best_index_with_escapes(losses, failed, escaped, best):
    assert A.best_index(np.array(losses), np.array(failed), np.array(escaped)) == best


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_the_sweep_on_the_saddle_picks_the_rate_that_escapes_soonest(name):
    sw = A.sweep(name, SADDLE, (1.0, 0.5), 300)
    assert sw.escaped.any() and sw.best_by_escape
    i = sw.best_index
    assert sw.escaped[i] and sw.escaped_at[i] == sw.escaped_at[sw.escaped].min()
    assert not sw.escaped[:i][sw.escaped_at[:i] == sw.escaped_at[i]].any()  # the smaller of tied rates
    assert sw.best_loss is None  # its loss fell off the map: no final loss to show
    # escaped rates are not diverged ones, and the best is not chosen by the final loss
    assert not (sw.diverged & sw.escaped).any()
    one = optimizers.run(optimizers.make(name, lr=sw.best_rate), SADDLE, (1.0, 0.5), 300)
    assert one.escaped_at == sw.escaped_at[i] and one.diverged_at is None


def test_the_basin_map_of_the_saddle_labels_escapes():
    bm = A.basin_map(optimizers.make("sgd", lr=0.1), SADDLE, 200, n=21)
    c = bm.counts()
    off_ridge = np.abs(bm.ys) > 0
    assert (bm.label[off_ridge[:, None].repeat(21, 1)] == A.ESCAPED).all()  # every start off y = 0 escapes
    assert c[A.DIVERGED] == 0 and c[A.ESCAPED] == 20 * 21
    assert (bm.escaped_at[bm.label == A.ESCAPED] > 0).all() and (bm.steps_to == -1).all()
    for i, j in [(0, 0), (4, 17), (20, 3)]:
        one = optimizers.run(optimizers.make("sgd", lr=0.1), SADDLE, (bm.xs[j], bm.ys[i]), 200)
        assert bm.escaped_at[i, j] == one.escaped_at
