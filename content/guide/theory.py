"""The Guide's theory part: one section per limit that the local quadratic model predicts, each with runs
that show it. Plain data, no streamlit.

Every number a section states is computed from the surface and the settings its demos carry, and
tests/views/test_guide_theory.py runs each demo's link and checks the prediction on the run.
"""

from __future__ import annotations

import dataclasses
import math

from i18n import N_

from .sections import Demo

# The ravine f = ¼x² + 25/2·y²: Hessian diag(0.5, 25).
RAVINE_MIN, RAVINE_MAX = 0.5, 25.0
RAVINE_KAPPA = RAVINE_MAX / RAVINE_MIN
GD_BEST = 2 / (RAVINE_MIN + RAVINE_MAX)  # 0.0784...
GD_RATE = (RAVINE_KAPPA - 1) / (RAVINE_KAPPA + 1)  # 49/51
HB_RATE = (math.sqrt(RAVINE_KAPPA) - 1) / (math.sqrt(RAVINE_KAPPA) + 1)  # 0.752
HB_BEST = (4 / (math.sqrt(RAVINE_MAX) + math.sqrt(RAVINE_MIN)) ** 2, HB_RATE**2)  # (0.1228, 0.5658)
RAVINE_START = (-4.0, 1.5)


@dataclasses.dataclass(frozen=True)
class Limit:
    key: str  # the anchor on the page
    title: str
    body: str  # markdown (LaTeX between $ signs)
    demos: tuple[Demo, ...]
    chart: bool = False  # the page also draws its demos' sharpness against the limit


LIMITS: tuple[Limit, ...] = (
    Limit(
        "gd-stability",
        N_("Gradient descent is stable only for γ < 2/λmax"),
        N_(
            "Near a point, a loss is its **local quadratic model** $f(\\theta) \\approx f(p) + g^\\top d + "
            "\\tfrac12 d^\\top H d$, and the Hessian $H$ has eigenvalues $\\lambda_i$ along orthogonal "
            "eigenvectors $v_i$. On a quadratic, one gradient step multiplies the error along $v_i$ by "
            "$1 - \\gamma\\lambda_i$. It shrinks only if $|1 - \\gamma\\lambda_i| < 1$, so the steepest direction "
            "sets the limit: $\\gamma < 2/\\lambda_{\\max}$. Between $1/\\lambda_{\\max}$ and $2/\\lambda_{\\max}$ "
            "the factor is negative: the run overshoots and zig-zags across the steep direction. The ravine "
            "$f = \\tfrac14 x^2 + \\tfrac{25}{2} y^2$ has $\\lambda = 0.5$ along $x$ and $25$ along $y$, so "
            "$2/\\lambda_{\\max} = 0.08$."
        ),
        (
            Demo(
                "theory-gd-under",
                N_("γ = 0.078, just under 2/λmax = 0.08: it zig-zags and converges"),
                "ravine",
                "sgd",
                {"lr": 0.078},
                RAVINE_START,
                300,
                N_(
                    "Across the valley every swing is 0.95 times the last (1 − 0.078 · 25 = −0.95): the path "
                    "zig-zags from wall to wall, each time a little closer, and reaches the minimum."
                ),
            ),
            Demo(
                "theory-gd-over",
                N_("γ = 0.082, just over: the zig-zag grows until the run diverges"),
                "ravine",
                "sgd",
                {"lr": 0.082},
                RAVINE_START,
                300,
                N_(
                    "Every swing is 1.05 times the last (1 − 0.082 · 25 = −1.05): the path bounces ever wider "
                    "and leaves the map; the Explorer marks where the run diverged (step 69)."
                ),
            ),
        ),
    ),
    Limit(
        "gd-best-rate",
        N_("The best constant step: γ* = 2/(λmin + λmax)"),
        N_(
            "The slowest direction decides how fast gradient descent converges: the error shrinks by "
            "$\\max_i |1 - \\gamma\\lambda_i|$ per step. A small γ is slow along the flat direction, a large one "
            "along the steep one; the best γ makes the two equal: $\\gamma^* = 2/(\\lambda_{\\min} + "
            "\\lambda_{\\max})$, and then the error shrinks by $(\\kappa - 1)/(\\kappa + 1)$ per step, where "
            "$\\kappa = \\lambda_{\\max}/\\lambda_{\\min}$ is the condition number. In the ravine κ = 50: "
            "$\\gamma^* = 2/25.5 \\approx 0.0784$ and the rate is $49/51 \\approx 0.961$; on a quadratic, at γ*, "
            "the distance to the minimum shrinks by exactly that factor at every step (both directions at once). "
            "The bowl has κ = 1: $\\gamma^* = 0.5$ lands on the minimum in one step."
        ),
        (
            Demo(
                "theory-gd-best",
                N_("gradient descent at γ* = 2/25.5 in the ravine"),
                "ravine",
                "sgd",
                {"lr": GD_BEST},
                RAVINE_START,
                300,
                N_(
                    "The distance to the minimum shrinks by exactly 49/51 ≈ 0.961 at every step: the x-coordinate "
                    "creeps in (factor 0.961), the y-coordinate flips sign each step (factor −0.961)."
                ),
            ),
        ),
    ),
    Limit(
        "heavy-ball",
        N_("Heavy-ball momentum: the rate depends on √κ"),
        N_(
            "With momentum (torch's $b \\leftarrow \\mu b + g$, $\\theta \\leftarrow \\theta - \\gamma b$, "
            "which is Polyak's heavy ball $\\theta_{t+1} = \\theta_t - \\gamma g_t + \\mu(\\theta_t - "
            "\\theta_{t-1})$), each direction becomes a damped oscillator. It is stable for $\\gamma\\lambda_{\\max} "
            "< 2 + 2\\mu$, and Polyak's best pair $(\\gamma^*, \\mu^*) = \\left(4/(\\sqrt{\\lambda_{\\max}} + "
            "\\sqrt{\\lambda_{\\min}})^2,\\ ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2\\right)$ gives the rate "
            "$(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)$: κ is replaced by its square root. In the ravine that is "
            "$(\\gamma^*, \\mu^*) \\approx (0.1228, 0.5658)$ and 0.752 per step instead of gradient descent's "
            "0.961. With these values both extreme directions are critically damped, so the error is "
            "$(a + bt)\\,r^t$: the rate shows after a few steps, not from the first."
        ),
        (
            Demo(
                "theory-heavy-ball",
                N_("momentum at Polyak's best (γ*, μ*) in the ravine"),
                "ravine",
                "momentum",
                {"lr": HB_BEST[0], "momentum": HB_BEST[1]},
                RAVINE_START,
                100,
                N_("It comes within 10⁻⁶ of the minimum in 67 steps; gradient descent at its own best γ needs 382."),
            ),
        ),
    ),
    Limit(
        "saddle-escape",
        N_("Leaving a saddle: a factor 1 + γ|λmin| per step"),
        N_(
            "At a saddle the smallest eigenvalue is negative. Along its eigenvector the factor is $1 - "
            "\\gamma\\lambda_{\\min} = 1 + \\gamma|\\lambda_{\\min}| > 1$: gradient descent moves away "
            "geometrically, along that **escape direction**, while the other coordinate shrinks. A start almost "
            "on the ridge, with escape coordinate $y_0$, needs about $\\ln(1/y_0)/\\ln(1 + "
            "\\gamma|\\lambda_{\\min}|)$ steps for that coordinate to reach 1. The saddle $f = x^2 - y^2$ has "
            "$\\lambda_{\\min} = -2$ along $y$."
        ),
        (
            Demo(
                "theory-saddle",
                N_("gradient descent leaves the saddle from y = 0.001"),
                "saddle",
                "sgd",
                {"lr": 0.1},
                (1.5, 0.001),
                50,
                N_(
                    "y grows by exactly 1.2 per step (1 + 0.1 · 2) while x shrinks by 0.8 per step: the run "
                    "slides in towards the saddle point, then away along y, which takes 38 steps to grow from "
                    "0.001 to 1."
                ),
            ),
        ),
    ),
    Limit(
        "edge-of-stability",
        N_("The edge of stability: the sharpness rises to 2/γ and stays there"),
        N_(
            "On a surface that is not quadratic the Hessian changes along the path, and so does its largest "
            "eigenvalue, the **sharpness** $\\lambda_{\\max}(H(\\theta_t))$. Cohen et al. (2021) found that "
            "full-batch gradient descent on neural networks keeps raising the sharpness until it reaches "
            "$2/\\gamma$, then hovers there while the loss keeps falling, though no longer at every step: the "
            "**edge of stability**. For heavy-ball momentum the limit is $(2 + 2\\mu)/\\gamma$. Adaptive methods "
            "divide their step by a per-coordinate $P$ ($\\sqrt{\\hat v} + \\varepsilon$ for Adam), and what "
            "meets the limit is the **preconditioned sharpness** $\\lambda_{\\max}(P^{-1}H)$: for Adam, "
            "$(2 + 2\\beta_1)/(\\gamma(1 - \\beta_1))$, which is $38/\\gamma$ at $\\beta_1 = 0.9$ (Cohen et al. "
            "2022). Rosenbrock's valley shows both in two dimensions: its curvature across the valley grows "
            "towards the minimum, where $\\lambda_{\\max} \\approx 1002$."
        ),
        (
            Demo(
                "theory-eos-gd",
                N_("gradient descent at γ = 0.003 along Rosenbrock's valley"),
                "rosenbrock",
                "sgd",
                {"lr": 0.003},
                (0.0, 0.0),
                1000,
                N_(
                    "The loss falls at every step until step 496, when the sharpness reaches 2/γ ≈ 667; from "
                    "then on it goes up on some steps, and the run stays short of the minimum, whose sharpness "
                    "(1002) is beyond the limit."
                ),
            ),
            Demo(
                "theory-eos-adam",
                N_("Adam at γ = 0.02 from the same start"),
                "rosenbrock",
                "adam",
                {"lr": 0.02},
                (0.0, 0.0),
                2000,
                N_(
                    "Its preconditioned sharpness climbs to 38/γ = 1900 within 200 steps and then stays close "
                    "to it; the loss zig-zags down by orders of magnitude."
                ),
            ),
        ),
        chart=True,
    ),
)

# Every theory demo opens the Explorer with its Theory switch on: the model, the predicted and measured rates and
# the sharpness chart are what its text asks the reader to watch.
LIMITS = tuple(
    dataclasses.replace(lim, demos=tuple(dataclasses.replace(d, theory=True) for d in lim.demos)) for lim in LIMITS
)


def theory_demos() -> tuple[Demo, ...]:
    """Every demonstration of the theory part, in page order."""
    return tuple(d for limit in LIMITS for d in limit.demos)
