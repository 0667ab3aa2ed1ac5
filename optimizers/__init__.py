"""The NumPy core: twenty-one optimizers, each exact against torch.optim or optax, and the run() engine.

    import optimizers
    optimizers.NAMES
    opt = optimizers.make("adam", lr=0.05)
    traj = optimizers.run(opt, surface, start, steps, noise=0.0, seed=None)

Imports numpy only (pandas lazily, for Trajectory.to_frame).
"""

from __future__ import annotations

from typing import Any

from i18n import translator

from .adabelief import AdaBelief
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .amsgrad import AMSGrad
from .base import Hyper, Line, Optimizer, UnknownHyperparameterError
from .engine import MAX_STEPS, Trajectory, run
from .lion import Lion
from .lookahead import LookaheadAdam
from .momentum import Momentum
from .nadam import NAdam
from .nesterov import Nesterov
from .newton import Newton
from .radam import RAdam
from .rmsprop import RMSprop
from .schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD
from .sgd import SGD
from .signum import Signum
from .yogi import Yogi

# In the order of the story the Guide tells.
CLASSES: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (
        SGD,
        Momentum,
        Nesterov,
        Adagrad,
        Adadelta,
        RMSprop,
        Adam,
        AMSGrad,
        Adamax,
        NAdam,
        AdamW,
        RAdam,
        Yogi,
        AdaBelief,
        Adafactor,
        Signum,
        Lion,
        LookaheadAdam,
        ScheduleFreeSGD,
        ScheduleFreeAdamW,
        Newton,
    )
}
NAMES: tuple[str, ...] = tuple(CLASSES)
_, ngettext = translator("core")
FIRST_ORDER: tuple[str, ...] = tuple(n for n, c in CLASSES.items() if not c.needs_hessian)


def get(name: str) -> type[Optimizer]:
    """The optimizer class called `name`; ValueError listing the names if there is none."""
    try:
        return CLASSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            _("unknown optimizer {name}; choose one of {names}").format(name=repr(name), names=", ".join(NAMES))
        ) from None


def make(name: str, **hyperparams: Any) -> Optimizer:
    """An optimizer with the given hyperparameters (the others at their defaults).

    Unknown keywords raise UnknownHyperparameterError (a ValueError and a TypeError); values that are NaN,
    infinite or out of range raise ValueError naming the parameter and its valid range.
    """
    cls = get(name)
    unknown = sorted(set(hyperparams) - set(cls.HYPERS))
    if unknown:
        raise UnknownHyperparameterError(
            _("{name} has no hyperparameter {unknown}; it has {known}").format(
                name=name, unknown=", ".join(map(repr, unknown)), known=", ".join(cls.HYPERS)
            )
        )
    return cls(**hyperparams)


def defaults(name: str) -> dict[str, Any]:
    return {k: h.default for k, h in get(name).HYPERS.items()}


__all__ = [
    "CLASSES",
    "FIRST_ORDER",
    "MAX_STEPS",
    "NAMES",
    "Hyper",
    "Line",
    "Optimizer",
    "Trajectory",
    "UnknownHyperparameterError",
    "defaults",
    "get",
    "make",
    "run",
]
