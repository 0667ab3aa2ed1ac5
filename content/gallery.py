"""The home page's preset gallery: a few configurations of the Explorer, each showing one thing at a glance.

Plain data (no streamlit): each card has a title, what to watch, and one or more links built by
presets.explorer_link (so they carry every setting and open the Explorer configured).
tests/ui/test_gallery.py runs every card's links and checks what its text says; a card without a check fails.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl, urlsplit

from content import presets
from i18n import N_


@dataclasses.dataclass(frozen=True)
class Link:
    label: str
    url: str  # "explorer?surface=...&opt=..."

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))


@dataclasses.dataclass(frozen=True)
class Card:
    title: str
    text: str
    links: tuple[Link, ...]


def _link(label: str, surface: str, opt: str, start, steps: int, **kw) -> Link:
    return Link(label, presets.explorer_link(surface, opt, start, steps, **kw))


GALLERY: tuple[Card, ...] = (
    Card(
        N_("Adam vs SGD at a saddle"),
        N_(
            "Both start a hair off the ridge of f = x² − y². SGD slides to the saddle point and lingers there; Adam "
            "divides by √v̂, so the tiny downhill slope gets a full-size step and it is away in about 20 steps."
        ),
        (
            _link(N_("SGD lingers"), "saddle", "sgd", (1.0, 0.001), 150),
            _link(N_("Adam escapes"), "saddle", "adam", (1.0, 0.001), 150),
        ),
    ),
    Card(
        N_("Momentum in a ravine"),
        N_(
            "A valley 50 times steeper across than along. Plain gradient descent bounces from wall to wall; momentum "
            "averages the bounces away and speeds along the floor."
        ),
        (
            _link(N_("SGD zig-zags"), "ravine", "sgd", (-4.0, 1.5), 150, lr=0.075),
            _link(N_("Momentum glides"), "ravine", "momentum", (-4.0, 1.5), 150),
        ),
    ),
    Card(
        N_("Rosenbrock's valley"),
        N_(
            "The banana-shaped valley: finding it is easy, following its curve to the minimum at (1, 1) is not. "
            "Watch Adam's m̂ and v̂ as the valley bends."
        ),
        (_link(N_("Adam in the valley"), "rosenbrock", "adam", (-1.5, 2.0), 300),),
    ),
    Card(
        N_("Newton runs to the saddle"),
        N_(
            "Newton's method jumps to where the gradient of its local quadratic model is zero, and a saddle point "
            "qualifies: on this quadratic surface, one step and it sits on the saddle. Curvature is only useful when "
            "it points the right way."
        ),
        (_link(N_("One Newton step"), "saddle", "newton", (1.5, 0.5), 20),),
    ),
    Card(
        N_("Bias correction, on and off"),
        N_(
            "Adam's averages start at zero. Without the 1/(1 − βᵗ) correction its first steps are the wrong size "
            "(here about three times too big); with it, the first step is exactly γ per coordinate."
        ),
        (
            _link(N_("Corrected"), "bowl", "adam", (2.0, 1.5), 100),
            _link(N_("Not corrected"), "bowl", "adam", (2.0, 1.5), 100, bias_correction=False),
        ),
    ),
    Card(
        N_("Noisy gradients"),
        N_(
            "Stochastic-gradient mode: every gradient gets Gaussian noise (σ = 2). SGD still finds the bottom of the "
            "bowl, then jitters around it; the noise seed makes it repeatable."
        ),
        (_link(N_("SGD with noise"), "bowl", "sgd", (2.0, 1.5), 200, noise=2.0, seed=1),),
    ),
    Card(
        N_("Where you start decides"),
        N_(
            "Himmelblau's four equal minima: the same optimizer from different starts ends in different ones. Click "
            "the map to start somewhere else."
        ),
        (_link(N_("Momentum on Himmelblau"), "himmelblau", "momentum", (-0.3, -0.9), 200),),
    ),
    Card(
        N_("Out on the plateau"),
        N_(
            "Far from the well the gradient all but vanishes. SGD's steps shrink with it; Adam rescales them and "
            "keeps walking in."
        ),
        (
            _link(N_("SGD crawls"), "plateau", "sgd", (5.0, 3.0), 200, lr=0.5),
            _link(N_("Adam walks"), "plateau", "adam", (5.0, 3.0), 200),
        ),
    ),
)
