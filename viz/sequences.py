"""What the Explorer's map draws beside the path θ_t: the other sequences an optimizer keeps (Schedule-Free's x and z,
Lookahead's slow and fast weights), which one is "the" iterate, and the steps at which a clipping fired.

The engine's θ is where each gradient is taken (optimizers.engine; DEVELOPERS.md "Reference semantics"): y for
Schedule-Free, the fast weights for Lookahead. The others are state fields recorded per step; `stage_extras(traj)`
gives them to the stage (viz.explorer.stage_data) as arrays, with a caption that says which is which.
"""

from __future__ import annotations

import base64

import numpy as np

from i18n import translator

_, ngettext = translator("core")

SEQUENCE_COLOURS = {"x": "#009e73", "z": "#7b3294", "slow": "#009e73", "fast": "#7b3294"}
CLIP_COLOUR = "#ff7f0e"


def _b64(values) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def kind(traj) -> str | None:
    """ "schedule_free", "lookahead" or None, from the sequences the run recorded (under a regimen too)."""
    q = traj.quantities
    if {"x", "z", "c"} <= set(q):
        return "schedule_free"
    if {"slow", "fast"} <= set(q):
        return "lookahead"
    return None


def sequences(traj) -> list[dict]:
    """The other sequences as (key, label, colour, points (steps + 1, 2)), in the order they are drawn."""
    k = kind(traj)
    if k == "schedule_free":
        rows = [("z", _("z: the SGD steps")), ("x", _("x: the average of z (returned)"))]
    elif k == "lookahead":
        rows = [("fast", _("θ̃: fast weights before a pull")), ("slow", _("φ: slow weights (returned)"))]
    else:
        return []
    return [
        dict(key=key, label=label, colour=SEQUENCE_COLOURS[key], points=np.asarray(traj.quantities[key], float))
        for key, label in rows
    ]


def caption(traj) -> str:
    """Which sequence is "the" iterate, in words that hold for the run (tests/viz/test_sequences.py checks them)."""
    k = kind(traj)
    if k == "schedule_free":
        return _(
            "Schedule-Free keeps three sequences. The red path is y, where each gradient is taken (the loss and the "
            "numbers are at y). z (purple) takes the SGD steps with those gradients; x (green) is the running "
            "average of z: the weights Schedule-Free returns, the ones to evaluate (optax's "
            "schedule_free_eval_params). y = (1 − β)z + βx lies on the segment between z and x."
        )
    if k == "lookahead":
        return _(
            "Lookahead keeps two sequences. The red path is the fast weights, where each gradient is taken (the loss "
            "and the numbers are at them). Every k-th step the slow weights φ (green) move a fraction α towards "
            "where the fast ones got (θ̃, purple), and the fast ones restart from φ. φ is what Lookahead returns, "
            "the weights to evaluate (optax's params.slow)."
        )
    return ""


def clipped(traj) -> np.ndarray | None:
    """Per step t, 1 where a clipping changed the gradient step t used (taken at θ_{t−1}); None when the run does not
    clip (a regimen lists `clipped` in its QUANTITIES only when it clips)."""
    rec = traj.quantities.get("clipped")
    if rec is None or "clipped" not in getattr(traj.optimizer, "QUANTITIES", {}):
        return None
    return np.asarray(rec, dtype=np.float64)


def stage_extras(traj) -> dict:
    """The stage's part of all this: `paths` (each sequence's points as base64), `clipped` (base64 or None) and
    `caption` ("" when there is nothing to say)."""
    c = clipped(traj)
    return dict(
        paths=[dict(s, points=_b64(s["points"])) for s in sequences(traj)],
        clipped=_b64(c) if c is not None else None,
        caption=caption(traj),
    )
