"""Optional: every optimizer against torch.optim itself, in float64 (skipped when torch is not installed)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import optimizers
from tests.optimizers.test_optimizers import CASES, SURF

if os.environ.get("CI") == "true":  # CI installs the oracles (make oracles): a missing one fails, not skips
    import torch
else:
    torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def torch_optimizer(name: str, hp: dict, params):
    lr = hp["lr"]
    o = torch.optim
    betas = (hp.get("beta1"), hp.get("beta2"))
    return {
        "sgd": lambda: o.SGD(params, lr=lr),
        "momentum": lambda: o.SGD(params, lr=lr, momentum=hp.get("momentum")),
        "nesterov": lambda: o.SGD(params, lr=lr, momentum=hp.get("momentum"), nesterov=True),
        "adagrad": lambda: o.Adagrad(
            params, lr=lr, eps=hp.get("eps"), initial_accumulator_value=hp.get("initial_accumulator")
        ),
        "adadelta": lambda: o.Adadelta(params, lr=lr, rho=hp.get("rho"), eps=hp.get("eps")),
        "rmsprop": lambda: o.RMSprop(
            params,
            lr=lr,
            alpha=hp.get("rho"),
            eps=hp.get("eps"),
            momentum=hp.get("momentum"),
            centered=hp.get("centered"),
        ),
        "adam": lambda: o.Adam(params, lr=lr, betas=betas, eps=hp.get("eps")),
        "amsgrad": lambda: o.Adam(params, lr=lr, betas=betas, eps=hp.get("eps"), amsgrad=True),
        "adamax": lambda: o.Adamax(params, lr=lr, betas=betas, eps=hp.get("eps")),
        "nadam": lambda: o.NAdam(
            params, lr=lr, betas=betas, eps=hp.get("eps"), momentum_decay=hp.get("momentum_decay")
        ),
        "adamw": lambda: o.AdamW(params, lr=lr, betas=betas, eps=hp.get("eps"), weight_decay=hp.get("weight_decay")),
        "radam": lambda: o.RAdam(params, lr=lr, betas=betas, eps=hp.get("eps")),
        "adafactor": lambda: o.Adafactor(
            params,
            lr=lr,
            beta2_decay=hp.get("beta2_decay"),
            eps=(hp.get("eps1"), hp.get("eps2")),
            d=hp.get("d"),
            weight_decay=hp.get("weight_decay"),
        ),
    }[name]()


TORCH_NAMES = {"sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "amsgrad", "adamax", "nadam"}
TORCH_NAMES |= {"adamw", "radam", "adafactor"}


@pytest.fixture(autouse=True)
def float64_default():
    """torch keeps scalar state (NAdam's μ-product, step counts) in the default dtype: make it float64 too."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


TORCH_CASES = [c for c in CASES if c[1] in TORCH_NAMES and c[2].get("bias_correction", True)]


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
@pytest.mark.parametrize("foreach", [False, True], ids=["single", "foreach"])
def test_matches_torch_optim(case, foreach):
    _, name, hp = case
    opt = optimizers.make(name, **hp)
    ours = optimizers.run(opt, SURF, [1.2, -0.7], 100)
    p = torch.tensor([1.2, -0.7], dtype=torch.float64, requires_grad=True)
    topt = torch_optimizer(name, opt.hyperparams(), [p])
    for group in topt.param_groups:
        group["foreach"] = foreach
    for t in range(1, 101):
        topt.zero_grad()
        p.grad = torch.from_numpy(SURF.grad(p.detach().numpy().copy()))
        topt.step()
        np.testing.assert_allclose(
            p.detach().numpy(), ours.points[t], rtol=1e-12, atol=1e-14, err_msg=f"{name} step {t}"
        )


# Adafactor on more surfaces and settings: its relative step and clipping read the whole point, so the surface's
# scale matters (on Rosenbrock the gradient grows across the valley faster than v follows: the clipping fires).
# torch's foreach Adafactor rounds differently from its single-tensor loop: where RMS(u)/d hovers about 1, the
# max(1, ·) of the clipping can switch on one side and not the other, and the two torch paths themselves part by
# 1e-10 within 25 steps (seen on the quartic with c = −0.5, d = 1.2). The settings here stay clear of that edge.
ADAFACTOR = [
    ({"lr": 0.3, "beta2_decay": -0.9, "eps1": 1e-20, "eps2": 1e-2, "weight_decay": 0.01}, "rosenbrock", (-1.5, 2.0)),
    ({"lr": 0.2, "beta2_decay": -0.6, "eps1": 1e-20, "eps2": 1e-2, "weight_decay": 0.01}, "rosenbrock", (-1.5, 2.0)),
    ({"lr": 0.1, "beta2_decay": -0.9, "eps2": 1e-4, "d": 1.2}, "himmelblau", (-1.0, 0.5)),
    ({"lr": 0.3, "beta2_decay": -0.8, "d": 1.5, "weight_decay": 0.2}, "beale", (1.0, 1.5)),
]


@pytest.mark.parametrize("hp,surface_name,start", ADAFACTOR, ids=[f"{s}-{i}" for i, (_, s, _) in enumerate(ADAFACTOR)])
@pytest.mark.parametrize("foreach", [False, True], ids=["single", "foreach"])
def test_adafactor_matches_torch_on_several_surfaces(hp, surface_name, start, foreach):
    import surfaces

    surface = surfaces.get(surface_name)
    opt = optimizers.make("adafactor", **hp)
    ours = optimizers.run(opt, surface, start, 100)
    assert ours.diverged_at is None
    if surface_name == "rosenbrock":
        assert (ours.quantities["denom"][1:] > 1).any()  # the clipping fired
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    topt = torch_optimizer("adafactor", opt.hyperparams(), [p])
    topt.param_groups[0]["foreach"] = foreach
    for t in range(1, 101):
        topt.zero_grad()
        p.grad = torch.from_numpy(surface.grad(p.detach().numpy().copy()))
        topt.step()
        rtol = 1e-12 if t <= 30 else 1e-9
        np.testing.assert_allclose(p.detach().numpy(), ours.points[t], rtol=rtol, atol=1e-14, err_msg=f"step {t}")
