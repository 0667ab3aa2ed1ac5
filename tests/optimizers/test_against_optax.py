"""Optional: the optimizers torch.optim lacks, against optax itself in float64 (skipped without optax and jax).

Each rule runs 100 steps on several surfaces with non-default hyperparameters, fed the same NumPy gradients on
both sides; the iterates agree to 1e-12 (relative) over the first 30 steps. Later steps are compared loosely:
the sign-based rules (Signum, Lion) flip a coordinate's step when a component of m crosses 0, so the last bit of
round-off can send two exact implementations of a chaotic run apart. CI installs optax and jax
(requirements-oracles.txt); `make test` runs without them.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers.lookahead import wrap
from tests.optimizers.test_optimizers import SURF

if os.environ.get("CI") == "true":  # CI installs the oracles (make oracles): a missing one fails, not skips
    import jax
    import optax
else:
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy
pytestmark = pytest.mark.oracle

STEPS, EXACT_STEPS = 100, 30
# (surface, start): a non-separable quartic, Rosenbrock's curved valley, Himmelblau's four minima.
SURFACES = [(SURF, (1.2, -0.7)), (surfaces.get("rosenbrock"), (-1.5, 2.0)), (surfaces.get("himmelblau"), (-1.0, 0.5))]
SURFACE_IDS = ["quartic", "rosenbrock", "himmelblau"]


def reference(name: str, hp: dict):
    """The optax transformation with the same rule and hyperparameters."""
    lr = hp["lr"]
    if name == "lion":
        return optax.lion(lr, b1=hp["beta1"], b2=hp["beta2"], weight_decay=hp["weight_decay"])
    if name == "signum":
        return optax.sign_sgd(lr) if hp["momentum"] == 0 else optax.signum(lr, beta=hp["momentum"])
    if name == "adabelief":
        return optax.adabelief(lr, b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"], eps_root=hp["eps_root"])
    if name == "yogi":
        return optax.chain(
            optax.scale_by_yogi(
                b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"], initial_accumulator_value=hp["initial_accumulator"]
            ),
            optax.scale_by_learning_rate(lr),
        )
    if name == "sf_sgd":
        return optax.contrib.schedule_free_sgd(lr, b1=hp["momentum"], weight_decay=hp["weight_decay"])
    if name == "sf_adamw":
        return optax.contrib.schedule_free_adamw(
            lr, b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"], weight_decay=hp["weight_decay"]
        )
    if name == "lookahead":
        return optax.lookahead(inner_reference("adam", hp), int(hp["sync_period"]), hp["alpha"])
    raise KeyError(name)


def inner_reference(name: str, hp: dict):
    if name == "sgd":
        return optax.sgd(hp["lr"])
    if name == "momentum":
        return optax.sgd(hp["lr"], momentum=hp["momentum"])
    if name == "adam":
        return optax.adam(hp["lr"], b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"])
    return reference(name, hp)


# Non-default settings for every rule (and the defaults once each).
CASES = [
    ("lion", {}),
    ("lion", {"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1}),
    ("signum", {"lr": 0.01, "momentum": 0.7}),
    ("signum", {"lr": 0.02, "momentum": 0.0}),  # signSGD: optax.sign_sgd
    ("adabelief", {}),
    ("adabelief", {"lr": 0.03, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "eps_root": 1e-10}),
    ("yogi", {}),
    ("yogi", {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4, "initial_accumulator": 0.01}),
    ("sf_sgd", {"lr": 0.001}),
    ("sf_sgd", {"lr": 0.002, "momentum": 0.7, "weight_decay": 0.1}),
    ("sf_adamw", {}),
    ("sf_adamw", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    ("lookahead", {}),
    ("lookahead", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "sync_period": 3, "alpha": 0.8}),
]


def _run_optax(tx, surface, start, lookahead=False):
    """(iterates, states): θ_t as the engine records it, and optax's state after each step."""
    x0 = jnp.asarray(start, dtype=jnp.float64)
    params = optax.LookaheadParams.init_synced(x0) if lookahead else x0
    state = tx.init(params)
    points, states, all_params = [np.asarray(x0)], [state], [params]
    for _ in range(STEPS):
        at = np.asarray(params.fast if lookahead else params)
        g = jnp.asarray(surface.grad(at))
        updates, state = tx.update(g, state, params)  # Lookahead: the gradient with respect to the fast weights
        params = optax.apply_updates(params, updates)
        points.append(np.asarray(params.fast if lookahead else params))
        states.append(state)
        all_params.append(params)
    return np.array(points), states, all_params


def _compare(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    np.testing.assert_allclose(ours[: EXACT_STEPS + 1], theirs[: EXACT_STEPS + 1], rtol=1e-12, atol=1e-14, err_msg=what)


@pytest.mark.parametrize("surface,start", SURFACES, ids=SURFACE_IDS)
@pytest.mark.parametrize("name,hp", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_optax(name, hp, surface, start):
    opt = optimizers.make(name, **hp)
    full = opt.hyperparams()
    ours = optimizers.run(opt, surface, start, STEPS)
    assert ours.diverged_at is None
    theirs, states, params = _run_optax(reference(name, full), surface, start, lookahead=name == "lookahead")
    _compare(ours.points, theirs, f"{name} θ")
    if name not in ("signum", "lion"):  # smooth rules: the whole run stays close
        np.testing.assert_allclose(ours.points, theirs, rtol=1e-9, atol=1e-12, err_msg=f"{name} θ, 100 steps")
    if name.startswith("sf_"):  # the other two sequences: z in optax's state, x from schedule_free_eval_params
        z = np.array([np.asarray(s.z) for s in states])
        x = np.array(
            [np.asarray(optax.contrib.schedule_free_eval_params(s, p)) for s, p in zip(states, params, strict=True)]
        )
        _compare(ours.quantities["z"], z, f"{name} z")
        _compare(ours.quantities["x"], x, f"{name} x")
    if name == "lookahead":
        slow = np.array([np.asarray(p.slow) for p in params])
        _compare(ours.quantities["slow"], slow, "lookahead slow weights")


# Lookahead wraps any first-order optimizer: a few inner rules that optax has too.
INNER = [
    ("sgd", {"lr": 0.001}),
    ("momentum", {"lr": 0.0005, "momentum": 0.8}),
    ("adam", {"lr": 0.05, "beta1": 0.85}),
    ("lion", {"lr": 0.02, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.0}),
    ("adabelief", {"lr": 0.05}),
]


@pytest.mark.parametrize("inner,hp", INNER, ids=[n for n, _ in INNER])
def test_lookahead_over_any_first_order_optimizer_matches_optax(inner, hp):
    cls = wrap(optimizers.get(inner))
    opt = cls(**hp, sync_period=4, alpha=0.6)
    surface, start = SURFACES[1]
    ours = optimizers.run(opt, surface, start, STEPS)
    assert ours.diverged_at is None
    full = opt.hyperparams()
    tx = optax.lookahead(inner_reference(inner, full), 4, 0.6)
    theirs, _, params = _run_optax(tx, surface, start, lookahead=True)
    _compare(ours.points, theirs, f"lookahead({inner}) fast weights")
    _compare(ours.quantities["slow"], np.array([np.asarray(p.slow) for p in params]), f"lookahead({inner}) slow")
