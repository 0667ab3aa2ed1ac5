"""The built-in loss surfaces: f, gradient and Hessian written out analytically, broadcasting over (..., 2).

Each one is chosen to show something: a bowl (the easy case), a ravine (ill-conditioning: momentum and
per-coordinate steps), saddles (escaping them; Newton drawn to them), Rosenbrock's and Beale's curved
valleys, several minima (Himmelblau, a double well, Styblinski-Tang, Rastrigin's 121), a plateau
(vanishing gradients).
"""

from __future__ import annotations

import numpy as np

from i18n import N_

from .base import Surface

PI = np.pi


def _vec(gx, gy) -> np.ndarray:
    gx, gy = np.broadcast_arrays(gx, gy)
    return np.stack([gx, gy], axis=-1)


def _mat(hxx, hxy, hyy) -> np.ndarray:
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)


def _xy(xy):
    xy = np.asarray(xy, dtype=np.float64)
    return xy[..., 0], xy[..., 1]


def _arr(points) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def _newton_polish(grad, hessian, points, iters: int = 30) -> np.ndarray:
    """Stationary points to machine precision from good guesses (Newton's method on the gradient)."""
    p = _arr(points).copy()
    for _ in range(iters):
        p = p - np.linalg.solve(hessian(p), grad(p)[..., None])[..., 0]
    return p


# -- quadratics ---------------------------------------------------------------------------------------------
def _quadratic(name, title, description, a, b, bounds, starts, latex) -> Surface:
    """f = a·x² + b·y²: Hessian diag(2a, 2b), condition number max(a, b) / min(a, b) when both are positive."""

    def f(xy):
        x, y = _xy(xy)
        return a * x * x + b * y * y

    def grad(xy):
        x, y = _xy(xy)
        return _vec(2 * a * x, 2 * b * y)

    def hessian(xy):
        x, _ = _xy(xy)
        z = np.zeros_like(x)
        return _mat(z + 2 * a, z, z + 2 * b)

    minima = [(0.0, 0.0)] if a > 0 and b > 0 else []
    saddles = [(0.0, 0.0)] if a * b < 0 else []
    return Surface(
        name,
        title,
        description,
        latex,
        f,
        grad,
        hessian,
        bounds,
        minima=_arr(minima),
        saddles=_arr(saddles),
        starts=_arr(starts),
        min_value=0.0 if minima else None,
        unbounded_below=a < 0 or b < 0,
    )


BOWL = _quadratic(
    "bowl",
    N_("Bowl"),
    N_("A round bowl: the same curvature in every direction, the easy case: every optimizer reaches the bottom."),
    1.0,
    1.0,
    ((-2.5, 2.5), (-2.5, 2.5)),
    [(2.0, 1.5), (-2.0, 2.0), (0.5, -2.2)],
    r"f(x, y) = x^2 + y^2",
)

RAVINE = _quadratic(
    "ravine",
    N_("Ravine"),
    N_("A long narrow valley (condition number 50): steep walls across, a gentle floor along."),
    0.25,
    12.5,
    ((-5.0, 5.0), (-2.0, 2.0)),
    [(-4.0, 1.5), (4.5, -1.0), (-4.5, 0.2)],
    r"f(x, y) = \tfrac{1}{4}x^2 + \tfrac{25}{2}y^2",
)

SADDLE = _quadratic(
    "saddle",
    N_("Saddle"),
    N_("A saddle point at the origin: up along x, down along y. Who escapes, and how fast?"),
    1.0,
    -1.0,
    ((-2.0, 2.0), (-2.0, 2.0)),
    # the first start lies close to the ridge y = 0 that leads into the saddle: plain gradient descent rides in
    # and lingers there, while the methods that rescale the gradient slide off sideways at once
    [(1.5, 0.01), (1.0, 0.5), (-1.5, 0.1)],
    r"f(x, y) = x^2 - y^2",
)


# -- monkey saddle ------------------------------------------------------------------------------------------
def _monkey_f(xy):
    x, y = _xy(xy)
    return x**3 - 3 * x * y * y


def _monkey_grad(xy):
    x, y = _xy(xy)
    return _vec(3 * x * x - 3 * y * y, -6 * x * y)


def _monkey_hessian(xy):
    x, y = _xy(xy)
    return _mat(6 * x, -6 * y, -6 * x)


MONKEY_SADDLE = Surface(
    "monkey_saddle",
    N_("Monkey saddle"),
    N_(
        "A flat saddle with three ways down (room for two legs and a tail): the gradient and the Hessian both "
        "vanish at the origin."
    ),
    r"f(x, y) = x^3 - 3xy^2",
    _monkey_f,
    _monkey_grad,
    _monkey_hessian,
    ((-1.5, 1.5), (-1.5, 1.5)),
    unbounded_below=True,  # f(x, 0) = x³
    saddles=_arr([(0.0, 0.0)]),
    # close to the ridge y = 0 (SGD rides in and lingers where the slope vanishes); on it (stuck); off it
    starts=_arr([(1.2, 0.01), (1.2, 0.0), (1.0, 0.3)]),
)


# -- Rosenbrock ---------------------------------------------------------------------------------------------
def _rosen_f(xy):
    x, y = _xy(xy)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosen_grad(xy):
    x, y = _xy(xy)
    return _vec(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))


def _rosen_hessian(xy):
    x, y = _xy(xy)
    return _mat(2 - 400 * y + 1200 * x * x, -400 * x, np.full_like(x, 200.0))


ROSENBROCK = Surface(
    "rosenbrock",
    N_("Rosenbrock's valley"),
    N_("A curved banana-shaped valley (a = 1, b = 100): easy to find, hard to follow to the minimum at (1, 1)."),
    r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    _rosen_f,
    _rosen_grad,
    _rosen_hessian,
    ((-2.0, 2.0), (-1.0, 3.0)),
    minima=_arr([(1.0, 1.0)]),
    starts=_arr([(-1.5, 2.0), (-1.0, 0.5), (1.5, -0.5)]),
    min_value=0.0,
)


# -- Beale --------------------------------------------------------------------------------------------------
_BEALE_A = (1.5, 2.25, 2.625)


def _beale_f(xy):
    x, y = _xy(xy)
    return sum((a - x + x * y ** (i + 1)) ** 2 for i, a in enumerate(_BEALE_A))


def _beale_grad(xy):
    x, y = _xy(xy)
    gx = gy = 0.0
    for i, a in enumerate(_BEALE_A):
        k = i + 1
        t = a - x + x * y**k
        gx = gx + 2 * t * (y**k - 1)
        gy = gy + 2 * t * k * x * y ** (k - 1)
    return _vec(gx, gy)


def _beale_hessian(xy):
    x, y = _xy(xy)
    hxx = hxy = hyy = 0.0
    for i, a in enumerate(_BEALE_A):
        k = i + 1
        t = a - x + x * y**k
        tx, ty = y**k - 1, k * x * y ** (k - 1)
        hxx = hxx + 2 * tx * tx
        hxy = hxy + 2 * (tx * ty + t * k * y ** (k - 1))
        hyy = hyy + 2 * (ty * ty + t * k * (k - 1) * x * y ** (k - 2) if k > 1 else ty * ty)
    return _mat(hxx + 0 * x, hxy + 0 * x, hyy + 0 * x)


BEALE = Surface(
    "beale",
    N_("Beale"),
    N_(
        "Flat valleys and steep walls meeting at sharp corners; the minimum at (3, 0.5) sits in a long, shallow valley."
    ),
    r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    _beale_f,
    _beale_grad,
    _beale_hessian,
    ((-4.5, 4.5), (-4.5, 4.5)),
    minima=_arr([(3.0, 0.5)]),
    # (0, 1) between the arms, and a shallow one below the valley at about (0.1005, -2.6445), f ≈ 9.86
    saddles=_newton_polish(_beale_grad, _beale_hessian, [(0.0, 1.0), (0.100538, -2.644514)]),
    starts=_arr([(1.0, 1.5), (-1.0, -1.0), (2.5, 3.0)]),
    min_value=0.0,
)


# -- Himmelblau ---------------------------------------------------------------------------------------------
def _himmel_f(xy):
    x, y = _xy(xy)
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmel_grad(xy):
    x, y = _xy(xy)
    a, b = x * x + y - 11, x + y * y - 7
    return _vec(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def _himmel_hessian(xy):
    x, y = _xy(xy)
    a, b = x * x + y - 11, x + y * y - 7
    return _mat(4 * a + 8 * x * x + 2, 4 * x + 4 * y, 2 + 4 * b + 8 * y * y)


_HIMMEL_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
_HIMMEL_SADDLES = [(0.086677, 2.884254), (-3.073026, -0.081353), (3.385154, 0.073852), (-0.127961, -1.953715)]
HIMMELBLAU = Surface(
    "himmelblau",
    N_("Himmelblau"),
    N_(
        "Four minima of equal depth, four saddles between them and a hill in the middle: which one you reach "
        "depends on where you start."
    ),
    r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    _himmel_f,
    _himmel_grad,
    _himmel_hessian,
    ((-5.0, 5.0), (-5.0, 5.0)),
    minima=_newton_polish(_himmel_grad, _himmel_hessian, _HIMMEL_MINIMA),
    saddles=_newton_polish(_himmel_grad, _himmel_hessian, _HIMMEL_SADDLES),
    starts=_arr([(-0.3, -0.9), (0.0, 0.0), (-4.5, 4.5)]),
    min_value=0.0,
)


# -- double well --------------------------------------------------------------------------------------------
def _well_f(xy):
    x, y = _xy(xy)
    return (x * x - 1) ** 2 + y * y


def _well_grad(xy):
    x, y = _xy(xy)
    return _vec(4 * x * (x * x - 1), 2 * y)


def _well_hessian(xy):
    x, y = _xy(xy)
    return _mat(12 * x * x - 4, np.zeros_like(y), np.full_like(y, 2.0))


DOUBLE_WELL = Surface(
    "double_well",
    N_("Double well"),
    N_("Two equal minima at (±1, 0) with a saddle between them: a start on the ridge x = 0 must break the tie."),
    r"f(x, y) = (x^2 - 1)^2 + y^2",
    _well_f,
    _well_grad,
    _well_hessian,
    ((-2.0, 2.0), (-1.5, 1.5)),
    minima=_arr([(-1.0, 0.0), (1.0, 0.0)]),
    saddles=_arr([(0.0, 0.0)]),
    # a hair right of the ridge x = 0 (SGD lingers on the ridge before the tie breaks to the right); on it
    starts=_arr([(0.001, 1.2), (0.0, 1.0), (1.8, -1.2)]),
    min_value=0.0,
)


# -- plateau ------------------------------------------------------------------------------------------------
def _plateau_parts(xy):
    x, y = _xy(xy)
    e = np.exp(-(x * x / 8 + y * y / 2))
    return x, y, e


def _plateau_f(xy):
    _, _, e = _plateau_parts(xy)
    return 1 - e


def _plateau_grad(xy):
    x, y, e = _plateau_parts(xy)
    return _vec(e * x / 4, e * y)


def _plateau_hessian(xy):
    x, y, e = _plateau_parts(xy)
    qx, qy = x / 4, y
    return _mat(e * (0.25 - qx * qx), -e * qx * qy, e * (1 - qy * qy))


PLATEAU = Surface(
    "plateau",
    N_("Plateau"),
    N_(
        "A narrow well in a wide flat plain: far out the gradient all but vanishes, and only optimizers that "
        "rescale it keep moving."
    ),
    r"f(x, y) = 1 - e^{-x^2/8 - y^2/2}",
    _plateau_f,
    _plateau_grad,
    _plateau_hessian,
    ((-6.0, 6.0), (-4.0, 4.0)),
    minima=_arr([(0.0, 0.0)]),
    starts=_arr([(5.0, 3.0), (-5.5, -2.0), (2.0, 1.0)]),
    min_value=0.0,
)


# -- Styblinski-Tang ----------------------------------------------------------------------------------------
def _st_f(xy):
    x, y = _xy(xy)
    return 0.5 * (x**4 - 16 * x * x + 5 * x + y**4 - 16 * y * y + 5 * y)


def _st_grad(xy):
    x, y = _xy(xy)
    return _vec(2 * x**3 - 16 * x + 2.5, 2 * y**3 - 16 * y + 2.5)


def _st_hessian(xy):
    x, y = _xy(xy)
    return _mat(6 * x * x - 16, np.zeros_like(x), 6 * y * y - 16)


def _st_roots() -> np.ndarray:
    """The three stationary values of 2t³ − 16t + 2.5 (one per coordinate): low min, local max, high min."""
    return np.sort(np.roots([2.0, 0.0, -16.0, 2.5]).real)


_ST = _st_roots()
STYBLINSKI_TANG = Surface(
    "styblinski_tang",
    N_("Styblinski-Tang"),
    N_(
        "Four minima at three depths (the deepest at about (−2.90, −2.90)) and four saddles: a greedy "
        "start finds the nearest, not the best."
    ),
    r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    _st_f,
    _st_grad,
    _st_hessian,
    ((-5.0, 5.0), (-5.0, 5.0)),
    minima=_arr([(a, b) for a in (_ST[0], _ST[2]) for b in (_ST[0], _ST[2])]),
    saddles=_arr([(_ST[1], _ST[0]), (_ST[1], _ST[2]), (_ST[0], _ST[1]), (_ST[2], _ST[1])]),
    starts=_arr([(0.5, 4.5), (4.5, 4.5), (-0.5, 0.5)]),
    min_value=float(_st_f(np.array([_ST[0], _ST[0]]))),
)


# -- Rastrigin ----------------------------------------------------------------------------------------------
def _rast_f(xy):
    x, y = _xy(xy)
    return 20 + x * x + y * y - 10 * (np.cos(2 * PI * x) + np.cos(2 * PI * y))


def _rast_grad(xy):
    x, y = _xy(xy)
    return _vec(2 * x + 20 * PI * np.sin(2 * PI * x), 2 * y + 20 * PI * np.sin(2 * PI * y))


def _rast_hessian(xy):
    x, y = _xy(xy)
    return _mat(2 + 40 * PI * PI * np.cos(2 * PI * x), np.zeros_like(x), 2 + 40 * PI * PI * np.cos(2 * PI * y))


def _rast_stationary_1d(first: float, limit: float = 5.12) -> np.ndarray:
    """Stationary points of t² − 10·cos 2πt within ±limit, one next to each of first, first + 1, ...:
    from integers the local minima (pulled slightly towards 0), from half-integers the local maxima."""
    t = np.arange(first, 6.0)
    for _ in range(30):
        t = t - (2 * t + 20 * PI * np.sin(2 * PI * t)) / (2 + 40 * PI * PI * np.cos(2 * PI * t))
    return t[np.abs(t) <= limit]


_R = _rast_stationary_1d(-5.0)  # 11 minima of each coordinate's term
_R_MAX = _rast_stationary_1d(-4.5)  # 10 maxima between them
RASTRIGIN = Surface(
    "rastrigin",
    N_("Rastrigin"),
    N_(
        "A bowl covered in bumps: 121 local minima in view, the global one at the origin, "
        "with 220 saddles between them."
    ),
    r"f(x, y) = 20 + x^2 + y^2 - 10\left(\cos 2\pi x + \cos 2\pi y\right)",
    _rast_f,
    _rast_grad,
    _rast_hessian,
    ((-5.12, 5.12), (-5.12, 5.12)),
    minima=_arr([(0.0, 0.0)] + [(a, b) for a in _R for b in _R if a or b]),
    # a saddle where one coordinate sits at a minimum of its term and the other at a maximum
    saddles=_arr([(a, b) for a in _R for b in _R_MAX] + [(a, b) for a in _R_MAX for b in _R]),
    starts=_arr([(3.2, 2.7), (-4.4, 4.1), (0.6, -0.4)]),
    min_value=0.0,
)


BUILTIN: tuple[Surface, ...] = (
    BOWL,
    RAVINE,
    SADDLE,
    MONKEY_SADDLE,
    ROSENBROCK,
    BEALE,
    HIMMELBLAU,
    DOUBLE_WELL,
    PLATEAU,
    STYBLINSKI_TANG,
    RASTRIGIN,
)
