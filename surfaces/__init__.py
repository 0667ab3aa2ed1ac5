"""Loss surfaces of two variables: f, gradient and Hessian, analytic, broadcasting over (..., 2).

    import surfaces
    surfaces.NAMES                    # the built-ins, in the order the menus show them
    s = surfaces.get("rosenbrock")
    s.f(xy); s.grad(xy); s.hessian(xy)
    surfaces.from_formula("x^2 - y^2")   # a surface typed by the user, parsed safely

Imports numpy only (the formula parser is our own: user text never reaches eval or sympy).
"""

from __future__ import annotations

from i18n import translator

from .base import Bounds, Surface
from .builtin import BUILTIN

SURFACES: dict[str, Surface] = {s.name: s for s in BUILTIN}
NAMES: tuple[str, ...] = tuple(SURFACES)
_, ngettext = translator("core")


def get(name: str) -> Surface:
    """The built-in surface called `name`; ValueError listing the names if there is none."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(
            _("unknown surface {name}; choose one of {names}").format(name=repr(name), names=", ".join(NAMES))
        ) from None


def from_formula(text: str, bounds: Bounds | None = None) -> Surface:
    """A surface from the user's formula in x and y, parsed into a whitelisted tree (never eval'd)."""
    from .formula import from_formula as _from_formula

    return _from_formula(text, bounds)


__all__ = ["NAMES", "SURFACES", "Bounds", "Surface", "from_formula", "get"]
