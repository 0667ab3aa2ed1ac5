"""Lookahead (Zhang et al. 2019), as optax.lookahead: k steps of any first-order optimizer, then a pull back.

Two sequences: the fast weights, which the inner optimizer steps and where every gradient is taken, and the slow
weights φ, which move only every k-th step, a fraction α of the way to where the fast weights have got:
φ ← φ + α(θ̃ − φ); the fast weights then restart from φ. The inner optimizer's state (m, v, ...) carries on across
the pull, as optax's default (reset_state=False).

The engine's θ (the path on the map, its loss, the gradient g) is the fast weights: what optax returns as
`params.fast`, and the only point at which a gradient is taken. At every k-th step θ equals the new φ. The slow
weights, what optax returns as `params.slow` (the weights to evaluate), are in the state as `slow`; `fast` holds
where the inner step went before a pull (on the other steps it equals θ).

`wrap(inner_class)` builds the Lookahead of any first-order optimizer class, its hyperparameters the inner's plus
`sync_period` (k) and `alpha` (α); the registry's `lookahead` wraps Adam.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from i18n import N_, translator

from . import base
from .adam import Adam
from .base import Hyper, Line

_, ngettext = translator("core")

SYNC_PERIOD = Hyper(
    5.0,
    1.0,
    1000.0,
    integer=True,
    symbol="k",
    help=N_("k: the number of fast steps between two pulls of the slow weights (5 in the paper; 1 pulls every step)."),
)
ALPHA = Hyper(
    0.5,
    0.0,
    1.0,
    low_open=True,
    symbol=r"\alpha",
    help=N_(
        "α: how far the slow weights move towards the fast ones at each pull (0.5 in the paper; 1 is the inner "
        "optimizer alone)."
    ),
)
_SYNC = "t % sync_period == 0"
_NO_SYNC = f"not ({_SYNC})"


class Lookahead(base.Optimizer):
    """Base of the wrapped classes (see wrap): the update, shared; the inner class is a class attribute."""

    inner_class: type[base.Optimizer]

    @classmethod
    def shown_description(cls) -> str:
        return _("k steps of {inner} forward, then one step back: the slow weights move α of the way.").format(
            inner=cls.inner_class.title
        )

    @classmethod
    def meaning(cls, field: str) -> str:
        if field == "fast":
            return _("fast weights: where the {inner} step went, before a pull").format(inner=cls.inner_class.title)
        return super().meaning(field)

    def __post_init__(self) -> None:
        super().__post_init__()
        own = {f.name for f in dataclasses.fields(self.inner_class)}
        object.__setattr__(self, "_inner", self.inner_class(**{k: getattr(self, k) for k in own}))

    @property
    def inner(self) -> base.Optimizer:
        """The inner (fast) optimizer, with this instance's values of its hyperparameters."""
        return self._inner

    def init(self, params):
        inner_state = self.inner.init(params)
        p = np.array(params, dtype=np.float64)
        return self.State(*inner_state, p, p)

    def update(self, grad, state, params):
        n = len(self.inner_class.State._fields)
        fast, inner_state = self.inner.update(grad, self.inner_class.State(*state[:n]), params)
        t = inner_state.count
        if t % self.sync_period == 0:  # the k-th fast step: pull the slow weights, restart the fast ones there
            slow = state.slow + self.alpha * (fast - state.slow)
            new_params = slow
        else:
            slow = state.slow
            new_params = fast
        return new_params, self.State(*inner_state, fast, slow)


def _fast_line(line: Line) -> Line:
    """The inner optimizer's θ line, renamed: its result is the fast weights θ̃ before a pull."""
    if line.name != "theta":
        return line
    _, _, rhs = line.tex.partition("=")
    return dataclasses.replace(line, name="fast", tex=rf"\tilde\theta_t = {rhs.strip()}")


def wrap(inner: type[base.Optimizer], name: str | None = None, title: str | None = None) -> type[base.Optimizer]:
    """The Lookahead class over a first-order optimizer class (a frozen dataclass like every optimizer)."""
    if inner.needs_hessian:
        raise ValueError(f"Lookahead wraps first-order optimizers; {inner.name} needs the Hessian")
    clash = {"fast", "slow"} & set(inner.State._fields) | {"sync_period", "alpha"} & set(inner.HYPERS)
    if clash:
        raise ValueError(f"{inner.name} already has {', '.join(sorted(clash))}")
    cls_name = f"Lookahead{inner.__name__}"
    state = NamedTuple(f"{cls_name}State", [(f, Any) for f in inner.State._fields] + [("fast", Any), ("slow", Any)])
    fields: list[Any] = [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(inner)]
    fields += [("sync_period", float, dataclasses.field(default=5.0)), ("alpha", float, dataclasses.field(default=0.5))]
    namespace = {
        "__doc__": f"Lookahead over {inner.title}: k {inner.title} steps, then the slow weights φ move α of the way.",
        "name": name or f"lookahead_{inner.name}",
        "title": title or f"Lookahead ({inner.title})",
        "description": f"k steps of {inner.title} forward, then one step back: the slow weights move α of the way.",
        "paper": "Zhang et al. (2019), Lookahead Optimizer: k steps forward, 1 step back",
        "torch_equivalent": f"(no torch.optim equivalent; optax.lookahead({inner.name}, sync_period=k, "
        "slow_step_size=α))",
        "inner_class": inner,
        "elementwise": inner.elementwise,
        "HYPERS": {**inner.HYPERS, "sync_period": SYNC_PERIOD, "alpha": ALPHA},
        "QUANTITIES": {
            **inner.QUANTITIES,
            "fast": (r"\tilde\theta", f"fast weights: where the {inner.title} step went, before a pull"),
            "slow": (
                r"\phi",
                N_("slow weights: pulled towards the fast ones every k steps (the weights to evaluate)"),
            ),
        },
        "LINES": (
            *(_fast_line(line) for line in inner.LINES),
            Line(
                "slow",
                r"\phi_t = \phi_{t-1} + \alpha\, (\tilde\theta_t - \phi_{t-1})",
                "slow_prev + alpha*(fast - slow_prev)",
                when=_SYNC,
                when_tex=r"k \mid t",
            ),
            Line("slow", r"\phi_t = \phi_{t-1}", "slow_prev", when=_NO_SYNC, when_tex=r"k \nmid t"),
            Line("theta", r"\theta_t = \phi_t", "slow", when=_SYNC, when_tex=r"k \mid t"),
            Line("theta", r"\theta_t = \tilde\theta_t", "fast", when=_NO_SYNC, when_tex=r"k \nmid t"),
        ),
        "State": state,
    }
    cls = dataclasses.make_dataclass(cls_name, fields, bases=(Lookahead,), frozen=True, namespace=namespace)
    cls.__module__ = state.__module__ = __name__
    return cls


# The registry's Lookahead: over Adam, the pairing of the paper's language-model and translation experiments.
LookaheadAdam = wrap(Adam, name="lookahead", title="Lookahead (Adam)")
LookaheadAdamState = LookaheadAdam.State
