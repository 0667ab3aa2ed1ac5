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
