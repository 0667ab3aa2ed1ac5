"""Learning-rate schedules γ_t, with torch.optim.lr_scheduler's semantics where torch has the schedule.

A schedule is a frozen dataclass of its parameters (validated like every hyperparameter: a named range, a clear
message) with `factor(t)`: γ_t / γ for the update t = 1, 2, ... (vectorised over t). Update t uses the learning
rate torch's scheduler gives after t − 1 calls of `scheduler.step()` (one per optimizer step, after it), so
`epoch = t − 1` below.

    constant       γ_t = γ
    step           StepLR(step_size, gamma):            γ · gammaᶠˡᵒᵒʳ⁽ᵉᵖᵒᶜʰ ᐟ ˢᵗᵉᵖ_ˢⁱᶻᵉ⁾
    exponential    ExponentialLR(gamma):                γ · gammaᵉᵖᵒᶜʰ
    cosine         CosineAnnealingLR(T_max, eta_min):   η + (γ − η)(1 + cos(π·epoch/T_max))/2
    warmup_cosine  SequentialLR([LinearLR(start_factor, 1, warmup), CosineAnnealingLR(T_max − warmup, eta_min)],
                   milestones=[warmup]): linear from start_factor·γ to γ, then the cosine over the rest
    wsd            warmup-stable-decay: LinearLR(start_factor, 1, warmup), constant γ, then LinearLR(1, end_factor,
                   decay) over the last `decay` of `total` updates (SequentialLR with milestones [warmup,
                   total − decay])
    one_cycle      OneCycleLR(max_lr=γ, total_steps, pct_start, anneal_strategy="cos", div_factor,
                   final_div_factor, cycle_momentum=False); after total_steps (where torch raises) it stays at
                   its last value
    inverse_sqrt   γ · min(t/warmup, √(warmup/t)): linear warm-up, then 1/√t (as in the Transformer's schedule;
                   torch has no such scheduler: LambdaLR with that factor)

torch computes cosine and the linear ramps recursively from the previous rate; the closed forms here agree with
it to a few units in the last place (tests/optimizers/test_schedules.py). A schedule that makes γ_t zero or
negative within a run is refused (`check`), with the step and the parameter to change.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from i18n import N_, translator

from .base import Hyper

_, ngettext = translator("core")


def _count(default: float, low: float, help: str, symbol: str = "") -> Hyper:
    return Hyper(default, low, 100_000.0, integer=True, symbol=symbol, help=help)


def _fraction(default: float, help: str, symbol: str = "", low_open: bool = True) -> Hyper:
    return Hyper(default, 0.0, 1.0, low_open=low_open, symbol=symbol, help=help)


class Schedule:
    """Base of every schedule: parameters checked on construction, `factor(t)` = γ_t / γ."""

    name: ClassVar[str]
    title: ClassVar[str]
    PARAMS: ClassVar[dict[str, Hyper]]

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, self.PARAMS[field.name].check(field.name, getattr(self, field.name)))
        self._check_shape()

    def _check_shape(self) -> None:
        """Relations between parameters (a warm-up no longer than the run, ...): ValueError naming them."""

    def params(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def factor(self, t: Any) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, lr: Any, t: Any) -> np.ndarray:
        """γ_t for the base rate `lr` at update t (t from 1; arrays broadcast)."""
        return lr * self.factor(t)

    def values(self, lr: float, steps: int) -> np.ndarray:
        """γ_1 ... γ_steps."""
        return self(lr, np.arange(1, steps + 1))

    def check(self, lr: float, steps: int) -> None:
        """ValueError if γ_t ≤ 0 (or not finite) at some update t ≤ steps: such a schedule is refused."""
        g = np.asarray(self.values(lr, steps), dtype=np.float64)
        bad = np.flatnonzero(~(np.isfinite(g) & (g > 0)))
        if bad.size:
            t = int(bad[0]) + 1
            raise ValueError(
                _(
                    "the {schedule} schedule makes the learning rate {lr} at step {t}; it must stay above 0 ({hint})"
                ).format(schedule=self.shown_title(), lr=f"{g[bad[0]]:g}", t=t, hint=self._zero_hint())
            )

    def _zero_hint(self) -> str:
        return _("change its parameters")

    @classmethod
    def shown_title(cls) -> str:
        """The title in the language in use. The catalog's entry is "schedule|<title>" (a context: "step" is also
        the charts' axis title, and "constant" a word of its own), and English shows `title` itself."""
        key = f"schedule|{cls.title}"
        text = _(key)
        return cls.title if text == key else text


@dataclasses.dataclass(frozen=True)
class Constant(Schedule):
    name = "constant"
    title = "constant"
    PARAMS: ClassVar[dict[str, Hyper]] = {}

    def factor(self, t):
        return np.ones(np.shape(t))


@dataclasses.dataclass(frozen=True)
class Step(Schedule):
    step_size: float = 30.0
    gamma: float = 0.1

    name = "step"
    title = "step"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "step_size": _count(30.0, 1.0, N_("Every this many steps the learning rate is multiplied by gamma.")),
        "gamma": _fraction(0.1, N_("The factor applied every step_size steps.")),
    }

    def factor(self, t):
        return self.gamma ** np.floor((np.asarray(t) - 1) / self.step_size)


@dataclasses.dataclass(frozen=True)
class Exponential(Schedule):
    gamma: float = 0.99

    name = "exponential"
    title = "exponential"
    PARAMS: ClassVar[dict[str, Hyper]] = {"gamma": _fraction(0.99, N_("The factor applied at every step."))}

    def factor(self, t):
        return self.gamma ** (np.asarray(t, dtype=np.float64) - 1)


def _cosine(epoch, span, eta_ratio):
    """η/γ + (1 − η/γ)(1 + cos(π·epoch/span))/2, the factor of torch's CosineAnnealingLR."""
    return eta_ratio + (1 - eta_ratio) * (1 + np.cos(np.pi * epoch / span)) / 2


@dataclasses.dataclass(frozen=True)
class Cosine(Schedule):
    T_max: float = 100.0
    eta_min: float = 0.0

    name = "cosine"
    title = "cosine"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "T_max": _count(
            100.0, 1.0, N_("Steps from γ down to eta_min (afterwards the cosine rises again, as torch's).")
        ),
        "eta_min": Hyper(0.0, 0.0, 10.0, help=N_("The lowest learning rate, reached at step T_max + 1.")),
    }

    def __call__(self, lr, t):
        # torch anneals between the base rate and eta_min itself (not a factor of γ)
        return self.eta_min + (lr - self.eta_min) * (1 + np.cos(np.pi * (np.asarray(t) - 1) / self.T_max)) / 2

    def _zero_hint(self) -> str:
        return _("give eta_min a value above 0, or a T_max longer than the run")


@dataclasses.dataclass(frozen=True)
class WarmupCosine(Schedule):
    warmup: float = 10.0
    T_max: float = 100.0
    start_factor: float = 0.1
    eta_min: float = 0.0

    name = "warmup_cosine"
    title = "linear warm-up, then cosine"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "warmup": _count(10.0, 1.0, N_("Steps of linear warm-up from start_factor·γ to γ.")),
        "T_max": _count(100.0, 2.0, N_("Steps from the start to the end of the cosine (warm-up included).")),
        "start_factor": _fraction(0.1, N_("The first step's learning rate, as a fraction of γ (torch needs > 0).")),
        "eta_min": Hyper(0.0, 0.0, 10.0, help=N_("The lowest learning rate, at the end of the cosine.")),
    }

    def _check_shape(self) -> None:
        if self.warmup >= self.T_max:
            raise ValueError(
                _("warmup must be shorter than T_max, got warmup={warmup}, T_max={T_max}").format(
                    warmup=f"{self.warmup:g}", T_max=f"{self.T_max:g}"
                )
            )

    def __call__(self, lr, t):
        e = np.asarray(t, dtype=np.float64) - 1
        w = self.warmup
        ramp = lr * (self.start_factor + (1 - self.start_factor) * np.minimum(e, w) / w)
        cos = self.eta_min + (lr - self.eta_min) * (1 + np.cos(np.pi * (e - w) / (self.T_max - w))) / 2
        return np.where(e < w, ramp, cos)

    def _zero_hint(self) -> str:
        return _("give eta_min a value above 0, or a T_max longer than the run")


@dataclasses.dataclass(frozen=True)
class WarmupStableDecay(Schedule):
    warmup: float = 10.0
    decay: float = 20.0
    total: float = 100.0
    start_factor: float = 0.1
    end_factor: float = 0.01

    name = "wsd"
    title = "warm-up, stable, decay"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "warmup": _count(10.0, 1.0, N_("Steps of linear warm-up from start_factor·γ to γ.")),
        "decay": _count(20.0, 1.0, N_("The last steps, over which γ falls linearly to end_factor·γ.")),
        "total": _count(100.0, 2.0, N_("The run's length the schedule is planned for.")),
        "start_factor": _fraction(0.1, N_("The first step's learning rate, as a fraction of γ.")),
        "end_factor": _fraction(0.01, N_("The last step's learning rate, as a fraction of γ (0 is refused).")),
    }

    def _check_shape(self) -> None:
        if self.warmup + self.decay > self.total:
            raise ValueError(
                _("warmup + decay must be at most total, got {warmup} + {decay} > {total}").format(
                    warmup=f"{self.warmup:g}", decay=f"{self.decay:g}", total=f"{self.total:g}"
                )
            )

    def factor(self, t):
        e = np.asarray(t, dtype=np.float64) - 1
        up = self.start_factor + (1 - self.start_factor) * np.minimum(e, self.warmup) / self.warmup
        into = np.clip(e - (self.total - self.decay), 0, self.decay)
        down = 1 + (self.end_factor - 1) * into / self.decay
        return np.where(e < self.warmup, up, down)


@dataclasses.dataclass(frozen=True)
class OneCycle(Schedule):
    total_steps: float = 100.0
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4

    name = "one_cycle"
    title = "one-cycle"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "total_steps": _count(100.0, 2.0, N_("The cycle's length in steps.")),
        "pct_start": _fraction(0.3, N_("The fraction of the cycle spent rising to γ.")),
        "div_factor": Hyper(25.0, 1.0, 1e6, log=True, help=N_("The cycle starts at γ / div_factor.")),
        "final_div_factor": Hyper(1e4, 1.0, 1e9, log=True, help=N_("It ends at γ / (div_factor · final_div_factor).")),
    }

    def _check_shape(self) -> None:
        if self.pct_start * self.total_steps - 1 <= 0 or self.pct_start * self.total_steps - 1 >= self.total_steps - 1:
            raise ValueError(
                _("pct_start · total_steps must leave at least one step in each phase, got {pct} · {total}").format(
                    pct=f"{self.pct_start:g}", total=f"{self.total_steps:g}"
                )
            )

    def factor(self, t):
        e = np.minimum(np.asarray(t, dtype=np.float64) - 1, self.total_steps)  # after the cycle: its last value
        end1 = float(self.pct_start * self.total_steps) - 1
        start, top = 1 / self.div_factor, 1.0
        low = start / self.final_div_factor

        def anneal(a, b, pct):  # torch's _annealing_cos
            return b + (a - b) / 2.0 * (np.cos(np.pi * pct) + 1)

        rise = anneal(start, top, e / end1)
        fall = anneal(top, low, (e - end1) / (self.total_steps - 1 - end1))
        return np.where(e <= end1, rise, fall)


@dataclasses.dataclass(frozen=True)
class InverseSqrt(Schedule):
    warmup: float = 10.0

    name = "inverse_sqrt"
    title = "inverse square root"
    PARAMS: ClassVar[dict[str, Hyper]] = {
        "warmup": _count(10.0, 1.0, N_("Steps of linear warm-up to γ; afterwards γ·√(warmup/t).")),
    }

    def factor(self, t):
        t = np.asarray(t, dtype=np.float64)
        return np.minimum(t / self.warmup, np.sqrt(self.warmup / t))


# Every schedule's title with its context, for pybabel (Schedule.shown_title translates "schedule|<title>").
_TITLES = (
    N_("schedule|constant"),
    N_("schedule|step"),
    N_("schedule|exponential"),
    N_("schedule|cosine"),
    N_("schedule|linear warm-up, then cosine"),
    N_("schedule|warm-up, stable, decay"),
    N_("schedule|one-cycle"),
    N_("schedule|inverse square root"),
)

SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls
    for cls in (Constant, Step, Exponential, Cosine, WarmupCosine, WarmupStableDecay, OneCycle, InverseSqrt)
}


def make(name: str, **params: Any) -> Schedule:
    """A schedule by name; unknown names and parameters raise ValueError listing what there is."""
    try:
        cls = SCHEDULES[name]
    except (KeyError, TypeError):
        raise ValueError(
            _("unknown schedule {name}; choose one of {names}").format(name=repr(name), names=", ".join(SCHEDULES))
        ) from None
    unknown = sorted(set(params) - set(cls.PARAMS))
    if unknown:
        raise ValueError(
            _("the {schedule} schedule has no parameter {unknown}").format(
                schedule=cls.shown_title(), unknown=", ".join(map(repr, unknown))
            )
        )
    return cls(**params)
