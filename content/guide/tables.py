"""What each optimizer keeps from one step to the next, read off the optimizers themselves.

A state field is *kept* if the update rule reads its previous value (`<field>_prev` in a line of LINES, the
same expressions the inspector evaluates and a test checks against `update`); every other field is
computed afresh at each step and kept only so that the Explorer can show it. Whether a field holds one
number per coordinate or a single scalar comes from the shapes `init` returns.
"""

from __future__ import annotations

import re

import numpy as np

import optimizers
from content import text
from i18n import N_
from optimizers.symbols import plain

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def kept_fields(name: str) -> dict[str, str | None]:
    """The state fields the update reads back at the next step, each with its condition (None: always)."""
    cls = optimizers.get(name)
    kept: dict[str, str | None] = {}
    for line in cls.LINES:
        for token in _NAME.findall(line.expr):
            if token.endswith("_prev") and token != "theta_prev":
                field = token.removesuffix("_prev")
                if field in kept and kept[field] is None:
                    continue
                kept[field] = line.when if field not in kept else _either(kept[field], line.when)
    return {f: kept[f] for f in cls.State._fields if f in kept}


def _either(a: str | None, b: str | None) -> str | None:
    if a is None or b is None or b == f"not ({a})" or a == f"not ({b})":  # a condition or its negation: always
        return None
    return a if a == b else f"{a} or {b}"


def uses_step_count(name: str) -> bool:
    """True if some line of the rule uses the step number t (bias corrections, schedules)."""
    cls = optimizers.get(name)
    return any("t" in _NAME.findall(line.expr) for line in cls.LINES)


def field_shapes(name: str, d: int = 2) -> dict[str, tuple[int, ...]]:
    """The shape of every state field for a single point in d dimensions."""
    state = optimizers.make(name).init(np.zeros(d))
    return {f: np.shape(getattr(state, f)) for f in state._fields}


def _label(cls: type, field: str, when: str | None) -> str:
    quantity = plain(cls.QUANTITIES[field][0])
    return text(N_("{quantity} (if {condition})")).format(quantity=quantity, condition=when) if when else quantity


# The table's columns (in the language in use when the table is made).
COLUMNS = (
    N_("Optimizer"),
    N_("Kept between steps"),
    N_("Copies of θ"),
    N_("Scalars kept"),
    N_("Uses t"),
    N_("Computed each step"),
)


def state_table():
    """One row per optimizer: what it keeps between steps, how much memory that is, what it derives.

    Columns: Optimizer, Kept between steps, Copies of θ, Scalars kept, Uses t, Computed each step (COLUMNS),
    with the table's words in the language in use (i18n.lang()).
    """
    import pandas as pd

    rows = []
    for name in optimizers.NAMES:
        cls = optimizers.get(name)
        kept = kept_fields(name)
        shapes = field_shapes(name)
        per_coord = {f: w for f, w in kept.items() if shapes[f] == (2,)}
        scalars = {f: w for f, w in kept.items() if shapes[f] == ()}
        always = sum(1 for w in per_coord.values() if w is None)
        copies = f"{always}" if always == len(per_coord) else f"{always}–{len(per_coord)}"
        derived = [f for f in cls.QUANTITIES if f not in kept]
        values = (
            cls.title,
            ", ".join(_label(cls, f, w) for f, w in per_coord.items()) or text(N_("nothing")),
            copies,
            ", ".join(_label(cls, f, w) for f, w in scalars.items()) or "",
            text(N_("yes")) if uses_step_count(name) else text(N_("no")),
            ", ".join(plain(cls.QUANTITIES[f][0]) for f in derived),
        )
        rows.append(dict(zip((text(c) for c in COLUMNS), values, strict=True)))
    return pd.DataFrame(rows, index=pd.Index(optimizers.NAMES, name="name"))
