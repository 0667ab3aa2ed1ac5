"""What every optimizer shares: hyperparameter metadata and validation, formula lines, the base class.

An optimizer is a frozen dataclass of its hyperparameters with two pure methods in optax's shape:

    state = opt.init(params)
    new_params, new_state = opt.update(grad, state, params)

`params` and `grad` have any shape (..., d); every operation is elementwise (Newton excepted, which solves
a d x d system per leading index), so one start, 10,000 starts and a network's weights go through the same
code. The state is a NamedTuple of NumPy arrays. Besides what the optimizer must carry to the next step
(m, v, ...), the state also holds what the last step derived (m̂, v̂, the effective step size, the update):
that is what the inspector shows, taken from the computation itself rather than recomputed beside it.

Each optimizer's update rule is written once, as `LINES`: per line the LaTeX shown in the app and in the
docstring, and the same line as a Python expression over named numbers. The expression is what the
inspector evaluates to put the current step's numbers into the rule, and a test checks that it agrees with
what `update` computed, to the last few bits.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar, NamedTuple

import numpy as np

from i18n import N_, translator

_, ngettext = translator("core")
# i18n.join's separators (between listed names, between clauses), marked here to be extracted into the core's catalog
LIST_SEPARATOR = N_("list|, ")
CLAUSE_SEPARATOR = N_("clauses|; ")


class UnknownHyperparameterError(ValueError, TypeError):
    """A keyword that the optimizer does not have (a ValueError, and a TypeError like a bad call)."""


@dataclasses.dataclass(frozen=True)
class Hyper:
    """Metadata of one hyperparameter: its default for 2-D demos, valid range, scale, help and symbol."""

    default: float | bool
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False  # True: the low end itself is not allowed
    high_open: bool = False
    log: bool = False  # show on a log scale (learning rates, epsilons)
    help: str = ""
    symbol: str = ""  # LaTeX symbol used in the formula, e.g. r"\gamma"
    kind: type = float  # float or bool
    integer: bool = False  # a whole number (a count of steps), kept as a float like every other number

    def range_text(self) -> str:
        """The valid range as an interval, e.g. '(0, 10]'."""
        if self.kind is bool:
            return _("True or False")
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"{lo}{_num(self.low)}, {_num(self.high)}{hi}"

    def check(self, name: str, value: Any) -> float | bool | np.ndarray:
        """Return `value` as this parameter's type, or raise ValueError naming the parameter and its range.

        A float parameter may also be an array (every element checked): it broadcasts against the params, so
        an lr of shape (k, 1) runs k learning rates over a (k, d) batch in one pass (a learning-rate sweep).
        """
        if isinstance(value, np.ndarray) and value.ndim > 0 and self.kind is not bool:
            arr = np.asarray(value, dtype=np.float64)
            for x in arr.ravel():
                self.check(name, float(x))
            return arr
        if self.kind is bool:
            if isinstance(value, (bool, np.bool_)) or value in (0, 1):
                return bool(value)
            raise ValueError(_("{name} must be True or False, got {value}").format(name=name, value=repr(value)))
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                _("{name} must be a number in {range}, got {value}").format(
                    name=name, range=self.range_text(), value=repr(value)
                )
            ) from None
        bad = isinstance(value, (bool, np.bool_)) or not math.isfinite(x) or not self.contains(x)
        if bad or (self.integer and x != math.floor(x)):
            message = (
                _("{name} must be a whole number in {range}, got {value}")
                if self.integer
                else _("{name} must be a finite number in {range}, got {value}")
            )
            raise ValueError(message.format(name=name, range=self.range_text(), value=repr(value)))
        return x

    def help_text(self) -> str:
        """The help in the language in use (`help` is the English source, marked N_ where it is written)."""
        return _(self.help)

    def contains(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below


def _num(x: float) -> str:
    if x == math.inf:
        return "∞"
    if x == -math.inf:
        return "-∞"
    return f"{x:g}"


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of an update rule.

    name: the quantity this line computes (a state field, or "theta" for the parameters).
    tex:  the line in LaTeX, as shown in the app.
    expr: the same right-hand side in Python over: the hyperparameters, `t` (the step, from 1), `g` (the
          gradient used), `theta_prev`, every state field at this step (`m`) and at the previous one
          (`m_prev`), and the functions sqrt, maximum, minimum, abs, sign and rms (the root-mean-square over a
          point's coordinates, as torch's Adafactor takes it over a parameter vector). Evaluated per coordinate
          by the inspector.
    when: a Python condition over the hyperparameters (and `t`, state fields) under which the line applies;
          None for always. Lines whose condition depends only on hyperparameters are left out of an
          instance's formula when false; others are shown with their condition.
    """

    name: str
    tex: str
    expr: str
    when: str | None = None
    when_tex: str = ""


def rms(x: np.ndarray) -> np.ndarray:
    """Root-mean-square over the last axis (one point's coordinates): ‖x‖₂ / √d, as torch's Adafactor."""
    x = np.asarray(x, dtype=np.float64)
    return np.linalg.norm(x, axis=-1) / math.sqrt(x.shape[-1])


# Functions available to Line.expr and Line.when.
EXPR_FUNCTIONS = {
    "sqrt": np.sqrt,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "abs": np.abs,
    "sign": np.sign,
    "rms": rms,
    "norm": lambda x: np.linalg.norm(np.asarray(x, dtype=np.float64), axis=-1),
    "clip": np.clip,
}


class Optimizer:
    """Base of every optimizer. Subclasses are frozen dataclasses whose fields are the hyperparameters."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]  # one line
    paper: ClassVar[str] = ""
    torch_equivalent: ClassVar[str] = ""
    HYPERS: ClassVar[dict[str, Hyper]]
    QUANTITIES: ClassVar[dict[str, tuple[str, str]]]  # state field -> (LaTeX symbol, meaning)
    LINES: ClassVar[tuple[Line, ...]]
    needs_hessian: ClassVar[bool] = False
    # False where the update reads the whole point at once (Adafactor's root-mean-squares over the coordinates):
    # a batch still equals its starts one at a time, but a (3, 4, 5) array is not 60 separate numbers.
    elementwise: ClassVar[bool] = True
    State: ClassVar[type]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "LINES" in cls.__dict__:
            doc = (cls.__doc__ or "").rstrip()
            cls.__doc__ = f"{doc}\n\nUpdate rule (LaTeX, the one the app shows)::\n\n    {cls.formula_tex()}\n"

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            object.__setattr__(self, field.name, self.HYPERS[field.name].check(field.name, value))

    # -- reading back ---------------------------------------------------------------------------------
    def hyperparams(self) -> dict[str, float | bool]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def lines(self) -> tuple[Line, ...]:
        """The lines that apply with these hyperparameters (a step-dependent condition keeps its line)."""
        env = {**EXPR_FUNCTIONS, **self.hyperparams()}
        kept = []
        for line in self.LINES:
            if line.when is not None:
                try:
                    if not eval(line.when, {"__builtins__": {}}, env):  # noqa: S307 - our own constant text
                        continue
                except NameError:  # depends on the step: keep it, shown with its condition
                    pass
            kept.append(line)
        return tuple(kept)

    @classmethod
    def formula_tex(cls, lines: tuple[Line, ...] | None = None) -> str:
        rows = []
        for line in cls.LINES if lines is None else lines:
            lhs, _, rhs = line.tex.partition("=")
            when = line.when_tex
            if not when and line.when and lines is None:  # the class's full rule names each case
                when = r"\texttt{" + line.when.replace("_", r"\_") + "}"
            cond = rf" \quad \text{{if }} {when}" if when else ""
            rows.append(rf"{lhs.strip()} &= {rhs.strip()}{cond}")
        return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"

    @classmethod
    def shown_description(cls) -> str:
        """The one-line description in the language in use (`description` is the English source)."""
        return _(cls.description)

    @classmethod
    def meaning(cls, field: str) -> str:
        """What a state field is (QUANTITIES' second part), in the language in use ("" for an unknown field)."""
        text = cls.QUANTITIES.get(field, ("", ""))[1]
        return _(text) if text else ""

    def formula(self) -> str:
        """The update rule as computed with these hyperparameters, in LaTeX."""
        return self.formula_tex(self.lines())

    def replace(self, **changes: Any) -> Optimizer:
        return dataclasses.replace(self, **changes)

    # -- the update -------------------------------------------------------------------------------------
    def init(self, params: np.ndarray) -> NamedTuple:
        raise NotImplementedError

    def update(self, grad: np.ndarray, state: NamedTuple, params: np.ndarray) -> tuple[np.ndarray, NamedTuple]:
        raise NotImplementedError


def zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros(np.shape(params), dtype=np.float64)


def step_count() -> np.ndarray:
    return np.zeros((), dtype=np.int64)


# -- hyperparameters that several optimizers share (each optimizer picks its own 2-D default) -------------
def lr(default: float) -> Hyper:
    return Hyper(
        default,
        0.0,
        10.0,
        low_open=True,
        log=True,
        symbol=r"\gamma",
        help=N_("Learning rate γ: how far each update moves."),
    )


def eps(default: float, help: str = N_("ε, added to the denominator so it is never zero.")) -> Hyper:
    """ε's Hyper; `help` a whole sentence, marked N_ where it is written (translated where shown)."""
    return Hyper(default, 0.0, 1.0, log=True, symbol=r"\varepsilon", help=help)


def beta1(default: float = 0.9) -> Hyper:
    return Hyper(
        default,
        0.0,
        1.0,
        high_open=True,
        symbol=r"\beta_1",
        help=N_("β₁: decay of the first-moment (mean of g) average. 0.9 is the usual value."),
    )


def beta2(default: float = 0.999) -> Hyper:
    return Hyper(
        default,
        0.0,
        1.0,
        high_open=True,
        symbol=r"\beta_2",
        help=N_("β₂: decay of the second-moment (mean of g²) average. 0.999 is the usual value."),
    )


def weight_decay(
    default: float = 0.0, help: str = N_("Weight decay λ, decoupled: θ shrinks by γλ at each step.")
) -> Hyper:
    """λ's Hyper; `help` a whole sentence, marked N_ where it is written (translated where shown)."""
    return Hyper(default, 0.0, 100.0, symbol=r"\lambda", help=help)


def momentum(default: float = 0.9) -> Hyper:
    return Hyper(
        default,
        0.0,
        1.0,
        high_open=True,
        symbol=r"\mu",
        help=N_("Momentum μ: the fraction of the previous buffer kept at each step."),
    )


def bias_correction() -> Hyper:
    return Hyper(
        True,
        kind=bool,
        symbol="",
        help=N_(
            "Divide m and v by (1 − βᵗ) so the zero-initialised averages are not biased "
            "towards 0 in the first steps. Switch off to see why it matters."
        ),
    )
