"""The inspector: an optimizer's update rule with one step's numbers put in, evaluated from the record.

For step t of a Trajectory, every line of the rule (Line.expr) is evaluated with the numbers the run
recorded (hyperparameters, t, g = grads[t-1], θ_{t-1}, each state field now and at t-1), and written out with
those numbers, per coordinate:  m = 0.9·(−0.41) + (1 − 0.9)·(−1.2) = −0.489.
The value the expression gives and the value the update recorded are both returned; a test checks that
they agree, so the rule shown is the rule computed.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from .base import EXPR_FUNCTIONS, Line
from .engine import Trajectory
from .newton import solve

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


@dataclasses.dataclass(frozen=True)
class ExplainedLine:
    line: Line
    texts: tuple[str, ...]  # per coordinate: the right-hand side with numbers, "= value"
    value: np.ndarray  # what the expression evaluates to
    recorded: np.ndarray  # what the update computed (the state field, or θ_t)


def namespace(traj: Trajectory, t: int, index: int | None = None) -> dict:
    """The numbers of step t (1 <= t <= steps) under the names Line.expr uses."""
    if not 1 <= t <= traj.steps:
        raise ValueError(f"t must be a step in [1, {traj.steps}], got {t}")
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


def _fmt(x: float, bracket: bool = True) -> str:
    s = f"{x:.4g}".replace("e-0", "e-").replace("e+0", "e").replace("-", "−")
    return f"({s})" if bracket and x < 0 else s


def _fmt_array(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _fmt(float(a), bracket=False)
    return "[" + ", ".join(_fmt_array(r) for r in a) + "]"


def _pretty(expr: str, ns: dict, j: int | None) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(0)
        if name not in ns or callable(ns[name]) or name == "eye":
            return {"eye": "I", "maximum": "max"}.get(name, name)
        v = ns[name]
        if isinstance(v, (bool, np.bool_)):
            return str(v)
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 0:
            return _fmt(float(arr))
        if j is not None and arr.ndim == 1:
            return _fmt(float(arr[j]))
        return _fmt_array(arr)

    text = _NAME.sub(sub, expr)
    text = re.sub(r"\*\*2(?![\d.])", "²", text)
    return text.replace("**", "^").replace("*", "·").replace(" - ", " − ")


def explain(traj: Trajectory, t: int, index: int | None = None) -> list[ExplainedLine]:
    """Each line of the rule that applied at step t, with its numbers, value and recorded value."""
    ns = namespace(traj, t, index)
    d = traj.points.shape[-1]
    out = []
    for line in traj.optimizer.lines():
        with np.errstate(all="ignore"):
            if line.when is not None and not bool(eval(line.when, {"__builtins__": {}}, ns)):  # noqa: S307
                continue
            value = np.asarray(eval(line.expr, {"__builtins__": {}}, ns), dtype=np.float64)  # noqa: S307
        recorded = np.asarray(ns["theta"] if line.name == "theta" else ns[line.name], dtype=np.float64)
        if value.ndim == 1 and value.shape[0] == d and "solve" not in line.expr and line.name != "H":
            texts = tuple(f"{_pretty(line.expr, ns, j)} = {_fmt_array(recorded[j])}" for j in range(d))
        else:
            texts = (f"{_pretty(line.expr, ns, None)} = {_fmt_array(recorded)}",)
        out.append(ExplainedLine(line, texts, value, recorded))
    return out
