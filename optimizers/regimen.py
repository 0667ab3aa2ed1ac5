"""A training regimen around any first-order optimizer: a learning-rate schedule, weight decay, gradient clipping.

    opt = Regimen(optimizers.make("adam", lr=0.05), schedules.make("cosine", T_max=100), decay=0.01, clip_norm=1.0)
    traj = optimizers.run(opt, surface, start, 100)

Each update t does what a torch training loop does with the same settings, in this order:
  1. clipping, as torch.nn.utils.clip_grad_norm_(max_norm=clip_norm) (g ← g·min(1, c/(‖g‖₂ + 10⁻⁶)), the norm
     over the point's coordinates) and then clip_grad_value_(clip_value) (each component into [−v, v]);
     0 switches either off;
  2. weight decay λ = `decay`, as torch's `weight_decay`: coupled (decoupled=False) adds λθ to the gradient, as
     SGD, Adam, RMSprop, Adagrad ... do; decoupled first multiplies θ by (1 − γ_t λ), as AdamW (and
     Adam(decoupled_weight_decay=True)) do;
  3. the inner optimizer's update with the learning rate γ_t = schedule(γ, t) (γ the inner's own lr), as
     torch's scheduler sets group["lr"] after t − 1 scheduler steps.
The state is the inner optimizer's plus lr_t (γ_t), g_eff (the gradient the inner rule used), clipped (1 where a
clipping changed the gradient, per point), clip_scale (the norm clipping's factor) and theta_wd (θ after a
decoupled decay; AdamW's own state has a `decayed`). The formula is the inner's with γ_t for γ and g̃ for g,
after the lines of the regimen. A Regimen reads back with its inner optimizer's title, and its QUANTITIES are the
inner's followed by those of its own that apply (γ_t always; g̃ when clipping or a coupled decay changes g; c and
s when clipping; θ′ under a decoupled decay).

The pages pass a regimen as plain values (a hashable cache key): `spec(...)` makes one, `from_spec(inner, spec)`
the optimizer to run (the inner itself for the empty spec, every part off), `make(name, **hypers)` the optimizer
of a page's hyperparameters whose "regimen" entry is a spec, and `clipped_steps(traj)` counts the steps at which a
clipping changed the gradient.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, NamedTuple

import numpy as np

from i18n import N_, translator

from . import base
from .base import Hyper, Line
from .schedules import Constant, Schedule

_, ngettext = translator("core")

CLIP_EPS = 1e-6  # torch's clip_grad_norm_: max_norm / (total_norm + 1e-6)


@functools.cache
def _state_type(inner_state: type) -> type:
    fields = [(f, Any) for f in inner_state._fields] + [
        ("lr_t", Any),
        ("g_eff", Any),
        ("clipped", Any),
        ("clip_scale", Any),
        ("theta_wd", Any),
    ]
    return NamedTuple(f"Regimen{inner_state.__name__}", fields)


def _rewrite(expr: str, decoupled: bool) -> str:
    expr = re.sub(r"\blr\b", "lr_t", expr)
    expr = re.sub(r"\bg\b", "g_eff", expr)
    return re.sub(r"\btheta_prev\b", "theta_wd", expr) if decoupled else expr


def _rewrite_tex(tex: str, decoupled: bool) -> str:
    tex = tex.replace(r"\gamma", r"\gamma_t").replace("g_t", r"\tilde g_t")
    return tex.replace(r"\theta_{t-1}", r"\theta'_t") if decoupled else tex


@dataclasses.dataclass(frozen=True, eq=False)
class Regimen(base.Optimizer):
    """A first-order optimizer under a schedule, with weight decay and gradient clipping (torch's semantics)."""

    inner: base.Optimizer
    schedule: Schedule = dataclasses.field(default_factory=Constant)
    decay: float = 0.0
    decoupled: bool = False
    clip_norm: float = 0.0
    clip_value: float = 0.0

    name = "regimen"
    title = "Regimen"
    description = N_("An optimizer under a learning-rate schedule, with weight decay and gradient clipping.")
    HYPERS = {
        "decay": Hyper(
            0.0, 0.0, 100.0, symbol=r"\lambda", help=N_("Weight decay λ (torch's weight_decay): coupled or decoupled.")
        ),
        "decoupled": Hyper(
            False, kind=bool, help=N_("Decoupled: θ ← θ(1 − γ_t λ) before the step (AdamW); else λθ is added to g.")
        ),
        "clip_norm": Hyper(0.0, 0.0, 1e6, help=N_("Clip the gradient's norm to this (clip_grad_norm_); 0 is off.")),
        "clip_value": Hyper(
            0.0, 0.0, 1e6, help=N_("Clip each gradient component to ±this (clip_grad_value_); 0 is off.")
        ),
    }
    QUANTITIES = {
        "lr_t": (r"\gamma_t", N_("the scheduled learning rate of this step")),
        "g_eff": (r"\tilde g", N_("the gradient the rule used: clipped, plus λθ when the decay is coupled")),
        "clipped": ("c", N_("1 where a clipping changed the gradient")),
        "clip_scale": ("s_t", N_("the norm clipping's factor: min(1, c/(‖g‖ + 10⁻⁶))")),
        "theta_wd": (r"\theta'", N_("θ after a decoupled decay")),
    }
    LINES = ()

    def __post_init__(self) -> None:
        if not isinstance(self.inner, base.Optimizer) or self.inner.needs_hessian:
            raise ValueError(f"inner must be a first-order optimizer, got {self.inner!r}")
        if not isinstance(self.schedule, Schedule):
            raise ValueError(f"schedule must be one of optimizers.schedules, got {self.schedule!r}")
        own = {k for k in self.HYPERS} & set(self.inner.hyperparams())
        if own:
            raise ValueError(f"{self.inner.name} has its own {', '.join(sorted(own))}")
        for name, h in self.HYPERS.items():
            object.__setattr__(self, name, h.check(name, getattr(self, name)))
        # read back as the inner optimizer: its title, its hyperparameters' metadata beside the regimen's, and its
        # quantities beside the regimen's (the pages' panels)
        object.__setattr__(self, "title", self.inner.title)
        object.__setattr__(self, "HYPERS", {**self.inner.HYPERS, **type(self).HYPERS})
        # (its own only where they say something: g̃ when it differs from g, θ' under a decoupled decay, c when clipping)
        own = {"lr_t": True, "g_eff": bool(self.clip_norm or self.clip_value or (self.decay and not self.decoupled))}
        own |= {"clipped": bool(self.clip_norm or self.clip_value), "theta_wd": bool(self.decay and self.decoupled)}
        own |= {"clip_scale": bool(self.clip_norm)}
        quantities = {k: v for k, v in type(self).QUANTITIES.items() if own[k]}
        object.__setattr__(self, "QUANTITIES", {**self.inner.QUANTITIES, **quantities})

    def check(self, steps: int) -> None:
        """ValueError if the schedule makes γ_t zero or negative within `steps` updates (call before a run)."""
        self.schedule.check(self.inner.lr, steps)

    # -- reading back ---------------------------------------------------------------------------------------
    def hyperparams(self) -> dict[str, Any]:
        own = {k: getattr(self, k) for k in type(self).HYPERS}
        return {**self.inner.hyperparams(), **own, "schedule": self.schedule}

    def lines(self) -> tuple[Line, ...]:
        g = "g"
        rows = [Line("lr_t", r"\gamma_t = \mathrm{schedule}(\gamma, t)", "schedule(lr, t)")]
        tex = "g_t"
        if self.clip_norm > 0:  # its factor a line of its own: the norm is over both coordinates
            rows.append(
                Line(
                    "clip_scale",
                    r"s_t = \min(1, c_n / (\lVert g_t \rVert + 10^{-6}))",
                    f"minimum(1, clip_norm/(norm(g) + {CLIP_EPS!r}))",
                )
            )
            g = f"{g}*clip_scale"
            tex = rf"{tex}\, s_t"
        if self.clip_value > 0:
            g = f"clip({g}, -clip_value, clip_value)"
            tex = rf"\mathrm{{clip}}({tex}, \pm c_v)"
        if self.decay > 0 and not self.decoupled:
            g = f"{g} + decay*theta_prev"
            tex = rf"{tex} + \lambda\theta_{{t-1}}"
        rows.append(Line("g_eff", rf"\tilde g_t = {tex}", g))
        if self.decoupled:
            rows.append(
                Line("theta_wd", r"\theta'_t = \theta_{t-1}(1 - \gamma_t\lambda)", "theta_prev*(1 - lr_t*decay)")
            )
        for line in self.inner.lines():
            rows.append(
                dataclasses.replace(
                    line, tex=_rewrite_tex(line.tex, self.decoupled), expr=_rewrite(line.expr, self.decoupled)
                )
            )
        return tuple(rows)

    # -- the update -----------------------------------------------------------------------------------------
    @property
    def State(self) -> type:  # noqa: N802 - the same name as every optimizer's state class
        return _state_type(self.inner.State)

    def init(self, params):
        inner_state = self.inner.init(params)
        p = np.array(params, dtype=np.float64)
        return self.State(
            *inner_state,
            np.full(np.shape(self.inner.lr), np.nan),
            np.zeros_like(p),
            np.zeros(p.shape[:-1]),
            np.ones(p.shape[:-1]),
            p,
        )

    def update(self, grad, state, params):
        n = len(self.inner.State._fields)
        t = state.count + 1
        lr_t = np.asarray(self.schedule(self.inner.lr, t), dtype=np.float64)
        g = np.asarray(grad, dtype=np.float64)
        clipped = np.zeros(g.shape[:-1])
        scale = np.ones(g.shape[:-1])
        if self.clip_norm > 0:
            coef = self.clip_norm / (np.linalg.norm(g, axis=-1) + CLIP_EPS)
            clipped = np.maximum(clipped, (coef < 1).astype(np.float64))
            scale = np.minimum(coef, 1.0)
            g = g * scale[..., None]
        if self.clip_value > 0:
            clipped = np.maximum(clipped, (np.abs(g) > self.clip_value).any(-1).astype(np.float64))
            g = np.clip(g, -self.clip_value, self.clip_value)
        theta_wd = params
        if self.decay > 0:
            if self.decoupled:
                theta_wd = params * (1 - lr_t * self.decay)
            else:
                g = g + self.decay * params
        inner = dataclasses.replace(self.inner, lr=lr_t if lr_t.ndim else float(lr_t))
        new_params, inner_state = inner.update(g, self.inner.State(*state[:n]), theta_wd)
        theta_wd = np.asarray(theta_wd, dtype=np.float64)
        return new_params, self.State(*inner_state, lr_t, g, clipped, scale, theta_wd)


# -- the regimen as plain values, for the pages' caches and links ------------------------------------------------
def spec(
    schedule: str = "constant",
    schedule_params: dict[str, float] | None = None,
    decay: float = 0.0,
    decoupled: bool = False,
    clip_norm: float = 0.0,
    clip_value: float = 0.0,
) -> tuple:
    """A regimen as a tuple of plain values; () when every part is off (a constant γ, no decay, no clipping)."""
    if schedule == "constant" and not decay and not clip_norm and not clip_value:
        return ()
    params = tuple(sorted((k, float(v)) for k, v in (schedule_params or {}).items()))
    return (
        ("schedule", schedule),
        ("params", params),
        ("decay", float(decay)),
        ("decoupled", bool(decoupled)),
        ("clip_norm", float(clip_norm)),
        ("clip_value", float(clip_value)),
    )


KEY = "regimen"  # the entry of a page's hyperparameter pairs that carries a spec


def make(opt_name: str, **hypers: Any) -> base.Optimizer:
    """optimizers.make(opt_name, **hypers), under the regimen `hypers` may carry as its "regimen" entry (a spec)."""
    from . import make as make_optimizer  # the registry (optimizers/__init__ imports this module's package)

    spec_ = hypers.pop(KEY, ())
    return from_spec(make_optimizer(opt_name, **hypers), spec_)


def from_spec(inner: base.Optimizer, regimen: tuple) -> base.Optimizer:
    """The optimizer to run: `inner` for the empty spec, else the Regimen it describes (ValueError as Regimen's).

    Weight decay is refused for an optimizer that has its own `weight_decay` (AdamW, Lion, ...): one decay only."""
    if not regimen:
        return inner
    from .schedules import make

    d = dict(regimen)
    if d["decay"] and "weight_decay" in inner.HYPERS:
        raise ValueError(
            _("{optimizer} has its own weight_decay; the regimen's decay must be 0 for it").format(
                optimizer=inner.title
            )
        )
    return Regimen(
        inner,
        make(d["schedule"], **dict(d["params"])),
        decay=d["decay"],
        decoupled=d["decoupled"],
        clip_norm=d["clip_norm"],
        clip_value=d["clip_value"],
    )


def for_optimizer(spec: tuple, cls: type) -> tuple:
    """The spec as it applies to optimizer class `cls`: its decay dropped when `cls` has its own weight_decay,
    () for a second-order optimizer."""
    if not spec or cls.needs_hessian:
        return ()
    d = dict(spec)
    if d["decay"] and "weight_decay" in cls.HYPERS:
        d = {**d, "decay": 0.0, "decoupled": False}
        if d["schedule"] == "constant" and not d["clip_norm"] and not d["clip_value"]:
            return ()
        return tuple(d.items())
    return spec


def clipped_steps(traj: Any) -> int | np.ndarray:
    """The number of steps (up to the last real one) at which a clipping changed the gradient, from the run's
    record of `clipped` (per start for a batch); 0 for a run without a regimen."""
    rec = traj.quantities.get("clipped")
    if rec is None:
        return 0 if not traj.batched else np.zeros(traj.start.shape[:-1], dtype=np.int64)
    steps = np.arange(rec.shape[0]).reshape((-1,) + (1,) * (rec.ndim - 1))
    counted = (rec > 0) & (steps >= 1) & (steps <= traj.last_real)
    n = counted.sum(axis=0)
    return int(n) if not traj.batched else n.astype(np.int64)
