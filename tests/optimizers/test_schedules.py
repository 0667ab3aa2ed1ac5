"""Learning-rate schedules: torch.optim.lr_scheduler's rates (when torch is installed), hand-worked values, and
refusal of bad parameters and of schedules that make γ_t zero or negative."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from optimizers import schedules

LR = 0.3
STEPS = 200


# -- hand-worked values (always run) ------------------------------------------------------------------------
def test_hand_worked_values():
    v = schedules.make("step", step_size=3, gamma=0.5).values(1.0, 7)
    assert v.tolist() == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert schedules.make("exponential", gamma=0.5).values(2.0, 3).tolist() == [2.0, 1.0, 0.5]
    cos = schedules.make("cosine", T_max=4, eta_min=0.1).values(1.0, 5)
    np.testing.assert_allclose(
        cos, [1.0, 0.1 + 0.9 * (1 + math.sqrt(0.5)) / 2, 0.55, 0.1 + 0.9 * (1 - math.sqrt(0.5)) / 2, 0.1]
    )
    inv = schedules.make("inverse_sqrt", warmup=4).values(1.0, 9)
    np.testing.assert_allclose(
        inv, [0.25, 0.5, 0.75, 1.0, math.sqrt(4 / 5), math.sqrt(4 / 6), math.sqrt(4 / 7), math.sqrt(0.5), 2 / 3]
    )
    wsd = schedules.make("wsd", warmup=2, decay=2, total=6, start_factor=0.5, end_factor=0.1).values(1.0, 8)
    np.testing.assert_allclose(wsd, [0.5, 0.75, 1.0, 1.0, 1.0, 0.55, 0.1, 0.1])
    assert schedules.make("constant").values(0.7, 3).tolist() == [0.7, 0.7, 0.7]


@pytest.mark.parametrize(
    "name,params,match",
    [
        ("step", {"step_size": 0}, r"step_size must be a whole number in \[1, 100000\]"),
        ("step", {"step_size": 2.5}, "step_size must be a whole number"),
        ("exponential", {"gamma": 1.5}, r"gamma must be a finite number in \(0, 1\]"),
        ("exponential", {"gamma": float("nan")}, "gamma"),
        ("cosine", {"eta_min": -1.0}, "eta_min"),
        ("warmup_cosine", {"warmup": 100, "T_max": 50}, "warmup must be shorter than T_max"),
        ("wsd", {"warmup": 60, "decay": 50, "total": 100}, "warmup \\+ decay must be at most total"),
        ("one_cycle", {"pct_start": 0.001}, "pct_start"),
        ("cosine", {"T_mx": 3}, "has no parameter 'T_mx'"),
        ("cosinus", {}, "unknown schedule 'cosinus'"),
    ],
)
def test_bad_parameters_are_refused_naming_them(name, params, match):
    with pytest.raises(ValueError, match=match):
        schedules.make(name, **params)


def test_a_schedule_that_reaches_zero_within_the_run_is_refused():
    cos = schedules.make("cosine", T_max=50, eta_min=0.0)
    cos.check(LR, 50)  # γ_50 > 0: the cosine reaches 0 only at step 51
    with pytest.raises(ValueError, match=r"learning rate 0 at step 51.*eta_min"):
        cos.check(LR, 60)
    with pytest.raises(ValueError, match="at step"):
        schedules.make("exponential", gamma=1e-200).check(1.0, 5)  # underflows to 0
    schedules.make("wsd").check(LR, 1000)  # end_factor > 0 keeps it positive after the decay


# -- against torch.optim.lr_scheduler -----------------------------------------------------------------------
def _torch():
    if os.environ.get("CI") == "true":  # CI installs the oracles: a missing one fails, not skips
        import torch

        return torch
    return pytest.importorskip("torch")


def _torch_rates(make_scheduler, steps=STEPS):
    torch = _torch()
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=LR)
    sched = make_scheduler(torch.optim.lr_scheduler, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])  # the rate this update uses
        p.grad = torch.ones_like(p)
        opt.step()
        sched.step()
    return np.array(rates, dtype=np.float64)


CASES = [
    ("step", {"step_size": 7, "gamma": 0.6}, lambda S, o: S.StepLR(o, step_size=7, gamma=0.6)),
    ("exponential", {"gamma": 0.97}, lambda S, o: S.ExponentialLR(o, gamma=0.97)),
    ("cosine", {"T_max": 80, "eta_min": 0.01}, lambda S, o: S.CosineAnnealingLR(o, T_max=80, eta_min=0.01)),
    ("cosine-restart", {"T_max": 30, "eta_min": 0.02}, lambda S, o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.02)),
    (
        "warmup_cosine",
        {"warmup": 15, "T_max": 200, "start_factor": 0.2, "eta_min": 0.003},
        lambda S, o: S.SequentialLR(
            o,
            [
                S.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=15),
                S.CosineAnnealingLR(o, T_max=185, eta_min=0.003),
            ],
            milestones=[15],
        ),
    ),
    (
        "wsd",
        {"warmup": 12, "decay": 40, "total": 180, "start_factor": 0.25, "end_factor": 0.05},
        lambda S, o: S.SequentialLR(
            o,
            [
                S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=12),
                S.ConstantLR(o, factor=1.0, total_iters=0),
                S.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=40),
            ],
            milestones=[12, 140],
        ),
    ),
    (
        "one_cycle",
        {"total_steps": 200, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0},
        lambda S, o: S.OneCycleLR(
            o, max_lr=LR, total_steps=200, pct_start=0.25, div_factor=10.0, final_div_factor=100.0, cycle_momentum=False
        ),
    ),
    (
        "inverse_sqrt",
        {"warmup": 16},
        lambda S, o: S.LambdaLR(o, lambda epoch: min((epoch + 1) / 16, math.sqrt(16 / (epoch + 1)))),
    ),
]


@pytest.mark.parametrize("name,params,make_scheduler", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_lr_scheduler(name, params, make_scheduler):
    ours = schedules.make(name.split("-")[0], **params).values(LR, STEPS)
    np.testing.assert_allclose(ours, _torch_rates(make_scheduler), rtol=1e-12, atol=1e-15)
