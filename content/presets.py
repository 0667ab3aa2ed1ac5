"""Recommended settings: hyperparameters for each surface/optimizer pair, and the named demonstrations.

Plain data and small functions over it (no maths, no streamlit), shared by the pages and the tests.
"""

from __future__ import annotations

from typing import Any

import optimizers

# Per surface, the learning rate for each optimizer where its general default does not suit the surface:
# from benchmarks/tune_recommended_lr.py, the rate on a 1-2-5 ladder nearest the default whose 200-step run
# from the surface's first suggested start neither diverges nor finishes in under 15 steps, and closes 80% of
# the gap to the nearest minimum (on the saddles: leaves the saddle within 15-150 steps).
RECOMMENDED_LR: dict[str, dict[str, float]] = {
    "bowl": {"momentum": 0.005, "nesterov": 0.005, "adagrad": 0.2, "sf_sgd": 0.05, "adafactor": 0.1},
    "saddle": {
        "sgd": 0.02,
        "momentum": 0.005,
        "nesterov": 0.005,
        "adagrad": 0.05,
        "adadelta": 0.2,
        "rmsprop": 0.005,
        "adamax": 0.05,
        "adabelief": 0.02,
        "sf_sgd": 0.05,
    },
    "monkey_saddle": {
        "momentum": 0.005,
        "nesterov": 0.005,
        "adagrad": 0.1,
        "adadelta": 0.2,
        "adamax": 0.05,
        "adabelief": 0.02,
        "sf_sgd": 0.02,
    },
    "rosenbrock": {
        "sgd": 0.002,
        "momentum": 0.002,
        "nesterov": 0.001,
        "adagrad": 2,
        "adadelta": 2,
        "rmsprop": 0.5,
        "adam": 0.1,
        "amsgrad": 0.1,
        "adamax": 1,
        "nadam": 0.2,
        "adamw": 0.1,
        "radam": 0.01,
        "yogi": 0.1,
        "adabelief": 0.1,
        "adafactor": 1,
        "lookahead": 1,
        "sf_sgd": 0.01,
        "sf_adamw": 0.2,
    },
    "beale": {"sgd": 0.02, "momentum": 0.005, "nesterov": 0.005, "radam": 0.01, "sf_sgd": 0.02},
    "himmelblau": {"sgd": 0.01, "momentum": 0.005, "nesterov": 0.005, "adagrad": 0.2, "adadelta": 0.5},
    "double_well": {"adagrad": 0.2},
    "plateau": {"sgd": 2, "momentum": 0.2, "nesterov": 0.2, "adadelta": 2, "sf_sgd": 2},
    "styblinski_tang": {"sgd": 0.01, "nesterov": 0.01, "adagrad": 0.2, "sf_sgd": 0.02},
    "rastrigin": {
        "sgd": 0.005,
        "momentum": 0.005,
        "nesterov": 0.001,
        "adagrad": 1,
        "adadelta": 0.2,
        "rmsprop": 0.005,
        "adamax": 0.5,
        "nadam": 0.02,
        "radam": 0.1,
        "adabelief": 0.01,
        "adafactor": 0.1,
        "lookahead": 0.02,
        "sf_adamw": 0.02,
    },
}


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
