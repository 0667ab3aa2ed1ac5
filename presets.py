"""Recommended settings: hyperparameters for each surface/optimizer pair, and the named demonstrations.

Plain data and small functions over it (no maths, no streamlit), shared by the pages and the tests.
"""

from __future__ import annotations

from typing import Any

import optimizers

# Per surface, the learning rate for each optimizer where its general default does not suit the surface.
RECOMMENDED_LR: dict[str, dict[str, float]] = {}


def recommended(opt_name: str, surface_name: str) -> dict[str, Any]:
    """The hyperparameters a newcomer should start from for this optimizer on this surface."""
    hp = optimizers.defaults(opt_name)
    lr = RECOMMENDED_LR.get(surface_name, {}).get(opt_name)
    if lr is not None:
        hp["lr"] = lr
    return hp


# -- links that open the Explorer on one configuration ------------------------------------------------------
EXPLORER_PATH = "explorer"  # the Explorer's url_path in app.py


def _query_value(value: Any) -> str:
    """A setting as it appears in the query string: true/false for booleans, repr for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def explorer_link(
    surface: str,
    opt: str,
    start: tuple[float, float] | None = None,
    steps: int | None = None,
    *,
    noise: float | None = None,
    seed: int | None = None,
    **hypers: Any,
) -> str:
    """The relative URL of the Explorer showing this configuration, e.g. "explorer?surface=ravine&opt=...".

    Query keys: `surface`, `opt`, one key per hyperparameter named as in the optimizer's HYPERS (every one
    of them, so the link does not depend on what the visitor set before: the ones not given are the
    recommended settings for this surface), then `x0`, `y0`, `steps`, `noise`, `seed` when given.
    Unknown optimizers, unknown hyperparameters and out-of-range values raise ValueError.
    """
    from urllib.parse import urlencode

    checked = optimizers.make(opt, **hypers).hyperparams()  # validates names and ranges
    settings = recommended(opt, surface)
    settings.update({k: checked[k] for k in hypers})
    query: list[tuple[str, str]] = [("surface", surface), ("opt", opt)]
    query += [(name, _query_value(settings[name])) for name in optimizers.get(opt).HYPERS]
    if start is not None:
        x0, y0 = (float(c) for c in start)
        query += [("x0", _query_value(x0)), ("y0", _query_value(y0))]
    if steps is not None:
        query.append(("steps", str(int(steps))))
    if noise is not None:
        query.append(("noise", _query_value(noise)))
    if seed is not None:
        query.append(("seed", str(int(seed))))
    return f"{EXPLORER_PATH}?{urlencode(query)}"
