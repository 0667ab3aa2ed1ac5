"""The inspector: an optimizer's update rule with one step's numbers put in, evaluated from the record.

For step t of a Trajectory, every line of the rule (Line.expr) is evaluated with the numbers the run
recorded (hyperparameters, t, g = grads[t-1], θ_{t-1}, each state field now and at t-1), and written out with
those numbers, per coordinate:  m = 0.9·(−0.41) + (1 − 0.9)·(−1.2) = −0.489.
The value the expression gives and the value the update recorded are both returned; a test checks that
they agree, so the rule shown is the rule computed.

The numbers are written so that the line holds as written: hyperparameters and t exactly, the result to DIGITS
significant digits, and the step's other numbers to DIGITS digits or to as many more as that line (and
coordinate) needs for its numbers, as shown, to give its result, as shown: 0.9·(−1.421999) + (1 − 0.9)·12.73521 =
−0.006278, where four digits (−1.422, 12.74) would give −0.0058.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re

import numpy as np

from i18n import translator

from .base import EXPR_FUNCTIONS, Line
from .engine import Trajectory
from .newton import solve

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_, ngettext = translator("core")
DIGITS = 4  # significant digits of a line's result, and the fewest a number of the step is shown with


@dataclasses.dataclass(frozen=True)
class ExplainedLine:
    line: Line
    texts: tuple[str, ...]  # per coordinate: the right-hand side with numbers, "= value"
    value: np.ndarray  # what the expression evaluates to
    recorded: np.ndarray  # what the update computed (the state field, or θ_t)
    digits: tuple[int, ...] = ()  # per text: significant digits of the step's numbers in it (>= DIGITS)


def namespace(traj: Trajectory, t: int, index: int | None = None) -> dict:
    """The numbers of step t (1 <= t <= steps) under the names Line.expr uses."""
    if not 1 <= t <= traj.steps:
        raise ValueError(_("t must be a step in [1, {steps}], got {t}").format(steps=traj.steps, t=t))
    opt = traj.optimizer

    def pick(a: np.ndarray, row: int) -> np.ndarray:
        v = a[row]
        if traj.batched and index is not None and v.ndim > 0:
            v = v[index]
        return np.asarray(v)

    # t as the run counts it (an int64): Python's float ** int and NumPy's can differ in the last bit
    ns: dict = {**EXPR_FUNCTIONS, "solve": solve, **opt.hyperparams(), "t": np.int64(t)}
    ns["g"] = pick(traj.grads, t - 1)
    ns["theta_prev"] = pick(traj.points, t - 1)
    ns["theta"] = pick(traj.points, t)
    ns["eye"] = np.eye(traj.points.shape[-1])
    for name, arr in traj.quantities.items():
        ns[name] = pick(arr, t)
        ns[f"{name}_prev"] = pick(arr, t - 1)
    return ns


# -- numbers as text -------------------------------------------------------------------------------------------
def _sig_digits(x: float) -> int:
    """Significant digits of the shortest decimal that reads back as x (repr's: 0.99999 -> 5, 1e-08 -> 1)."""
    mantissa = repr(x).lstrip("-").partition("e")[0].replace(".", "").strip("0")
    return max(len(mantissa), 1)


def _raw(x: float, digits: int | None) -> str:
    """x to `digits` significant digits (None: exactly, in as few as read back), no trailing zeros; Python syntax."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else repr(x)  # -0.0 shows as 0
    # up to 15 digits, rounding x pads its shortest decimal with zeros, which "g" drops: 0.1 stays 0.1
    n = digits if digits is not None and digits <= 15 else min(digits or 17, _sig_digits(x))
    s = f"{x:.{n}g}"
    if "e" in s and n <= int(s.partition("e")[2]) < 6:  # a whole number below a million in full: 10, 12346
        s = f"{x:.{int(s.partition('e')[2]) + 1}g}"
    return s


@functools.lru_cache(maxsize=1024)  # hyperparameters, shown exactly in every line: a few values
def _num_exact(x: float) -> str:
    return _num(x, None)


def _num(x: float, digits: int | None) -> str:
    """_raw as the inspector writes it: 2.159e−5, 1e−8, 1.5e20, a real minus sign."""
    s = _raw(x, digits).replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
    return s.replace("-", "−")


def _fmt(x: float, digits: int | None = DIGITS, bracket: bool = True, power: bool = False) -> str:
    """A number in a line: negative ones in brackets, and one in scientific notation raised to a power too."""
    s = _num_exact(x) if digits is None else _num(x, digits)
    return f"({s})" if bracket and (s.startswith("−") or (power and "e" in s)) else s


def _fmt_array(a: np.ndarray, digits: int | None = DIGITS) -> str:
    if a.ndim == 0:
        return _fmt(float(a), digits, bracket=False)
    return "[" + ", ".join(_fmt_array(r, digits) for r in a) + "]"


def _shown(v, digits: int) -> np.ndarray:
    """The number(s) v as a reader reads them back from the line, shown to `digits` significant digits."""
    arr = np.asarray(v, dtype=np.float64)
    return np.array([float(_raw(float(x), digits)) for x in arr.ravel()]).reshape(arr.shape)


def _target(result: float) -> tuple[float, float]:
    """`result` as shown (DIGITS significant digits) and half a unit of its last digit (of the last digit shown,
    where more are: 12346); 0 for a zero or a non-finite result, which only itself gives."""
    text = _raw(result, DIGITS)
    shown = float(text)
    if shown == 0 or not math.isfinite(shown):
        return shown, 0.0
    mantissa, _, exponent = text.partition("e")
    last_shown = int(exponent or 0) - len(mantissa.partition(".")[2])
    unit = 10.0 ** min(last_shown, int(f"{shown:.{DIGITS - 1}e}".partition("e")[2]) - DIGITS + 1)
    return shown, 0.5 * unit * (1 + 1e-9)  # the slack: a tie still rounds to what is shown


def _agrees(v: float, target: tuple[float, float]) -> bool:
    """Whether v (a line evaluated with its shown numbers) gives the result as shown (see _target)."""
    shown, half = target
    return abs(v - shown) <= half or v == shown or (math.isnan(v) and math.isnan(shown))


# -- lines as text ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _compiled(expr: str):
    return compile(expr, "<line>", "eval")


@functools.lru_cache(maxsize=256)
def _names(expr: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_NAME.findall(expr)))


def _pretty(expr: str, ns: dict, j: int | None, digits: int = DIGITS, exact: frozenset = frozenset()) -> str:
    """expr with the step's numbers: names in `exact` (hyperparameters, t) exactly, the others to `digits`."""

    def sub(m: re.Match) -> str:
        name = m.group(0)
        if name not in ns or callable(ns[name]) or name == "eye":
            return {"eye": "I", "maximum": "max"}.get(name, name)
        v = ns[name]
        if isinstance(v, (bool, np.bool_)):
            return str(v)
        d = None if name in exact else digits
        power = expr.startswith("**", m.end())
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 0:
            return _fmt(float(arr), d, power=power)
        if j is not None and arr.ndim == 1:
            return _fmt(float(arr[j]), d, power=power)
        return _fmt_array(arr, d)

    text = _NAME.sub(sub, expr)
    text = re.sub(r"\*\*2(?![\d.])", "²", text)
    return text.replace("**", "^").replace("*", "·").replace(" - ", " − ")


def _digits_needed(
    code, ns: dict, operands: list[str], recorded: np.ndarray, value: np.ndarray, groups: int
) -> tuple[list[int], np.ndarray]:
    """Per group (a coordinate, or the whole line), the fewest digits (>= DIGITS) of the operands with which the
    line, evaluated with its numbers as shown, gives the recorded result as shown; and the results to show.

    Where no number of digits does (the operands shown exactly, at most 17 digits), the recorded value and the
    line's own value differ by rounding noise that matters (x − y with x ≈ y): that group shows the line's value,
    which its exact numbers give.
    """
    digits = [DIGITS] * groups
    todo = list(range(groups))
    targets = [_target(float(x)) for x in np.ravel(recorded)]
    per_group = len(targets) // groups
    p, most = DIGITS, DIGITS
    while p <= most:
        shown = {**ns, **{name: _shown(ns[name], p) for name in operands}}
        with np.errstate(all="ignore"):
            v = np.asarray(eval(code, {"__builtins__": {}}, shown), dtype=np.float64)  # noqa: S307
        for k in list(todo):
            got = np.ravel(v[k] if groups > 1 else v)
            want = targets[k * per_group : (k + 1) * per_group]
            if all(_agrees(float(a), b) for a, b in zip(got, want, strict=True)):
                digits[k] = p
                todo.remove(k)
        if not todo:
            break
        if p == DIGITS:  # as many as the operands' shortest exact decimals have, at most 17
            values = [float(x) for name in operands for x in np.asarray(ns[name], dtype=np.float64).ravel()]
            most = max([DIGITS, *(_sig_digits(x) for x in values if x != 0 and math.isfinite(x))])
        p += 1
    for k in todo:
        digits[k] = most
    if todo:
        result = recorded.copy()
        for k in todo:
            result[k if groups > 1 else ...] = value[k if groups > 1 else ...]
        return digits, result
    return digits, recorded


def explain(traj: Trajectory, t: int, index: int | None = None) -> list[ExplainedLine]:
    """Each line of the rule that applied at step t, with its numbers, value and recorded value.

    The result of a line is shown to DIGITS significant digits; hyperparameters and t exactly; the step's other
    numbers (g, θ, the state) to DIGITS digits, or more where the line needs them: evaluating a line's shown
    numbers gives its shown result (near-cancelling terms such as −102.4 + 0.9·114.6 need more).
    """
    ns = namespace(traj, t, index)
    exact = frozenset([*traj.optimizer.hyperparams(), "t"])
    d = traj.points.shape[-1]
    out = []
    for line in traj.optimizer.lines():
        code = _compiled(line.expr)
        with np.errstate(all="ignore"):
            if line.when is not None and not bool(eval(line.when, {"__builtins__": {}}, ns)):  # noqa: S307
                continue
            value = np.asarray(eval(code, {"__builtins__": {}}, ns), dtype=np.float64)  # noqa: S307
        recorded = np.asarray(ns["theta"] if line.name == "theta" else ns[line.name], dtype=np.float64)
        operands = [
            n
            for n in _names(line.expr)
            if n in ns and n not in exact and n != "eye" and not callable(ns[n]) and not isinstance(ns[n], bool)
        ]
        if value.ndim == 1 and value.shape[0] == d and "solve" not in line.expr and line.name != "H":
            digits, result = _digits_needed(code, ns, operands, recorded, value, d)
            texts = tuple(f"{_pretty(line.expr, ns, j, digits[j], exact)} = {_fmt_array(result[j])}" for j in range(d))
        else:
            digits, result = _digits_needed(code, ns, operands, recorded, value, 1)
            texts = (f"{_pretty(line.expr, ns, None, digits[0], exact)} = {_fmt_array(result)}",)
        out.append(ExplainedLine(line, texts, value, recorded, tuple(digits)))
    return out
