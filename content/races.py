"""The Compare page's race presets: the classic demonstrations, each with what to notice (plain data).

Every racer's hyperparameters are given in full where they differ from the optimizer's defaults
(optimizers.defaults, not presets.recommended), so a change of recommendations never changes a demonstration.
tests/test_race_presets.py runs each preset and checks that what its text says is what the run shows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import optimizers
from i18n import N_


@dataclasses.dataclass(frozen=True)
class RacePreset:
    key: str
    title: str
    surface: str
    start: tuple[float, float]
    steps: int
    racers: tuple[tuple[str, dict[str, Any]], ...]  # (optimizer, hyperparameters differing from its defaults)
    notice: str  # what to notice (Markdown)
    noise: float = 0.0
    seed: int = 0

    def hypers(self, name: str) -> dict[str, Any]:
        """Every hyperparameter of racer `name`: its defaults updated with the preset's values."""
        hp = optimizers.defaults(name)
        hp.update(dict(self.racers)[name])
        return hp

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.racers]


PRESETS: tuple[RacePreset, ...] = (
    RacePreset(
        key="saddle",
        title=N_("Escaping a saddle point"),
        surface="saddle",
        start=(1.5, 1e-3),
        steps=80,
        racers=(
            ("sgd", {"lr": 0.05}),
            ("momentum", {"lr": 0.05}),
            ("adagrad", {"lr": 0.5}),
            ("rmsprop", {"lr": 0.05}),
            ("adam", {"lr": 0.05}),
        ),
        notice=(
            N_(
                "The start sits a hair (y = 0.001) off the line that leads straight into the saddle. **SGD** and "
                "**Momentum** ride down x into the saddle and linger there: the gradient across, 2y, is tiny, so y "
                "grows only geometrically. Momentum leaves after about 20 steps, SGD after about 55 (the table's "
                "*escaped saddle at*). **Adagrad, RMSprop and Adam** divide the gradient by its own size, so even "
                "that tiny slope becomes a full step: they slide off sideways and never come near the saddle. "
                "(This surface has no bottom: whoever escapes fastest runs off the map first, going downhill, which "
                "the table lists under *left the map downhill at*, not as a divergence.)"
            )
        ),
    ),
    RacePreset(
        key="beale",
        title=N_("Beale's long valley"),
        surface="beale",
        start=(1.0, 1.5),
        steps=1000,
        racers=(
            ("sgd", {"lr": 0.01}),
            ("momentum", {"lr": 0.003}),
            ("adagrad", {"lr": 1.0}),
            ("rmsprop", {"lr": 0.01}),
            ("adam", {"lr": 0.1}),
        ),
        notice=(
            N_(
                "Everyone drops into the long, flat valley that leads to the minimum at (3, 0.5), and everyone "
                "gets there within 1000 steps, but at very different speeds. **Momentum** arrives first, about "
                "five times sooner than **SGD** although its rate is less than a third of SGD's: along a flat "
                "valley floor the pushes add up. **Adagrad** and **Adam** take about 250 to 300 steps, **SGD** about "
                "550 and **RMSprop** about 700."
            )
        ),
    ),
    RacePreset(
        key="rosenbrock",
        title=N_("Rosenbrock's banana"),
        surface="rosenbrock",
        start=(-1.5, 2.0),
        steps=1000,
        racers=(
            ("sgd", {"lr": 1e-3}),
            ("momentum", {"lr": 1e-3}),
            ("rmsprop", {"lr": 0.01}),
            ("adam", {"lr": 0.05}),
            ("newton", {}),
        ),
        notice=(
            N_(
                "The valley is easy to find and hard to follow. **SGD** needs a small rate for the steep walls, and "
                "with it the gentle floor is a crawl: after 1000 steps it is still on the far side of the banana. "
                "**Momentum**, at the same rate, gathers speed along the floor and arrives at (1, 1); **Adam** gets "
                "there too, more slowly, and **RMSprop** is still on its way. **Newton** uses the curvature and "
                "lands on the minimum in 5 steps."
            )
        ),
    ),
    RacePreset(
        key="ravine",
        title=N_("A ravine: what momentum is for"),
        surface="ravine",
        start=(-4.0, 1.5),
        steps=200,
        racers=(
            ("sgd", {"lr": 0.075}),
            ("momentum", {"lr": 0.02}),
            ("nesterov", {"lr": 0.02}),
        ),
        notice=(
            N_(
                "Across the ravine the curvature is 50 times what it is along it. **SGD**'s rate is capped by the "
                "steep direction (above γ = 2/25 = 0.08 it blows up), so at 0.075 it zigzags from wall to wall on "
                "every step while creeping along the floor. **Momentum** and **Nesterov**, at a quarter of that "
                "rate, let the zigzags cancel and the pushes along the floor add up: both reach the minimum sooner, "
                "Nesterov (which looks ahead before it steps) soonest."
            )
        ),
    ),
    RacePreset(
        key="rastrigin",
        title=N_("Rastrigin's many minima"),
        surface="rastrigin",
        start=(3.2, 2.7),
        steps=500,
        racers=(
            ("sgd", {"lr": 0.002}),
            ("momentum", {"lr": 0.002, "momentum": 0.95}),
            ("adagrad", {"lr": 1.0}),
            ("rmsprop", {"lr": 0.1}),
            ("adam", {"lr": 0.3}),
        ),
        notice=(
            N_(
                "A bowl covered in bumps. Nobody reaches the global minimum at the origin: every optimizer settles "
                "into one of the local minima near where it started, and which one depends on the optimizer "
                "(SGD, Momentum and Adam stop in the nearest pit; RMSprop and Adagrad, whose first step here is a "
                "whole unit in each coordinate whatever the slope, the distance between pits, hop to another). "
                "Local methods find *a* minimum, not *the* minimum: "
                "try the basin map below to see where each start ends up."
            )
        ),
    ),
    RacePreset(
        key="newton-saddle",
        title=N_("Newton is drawn to a saddle"),
        surface="himmelblau",
        start=(0.5, 2.5),
        steps=100,
        racers=(
            ("newton", {}),
            ("sgd", {"lr": 0.01}),
            ("momentum", {"lr": 0.01}),
            ("adam", {"lr": 0.1}),
        ),
        notice=(
            N_(
                "**Newton** lands within 0.1 of the saddle point at (0.09, 2.88) in one step, is on it to within "
                "10⁻¹¹ by step 4 (the error roughly squares at each step) and stays there for good: its step "
                "solves H d = g, which heads for the stationary point of the local quadratic model, a saddle "
                "as readily as a minimum. The first-order methods follow the slope down: **SGD** and **Adam** roll "
                "to the minimum at (3, 2), and **Momentum** passes close to another saddle and rolls on past it to "
                "the minimum at (3.58, −1.85)."
            )
        ),
    ),
)

BY_KEY: dict[str, RacePreset] = {p.key: p for p in PRESETS}
