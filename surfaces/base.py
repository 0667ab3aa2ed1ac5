"""The Surface record: a loss function of two variables with its analytic gradient and Hessian."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from i18n import translator

_, ngettext = translator("core")

Array = np.ndarray
Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclasses.dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface. f, grad and hessian broadcast over xy of shape (..., 2).

    f(xy) -> (...), grad(xy) -> (..., 2), hessian(xy) -> (..., 2, 2); all analytic.
    """

    name: str
    title: str
    description: str  # one line
    latex: str  # the formula, e.g. r"f(x, y) = x^2 - y^2"
    f: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hessian: Callable[[Array], Array]
    bounds: Bounds  # ((xmin, xmax), (ymin, ymax)): the default view
    minima: Array = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))  # (k, 2) known minima
    saddles: Array = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))  # (k, 2) known saddle points
    starts: Array = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))  # (k, 2) suggested starts
    min_value: float | None = None  # the global minimum value, where known
    formula: str | None = None  # the user's text, for formula surfaces (None for built-ins)
    # f has no lower bound (so no minimum): a run that leaves the map going downhill is told "f → −∞".
    # Declared by the built-ins that are (a test checks each declaration); formulas leave it False.
    unbounded_below: bool = False

    def __post_init__(self) -> None:
        # Built-in surfaces are shared by every session of the server: their landmark arrays are read-only.
        for name in ("minima", "saddles", "starts"):
            arr = np.array(getattr(self, name), dtype=np.float64).reshape(-1, 2)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def shown_title(self) -> str:
        """The title in the language in use (`title` is the English source; a formula's names its text)."""
        if self.formula is not None:
            return _("Custom: {formula}").format(formula=_short(self.formula))
        return _(self.title)

    def shown_description(self) -> str:
        """The description in the language in use."""
        if self.formula is not None:
            return _("Your formula f(x, y) = {formula}, with its gradient and Hessian derived exactly.").format(
                formula=_short(self.formula)
            )
        return _(self.description)

    @property
    def default_start(self) -> Array:
        if len(self.starts):
            return np.array(self.starts[0], dtype=np.float64)
        (x0, x1), (y0, y1) = self.bounds
        return np.array([x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)])

    def divergence_box(self, widths: float = 10.0) -> tuple[Array, Array]:
        """The box outside which a run counts as diverged: the view grown by `widths` view-widths a side."""
        b = np.asarray(self.bounds, dtype=np.float64)
        span = b[:, 1] - b[:, 0]
        return b[:, 0] - widths * span, b[:, 1] + widths * span


def _short(formula: str) -> str:
    return formula if len(formula) <= 40 else formula[:39] + "…"
