"""optimizers.theory: the local quadratic model against numpy.linalg and the closed forms, predicted rates
against measured ones on the exact quadratics, stability limits at their edge, and the sharpness of a run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optimizers
import surfaces
from content import presets
from optimizers import analysis
from optimizers import theory as T

BOWL = surfaces.get("bowl")
RAVINE = surfaces.get("ravine")
SADDLE = surfaces.get("saddle")
ROSEN = surfaces.get("rosenbrock")


class Quadratic:
    """f = ½ θᵀAθ for a symmetric A (a test surface)."""

    name = "quadratic"
    bounds = ((-3.0, 3.0), (-3.0, 3.0))

    def __init__(self, a):
        self.a = np.asarray(a, dtype=np.float64)

    def f(self, xy):
        xy = np.asarray(xy, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", xy, self.a, xy)

    def grad(self, xy):
        return np.asarray(xy, dtype=np.float64) @ self.a

    def hessian(self, xy):
        xy = np.asarray(xy, dtype=np.float64)
        return np.broadcast_to(self.a, xy.shape[:-1] + (2, 2))

    def divergence_box(self):
        return np.array([-1e6, -1e6]), np.array([1e6, 1e6])


def _sym(a, b, c):
    return np.array([[a, b], [b, c]])


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
positive = st.floats(0.01, 100, allow_nan=False, allow_infinity=False)
angle = st.floats(0, math.pi, allow_nan=False)


def _spd(l1, l2, phi):
    c, s = math.cos(phi), math.sin(phi)
    r = np.array([[c, -s], [s, c]])
    return r @ np.diag([l1, l2]) @ r.T


# -- the model against numpy.linalg ------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(finite, finite, finite)
def test_eigen_decomposition_agrees_with_numpy_on_random_symmetric_matrices(a, b, c):
    h = _sym(a, b, c)
    m = analysis.quadratic_model(Quadratic(h), (0.3, -0.7))
    np.testing.assert_allclose(m.eigenvalues, np.linalg.eigvalsh(h), rtol=1e-12, atol=1e-12)
    v = m.eigenvectors
    np.testing.assert_allclose(v.T @ v, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(h @ v, v * m.eigenvalues, atol=1e-10 * max(1.0, np.abs(h).max()))
    assert m.lambda_min <= m.lambda_max
    np.testing.assert_allclose(m.gradient, h @ np.array([0.3, -0.7]), atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(positive, positive, angle)
def test_closed_forms_at_a_minimum(l1, l2, phi):
    h = _spd(l1, l2, phi)
    m = analysis.quadratic_model(Quadratic(h), (1.0, 2.0))
    lo, hi = min(l1, l2), max(l1, l2)
    kappa = hi / lo
    assert m.kind == "minimum" and m.escape_direction is None and m.gd_growth(0.1) is None
    assert m.condition_number == pytest.approx(kappa, rel=1e-9)
    assert m.gd_lr_max == pytest.approx(2 / hi, rel=1e-9)
    assert m.gd_lr_best == pytest.approx(2 / (lo + hi), rel=1e-9)
    assert m.gd_rate == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-9, abs=1e-12)
    g, mu = m.heavy_ball_best
    assert g == pytest.approx(4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2, rel=1e-9)
    r = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert mu == pytest.approx(r * r, rel=1e-9, abs=1e-15) and m.heavy_ball_rate == pytest.approx(r, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(positive, positive, angle)
def test_the_best_rates_are_the_best(l1, l2, phi):
    """γ* minimises max|1 − γλ|, and (γ*, μ*) minimise heavy ball's spectral radius (the iteration matrices'
    eigenvalues, computed by numpy.linalg.eigvals, not by the closed forms)."""
    m = analysis.quadratic_model(Quadratic(_spd(l1, l2, phi)), (0.0, 0.0))
    best = m.gd_rate_at(m.gd_lr_best)
    assert best == pytest.approx(m.gd_rate, abs=1e-12)
    for f in (0.9, 0.99, 1.01, 1.1):
        assert m.gd_rate_at(f * m.gd_lr_best) >= best - 1e-12

    def radius(lr, mu):
        mats = [np.array([[1 + mu - lr * lam, -mu], [1.0, 0.0]]) for lam in m.eigenvalues]
        return max(np.abs(np.linalg.eigvals(a)).max() for a in mats)

    g, mu = m.heavy_ball_best
    # a double root: eigvals is accurate to about √(machine ε) there
    assert radius(g, mu) == pytest.approx(m.heavy_ball_rate, abs=1e-6)
    assert m.heavy_ball_rate_at(g, mu) == pytest.approx(m.heavy_ball_rate, abs=1e-6)
    for dg, dm in ((0.95, 1), (1.05, 1), (1, 0.9), (1, min(1.1, 0.999 / max(mu, 1e-9)))):
        assert radius(g * dg, min(mu * dm, 0.999)) >= m.heavy_ball_rate - 1e-6


@settings(max_examples=100, deadline=None)
@given(positive, positive, angle)
def test_a_saddle_has_an_escape_direction_and_growth(l1, l2, phi):
    h = _spd(l1, -l2, phi)
    m = analysis.quadratic_model(Quadratic(h), (0.5, 0.5))
    assert m.kind == "saddle" and m.condition_number is None
    assert m.gd_lr_best is None and m.gd_rate is None and m.heavy_ball_best is None and m.heavy_ball_rate is None
    u = m.escape_direction
    np.testing.assert_allclose(h @ u, -l2 * u, atol=1e-9 * max(l1, l2))
    assert m.gd_growth(0.05) == pytest.approx(1 + 0.05 * l2, rel=1e-12)
    assert m.gd_lr_max == pytest.approx(2 / l1, rel=1e-9)


def test_flat_and_maximum_points():
    flat = analysis.quadratic_model(Quadratic(np.diag([0.0, 2.0])), (0, 0))
    assert flat.kind == "flat" and flat.condition_number == math.inf and flat.gd_rate is None
    top = analysis.quadratic_model(Quadratic(np.diag([-1.0, -3.0])), (0, 0))
    assert top.kind == "maximum" and top.gd_lr_max == math.inf and top.gd_growth(0.1) == pytest.approx(1.3)
    with pytest.raises(ValueError, match="not finite"):
        analysis.quadratic_model(Quadratic(np.array([[np.nan, 0], [0, 1]])), (0, 0))


def test_curvature_batched_equals_one_point_at_a_time():
    pts = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    w, v = T.curvature(ROSEN, pts)
    for p, wi, vi in zip(pts, w, v, strict=True):
        m = analysis.quadratic_model(ROSEN, p)
        np.testing.assert_array_equal(wi, m.eigenvalues)
        np.testing.assert_array_equal(vi, m.eigenvectors)


# -- predicted against measured on the exact quadratics ------------------------------------------------------------
def _run(name, surface, start, steps, **hp):
    return optimizers.run(optimizers.make(name, **hp), surface, np.array(start, dtype=float), steps)


def test_gradient_descent_at_the_best_rate_contracts_by_the_predicted_factor_every_step_on_the_ravine():
    m = analysis.quadratic_model(RAVINE, RAVINE.default_start)
    assert m.gd_rate == pytest.approx(49 / 51)  # κ = 50
    traj = _run("sgd", RAVINE, RAVINE.default_start, 300, lr=m.gd_lr_best)
    rate = analysis.measured_rate(traj.points, RAVINE.minima[0])
    assert np.isfinite(rate).all()
    np.testing.assert_allclose(rate, m.gd_rate, rtol=0, atol=1e-9)


def test_gradient_descent_at_the_best_rate_lands_on_the_bowls_minimum_in_one_step():
    m = analysis.quadratic_model(BOWL, BOWL.default_start)
    assert m.gd_rate == 0.0 and m.gd_lr_best == 0.5
    traj = _run("sgd", BOWL, BOWL.default_start, 5, lr=m.gd_lr_best)
    rate = analysis.measured_rate(traj.points, BOWL.minima[0])
    assert rate[0] == pytest.approx(m.gd_rate, abs=1e-9)
    assert np.isnan(rate[1:]).all()  # 0/0 after it has arrived: no rate to measure


def test_gradient_descent_at_another_rate_settles_to_the_slowest_factor():
    m = analysis.quadratic_model(RAVINE, (0, 0))
    traj = _run("sgd", RAVINE, (-4.0, 1.5), 200, lr=0.05)
    rate = analysis.measured_rate(traj.points, RAVINE.minima[0])
    np.testing.assert_allclose(rate[60:], m.gd_rate_at(0.05), atol=1e-9)  # 1 − 0.05·0.5 = 0.975


def test_heavy_ball_at_the_best_pair_is_critically_damped_at_the_predicted_rate():
    """Each coordinate's error is (a + bt)·(±r)ᵗ with r the predicted rate (the double root is +r along the
    flat axis, −r along the steep one, where the run zig-zags): divided by (±r)ᵗ it is linear in t."""
    m = analysis.quadratic_model(RAVINE, (0, 0))
    g, mu = m.heavy_ball_best
    traj = _run("momentum", RAVINE, (-4.0, 1.5), 60, lr=g, momentum=mu)
    t = np.arange(61)
    root = m.heavy_ball_rate * np.array([1.0, -1.0])  # x: λ = 0.5 (flat), y: λ = 25 (steep)
    c = traj.points / root[None, :] ** t[:, None]
    linear = c[0] + t[:, None] * (c[1] - c[0])
    np.testing.assert_allclose(c, linear, rtol=1e-9, atol=1e-9 * np.abs(c).max())
    rate = analysis.measured_rate(traj.points, RAVINE.minima[0])
    assert abs(rate[-1] - m.heavy_ball_rate) < 0.02 * m.heavy_ball_rate  # the ratio tends to r like r(1 + 1/t)


def test_gradient_descent_leaves_the_saddle_by_the_predicted_factor():
    traj = _run("sgd", SADDLE, (1.0, 1e-3), 40, lr=0.02)
    m = analysis.quadratic_model(SADDLE, traj.points[0])
    rate = analysis.measured_rate(traj.points, SADDLE.saddles[0], m.escape_direction)
    np.testing.assert_allclose(rate, m.gd_growth(0.02), rtol=1e-12)  # 1 + 0.02·2


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_the_stability_limit_separates_converging_from_diverging_runs(name):
    m = analysis.quadratic_model(RAVINE, (0, 0))
    hp = {} if name == "sgd" else {"momentum": 0.5}
    lr_max = m.gd_lr_max if name == "sgd" else m.momentum_lr_max(0.5, nesterov=name == "nesterov")
    below = _run(name, RAVINE, (-4.0, 1.5), 3000, lr=0.98 * lr_max, **hp)
    above = _run(name, RAVINE, (-4.0, 1.5), 3000, lr=1.02 * lr_max, **hp)
    assert below.diverged_at is None and np.linalg.norm(below.final) < 1e-6
    assert above.diverged_at is not None
    # and the closed form is where the iteration's spectral radius crosses 1
    lam = np.array([m.lambda_max])
    if name != "sgd":
        nes = name == "nesterov"
        inside, outside = (T.momentum_radius(lam, f * lr_max, 0.5, nes)[0] for f in (0.999, 1.001))
        assert inside < 1 < outside


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
@pytest.mark.parametrize("curv", [(0.5, 25.0), (1.0, 4.0), (2.0, 3.0)])
def test_best_hypers_minimise_the_iterations_spectral_radius(name, curv):
    """No (γ, μ) on a grid around best_hypers' values contracts faster, and the best rate is the closed form."""
    m = analysis.quadratic_model(_Quad(*curv), (0.3, -0.2))
    best = analysis.best_hypers(name, m)
    lam = m.eigenvalues
    kappa = curv[1] / curv[0]

    def radius(lr, mu):
        if name == "sgd":
            return float(np.abs(1 - lr * lam).max())
        return float(T.momentum_radius(lam, lr, mu, name == "nesterov").max())

    at_best = radius(best["lr"], best.get("momentum", 0.0))
    closed = {
        "sgd": (kappa - 1) / (kappa + 1),
        "momentum": (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1),
        "nesterov": 1 - 2 / math.sqrt(3 * kappa + 1),
    }[name]
    # the best momentum settings make a double root: rounding in the discriminant moves the root by ~√ε
    assert at_best == pytest.approx(closed, rel=1e-9 if name == "sgd" else 1e-7)
    lrs = best["lr"] * np.linspace(0.5, 1.5, 101)
    mus = [0.0] if name == "sgd" else np.linspace(0.0, 0.99, 100)
    assert min(radius(a, b) for a in lrs for b in mus) >= at_best - 1e-7


def test_best_hypers_do_not_exist_without_a_minimum_or_for_other_optimizers():
    assert analysis.best_hypers("sgd", analysis.quadratic_model(SADDLE, (0.5, 0.5))) is None
    assert analysis.best_hypers("nesterov", analysis.quadratic_model(SADDLE, (0.5, 0.5))) is None
    assert analysis.best_hypers("adam", analysis.quadratic_model(RAVINE, (0.5, 0.5))) is None


class _Quad:
    """½(a x² + b y²): a quadratic with eigenvalues a, b (what quadratic_model reads: f, grad, hessian, bounds)."""

    bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def __init__(self, a, b):
        self.h = np.diag([a, b])

    def f(self, p):
        p = np.asarray(p, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", p, self.h, p)

    def grad(self, p):
        return np.asarray(p, dtype=float) @ self.h

    def hessian(self, p):
        return np.broadcast_to(self.h, np.shape(p)[:-1] + (2, 2))


def test_measured_rate_is_nan_where_there_is_nothing_to_measure():
    pts = np.array([[1.0, 0.0], [0.5, 0.0], [0.0, 0.0], [0.0, 0.0], [np.nan, 0.0]])
    r = analysis.measured_rate(pts, (0.0, 0.0))
    assert r[0] == 0.5 and r[1] == 0.0 and np.isnan(r[2]) and np.isnan(r[3])
    along = analysis.measured_rate(np.array([[3.0, 1.0], [5.0, 2.0]]), (0, 0), direction=(0.0, 2.0))
    assert along.tolist() == [2.0]


# -- edge of stability ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, hp, value, label",
    [
        ("sgd", {"lr": 0.1}, 20.0, "2/γ"),
        ("momentum", {"lr": 0.1, "momentum": 0.9}, 38.0, "(2 + 2μ)/γ"),
        ("nesterov", {"lr": 0.1, "momentum": 0.5}, 15.0, "(2 + 2μ)/(γ(1 + 2μ))"),
        ("adam", {"lr": 0.1, "beta1": 0.9}, 380.0, "(2 + 2β₁)/(γ(1 − β₁))"),
        ("amsgrad", {"lr": 1.0, "beta1": 0.5}, 6.0, "(2 + 2β₁)/(γ(1 − β₁))"),
        ("rmsprop", {"lr": 0.5, "momentum": 0.0}, 4.0, "2/γ"),
        ("rmsprop", {"lr": 0.5, "momentum": 0.5}, 6.0, "(2 + 2μ)/γ"),
        ("adagrad", {"lr": 0.25}, 8.0, "2/γ"),
    ],
)
def test_stability_limits(name, hp, value, label):
    lim = analysis.stability_limit(optimizers.make(name, **hp))
    assert lim.value == pytest.approx(value, rel=1e-12) and lim.label == label
    assert lim.preconditioned == (name in T.PRECONDITIONED)


@pytest.mark.parametrize("name", ["adadelta", "adamax", "nadam", "radam", "newton"])
def test_optimizers_without_a_simple_limit_say_why(name):
    lim = analysis.stability_limit(optimizers.make(name))
    assert lim.value is None and lim.note


def test_sharpness_of_gradient_descent_is_the_hessians_top_eigenvalue_at_every_step():
    traj = _run("sgd", ROSEN, (-1.0, 0.5), 200, lr=0.001)
    s = analysis.sharpness(traj, ROSEN)
    expected = [np.linalg.eigvalsh(ROSEN.hessian(p))[-1] for p in traj.points]
    np.testing.assert_allclose(s.sharpness, expected, rtol=1e-12)
    assert s.preconditioned is None and s.limit.value == pytest.approx(2000.0)
    assert s.values is s.sharpness and s.label == "λmax(H)"
    ravine = analysis.sharpness(_run("momentum", RAVINE, (-4, 1.5), 10, lr=0.02, momentum=0.9), RAVINE)
    np.testing.assert_allclose(ravine.sharpness, 25.0)
    assert ravine.crossed_at() is None and ravine.limit.value == pytest.approx(3.8 / 0.02)


def test_preconditioned_sharpness_of_adam_against_a_direct_computation():
    traj = _run("adam", ROSEN, (-1.0, 0.5), 100, lr=0.05)
    s = analysis.sharpness(traj, ROSEN)
    assert s.label == "λmax(P⁻¹H)" and s.values is s.preconditioned
    eta = traj.quantities["step_size"]
    for t in (0, 1, 10, 50, 99):
        # the update that leaves θ_t is scaled by η_{t+1} = γ/(√v̂_{t+1} + ε)
        pinv = np.diag(eta[t + 1] / 0.05)
        direct = np.linalg.eigvals(pinv @ ROSEN.hessian(traj.points[t])).real.max()
        assert s.preconditioned[t] == pytest.approx(direct, rel=1e-9)
    v_hat = traj.quantities["v_hat"][1]
    assert s.preconditioned[0] == pytest.approx(
        np.linalg.eigvals(np.diag(1 / (np.sqrt(v_hat) + 1e-8)) @ ROSEN.hessian(traj.points[0])).real.max(), rel=1e-9
    )
    assert np.isnan(s.preconditioned[-1])  # no update leaves the last point


def test_gradient_descent_past_its_limit_crosses_it_and_the_rows_after_divergence_are_nan():
    traj = _run("sgd", RAVINE, (-4.0, 1.5), 200, lr=0.09)  # 2/γ = 22.2 < λmax = 25
    s = analysis.sharpness(traj, RAVINE)
    assert s.crossed_at() == 0
    d = traj.diverged_at
    assert d is not None and np.isnan(s.sharpness[d:]).all() and np.isfinite(s.sharpness[:d]).all()


def test_sharpness_takes_one_run():
    batch = optimizers.run(optimizers.make("sgd"), BOWL, np.zeros((3, 2)) + 1, 5)
    with pytest.raises(ValueError, match="one start"):
        analysis.sharpness(batch, BOWL)


# -- where the quadratic model holds ----------------------------------------------------------------------------
def test_the_model_holds_everywhere_on_the_exact_quadratics():
    for s in (BOWL, RAVINE, SADDLE):
        pts = np.random.default_rng(1).uniform(-2, 2, (20, 2))
        assert np.all(T.model_radius(s, pts) == np.inf), s.name


def test_the_model_radius_at_the_double_wells_minimum_matches_the_hand_worked_bound():
    """At (1, 0): f − q = 4x³ + x⁴ along x (the worst direction), q = 4x² there, so the error stays within
    10% of the model's change while r + r²/4 <= 0.1, i.e. r <= 0.09761."""
    well = surfaces.get("double_well")
    r = float(T.model_radius(well, (1.0, 0.0)))
    bound = -2 + 2 * math.sqrt(1.1)  # the root of r²/4 + r − 0.1
    diag = math.hypot(4.0, 3.0)
    grid = np.geomspace(diag * 1e-4, diag, 24)
    assert r == grid[grid <= bound].max()  # the largest radius on the grid that is inside the bound
    assert T.model_radius(well, np.array([[1.0, 0.0], [-1.0, 0.0]])).tolist() == [r, r]  # batched, symmetric


# -- the numbers the Explorer shows at step t -----------------------------------------------------------------
def test_step_theory_on_the_ravine_at_the_best_step_predicts_what_it_measures():
    m = analysis.quadratic_model(RAVINE, (0, 0))
    traj = _run("sgd", RAVINE, (-4.0, 1.5), 50, lr=m.gd_lr_best)
    for t in (1, 10, 50):
        st_ = T.step_theory(traj, RAVINE, t)
        assert st_.exact and st_.valid_radius == math.inf
        assert st_.predicted_rate == pytest.approx(49 / 51, abs=1e-12)
        assert st_.measured_rate == pytest.approx(st_.predicted_rate, abs=1e-9)
        assert st_.lr_max == 0.08 and st_.best == {"lr": m.gd_lr_best}
    assert T.step_theory(traj, RAVINE, 0).measured_rate is None


def test_step_theory_at_a_saddle_measures_the_escape():
    traj = _run("sgd", SADDLE, (1.0, 1e-3), 30, lr=0.05)
    st_ = T.step_theory(traj, SADDLE, 20)
    assert st_.model.kind == "saddle" and st_.best is None
    assert st_.predicted_rate == pytest.approx(1.1) and st_.measured_rate == pytest.approx(1.1, rel=1e-12)
    assert "escape" in st_.measured_label


def test_step_theory_for_heavy_ball_and_elsewhere():
    m = analysis.quadratic_model(RAVINE, (0, 0))
    g, mu = m.heavy_ball_best
    traj = _run("momentum", RAVINE, (-4.0, 1.5), 40, lr=g, momentum=mu)
    st_ = T.step_theory(traj, RAVINE, 40)
    assert st_.predicted_rate == pytest.approx(m.heavy_ball_rate, abs=1e-6)
    assert st_.best == {"lr": g, "momentum": mu} and st_.lr_max == pytest.approx((2 + 2 * mu) / 25)
    rosen = T.step_theory(_run("adam", ROSEN, (-1.0, 0.5), 20), ROSEN, 20)
    assert not rosen.exact and 0 < rosen.valid_radius < math.inf
    assert rosen.predicted_rate is None and rosen.lr_max is None and rosen.best is None
    assert rosen.measured_rate is not None  # distance to (1, 1)


# -- the measured rate of momentum: the slowest eigen-direction's recurrence, read off the run ----------------------
def _hb_cases(surface):
    m = analysis.quadratic_model(surface, surface.default_start)
    cases = [
        ("momentum", presets.recommended("momentum", surface.name)),  # under-damped: complex roots
        ("momentum", {"lr": 0.05, "momentum": 0.1}),  # over-damped: two real roots
        ("momentum", {"lr": 0.01, "momentum": 0.5}),
        ("nesterov", presets.recommended("nesterov", surface.name)),
        ("nesterov", {"lr": 0.01, "momentum": 0.2}),
    ]
    if m.heavy_ball_best[1] > 0:  # Polyak's pair: a double root (critically damped); on the bowl μ* = 0
        g, mu = m.heavy_ball_best
        cases.insert(0, ("momentum", {"lr": g, "momentum": mu}))
    return m, cases


@pytest.mark.parametrize("surface", [RAVINE, BOWL], ids=lambda s: s.name)
@pytest.mark.parametrize("start", [None, (1.0, -0.7), (-2.5, 0.3)])
def test_momentum_s_measured_rate_agrees_with_the_predicted_one_to_1e_9_on_the_exact_quadratics(surface, start):
    m, cases = _hb_cases(surface)
    start = surface.default_start if start is None else start
    for name, hp in cases:
        traj = _run(name, surface, start, 400, **hp)
        pred = T.momentum_radius(m.eigenvalues, hp["lr"], hp["momentum"], name == "nesterov").max()
        rate = T.measured_mode_rate(traj.points, surface.minima[0], m.eigenvectors, order=2)
        assert np.isnan(rate[:2]).all()  # a recurrence of order 2 needs four iterates
        seen = np.isfinite(rate)
        assert seen[2:].sum() >= 100, (name, hp)  # measured until the error nears the smallest floats
        np.testing.assert_allclose(rate[seen], pred, rtol=0, atol=1e-9, err_msg=f"{name} {hp}")
        # where the plain ratio of distances does not settle (under-damped: complex roots, it oscillates)
        if name == "momentum" and hp == presets.recommended("momentum", surface.name):
            plain = analysis.measured_rate(traj.points, surface.minima[0])[100:200]
            assert np.nanmax(np.abs(plain - pred)) > 1e-3


@pytest.mark.parametrize("surface", [RAVINE, BOWL], ids=lambda s: s.name)
def test_gradient_descent_s_measured_rate_agrees_from_the_first_step_at_any_rate(surface):
    m = analysis.quadratic_model(surface, surface.default_start)
    for lr in (m.gd_lr_best, 0.03, 0.05, 0.9 * m.gd_lr_max):
        traj = _run("sgd", surface, surface.default_start, 300, lr=lr)
        rate = T.measured_mode_rate(traj.points, surface.minima[0], m.eigenvectors, order=1)
        seen = np.isfinite(rate)
        assert seen[0] and (seen.sum() >= 20 or m.gd_rate_at(lr) < 1e-15)  # the bowl's γ* arrives in one step
        np.testing.assert_allclose(rate[seen], m.gd_rate_at(lr), rtol=0, atol=1e-9)


def test_step_theory_shows_momentum_s_measured_rate_equal_to_the_predicted_one():
    m = analysis.quadratic_model(RAVINE, (0, 0))
    g, mu = m.heavy_ball_best
    traj = _run("momentum", RAVINE, (-4.0, 1.5), 80, lr=g, momentum=mu)
    for t in (3, 10, 40, 80):
        st_ = T.step_theory(traj, RAVINE, t)
        assert st_.predicted_rate == pytest.approx(m.heavy_ball_rate, abs=1e-15)  # the double root, not 1e-8 off
        assert st_.measured_rate == pytest.approx(st_.predicted_rate, abs=1e-9)
        assert "slowest eigen-direction" in st_.measured_label
    assert T.step_theory(traj, RAVINE, 2).measured_rate is None
    rosen = T.step_theory(_run("momentum", ROSEN, (-1.0, 0.5), 30, lr=1e-3, momentum=0.9), ROSEN, 30)
    assert not rosen.exact and "k = 8" in rosen.measured_label  # off a quadratic: over the last 8 steps
    pts = _run("momentum", ROSEN, (-1.0, 0.5), 30, lr=1e-3, momentum=0.9).points
    d = np.linalg.norm(pts - ROSEN.minima[0], axis=1)
    assert rosen.measured_rate == pytest.approx((d[30] / d[22]) ** (1 / 8), rel=1e-12)


def test_a_double_root_is_computed_as_one():
    """At Polyak's pair z² − bz + c has a double root: a discriminant of rounding size must not move it by √ε."""
    for lo, hi in ((0.5, 25.0), (1.0, 3.0), (0.01, 100.0), (2.0, 7.3), (0.3, 0.7), (1e-3, 1.0)):
        sk = math.sqrt(hi / lo)
        g, mu, rate = 4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2, ((sk - 1) / (sk + 1)) ** 2, (sk - 1) / (sk + 1)
        np.testing.assert_allclose(T.momentum_radius([lo, hi], g, mu), rate, rtol=0, atol=1e-14)
    # and distinct roots stay distinct: λ = 1, γ = 0.1, μ = 0.1 gives z² − z + 0.1, roots (1 ± √0.6)/2
    assert T.momentum_radius([1.0], 0.1, 0.1)[0] == pytest.approx((1 + math.sqrt(0.6)) / 2, rel=1e-15)
    assert T.momentum_radius([1.0], 0.5, 0.1)[0] == pytest.approx(math.sqrt(0.1), rel=1e-15)  # complex: √μ
