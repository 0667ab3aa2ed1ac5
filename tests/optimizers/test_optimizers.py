"""The optimizer core, table-driven: every test runs over CASES (every optimizer, and its variants)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizers
import surfaces
from optimizers.explain import explain
from surfaces.base import Surface
from surfaces.formula import from_formula
from tests.optimizers import reference

# (id, optimizer name, hyperparameters beyond the defaults)
CASES = [
    ("sgd", "sgd", {"lr": 0.05}),
    ("momentum", "momentum", {"lr": 0.02, "momentum": 0.9}),
    ("nesterov", "nesterov", {"lr": 0.02, "momentum": 0.8}),
    ("adagrad", "adagrad", {"lr": 0.5}),
    ("adagrad-s0", "adagrad", {"lr": 0.3, "initial_accumulator": 0.1, "eps": 1e-6}),
    ("adadelta", "adadelta", {}),
    ("adadelta-torch", "adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("rmsprop", "rmsprop", {"lr": 0.01}),
    ("rmsprop-centered-momentum", "rmsprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("rmsprop-momentum", "rmsprop", {"lr": 0.02, "rho": 0.9, "momentum": 0.9}),
    ("adam", "adam", {"lr": 0.05}),
    ("adam-no-bias-correction", "adam", {"lr": 0.05, "bias_correction": False}),
    ("amsgrad", "amsgrad", {"lr": 0.05, "beta2": 0.99}),
    ("amsgrad-no-bias-correction", "amsgrad", {"lr": 0.05, "bias_correction": False}),
    ("adamax", "adamax", {"lr": 0.1}),
    ("nadam", "nadam", {"lr": 0.05}),
    ("adamw", "adamw", {"lr": 0.05, "weight_decay": 0.1}),
    ("radam", "radam", {"lr": 0.05}),
    ("radam-rectified-early", "radam", {"lr": 0.05, "beta2": 0.9}),  # ρ_t > 5 from step 6 on
    ("yogi", "yogi", {"lr": 0.05}),
    ("yogi-s0", "yogi", {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4, "initial_accumulator": 0.01}),
    ("adabelief", "adabelief", {"lr": 0.05}),
    ("adabelief-eps", "adabelief", {"lr": 0.03, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "eps_root": 1e-10}),
    ("adafactor", "adafactor", {"lr": 0.05}),
    ("adafactor-clip-decay", "adafactor", {"lr": 0.1, "beta2_decay": -0.7, "eps2": 1e-2, "weight_decay": 0.05}),
    ("signum", "signum", {"lr": 0.01}),
    ("signsgd", "signum", {"lr": 0.01, "momentum": 0.0}),
    ("lion", "lion", {"lr": 0.01}),
    ("lion-decay", "lion", {"lr": 0.003, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1}),
    ("lookahead", "lookahead", {"lr": 0.05}),
    ("lookahead-k3", "lookahead", {"lr": 0.05, "beta1": 0.8, "sync_period": 3, "alpha": 0.8}),
    ("sf_sgd", "sf_sgd", {"lr": 0.05}),
    ("sf_sgd-decay", "sf_sgd", {"lr": 0.02, "momentum": 0.7, "weight_decay": 0.1}),
    ("sf_adamw", "sf_adamw", {"lr": 0.05}),
    ("sf_adamw-decay", "sf_adamw", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    ("newton", "newton", {"lr": 1.0}),
    ("newton-damped", "newton", {"lr": 0.5, "damping": 1.0}),
]
IDS = [c[0] for c in CASES]


def _quartic_surface() -> Surface:
    """A non-separable, non-quadratic test surface: f = x⁴/4 + x·y + y² + 0.5·sin(x)·y... kept analytic."""

    def f(p):
        x, y = p[..., 0], p[..., 1]
        return 0.25 * x**4 + 0.5 * x * y + y**2 + 0.3 * np.sin(x) * y

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x**3 + 0.5 * y + 0.3 * np.cos(x) * y, 0.5 * x + 2 * y + 0.3 * np.sin(x)], axis=-1)

    def hessian(p):
        x, y = p[..., 0], p[..., 1]
        hxx = 3 * x**2 - 0.3 * np.sin(x) * y
        hxy = 0.5 + 0.3 * np.cos(x)
        hyy = 2.0 * np.ones_like(x)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    return Surface("quartic", "Quartic", "", "", f, grad, hessian, bounds=((-2.0, 2.0), (-2.0, 2.0)))


def _bowl() -> Surface:
    a = np.array([[2.0, 0.5], [0.5, 1.0]])

    return Surface(
        "bowl",
        "Bowl",
        "",
        "",
        f=lambda p: 0.5 * np.einsum("...i,ij,...j->...", p, a, p),
        grad=lambda p: p @ a,
        hessian=lambda p: np.broadcast_to(a, p.shape + (2,)).copy(),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minima=np.zeros((1, 2)),
    )


SURF = _quartic_surface()
BOWL = _bowl()
START = np.array([1.2, -0.7])


def _opt(case):
    _, name, hp = case
    return optimizers.make(name, **hp)


# -- hand-worked numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_first_three_steps_match_the_formula(case):
    """Three updates from START equal the rule worked out independently in plain Python floats."""
    _, name, hp = case
    opt = _opt(case)
    full_hp = opt.hyperparams()
    traj = optimizers.run(opt, SURF, START, 3)
    theta, s = list(START), {}
    for t in range(1, 4):
        g = list(SURF.grad(np.array(theta)))
        H = SURF.hessian(np.array(theta)).tolist()
        theta, s = reference.step(name, full_hp, theta, g, s, t, H)
        np.testing.assert_allclose(traj.points[t], theta, rtol=1e-12, atol=1e-15)


def test_hand_worked_numbers():
    """A few steps worked on paper, as literal numbers (f = x² in 1-D, g = 2x; start x = 1)."""
    one_d = np.array([1.0])

    def steps(opt, n):
        x, state, out = one_d, opt.init(one_d), []
        for _ in range(n):
            x, state = opt.update(2 * x, state, x)
            out.append(float(x[0]))
        return out

    # SGD lr 0.1: x ← x − 0.2x = 0.8x
    assert steps(optimizers.make("sgd", lr=0.1), 3) == pytest.approx([0.8, 0.64, 0.512], abs=1e-15)
    # Momentum lr 0.1 μ 0.5: b1 = 2, x1 = 0.8; b2 = 1 + 1.6 = 2.6, x2 = 0.54; b3 = 1.3 + 1.08 = 2.38, x3 = 0.302
    assert steps(optimizers.make("momentum", lr=0.1, momentum=0.5), 3) == pytest.approx([0.8, 0.54, 0.302], abs=1e-14)
    # Nesterov lr 0.1 μ 0.5: b1 = 2, d1 = 2 + 1 = 3, x1 = 0.7; b2 = 1 + 1.4 = 2.4, d2 = 1.4 + 1.2 = 2.6, x2 = 0.44
    assert steps(optimizers.make("nesterov", lr=0.1, momentum=0.5), 2) == pytest.approx([0.7, 0.44], abs=1e-14)
    # Adam's first step is lr·sign(g) (up to ε): m̂ = g, v̂ = g², so x1 = 1 − 0.1·2/(2 + 1e-8)
    assert steps(optimizers.make("adam", lr=0.1), 1) == pytest.approx([1 - 0.1 * 2 / (2 + 1e-8)], abs=1e-15)
    # Adam without bias correction: m = 0.2, v = 0.004, x1 = 1 − 0.1·0.2/(√0.004 + 1e-8) ≈ 0.683772
    expected = 1 - 0.1 * 0.2 / (math.sqrt(0.004) + 1e-8)
    assert steps(optimizers.make("adam", lr=0.1, bias_correction=False), 1) == pytest.approx([expected], abs=1e-15)
    # Adagrad lr 0.5, ε 1e-10: s1 = 4, x1 = 1 − 0.5·2/(2 + ε) ≈ 0.5; s2 = 4 + (2·x1)², x2 = x1 − 0.5·2x1/(√s2 + ε)
    x1 = 1 - 0.5 * 2 / (2 + 1e-10)
    x2 = x1 - 0.5 * 2 * x1 / (math.sqrt(4 + 4 * x1**2) + 1e-10)
    assert x2 == pytest.approx(0.5 - 0.5 / math.sqrt(5), abs=1e-10)  # the ε-free value, as on paper
    assert steps(optimizers.make("adagrad", lr=0.5), 2) == pytest.approx([x1, x2], abs=1e-15)
    # Newton on x² (H = 2) lands on the minimum in one step
    opt = optimizers.make("newton")
    x, state = opt.update(
        np.array([2.0, -3.0]),
        opt.init(np.array([1.0, -1.5])),
        np.array([1.0, -1.5]),
        np.array([[2.0, 0.0], [0.0, 2.0]]),
    )
    assert x.tolist() == [0.0, 0.0]


# -- vectorised == one at a time --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vectorised_equals_one_at_a_time(case):
    opt = _opt(case)
    starts = np.random.default_rng(1).uniform(-1.8, 1.8, size=(7, 2))
    batch = optimizers.run(opt, SURF, starts, 40)
    assert batch.points.shape == (41, 7, 2) and batch.losses.shape == (41, 7) and batch.grads.shape == (41, 7, 2)
    for i, s in enumerate(starts):
        one = optimizers.run(opt, SURF, s, 40)
        np.testing.assert_array_equal(batch.points[:, i], one.points)
        np.testing.assert_array_equal(batch.losses[:, i], one.losses)
        for name, values in one.quantities.items():
            b = batch.quantities[name]
            np.testing.assert_array_equal(b if b.ndim == values.ndim else b[:, i], values)
        for kind in ("diverged_at", "escaped_at", "undefined_at"):
            want = getattr(one, kind)
            assert getattr(batch, kind)[i] == (-1 if want is None else want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_learning_rate_per_start_equals_each_rate_alone(case):
    """lr of shape (k, 1) over k starts (a sweep), every quantity recorded, equals each rate run on its own."""
    _, name, hp = case
    rates = np.array([0.5, 1.0, 2.0]) * hp.get("lr", optimizers.defaults(name)["lr"])
    batch = optimizers.run(
        optimizers.make(name, **{**hp, "lr": rates[:, None]}), SURF, np.repeat(START[None], 3, 0), 20
    )
    for i, rate in enumerate(rates):
        one = optimizers.run(optimizers.make(name, **{**hp, "lr": rate}), SURF, START, 20)
        np.testing.assert_array_equal(batch.points[:, i], one.points)


ELEMENTWISE = [c for c in CASES if optimizers.get(c[1]).elementwise and not optimizers.get(c[1]).needs_hessian]


@pytest.mark.parametrize("case", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_any_parameter_shape_updates_elementwise(case):
    """A (3, 4, 5) parameter array (like a network's weights) updates exactly as each element on its own."""
    opt = _opt(case)
    rng = np.random.default_rng(2)
    params = rng.normal(size=(3, 4, 5))
    grads = [rng.normal(size=params.shape) for _ in range(4)]
    state, p = opt.init(params), params
    for g in grads:
        p, state = opt.update(g, state, p)
    for idx in [(0, 0, 0), (2, 3, 4), (1, 2, 0)]:
        x = params[idx].reshape(1)
        st1 = opt.init(x)
        for g in grads:
            x, st1 = opt.update(g[idx].reshape(1), st1, x)
        assert x[0] == p[idx]


# -- the formula shown is the one computed ----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_inspector_lines_evaluate_to_the_recorded_values(case):
    opt = _opt(case)
    traj = optimizers.run(opt, SURF, START, 12)
    for t in range(1, 13):
        lines = explain(traj, t)
        assert lines[-1].line.name == "theta"
        for e in lines:
            np.testing.assert_allclose(e.value, e.recorded, rtol=1e-12, atol=1e-15, err_msg=f"{e.line.name} t={t}")
            assert all("=" in text for text in e.texts)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_formula_is_written_once_and_used_by_the_docstring(case):
    opt = _opt(case)
    cls = type(opt)
    assert cls.formula_tex() in cls.__doc__
    for line in opt.lines():
        assert line.tex.split("=", 1)[1].strip() in opt.formula()
    # every line's quantity is recorded (or is θ)
    traj = optimizers.run(opt, SURF, START, 1)
    for line in cls.LINES:
        assert line.name == "theta" or line.name in traj.quantities
    assert set(cls.QUANTITIES) <= set(traj.quantities)


def test_formula_drops_the_cases_that_do_not_apply():
    plain = optimizers.make("rmsprop").formula()
    centred = optimizers.make("rmsprop", centered=True, momentum=0.9).formula()
    assert r"\bar g" not in plain and r"\bar g" in centred and "b_t" in centred and "b_t" not in plain
    assert r"1-\beta_1^t" not in optimizers.make("adam", bias_correction=False).formula()
    assert r"\rho_t > 5" in optimizers.make("radam").formula()  # a step-dependent case stays, with its condition


# -- metadata and validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_metadata_is_complete(name):
    cls = optimizers.get(name)
    assert cls.title and cls.description and cls.paper and cls.LINES and cls.QUANTITIES
    opt = optimizers.make(name)
    assert opt.hyperparams() == {k: h.default for k, h in cls.HYPERS.items()}
    for k, h in cls.HYPERS.items():
        assert h.help, k
        if h.kind is not bool:
            assert h.contains(h.default), k
    assert {"lr"} <= set(cls.HYPERS)


@pytest.mark.parametrize("name", optimizers.NAMES)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), -1.0, 1e9, "abc", None])
def test_bad_hyperparameters_raise_value_error_naming_parameter_and_range(name, bad):
    with pytest.raises(ValueError, match=r"^lr must be .*\(0, 10\]"):
        optimizers.make(name, lr=bad)


def test_range_edges():
    with pytest.raises(ValueError, match=r"beta1 .*\[0, 1\)"):
        optimizers.make("adam", beta1=1.0)
    assert optimizers.make("adam", beta1=0.0).beta1 == 0.0
    with pytest.raises(ValueError, match="momentum"):
        optimizers.make("momentum", momentum=1.0)
    with pytest.raises(ValueError, match="bias_correction must be True or False"):
        optimizers.make("adam", bias_correction="maybe")
    with pytest.raises(ValueError, match="lr"):
        optimizers.make("adam", lr=np.array([0.1, -0.1]))


def test_unknown_keyword_and_name():
    with pytest.raises(ValueError, match="adam has no hyperparameter 'momentum'"):
        optimizers.make("adam", momentum=0.9)
    with pytest.raises(TypeError):
        optimizers.make("sgd", beta1=0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        optimizers.make("adamm")


def test_names_and_registry():
    assert optimizers.NAMES == (
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "adadelta",
        "rmsprop",
        "adam",
        "amsgrad",
        "adamax",
        "nadam",
        "adamw",
        "radam",
        "yogi",
        "adabelief",
        "adafactor",
        "signum",
        "lion",
        "lookahead",
        "sf_sgd",
        "sf_adamw",
        "newton",
    )
    assert {c[1] for c in CASES} == set(optimizers.NAMES)
    assert "newton" not in optimizers.FIRST_ORDER


# -- run(): shapes, noise, divergence ---------------------------------------------------------------------


def test_run_shapes_and_frame():
    traj = optimizers.run(optimizers.make("adam"), SURF, START, 5)
    assert traj.points.shape == (6, 2) and traj.losses.shape == (6,) and traj.grads.shape == (6, 2)
    assert traj.diverged_at is None
    np.testing.assert_array_equal(traj.points[0], START)
    np.testing.assert_array_equal(traj.grads[0], SURF.grad(START))
    np.testing.assert_array_equal(traj.losses, SURF.f(traj.points))
    frame = traj.to_frame()
    assert list(frame.columns[:6]) == ["step", "x", "y", "loss", "grad_x", "grad_y"]
    for q in ("m_x", "m_y", "v_x", "v_hat_y", "step_size_x", "update_x", "update_y"):
        assert q in frame.columns
    assert len(frame) == 6 and frame["step"].tolist() == list(range(6))
    np.testing.assert_array_equal(frame[["update_x", "update_y"]].to_numpy()[1:], np.diff(traj.points, axis=0))
    batch = optimizers.run(optimizers.make("nadam"), SURF, np.zeros((3, 2)) + START, 4)
    long = batch.to_frame()
    assert len(long) == 15 and set(long["start"]) == {0, 1, 2} and "mu" in long.columns


def test_newton_frame_has_hessian_columns():
    frame = optimizers.run(optimizers.make("newton"), SURF, START, 2).to_frame()
    assert {"H_xx", "H_xy", "H_yx", "H_yy", "direction_x"} <= set(frame.columns)


def test_noise_is_reproducible_and_a_prefix():
    opt = optimizers.make("sgd", lr=0.05)
    a = optimizers.run(opt, SURF, START, 30, noise=0.5, seed=7)
    b = optimizers.run(opt, SURF, START, 30, noise=0.5, seed=7)
    c = optimizers.run(opt, SURF, START, 30, noise=0.5, seed=8)
    longer = optimizers.run(opt, SURF, START, 45, noise=0.5, seed=7)
    clean = optimizers.run(opt, SURF, START, 30)
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(longer.points[:31], a.points)
    assert not np.array_equal(a.points, c.points)
    assert (a.grads - SURF.grad(a.points)).std() == pytest.approx(0.5, rel=0.3)
    np.testing.assert_array_equal(clean.points, optimizers.run(opt, SURF, START, 30, noise=0.0, seed=3).points)


def test_divergence_is_data_and_the_run_freezes():
    traj = optimizers.run(optimizers.make("sgd", lr=5.0), BOWL, [1.0, 1.0], 50)
    k = traj.diverged_at
    assert isinstance(k, int) and 1 <= k < 50
    assert np.isfinite(traj.points).all()
    np.testing.assert_array_equal(traj.points[k:], np.broadcast_to(traj.points[k - 1], traj.points[k:].shape))
    lo, hi = BOWL.divergence_box()
    assert ((traj.points >= lo) & (traj.points <= hi)).all()


def test_divergence_per_start_in_a_batch():
    starts = np.array([[1.0, 1.0], [1e-9, 0.0], [-1.5, 0.5]])
    traj = optimizers.run(optimizers.make("sgd", lr=1.5), BOWL, starts, 60)
    d = traj.diverged_at
    assert d.shape == (3,) and d[0] > 0 and d[2] > 0
    for i in range(3):
        one = optimizers.run(optimizers.make("sgd", lr=1.5), BOWL, starts[i], 60)
        assert (one.diverged_at if one.diverged_at is not None else -1) == d[i]


def test_singular_hessian_is_an_undefined_step_not_an_exception():
    flat = Surface(
        "flat",
        "",
        "",
        "",
        f=lambda p: p[..., 0] * 0 + p[..., 1],
        grad=lambda p: np.stack([p[..., 0] * 0, p[..., 0] * 0 + 1], -1),
        hessian=lambda p: np.zeros(p.shape + (2,)),
        bounds=((-1, 1), (-1, 1)),
    )
    traj = optimizers.run(optimizers.make("newton"), flat, np.array([[0.1, 0.2], [0.3, 0.4]]), 5)
    # H = 0 everywhere: Newton's step from the start does not exist, so each start's outcome is step 0
    assert (traj.undefined_at == 0).all() and (traj.diverged_at == -1).all() and (traj.escaped_at == -1).all()
    np.testing.assert_array_equal(traj.points, np.broadcast_to(traj.points[0], traj.points.shape))


# -- how a run stops: diverged, escaped (downhill, off the map) or undefined ---------------------------------

SADDLE = surfaces.get("saddle")
MONKEY = surfaces.get("monkey_saddle")
APEX = from_formula("sqrt(x^2+y^2)")
LOG = from_formula("log(x) + y^2")
# (id, surface, optimizer, hyperparameters, start, steps, kind, step): kind is the one outcome set, at step
STOPS = [
    ("saddle-sgd", SADDLE, "sgd", {}, (1.0, 0.5), 1000, "escaped", None),
    ("saddle-momentum", SADDLE, "momentum", {}, (1.0, 0.5), 1000, "escaped", None),
    ("saddle-sgd-ridge", SADDLE, "sgd", {}, (1.5, 1e-3), 1000, "escaped", None),
    ("saddle-momentum-ridge", SADDLE, "momentum", {}, (1.5, 1e-3), 1000, "escaped", None),
    ("saddle-adam", SADDLE, "adam", {"lr": 0.1}, (1.0, 0.5), 1000, "escaped", None),
    ("saddle-sgd-too-fast", SADDLE, "sgd", {"lr": 1.5}, (1.5, 1e-3), 100, "diverged", None),  # x grows 2x a step
    ("monkey-sgd", MONKEY, "sgd", {"lr": 0.05}, (-0.5, 0.1), 1000, "escaped", None),
    ("monkey-newton-at-the-saddle", MONKEY, "newton", {}, (0.0, 0.0), 10, "undefined", 0),
    ("apex-sgd", APEX, "sgd", {"lr": 0.5}, (0.5, 0.0), 10, "undefined", 1),
    ("log-sgd", LOG, "sgd", {"lr": 1.0}, (0.5, 0.0), 10, "undefined", 1),  # x = 0.5 − 1/0.5 = −1.5
    ("bowl-sgd-too-fast", BOWL, "sgd", {"lr": 5.0}, (1.0, 1.0), 50, "diverged", None),
    ("bowl-sgd", BOWL, "sgd", {"lr": 0.1}, (1.0, 1.0), 50, None, None),
]


@pytest.mark.parametrize("case", STOPS, ids=[c[0] for c in STOPS])
def test_a_run_stops_with_exactly_the_outcome_that_happened(case):
    _, surf, name, hp, start, steps, kind, step = case
    traj = optimizers.run(optimizers.make(name, **hp), surf, start, steps)
    found = {k: getattr(traj, f"{k}_at") for k in ("diverged", "escaped", "undefined")}
    assert [k for k, v in found.items() if v is not None] == ([kind] if kind else [])
    if kind is None:
        assert int(traj.last_real) == steps
        return
    at = found[kind]
    if step is not None:
        assert at == step
    last = int(traj.last_real)
    # every row after the last real one repeats it
    np.testing.assert_array_equal(traj.points[last:], np.broadcast_to(traj.points[last], traj.points[last:].shape))
    pts, losses = traj.points[: last + 1], traj.losses[: last + 1]
    lo, hi = surf.divergence_box()
    assert ((pts >= lo) & (pts <= hi)).all()
    if kind == "undefined":  # the claim: f or the gradient is not a number at that finite point, or no step exists
        assert at == last and np.isfinite(traj.points[at]).all()
        p = traj.points[at]
        h = surf.hessian(p)
        no_step = name == "newton" and h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0] == 0
        assert not np.isfinite(surf.f(p)) or not np.isfinite(surf.grad(p)).all() or no_step
        assert np.isfinite(losses[:at]).all() and np.isfinite(traj.grads[:at]).all()
        return
    assert at == last + 1
    # the claim about the step that stopped it: one more update from the last real state, computed by hand
    shorter = optimizers.run(optimizers.make(name, **hp), surf, start, at - 1)
    np.testing.assert_array_equal(shorter.points, traj.points[:at])
    nxt = _one_more_step(optimizers.make(name, **hp), surf, start, at)
    left = not (((nxt >= lo) & (nxt <= hi)).all() and np.isfinite(surf.f(nxt)))
    assert left and surf.f(nxt) == traj.exit_loss
    floor = surf.f(np.stack(np.meshgrid(*[np.linspace(a, b, 401) for a, b in surf.bounds]), -1)).min()
    if kind == "escaped":  # downhill: the last three steps lowered the loss, and it ends below the whole view
        assert (np.diff(losses[-3:]) < 0).all() and traj.exit_loss < losses[-1] and traj.exit_loss < floor
    else:  # the loss grew, or it was not below the view: not an escape
        assert not (traj.exit_loss < losses[-1] and (np.diff(losses[-3:]) < 0).all() and traj.exit_loss < floor)


def _one_more_step(opt, surf, start, t):
    """θ_t computed by stepping the optimizer by hand (no engine): where the run would have gone at step t."""
    x = np.array(start, dtype=np.float64)
    state = opt.init(x)
    for _ in range(t):
        g = surf.grad(x)
        with np.errstate(all="ignore"):
            x, state = opt.update(g, state, x, surf.hessian(x)) if opt.needs_hessian else opt.update(g, state, x)
    return x


def test_declared_unbounded_surfaces_are_and_the_others_are_not():
    """Every built-in's unbounded_below is true of it: f over a grid 1000 view-widths wide goes far below the
    view's lowest value exactly when it is declared; the bounded ones never go below their minimum value."""
    for s in surfaces.BUILTIN:
        (x0, x1), (y0, y1) = s.bounds
        w = max(x1 - x0, y1 - y0)
        u = np.linspace(-500 * w, 500 * w, 801)
        far = s.f(np.stack(np.meshgrid(u, u), -1)).min()
        if s.unbounded_below:
            assert s.min_value is None and not len(s.minima) and far < -1e6, s.name
        else:
            assert s.min_value is not None and far >= s.min_value - 1e-9, s.name


@pytest.mark.parametrize("surf", [s for s in surfaces.BUILTIN if not s.unbounded_below], ids=lambda s: s.name)
def test_a_surface_with_a_minimum_in_view_never_escapes(surf):
    starts = np.random.default_rng(3).uniform(*np.transpose(surf.bounds), size=(40, 2))
    for name in ("sgd", "momentum", "adam", "newton"):
        for lr in (0.01, 0.3, 3.0):
            traj = optimizers.run(optimizers.make(name, lr=lr), surf, starts, 60, record=False)
            assert (traj.escaped == -1).all(), (name, lr)


def test_a_batch_of_mixed_outcomes_equals_one_start_at_a_time():
    surf = from_formula("x^2 - y^2 + log(x + 2)")  # bounded nowhere below, undefined for x <= -2
    starts = np.array([[1.0, 0.5], [1.5, 1e-3], [-1.9, 0.0], [0.5, -0.2], [2.5, 2.5], [-1.99, 1.0], [0.0, 0.0]])
    for name, hp in [("sgd", {"lr": 0.3}), ("momentum", {}), ("adam", {"lr": 0.5}), ("newton", {"lr": 0.7})]:
        opt = optimizers.make(name, **hp)
        batch = optimizers.run(opt, surf, starts, 200)
        kinds = set()
        for i, s in enumerate(starts):
            one = optimizers.run(opt, surf, s, 200)
            np.testing.assert_array_equal(batch.points[:, i], one.points)
            np.testing.assert_array_equal(batch.losses[:, i], one.losses)
            for kind in ("diverged", "escaped", "undefined"):
                want = getattr(one, f"{kind}_at")
                assert getattr(batch, kind)[i] == (-1 if want is None else want), (name, i, kind)
                kinds |= {kind} if want is not None else set()
            stops = [getattr(batch, k)[i] >= 0 for k in ("diverged", "escaped", "undefined")]
            assert sum(stops) <= 1
        assert name == "newton" or len(kinds) >= 2, name  # the batch really mixes outcomes (Newton: saddles)


@pytest.mark.parametrize(
    "bad",
    [
        dict(steps=-1),
        dict(steps=1.5),
        dict(steps=10**9),
        dict(noise=-1.0),
        dict(noise=float("nan")),
        dict(start=[np.nan, 0.0]),
        dict(start=[1.0, 2.0, 3.0]),
    ],
)
def test_run_rejects_bad_arguments(bad):
    args = dict(steps=5, noise=0.0, start=START) | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        optimizers.run(optimizers.make("sgd"), SURF, args["start"], args["steps"], noise=args["noise"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_converges_on_the_bowl(case):
    opt = _opt(case)
    traj = optimizers.run(opt, BOWL, [1.5, -1.0], 3000)
    assert traj.diverged_at is None
    # Reaches the minimum (Adadelta then drifts: near g = 0 its step tends to γ·g, unstable where curvature > 2/γ)
    assert traj.losses.min() < 1e-6 * traj.losses[0], f"loss {traj.losses[0]} -> best {traj.losses.min()}"
    assert traj.losses[-1] < 0.1 * traj.losses[0]


# -- properties -------------------------------------------------------------------------------------------


def _hyper_strategy(name):
    cls = optimizers.get(name)
    fields = {}
    for k, h in cls.HYPERS.items():
        if h.kind is bool:
            fields[k] = st.booleans()
        elif h.integer:
            fields[k] = st.integers(int(h.low), int(min(h.high, 10.0))).map(float)
        else:
            hi = min(h.high, 10.0)
            fields[k] = st.floats(
                h.low,
                hi,
                exclude_min=h.low_open,
                exclude_max=h.high_open,
                allow_nan=False,
                allow_infinity=False,
            )
    return st.fixed_dictionaries(fields)


@st.composite
def _configs(draw):
    name = draw(st.sampled_from(optimizers.NAMES))
    hp = draw(_hyper_strategy(name))
    start = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=2))
    noise = draw(st.sampled_from([0.0, 0.1, 10.0]))
    return name, hp, start, noise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_configs(), st.sampled_from(["bowl", "quartic"]))
def test_finite_inputs_never_raise_and_divergence_is_consistent(config, surface):
    """Any valid hyperparameters and any finite start: no exception, no warning, and diverged_at tells the truth."""
    name, hp, start, noise = config
    surf = BOWL if surface == "bowl" else SURF
    traj = optimizers.run(optimizers.make(name, **hp), surf, start, 25, noise=noise, seed=0)
    lo, hi = surf.divergence_box()
    inside = ((traj.points >= lo) & (traj.points <= hi)).all(-1) & np.isfinite(traj.losses)
    u = traj.undefined_at
    if u is not None:  # both surfaces are smooth: only the update itself can be undefined (0/0 with ε = 0 ...)
        assert np.isfinite(traj.grads[u]).all() and np.isfinite(traj.losses[u])
        if noise == 0:
            assert np.isnan(_one_more_step(optimizers.make(name, **hp), surf, start, u + 1)).any()
        return
    assert traj.escaped_at is None  # both are bounded below by a minimum inside the view
    k = traj.diverged_at
    if k is None:
        assert inside.all()
    else:
        assert 0 <= k <= 25 and int(traj.last_real) == max(k - 1, 0)
        if k == 0:
            assert not inside[0]
        else:
            assert inside[:k].all()
            np.testing.assert_array_equal(traj.points[k:], np.broadcast_to(traj.points[k - 1], traj.points[k:].shape))
