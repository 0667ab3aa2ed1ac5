"""Optional: every optimizer against torch.optim itself, in float64 (skipped when torch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
from tests.optimizers.test_optimizers import CASES, SURF

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
    }[name]()


@pytest.fixture(autouse=True)
def float64_default():
    """torch keeps scalar state (NAdam's μ-product, step counts) in the default dtype: make it float64 too."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


TORCH_CASES = [c for c in CASES if c[1] != "newton" and c[2].get("bias_correction", True)]


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
