"""viz.sequences: the other sequences the map draws, and the caption's claims checked on the runs it describes."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import regimen, schedules
from viz import sequences
from viz.explorer import stage_data

START = np.array([-1.5, 2.0])


def _run(opt, steps=60, surface="rosenbrock"):
    return optimizers.run(opt, surfaces.get(surface), START, steps)


def _f64(b64):
    return np.frombuffer(base64.b64decode(b64), dtype="<f8")


@pytest.mark.parametrize(
    "opt, beta",
    [
        (optimizers.make("sf_sgd", lr=0.001, momentum=0.8), 0.8),
        (optimizers.make("sf_adamw", lr=0.05, beta1=0.7), 0.7),
        (regimen.Regimen(optimizers.make("sf_sgd", lr=0.001), schedules.make("inverse_sqrt", warmup=5)), 0.9),
    ],
)
def test_schedule_free_y_is_the_path_between_z_and_x_and_x_averages_z(opt, beta):
    traj = _run(opt)
    assert sequences.kind(traj) == "schedule_free"
    q = traj.quantities
    y, x, z = traj.points, q["x"], q["z"]
    # "the red path is y, where each gradient is taken (the loss is at y)"
    np.testing.assert_allclose(traj.grads, surfaces.get("rosenbrock").grad(y), rtol=1e-15)
    np.testing.assert_allclose(traj.losses, surfaces.get("rosenbrock").f(y), rtol=1e-15)
    # "y = (1 − β)z + βx lies on the segment between z and x"
    np.testing.assert_allclose(y[1:], (1 - beta) * z[1:] + beta * x[1:], rtol=1e-12, atol=1e-14)
    # "x is the running average of z"
    np.testing.assert_allclose(x[1:], np.cumsum(z[1:], axis=0) / np.arange(1, 61)[:, None], rtol=1e-10)
    caption = sequences.caption(traj)
    assert "y, where each gradient is taken" in caption and "x (green)" in caption and "returns" in caption
    data = stage_data(traj, surfaces.get("rosenbrock"))
    paths = {p["key"]: _f64(p["points"]).reshape(-1, 2) for p in data["paths"]}
    np.testing.assert_array_equal(paths["x"], x)
    np.testing.assert_array_equal(paths["z"], z)
    assert data["caption"] == caption


def test_lookahead_fast_weights_are_the_path_and_slow_ones_move_every_k_steps():
    k, alpha = 4, 0.3
    traj = _run(optimizers.make("lookahead", lr=0.02, sync_period=k, alpha=alpha))
    assert sequences.kind(traj) == "lookahead"
    theta, slow, fast = traj.points, traj.quantities["slow"], traj.quantities["fast"]
    for t in range(1, 61):
        if t % k == 0:  # "every k-th step φ moves a fraction α towards where the fast ones got; they restart from φ"
            np.testing.assert_allclose(slow[t], slow[t - 1] + alpha * (fast[t] - slow[t - 1]), rtol=1e-13)
            np.testing.assert_array_equal(theta[t], slow[t])
        else:
            np.testing.assert_array_equal(slow[t], slow[t - 1])
            np.testing.assert_array_equal(fast[t], theta[t])
    np.testing.assert_allclose(traj.losses, surfaces.get("rosenbrock").f(theta), rtol=1e-15)
    caption = sequences.caption(traj)
    assert "red path is the fast weights" in caption and "φ is what Lookahead returns" in caption


def test_other_optimizers_draw_nothing_more_and_clipping_is_the_regimens_record():
    traj = _run(optimizers.make("adam", lr=0.05))
    data = stage_data(traj, surfaces.get("rosenbrock"))
    assert data["paths"] == [] and data["clipped"] is None and data["caption"] == ""
    clip = regimen.Regimen(optimizers.make("sgd", lr=0.001), clip_norm=30.0)
    traj = _run(clip, steps=80)
    data = stage_data(traj, surfaces.get("rosenbrock"))
    rec = _f64(data["clipped"])
    np.testing.assert_array_equal(rec, traj.quantities["clipped"])
    g = np.linalg.norm(traj.grads[:-1], axis=-1)  # the gradient step t used: at θ_{t−1}
    np.testing.assert_array_equal(rec[1:] > 0, g + regimen.CLIP_EPS > 30.0)
    assert 0 < regimen.clipped_steps(traj) == int((rec[1:] > 0).sum()) < 80


def test_a_regimen_lists_only_the_quantities_that_say_something():
    sgd = optimizers.make("sgd", lr=0.001)
    only = regimen.Regimen(sgd, schedules.make("exponential", gamma=0.99))
    assert [k for k in only.QUANTITIES if k not in sgd.QUANTITIES] == ["lr_t"]
    traj = _run(only)
    assert stage_data(traj, surfaces.get("rosenbrock"))["clipped"] is None  # no clipping: no markers, no count
    coupled = regimen.Regimen(sgd, decay=0.1)
    assert [k for k in coupled.QUANTITIES if k not in sgd.QUANTITIES] == ["lr_t", "g_eff"]
    both = regimen.Regimen(sgd, decay=0.1, decoupled=True, clip_value=1.0)
    assert [k for k in both.QUANTITIES if k not in sgd.QUANTITIES] == ["lr_t", "g_eff", "clipped", "theta_wd"]


def test_a_run_under_a_regimen_exports_with_its_schedule_named():
    from viz import export

    opt = regimen.Regimen(optimizers.make("adam", lr=0.05), schedules.make("cosine", T_max=100), clip_norm=5.0)
    text = export.hyper_text(opt)
    assert text.startswith("γ = 0.05, β₁ = 0.9") and "clip_norm = 5" in text and text.endswith("schedule: cosine")
    assert "<html" in export.explorer_html(_run(opt, steps=30), surfaces.get("rosenbrock")).lower()
