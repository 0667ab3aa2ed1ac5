"""The Guide's story, one section per optimizer: plain data, no streamlit.

Each section says what problem the method was made to solve, what each hyperparameter does and its usual
values, its strengths and failure modes, the paper, and one or more demonstrations that open the Explorer
on a configuration chosen to show the point. The update rule itself is never written here: the page shows
`optimizers.make(name, **settings).formula()` for each entry of `formulas`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from content import presets
from i18n import N_


@dataclasses.dataclass(frozen=True)
class Demo:
    """A configuration of the Explorer that shows one point, and what to watch when it runs."""

    key: str  # unique id, e.g. "adagrad-shrinks"
    label: str  # the link text after "Try it: "
    surface: str
    opt: str
    hypers: dict[str, Any]
    start: tuple[float, float]
    steps: int
    watch: str  # what to look at in the Explorer
    noise: float | None = None
    seed: int | None = None
    theory: bool = False  # open the Explorer with its Theory switch on (the theory part's demos)

    def link(self) -> str:
        link = presets.explorer_link(
            self.surface, self.opt, self.start, self.steps, noise=self.noise, seed=self.seed, **self.hypers
        )
        return link + "&theory=true" if self.theory else link


@dataclasses.dataclass(frozen=True)
class Section:
    name: str  # an optimizers.NAMES name
    problem: str  # the problem it was made to solve (markdown)
    usual: dict[str, str]  # per hyperparameter: its usual values and what to know (markdown)
    strengths: tuple[str, ...]
    failures: tuple[str, ...]
    paper_url: str
    demos: tuple[Demo, ...]
    # The rules shown: (caption, hyperparameters); the page shows make(name, **hyperparameters).formula().
    formulas: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)
    note: str = ""  # where implementations differ (markdown)


SECTIONS: tuple[Section, ...] = ()  # filled below, in the order of the story (optimizers.NAMES)


def _s(**kwargs: Any) -> Section:
    return Section(**kwargs)


SGD = _s(
    name="sgd",
    problem=(
        N_(
            "You want the lowest point of a loss you can differentiate. The gradient $g$ points uphill, so step "
            "against it. **Batch gradient descent** computes $g$ over the whole training set at every step: "
            "exact, but each step costs a full pass over the data. **Stochastic gradient descent** (Robbins and "
            "Monro's stochastic approximation) uses one example or a **mini-batch** instead: a noisy estimate "
            "whose average is the true gradient, so you take many cheap steps rather than a few expensive ones. "
            "In the Explorer, the `noise` setting adds Gaussian noise to $g$ to play the part of the mini-batch."
        )
    ),
    usual={
        "lr": (
            N_(
                "The only knob. On a quadratic whose steepest curvature is $L$, the iterates converge only for "
                "$\\gamma < 2/L$; above $1/L$ they zig-zag across that direction, and the nearer γ is to $2/L$ "
                "the slower the zig-zag dies out. For networks, 0.1 to 0.001, usually decayed during training."
            )
        ),
    },
    strengths=(
        N_("No state at all: memory equal to the parameters, the cheapest possible step."),
        N_(
            "With a decaying learning rate it provably converges on convex problems; mini-batch noise even "
            "helps it leave saddle points and sharp minima."
        ),
        N_("With momentum, still the reference method for training large image models."),
    ),
    failures=(
        N_(
            "One γ for every direction: in a ravine γ must suit the steep walls, so the run zig-zags across "
            "them and crawls along the flat floor."
        ),
        N_("Crawls on plateaus and near saddle points, where the gradient is small."),
        N_(
            "With noisy gradients and a constant γ it never settles: it keeps bouncing around the minimum "
            "in a region whose size grows with γ."
        ),
    ),
    paper_url="https://doi.org/10.1214/aoms/1177729586",
    demos=(
        Demo(
            "sgd-zigzag",
            N_("batch gradient descent zig-zags down a ravine"),
            "ravine",
            "sgd",
            {"lr": 0.075},
            (-4.0, 1.5),
            60,
            N_(
                "γ = 0.075 is just under 0.08, the bound 2/L set by the steep direction (curvature L = 25): the "
                "path crosses the valley floor on every step, bouncing from wall to wall, each bounce lower "
                "than the last by about 12%, while it creeps along the floor (still about 0.4 from the minimum "
                "after 60 steps)."
            ),
        ),
        Demo(
            "sgd-noise",
            N_("mini-batch noise: SGD never settles"),
            "bowl",
            "sgd",
            {"lr": 0.1},
            (2.0, 1.5),
            200,
            N_("With noise in g the run reaches the bottom fast, then wanders around it for good."),
            noise=1.0,
            seed=0,
        ),
    ),
)

MOMENTUM = _s(
    name="momentum",
    problem=(
        N_(
            "Gradient descent has no memory: each step knows only today's slope. In a ravine the gradient flips "
            "sign from one wall to the other and is small along the floor. Polyak's **heavy ball** keeps a "
            "velocity $b$, a decaying sum of past gradients: the components that flip sign cancel, the ones "
            "that persist add up, to about $1/(1-\\mu)$ times the gradient on a steady slope (ten times for "
            "$\\mu = 0.9$)."
        )
    ),
    usual={
        "lr": (
            N_(
                "On a steady slope the step is about $\\gamma/(1-\\mu)$, so use a smaller γ than for plain "
                "SGD (here 0.02 against SGD's 0.075). torch puts γ outside the buffer."
            )
        ),
        "momentum": (
            N_(
                "0.9 is the usual value; 0.95 to 0.99 on smooth problems; 0 turns it into plain SGD. A larger "
                "μ means a longer memory and more overshoot."
            )
        ),
    },
    strengths=(
        N_("Speeds up along directions where the gradient keeps its sign (the valley floor)."),
        N_("Damps the zig-zag across a ravine: opposite gradients cancel in the buffer."),
        N_("Its inertia carries it over small bumps and across flat stretches."),
    ),
    failures=(
        N_("Overshoots and circles around the minimum, like an under-damped spring."),
        N_("Too large a γ or μ makes the oscillation grow until the run diverges."),
        N_("Still one learning rate for every coordinate."),
    ),
    paper_url="https://doi.org/10.1016/0041-5553(64)90137-5",
    demos=(
        Demo(
            "momentum-ravine",
            N_("momentum in the same ravine"),
            "ravine",
            "momentum",
            {"lr": 0.02, "momentum": 0.9},
            (-4.0, 1.5),
            60,
            N_(
                "Compare with SGD's zig-zag: the velocity builds up along the floor, so after 60 steps the run is "
                "about eight times closer to the minimum than SGD's, and the bouncing across dies down."
            ),
        ),
    ),
    note=(
        N_(
            "torch keeps γ outside the buffer ($b \\leftarrow \\mu b + g$, step $\\gamma b$); many tutorials "
            "write $V \\leftarrow \\mu V + \\gamma g$, step $V$. With a constant γ the iterates are identical "
            "($V = \\gamma b$); they differ only when γ changes during the run."
        )
    ),
)

NESTEROV = _s(
    name="nesterov",
    problem=(
        N_(
            "Momentum measures the slope where it stands and then adds its whole velocity, so by the time the "
            "slope turns it has already overshot. Nesterov's accelerated gradient measures the slope at the "
            "**look-ahead point**, where the velocity is about to carry it, and brakes before the turn. "
            "Sutskever et al. (2013) brought it to deep learning. torch and optax use an equivalent "
            "reformulation that needs the gradient only at the current point: step along $g + \\mu b$."
        )
    ),
    usual={
        "lr": N_("As for momentum: about $(1-\\mu)$ times what plain SGD would use."),
        "momentum": (
            N_(
                "0.9 is the usual value. Because it corrects earlier, Nesterov tolerates a larger μ (0.95, "
                "0.99) than plain momentum before it oscillates."
            )
        ),
    },
    strengths=(
        N_("Less overshoot than plain momentum, and a tighter approach to the minimum."),
        N_(
            "With Nesterov's own schedule for μ it reaches the optimal $O(1/t^2)$ rate on smooth convex "
            "problems; with a constant μ, as here, it is a better-damped momentum."
        ),
    ),
    failures=(
        N_("With very noisy gradients most of its advantage over momentum disappears."),
        N_("Still one learning rate for every coordinate; too large a γ still oscillates."),
    ),
    paper_url="https://proceedings.mlr.press/v28/sutskever13.html",
    demos=(
        Demo(
            "nesterov-bowl",
            N_("Nesterov with μ = 0.95"),
            "bowl",
            "nesterov",
            {"lr": 0.1, "momentum": 0.95},
            (2.0, 1.5),
            80,
            N_(
                "It still swings through the bottom, but each swing is about 0.4 times the last: within 10⁻⁴ of "
                "the minimum after 80 steps."
            ),
        ),
        Demo(
            "momentum-bowl",
            N_("plain momentum, same settings"),
            "bowl",
            "momentum",
            {"lr": 0.1, "momentum": 0.95},
            (2.0, 1.5),
            80,
            N_(
                "The same γ and μ without the look-ahead: it swings back and forth through the minimum, "
                "each swing "
                "shorter than the last by only about 15%, still about 0.17 away after 80 steps."
            ),
        ),
    ),
    note=(
        N_(
            "Tutorials usually show the classic form, with the gradient taken at the look-ahead point "
            "$\\theta - \\mu V$. torch's iterates are that form's look-ahead points, so the two draw slightly "
            "different paths while converging to the same place."
        )
    ),
)

ADAGRAD = _s(
    name="adagrad",
    problem=(
        N_(
            "A single learning rate is wrong when the coordinates' gradients have different scales: in a ravine, "
            "and in models with sparse features, where a rare feature's weight gets a gradient once in a "
            "thousand examples. Adagrad divides each coordinate's step by the root of the **sum** of its "
            "squared gradients: coordinates with large or frequent gradients get small steps, rare ones large."
        )
    ),
    usual={
        "lr": (
            N_(
                "Dividing by $\\sqrt{s}$ makes the first step about γ in every coordinate whatever the gradient's "
                "size, so γ is a distance in parameter space. torch's default is 0.01; 0.1 to 0.5 suits these "
                "surfaces."
            )
        ),
        "eps": N_("torch's default is 1e-10, added outside the root; it only guards the division."),
        "initial_accumulator": (
            N_(
                "0 in torch. TensorFlow/Keras start the sum at 0.1, which makes the first steps smaller "
                "when gradients are small."
            )
        ),
    },
    strengths=(
        N_("Per-coordinate steps with no extra knob: a ravine's steep and flat directions move alike."),
        N_("Made for sparse, convex problems, where it comes with regret guarantees."),
    ),
    failures=(
        N_(
            "The sum only grows: the step shrinks like $1/\\sqrt{t}$ for ever, so a long run can stall before "
            "reaching the minimum."
        ),
        N_("Early large gradients shrink the steps for good, even after the landscape has changed."),
    ),
    paper_url="https://jmlr.org/papers/v12/duchi11a.html",
    demos=(
        Demo(
            "adagrad-shrinks",
            N_("Adagrad's shrinking step in a ravine"),
            "ravine",
            "adagrad",
            {"lr": 0.2},
            (-4.0, 1.5),
            150,
            N_(
                "Watch the effective step size γ/(√s+ε): it only ever goes down, and the run slows to a crawl "
                "along the valley floor."
            ),
        ),
    ),
)

ADADELTA = _s(
    name="adadelta",
    problem=(
        N_(
            "Two complaints about Adagrad: its steps die out, and you still have to choose γ. Zeiler replaces "
            "the sum of $g^2$ with a **decaying average**, and notes that $g/\\sqrt{v}$ has no units: multiplying "
            "it by the root-mean-square of the past **updates** gives the step the units of θ, as a Newton step "
            "has. The method needs no learning rate."
        )
    ),
    usual={
        "lr": (
            N_(
                "Not part of Zeiler's method (γ = 1); torch keeps it as a multiplier with default 1.0. Keras's "
                "default is 0.001, which makes its Adadelta a thousand times slower than the paper's."
            )
        ),
        "rho": N_("Decay of both averages: 0.9 in torch, 0.95 in the paper and in Keras."),
        "eps": (
            N_(
                "It does more than guard a division: at the start $u = 0$, so the first steps are about "
                "$\\sqrt{\\varepsilon/(1-\\rho)}$ per coordinate, whatever the gradient. That is 0.003 with "
                "torch's default 1e-6; the lab uses 1e-3 (first steps about 0.1) so that you can see them."
            )
        ),
    },
    strengths=(
        N_("No learning rate to tune in the original form."),
        N_(
            "The step grows while progress is steady (u builds up) and shrinks when gradients grow; it does "
            "not die out like Adagrad's."
        ),
    ),
    failures=(
        N_("A slow start set by ε, which acts as a hidden learning rate."),
        N_("Rarely the best choice today; Adam and its relatives usually train faster."),
    ),
    paper_url="https://arxiv.org/abs/1212.5701",
    demos=(
        Demo(
            "adadelta-grows",
            N_("Adadelta's step grows from nothing"),
            "bowl",
            "adadelta",
            {"lr": 1.0, "rho": 0.9, "eps": 1e-3},
            (2.0, 1.5),
            150,
            N_(
                "The first steps are tiny (about √(ε/(1−ρ))); the effective step grows as u learns how far "
                "the run has been moving."
            ),
        ),
        Demo(
            "adadelta-torch-eps",
            N_("torch's default ε = 1e-6"),
            "bowl",
            "adadelta",
            {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
            (2.0, 1.5),
            150,
            N_(
                "With ε a thousand times smaller the first steps are √1000 ≈ 32 times smaller, about 0.003: "
                "the run barely moves at first."
            ),
        ),
    ),
)

RMSPROP = _s(
    name="rmsprop",
    problem=(
        N_(
            "Adagrad's sum of $g^2$ only grows. Hinton's lecture (never published as a paper) replaces it with "
            "a **decaying average**: each coordinate's step is scaled by the recent root-mean-square of its "
            "gradient, so it follows the gradient's current size and can grow back after a steep stretch."
        )
    ),
    usual={
        "lr": N_("torch's default is 0.01, Keras's 0.001; 1e-3 to 1e-4 is common for networks."),
        "rho": (
            N_(
                "torch calls it `alpha` (default 0.99), Keras `rho` (default 0.9); Hinton suggested 0.9. "
                "It sets how many recent gradients the average remembers, about $1/(1-\\rho)$."
            )
        ),
        "eps": (
            N_(
                "torch adds 1e-8 to $\\sqrt{v}$. Keras puts its 1e-7 inside the root, $\\sqrt{v+\\varepsilon}$, "
                "which is about $\\sqrt{\\varepsilon} = 3\\cdot10^{-4}$ where v is small: a much stronger floor."
            )
        ),
        "momentum": (
            N_(
                "torch's momentum on top of the scaled gradient (not Adam's first moment); 0 turns it off, "
                "0.9 is common."
            )
        ),
        "centered": (
            N_(
                "Divides by an estimate of the gradient's standard deviation instead of its root-mean-square "
                "(Graves, 2013); steadier on some problems, at the cost of one more buffer."
            )
        ),
    },
    strengths=(
        N_("Fixes Adagrad's dying step while keeping per-coordinate scaling."),
        N_("Copes with objectives that change over time (recurrent networks, reinforcement learning)."),
    ),
    failures=(
        N_(
            "No bias correction: v starts at 0, so the first step is about $\\gamma/\\sqrt{1-\\rho}$ per "
            "coordinate, ten times γ with ρ = 0.99."
        ),
        N_(
            "With noisy gradients it never settles at a constant γ: near the minimum the noise dominates g, "
            "√v follows the noise's size, and each step stays a large fraction of γ (about 0.7γ per coordinate "
            "on the bowl with noise σ = 1); it needs γ to decay."
        ),
    ),
    paper_url="https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf",
    demos=(
        Demo(
            "rmsprop-ravine",
            N_("RMSprop in Adagrad's ravine"),
            "ravine",
            "rmsprop",
            {"lr": 0.05, "rho": 0.9},
            (-4.0, 1.5),
            150,
            N_(
                "Same start as the Adagrad demo: the step size recovers on the flat floor and the run keeps "
                "going to the minimum. Look at the first step too: γ/√(1−ρ), about 3.2 times γ with ρ = 0.9."
            ),
        ),
    ),
)

ADAM = _s(
    name="adam",
    problem=(
        N_(
            "Put momentum's smoothed direction ($m$, an average of $g$) over RMSprop's per-coordinate scale "
            "($v$, an average of $g^2$), and fix what RMSprop gets wrong at the start: both averages begin at 0, "
            "so early on they are biased towards 0. Dividing by $1-\\beta^t$ removes the bias: at step 1, "
            "$\\hat m = g$ and $\\hat v = g^2$, so the first step is γ in every coordinate."
        )
    ),
    usual={
        "lr": (
            N_(
                "0.001 in the paper and in torch; 0.05 for these surfaces. Each step is at most about γ per "
                "coordinate, and often much less, so γ is a distance in parameter space: the largest step to expect."
            )
        ),
        "beta1": N_("0.9 nearly everywhere; 0.5 is common for GANs."),
        "beta2": (
            N_("0.999 (the paper's default; not 0.9999). Large language models often use 0.95 to 0.98 for stability.")
        ),
        "eps": (
            N_(
                "1e-8 in torch and the paper (1e-7 in Keras, placed differently). Some models use 1e-6 or more to "
                "damp steps where v is tiny."
            )
        ),
        "bias_correction": N_("The lab's switch (torch has none): turn it off to see what the correction is for."),
    },
    strengths=(
        N_("Works out of the box on a wide range of problems; the default of deep learning."),
        N_("Invariant to rescaling each coordinate's gradient; each step is about γ at most."),
        N_("Handles noisy and sparse gradients."),
    ),
    failures=(
        N_(
            "Can fail to converge even on convex problems: large, rare gradients are forgotten as v decays "
            "(Reddi et al.) — see AMSGrad."
        ),
        N_(
            "L2 regularisation added to the gradient gets divided by $\\sqrt{\\hat v}$ and stops acting like "
            "weight decay — see AdamW."
        ),
        N_("The first steps rest on a v estimated from a handful of gradients — see RAdam and warm-up."),
        N_(
            "With noisy gradients it never settles at a constant γ: near the minimum the noise keeps m̂/√v̂ "
            "from shrinking, so each step stays a fixed fraction of γ (about 0.15γ per coordinate when the noise "
            "dominates) and the run wanders around the minimum; it needs γ to decay. With exact gradients it "
            "converges."
        ),
    ),
    paper_url="https://arxiv.org/abs/1412.6980",
    formulas=(
        (N_("As torch computes it (the paper's Algorithm 1):"), {}),
        (N_("With `bias_correction` switched off:"), {"bias_correction": False}),
    ),
    demos=(
        Demo(
            "adam-no-bias-correction",
            N_("Adam without bias correction: look at step 1"),
            "bowl",
            "adam",
            {"lr": 0.05, "bias_correction": False},
            (2.0, 1.5),
            60,
            N_(
                "Step once. Without the correction the first step is (1−β₁)/√(1−β₂) ≈ 3.16 times γ in each "
                "coordinate; switch the correction on and it is exactly γ."
            ),
        ),
        Demo(
            "adam-noise",
            N_("Adam with noisy gradients never settles"),
            "bowl",
            "adam",
            {"lr": 0.05},
            (2.0, 1.5),
            300,
            N_(
                "With noise in g (σ = 1) the run reaches the bottom within about 50 steps and then wanders around "
                "it, stepping about 0.15γ per coordinate. Set the noise to 0: it settles within 10⁻⁶ of the minimum."
            ),
            noise=1.0,
            seed=0,
        ),
        Demo(
            "adam-rosenbrock",
            N_("Adam along Rosenbrock's banana valley"),
            "rosenbrock",
            "adam",
            {"lr": 0.05},
            (-1.5, 2.0),
            500,
            N_(
                "Watch m̂ and v̂: the gradient changes by orders of magnitude between the walls and the floor, "
                "yet no step is larger than γ per coordinate and most are about a tenth of γ (under a fifth for 90%): "
                "m̂/√v̂ follows the gradient's direction, not its size."
            ),
        ),
    ),
)

AMSGRAD = _s(
    name="amsgrad",
    problem=(
        N_(
            "Reddi, Kale and Kumar built a simple convex problem on which Adam converges to the worst point: a "
            "large gradient that comes rarely is averaged away in $v$ before it returns, so the effective step "
            "$\\gamma/\\sqrt{\\hat v}$ grows in between. AMSGrad divides by the **largest** $v$ seen so far, so "
            "the effective step can never grow."
        )
    ),
    usual={
        "lr": N_("As for Adam."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": N_("As for Adam: 0.999. It also sets how quickly v itself forgets; $v^{\\max}$ never does."),
        "eps": N_("As for Adam: 1e-8, added after bias correction."),
        "bias_correction": (
            N_(
                "torch takes the maximum of the raw v and then divides by $1-\\beta_2^t$. The paper's algorithm "
                "has no bias correction: switch it off to get that rule (its analysis also decays γ and β₁ over "
                "time, which the lab does not)."
            )
        ),
    },
    strengths=(
        N_("A convergence guarantee on convex problems where Adam has none."),
        N_("One large gradient tames its coordinate for the rest of the run."),
    ),
    failures=(
        N_("The step can only shrink: an early large gradient slows its coordinate for good."),
        N_("In practice it rarely trains networks better than Adam."),
    ),
    paper_url="https://openreview.net/forum?id=ryQu7f-RZ",
    formulas=(
        (N_("As torch computes it (`Adam(amsgrad=True)`):"), {}),
        (N_("With `bias_correction` off, the paper's rule (with ε):"), {"bias_correction": False}),
    ),
    demos=(
        Demo(
            "amsgrad-vmax",
            N_("AMSGrad's v_max never goes down"),
            "rosenbrock",
            "amsgrad",
            {"lr": 0.05, "beta2": 0.99},
            (-1.5, 2.0),
            300,
            N_(
                "Compare v and v_max in the inspector (β₂ = 0.99 here, so v forgets within about 100 steps): once "
                "the run leaves the steep wall for the valley floor, v decays while v_max stays at its peak, so the "
                "steps stay small."
            ),
        ),
    ),
)

ADAMAX = _s(
    name="adamax",
    problem=(
        N_(
            "Adam's $v$ is an average of $g^2$: an $L^2$ norm of the recent gradients. Section 7.1 of the Adam "
            "paper takes the $L^p$ version to $p \\to \\infty$ and gets a simpler rule: $u$, a decaying maximum "
            "of $|g|$, the exponentially weighted **infinity norm**. $u$ is not biased towards zero, so it needs "
            "no bias correction; $m$ still does."
        )
    ),
    usual={
        "lr": N_("0.002 in the paper and torch (0.001 in Keras)."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": (
            N_(
                "0.999. It now sets how fast u forgets a large $|g|$: by a factor β₂ per step, so a peak halves "
                "in about 700 steps."
            )
        ),
        "eps": (
            N_("torch adds ε to $|g|$ inside the maximum; Keras adds it to u in the denominator; the paper has none.")
        ),
    },
    strengths=(
        N_("The paper shows each step is bounded by γ per coordinate."),
        N_("Simple and numerically steady: no square roots."),
    ),
    failures=(
        N_("A single outlier gradient sets u for hundreds of steps, shrinking that coordinate's steps meanwhile."),
        N_("Seldom better than Adam in practice."),
    ),
    paper_url="https://arxiv.org/abs/1412.6980",
    demos=(
        Demo(
            "adamax-infinity-norm",
            N_("AdaMax's ∞-norm on Rosenbrock"),
            "rosenbrock",
            "adamax",
            {"lr": 0.1},
            (-1.5, 2.0),
            300,
            N_(
                "Watch u: it jumps to the largest |g| met so far and then decays only by β₂ per step, while the "
                "gradient on the valley floor is far smaller."
            ),
        ),
    ),
)

NADAM = _s(
    name="nadam",
    problem=(
        N_(
            "Nesterov's look-ahead improves momentum; Dozat put it into Adam. The step uses the momentum the "
            "**next** step will have, a mix of the current gradient and $m$, rather than $m$ alone. torch also "
            "applies the paper's momentum schedule $\\mu_t$, which warms up towards β₁."
        )
    ),
    usual={
        "lr": N_("0.002 in torch."),
        "beta1": N_("The ceiling of the momentum schedule $\\mu_t$: 0.9."),
        "beta2": N_("As for Adam: 0.999."),
        "eps": N_("As for Adam: 1e-8."),
        "momentum_decay": (
            N_(
                "ψ = 0.004 in torch. The schedule starts at about β₁/2 and reaches β₁ only slowly: with "
                "ψ = 0.004 it is halfway (0.675 for β₁ = 0.9) after about 4,200 steps."
            )
        ),
    },
    strengths=(N_("Often converges a little faster than Adam early in training, with less overshoot."),),
    failures=(
        N_("Inherits Adam's failure modes."),
        N_(
            "Over a short run its momentum is much weaker than β₁ suggests: on these surfaces it behaves like "
            "Adam with β₁ near 0.45."
        ),
    ),
    paper_url="https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ",
    demos=(
        Demo(
            "nadam-ravine",
            N_("NAdam in the ravine"),
            "ravine",
            "nadam",
            {"lr": 0.05},
            (-4.0, 1.5),
            150,
            N_(
                "Compare with Adam on the same settings (switch the optimizer): NAdam overshoots less on the "
                "way into the valley. μₜ and μₜ₊₁ stay near 0.45, far below β₁."
            ),
        ),
    ),
)

ADAMW = _s(
    name="adamw",
    problem=(
        N_(
            "Weight decay shrinks the weights towards 0 to regularise. With SGD it is the same as adding λθ to "
            "the gradient (L2 regularisation); with Adam it is not: the added λθ is divided by $\\sqrt{\\hat v}$, "
            "so weights with large gradients are barely decayed. Loshchilov and Hutter **decouple** it: shrink θ "
            "by $(1-\\gamma\\lambda)$ first, then take the Adam step on the loss's own gradient."
        )
    ),
    usual={
        "lr": N_("As for Adam; torch's default 0.001."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": N_("As for Adam: 0.999."),
        "eps": N_("As for Adam: 1e-8."),
        "weight_decay": (
            N_(
                "torch's default is 0.01; 0.01 to 0.1 is common for transformers. torch, optax and Keras multiply "
                "λ by γ; the paper multiplies it by the schedule's factor only, so a λ tuned in one convention "
                "does not carry over to the other."
            )
        ),
    },
    strengths=(
        N_("Regularisation that acts as true weight decay whatever the gradients' scale."),
        N_("The best λ depends less on γ than an L2 penalty does; the standard for transformers."),
    ),
    failures=(
        N_(
            "The decay pulls every coordinate towards 0: where the loss's minimum is elsewhere, the run settles "
            "where the decay and the Adam step balance, not at the minimum."
        ),
        N_("Too large a λ drags the weights to 0 and underfits."),
    ),
    paper_url="https://arxiv.org/abs/1711.05101",
    demos=(
        Demo(
            "adamw-decay",
            N_("AdamW's decay pulls the run off the minimum"),
            "rosenbrock",
            "adamw",
            {"lr": 0.05, "weight_decay": 2.0},
            (-1.5, 2.0),
            500,
            N_(
                "Rosenbrock's minimum is at (1, 1). With λ = 2 the run settles short of it, nearer the origin: "
                "θ′ shows each step's shrink. Set λ to 0 to compare."
            ),
        ),
    ),
)

RADAM = _s(
    name="radam",
    problem=(
        N_(
            "In its first steps Adam divides by a $\\hat v$ estimated from one or two gradients, so its adaptive "
            "step has a huge variance: the reason practitioners add a learning-rate **warm-up**. Liu et al. "
            "measure how many gradients $v$ effectively averages ($\\rho_t$, the length of the simple moving "
            "average it approximates). While $\\rho_t \\le 5$ the variance is intractable, so RAdam takes a "
            "plain momentum step $\\gamma \\hat m$; afterwards, Adam's step multiplied by a rectification "
            "$r_t$ that rises towards 1."
        )
    ),
    usual={
        "lr": N_("0.001 in torch."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": (
            N_(
                "0.999. It sets the warm-up: $\\rho_t$ is close to $t$ at first, so the first 5 steps are momentum "
                "steps; then $r_t$ is 0.03 at step 6, 0.2 at step 100 and 0.65 at step 1000. If β₂ ≤ 2/3 then "
                "$\\rho_\\infty \\le 5$ and RAdam never adapts at all."
            )
        ),
        "eps": N_("1e-8, added to $\\sqrt{v}$ (the bias correction is folded into $l_t$)."),
    },
    strengths=(
        N_("A warm-up derived from the variance of v, with no schedule to tune."),
        N_("Less sensitive to the choice of γ than Adam in the paper's experiments."),
    ),
    failures=(
        N_(
            "The warm-up steps are not normalised: $\\gamma \\hat m$ scales with the gradient, so where the "
            "gradient is large the first steps are huge, where Adam's would be γ."
        ),
        N_("After the warm-up, $r_t$ stays well below 1 for hundreds of steps: early progress is slow."),
    ),
    paper_url="https://arxiv.org/abs/1908.03265",
    demos=(
        Demo(
            "radam-warmup",
            N_("RAdam's warm-up: ρₜ ≤ 5 for the first steps"),
            "bowl",
            "radam",
            {"lr": 0.05},
            (2.0, 1.5),
            40,
            N_(
                "Step through the first ten steps: while ρₜ ≤ 5 (steps 1 to 5) the step is γ·m̂ and rₜ is "
                "not defined; from step 6 the step is γ·rₜ·lₜ·m̂ with rₜ ≈ 0.03."
            ),
        ),
        Demo(
            "radam-steep",
            N_("RAdam's unnormalised first steps on a steep wall"),
            "rosenbrock",
            "radam",
            {"lr": 0.01},
            (-1.5, 2.0),
            40,
            N_(
                "The first five steps are γ·m̂ with a gradient in the hundreds: the run leaps across the valley "
                "and back, ending higher than it started. From step 6 the rectified, normalised steps take over, "
                "each under 0.001 per coordinate (rₜ ≈ 0.03 at first). With γ = 0.05 the second leap throws the "
                "run off the map."
            ),
        ),
    ),
    note=(
        N_(
            "torch takes the rectified step when $\\rho_t > 5$, the authors' code when $\\rho_t \\ge 5$: they differ "
            "only at a step where $\\rho_t$ is exactly 5. Before that, torch (like the authors' first version) "
            "takes the momentum step $\\gamma \\hat m$, while the authors' later versions by default take no step "
            "at all (`degenerated_to_sgd=False`). The paper's Algorithm 2 writes $\\rho_t > 4$."
        )
    ),
)

YOGI = _s(
    name="yogi",
    problem=(
        N_(
            "Adam's $v$ is an average with decay β₂: after a stretch of large gradients, once they shrink, $v$ "
            "falls by a factor β₂ every step, so the effective step $\\gamma/\\sqrt{\\hat v}$ can grow fast, "
            "one of the reasons Adam can fail to converge (see AMSGrad). Zaheer et al. make the change in $v$ "
            "**additive**: $v$ moves towards $g^2$ by $(1-\\beta_2)g^2$, in the direction of $\\operatorname{sign}"
            "(g^2 - v)$, so it can never fall faster than the current gradient allows. Yogi also uses a far larger "
            "ε (1e-3) than Adam, which caps the step where $v$ is tiny."
        )
    ),
    usual={
        "lr": N_("optax's example uses 0.002; 0.05 for these surfaces, as Adam."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": N_("As for Adam: 0.999. Here it sets how far v moves each step: by (1 − β₂)g²."),
        "eps": N_("1e-3 in the paper and optax, 10⁵ times Adam's 1e-8: each step is at most γ·|m̂|/ε."),
        "initial_accumulator": (
            N_("optax starts both m and v at 1e-6, so v is positive from the first step; the lab follows optax.")
        ),
    },
    strengths=(
        N_("v cannot collapse after a burst of large gradients, so the step cannot jump up suddenly."),
        N_("Convergence guarantees for nonconvex problems with an increasing mini-batch size."),
    ),
    failures=(
        N_("Its large ε makes steps smaller than γ wherever √v̂ is below about 1e-3: it slows down near a minimum."),
        N_("Otherwise Adam's failure modes: near a minimum it keeps moving unless γ decays."),
    ),
    paper_url="https://proceedings.neurips.cc/paper/2018/file/90365351ccc7437a1309dc64e4db32a3-Paper.pdf",
    demos=(
        Demo(
            "yogi-rosenbrock",
            N_("Yogi's v on Rosenbrock's walls"),
            "rosenbrock",
            "yogi",
            {"lr": 0.05},
            (-1.5, 2.0),
            300,
            N_(
                "Compare v with Adam's on the same settings (switch the optimizer): once the run is down "
                "from the steep "
                "wall, Adam's v falls by a factor β₂ a step, Yogi's by at most (1−β₂)·g², so after 300 steps Yogi's v "
                "is the larger in both coordinates."
            ),
        ),
    ),
    note=(
        N_(
            "optax starts m at 1e-6 as well as v (its `scale_by_yogi` fills both with `initial_accumulator_value`); "
            "the paper's Algorithm 2 starts m at 0. The difference fades within a few dozen steps."
        )
    ),
)

ADABELIEF = _s(
    name="adabelief",
    problem=(
        N_(
            "Adam divides by the size of the gradient, $\\sqrt{v}$. Zhuang et al. divide by how far the gradient "
            "strays from its prediction $m$: $s$ averages $(g - m)^2$. Where the gradient is large but steady (a "
            "straight slope), the prediction is good, $s$ is small and the step is **large**; where it jumps about, "
            "$s$ is large and the step small. The name: the step reflects the *belief* in the observed gradient."
        )
    ),
    usual={
        "lr": N_("0.001 in the paper, as Adam; 0.05 for these surfaces."),
        "beta1": N_("As for Adam: 0.9."),
        "beta2": N_("0.999, as Adam's."),
        "eps": N_("1e-16 in the paper's code and optax (Adam's 1e-8 would dominate √ŝ, which can be tiny)."),
        "eps_root": (
            N_(
                "The paper adds ε inside s at every step; optax calls that one `eps_root` (default 1e-16) and the one "
                "added to √ŝ `eps`. The paper's code uses the same value for both."
            )
        ),
    },
    strengths=(
        N_("Fast along steady slopes (like SGD with momentum there) and cautious where gradients are noisy."),
        N_("Claimed to generalise like SGD while training as fast as Adam, in the paper's experiments."),
    ),
    failures=(
        N_(
            "Where g is nearly constant, s falls to about ε_root and the step can become very large: the "
            "effective step is not bounded by about γ as Adam's is."
        ),
        N_("The same failure modes as Adam otherwise (no decoupled weight decay here)."),
    ),
    paper_url="https://arxiv.org/abs/2010.07468",
    demos=(
        Demo(
            "adabelief-ravine",
            N_("AdaBelief along the ravine's floor"),
            "ravine",
            "adabelief",
            {"lr": 0.05},
            (-4.0, 1.5),
            150,
            N_(
                "Along the valley floor g changes little from step to step, so s stays small and the step grows: "
                "after 150 steps it is within 0.01 of the minimum, where Adam with the same settings is still more "
                "than 0.05 away."
            ),
        ),
    ),
)

ADAFACTOR = _s(
    name="adafactor",
    problem=(
        N_(
            "Adam keeps two numbers per weight; for a large model that memory is the problem. Shazeer and Stern keep, "
            "for a **matrix** of weights, only the row and column sums of $g^2$ (a factored $v$), drop momentum, and "
            "make the rest robust without it: a decay $\\hat\\beta_{2,t} = 1 - t^{c}$ whose memory grows with $t$, "
            "steps **relative** to the size of the weights ($\\rho_t\\,\\mathrm{RMS}(\\theta)$ rather than a fixed "
            "γ), and **update clipping** (the update is scaled down when its RMS exceeds $d$). A point on these "
            "surfaces is a vector, for which torch keeps the full $v$: what you see is Adafactor without the "
            "factoring, exactly as torch.optim.Adafactor computes it for a vector."
        )
    ),
    usual={
        "lr": (
            N_(
                "torch's default 0.01 caps the relative step ρₜ = min(γ, 1/√t); the paper uses min(10⁻², 1/√t). "
                "It is a fraction of RMS(θ), not a distance."
            )
        ),
        "beta2_decay": N_("c = −0.8 in the paper and torch: β̂₂ is 0 at step 1 (v = g²), 0.43 at step 2, 0.98 at 100."),
        "eps1": N_("torch's default is the dtype's machine ε (2.2e-16 in float64); the paper's ε₁ is 1e-30."),
        "eps2": (
            N_(
                "1e-3 in torch and the paper: the relative step uses at least this RMS, so a weight at 0 can move. "
                "Near a minimum at the origin it sets the smallest step."
            )
        ),
        "d": N_("1 in the paper and torch: clipping whenever the update's RMS exceeds 1."),
        "weight_decay": N_("0 in torch; decoupled (θ multiplied by 1 − γλ), as AdamW's."),
    },
    strengths=(
        N_("On matrices, memory for v of rows plus columns instead of rows times columns (here: a vector, no saving)."),
        N_("No learning rate to tune in the paper's form: the relative step scales itself to the weights."),
        N_("Update clipping tames the steps when the gradient grows faster than v has followed."),
    ),
    failures=(
        N_(
            "Steps relative to θ: near a minimum at θ = 0 the steps shrink with θ, so the run slows as it arrives "
            "(the floor is ε₂)."
        ),
        N_("Without momentum, it zig-zags like RMSprop in a ravine."),
    ),
    paper_url="https://arxiv.org/abs/1804.04235",
    demos=(
        Demo(
            "adafactor-relative",
            N_("Adafactor's steps shrink with θ"),
            "bowl",
            "adafactor",
            {"lr": 0.05},
            (2.0, 1.5),
            150,
            N_(
                "The first step moves exactly 0.05·RMS(θ) (ρ₁ = γ = 0.05, and u = sign(g) at step 1); every step is "
                "at most αₜ = ρₜ·RMS(θ). As θ shrinks towards the minimum at the origin the steps shrink with it: "
                "after 150 steps the run is still more than 0.05 away."
            ),
        ),
    ),
    note=(
        N_(
            "**Why Muon and Shampoo are not in the lab.** Both are matrix methods: Muon orthogonalises the momentum "
            "of a weight matrix (Newton–Schulz iterations towards $UV^\\top$ of its SVD), Shampoo preconditions a "
            "matrix's gradient from the left and the right with $(\\sum GG^\\top)^{-1/4}$ and $(\\sum "
            "G^\\top G)^{-1/4}$. "
            "On two parameters there is no matrix: Muon's $UV^\\top$ of a vector is the vector divided by its length, "
            "so Muon becomes Nesterov momentum normalised to length γ each step, and Shampoo on a vector becomes "
            "full-matrix Adagrad. Showing them here would show those simpler methods under borrowed names, so the lab "
            "leaves them out; their behaviour depends on the shapes of real weight matrices."
        )
    ),
)

SIGNUM = _s(
    name="signum",
    problem=(
        N_(
            "Bernstein et al. keep only the **sign** of each gradient component: one bit per coordinate, so that "
            "workers training one model together can send 32 times less. signSGD steps $-\\gamma\\,\\operatorname"
            "{sign}(g)$; Signum takes the sign of a momentum average $m$ instead. Every coordinate moves exactly γ at "
            "every step, whatever the gradient's size: a step of Adam with β₁ = β₂ = 0 (ε aside) is signSGD."
        )
    ),
    usual={
        "lr": N_("The step in every coordinate, so a distance in parameter space: 0.02 here."),
        "momentum": (
            N_("0.9 in the paper; 0 gives signSGD (optax.sign_sgd). m is not bias-corrected: only its sign is used.")
        ),
    },
    strengths=(
        N_("One bit per coordinate to communicate, and no second moment to store."),
        N_("Immune to the gradient's scale: steep walls and flat plateaus get the same step."),
    ),
    failures=(
        N_("Never settles with a constant γ: near the minimum it hops back and forth at the scale of γ."),
        N_("Every coordinate moves the same amount: the path runs along diagonals, not down the gradient."),
    ),
    paper_url="https://arxiv.org/abs/1802.04434",
    formulas=((N_("Signum (μ > 0):"), {}), (N_("signSGD (μ = 0):"), {"momentum": 0.0})),
    demos=(
        Demo(
            "signum-ravine",
            N_("Signum in the ravine: every step is ±γ"),
            "ravine",
            "signum",
            {"lr": 0.05},
            (-4.0, 1.5),
            200,
            N_(
                "Each coordinate moves exactly γ = 0.05 at every step, so the path runs along diagonals. From step "
                "100 on it hops about the minimum, within 0.3 of it: it even lands exactly on it, and steps straight "
                "off again."
            ),
        ),
    ),
)

LION = _s(
    name="lion",
    problem=(
        N_(
            "Chen et al. searched programmatically for an optimizer and found a sign method with a twist: the "
            "direction is the sign of $c = \\beta_1 m + (1-\\beta_1) g$, a blend weighted towards the **new** "
            "gradient, while the momentum kept for later, $m$, decays more slowly (β₂ = 0.99). Like Signum every "
            "coordinate moves exactly γ; like AdamW the weight decay is decoupled. It keeps only $m$: "
            "half Adam's memory."
        )
    ),
    usual={
        "lr": N_(
            "3 to 10 times smaller than AdamW's, as optax advises (each step is γ in every coordinate); 0.02 here."
        ),
        "beta1": N_("0.9: how much momentum goes into today's direction."),
        "beta2": N_("0.99 in the paper: the decay of the momentum kept for later steps."),
        "weight_decay": (
            N_(
                "3 to 10 times AdamW's, since it is multiplied by the smaller γ (optax's default 1e-3, 0 here). "
                "The step is γ(sign(c) + λθ)."
            )
        ),
    },
    strengths=(
        N_("Half of Adam's memory, and a step of known size."),
        N_("Matched or beat AdamW on image and language models in the paper, with larger batches especially."),
    ),
    failures=(
        N_("Like Signum it never settles with a constant γ: it needs a decaying schedule."),
        N_("Sensitive to γ: the step's size no longer shrinks where the gradient does."),
    ),
    paper_url="https://arxiv.org/abs/2302.06675",
    demos=(
        Demo(
            "lion-rosenbrock",
            N_("Lion on Rosenbrock: the same step on the wall and on the floor"),
            "rosenbrock",
            "lion",
            {"lr": 0.01},
            (-1.5, 2.0),
            400,
            N_(
                "The gradient is in the hundreds on the steep wall and near 0 on the valley floor, yet every "
                "coordinate moves exactly γ = 0.01 at every step."
            ),
        ),
    ),
)

LOOKAHEAD = _s(
    name="lookahead",
    problem=(
        N_(
            "Zhang et al. wrap any optimizer in two sets of weights. The **fast** weights take k steps of the inner "
            "optimizer (Adam here); then the **slow** weights φ move a fraction α of the way to where the fast ones "
            "got, and the fast weights restart from φ: k steps forward, one step back. Averaging over the excursion "
            "cancels part of the inner optimizer's oscillation and noise. In the Explorer θ is the fast weights "
            "(optax's `params.fast`, where every gradient is taken); the slow weights, the ones to evaluate "
            "(`params.slow`), are in the inspector as φ. At every k-th step θ jumps back to the new φ."
        )
    ),
    usual={
        "lr": N_("The inner Adam's γ, as usual for Adam."),
        "beta1": N_("The inner Adam's β₁ (0.9)."),
        "beta2": N_("The inner Adam's β₂ (0.999)."),
        "eps": N_("The inner Adam's ε (1e-8)."),
        "bias_correction": N_("The inner Adam's switch."),
        "sync_period": N_("k = 5 or 10 in the paper; k = 1 with α = 1 is the inner optimizer alone."),
        "alpha": N_("α = 0.5 in the paper; 0.8 is also common. Smaller α moves the slow weights more cautiously."),
    },
    strengths=(
        N_("Wraps any optimizer, with the inner optimizer's own settings left as they were."),
        N_("Less sensitive to the inner optimizer's settings and less variance, in the paper's experiments."),
        N_("Only one extra copy of the weights."),
    ),
    failures=(
        N_(
            "Each pull throws away part of the progress: on a smooth, well-conditioned problem it is slower than "
            "the inner optimizer alone."
        ),
        N_(
            "The inner state (Adam's m and v) carries on across the pull, though the weights jumped (optax's "
            "default; reset_state resets it)."
        ),
    ),
    paper_url="https://arxiv.org/abs/1907.08610",
    demos=(
        Demo(
            "lookahead-pull",
            N_("Lookahead over Adam: k steps forward, one step back"),
            "rosenbrock",
            "lookahead",
            {"lr": 0.05},
            (-1.5, 2.0),
            300,
            N_(
                "Every fifth step the path jumps back half way to the slow weights: θ equals φ at steps 5, 10, 15, …, "
                "and φ moves only at those steps."
            ),
        ),
    ),
)

_SF_PROBLEM = N_(
    "A learning rate that decays to zero by the end of training (cosine, linear) works well but needs the length "
    "of training in advance. Defazio et al. remove the schedule: the base optimizer steps a sequence $z$; the "
    "point to evaluate is $x$, the running **average** of the $z$'s; and the gradient is taken at $y$, between "
    "them: $y = (1-\\beta) z + \\beta x$. Averaging plays the part of the decay, and the interpolation that of "
    "momentum. In the Explorer θ is $y$: what optax returns as `params`, and the only point where a gradient is "
    "taken. $x$ (optax's `schedule_free_eval_params`) and $z$ are in the inspector."
)

SF_SGD = _s(
    name="sf_sgd",
    problem=_SF_PROBLEM,
    usual={
        "lr": N_("The authors advise trying a larger γ than a scheduled run's peak; 0.1 here (0.05 on the bowl)."),
        "momentum": N_(
            "β = 0.9 in the paper and optax (`b1`); 0 takes the gradient at z: plain SGD, with x its average."
        ),
        "weight_decay": N_("Coupled, as optax: λy is added to the gradient before the step on z."),
    },
    strengths=(
        N_("No schedule and no training length to choose; matches tuned cosine schedules in the paper's experiments."),
        N_("The average x is steady where the iterates z wander with noise."),
        N_("No extra memory over SGD with momentum: two copies of θ (optax keeps z and recovers x from y)."),
    ),
    failures=(
        N_("Three points to keep apart: the path the gradient sees (y) is not the one to evaluate (x)."),
        N_("The average x remembers the whole run: it trails far behind after a long journey."),
    ),
    paper_url="https://arxiv.org/abs/2405.15682",
    demos=(
        Demo(
            "sf-sgd-noise",
            N_("Schedule-Free SGD with noisy gradients"),
            "bowl",
            "sf_sgd",
            {"lr": 0.05},
            (2.0, 1.5),
            300,
            N_(
                "Compare z and x in the inspector: z, the SGD iterate, jumps about with the noise, over "
                "the second half "
                "of the run on average more than three times as far from the minimum as y and as x."
            ),
            noise=1.0,
            seed=0,
        ),
    ),
    note=(
        N_(
            "optax's weights for the average are $c_t = \\gamma_t^2/\\sum_{s\\le t}\\gamma_s^2$, which is $1/t$ "
            "with a constant γ and no warm-up, as here. The authors' `schedulefree` package adds a warm-up and, for "
            "AdamW, folds Adam's bias correction into γ; optax is the reference the lab matches."
        )
    ),
)

SF_ADAMW = _s(
    name="sf_adamw",
    problem=(
        N_(
            "A learning rate that decays to zero by the end of training (cosine, linear) works well but needs "
            "the length of training in advance. Defazio et al. remove the schedule: the base optimizer (AdamW "
            "without momentum) steps a sequence $z$; the point to evaluate is $x$, the running **average** of "
            "the $z$'s; and the gradient is taken at $y$, between them: $y = (1-\\beta) z + \\beta x$. Averaging "
            "plays the part of the decay, and the interpolation that of momentum. In the Explorer θ is $y$: what "
            "optax returns as `params`, and the only point where a gradient is taken. $x$ (optax's "
            "`schedule_free_eval_params`) and $z$ are in the inspector."
        )
    ),
    usual={
        "lr": N_("0.0025 in optax; 0.05 here. As for Adam, the step on z is about γ per coordinate."),
        "beta1": N_("β = 0.9 (optax's `b1`): the interpolation, not a momentum decay; the base AdamW has β₁ = 0."),
        "beta2": N_("0.999, as Adam's."),
        "eps": N_("1e-8, added to √v̂."),
        "weight_decay": N_("Added as λy to the scaled step and multiplied by γ, as optax does; 0 by default."),
    },
    strengths=(
        N_("Adam's per-coordinate scale without a schedule; won the 2024 AlgoPerf self-tuning track."),
        N_("The point where the gradient is taken is steadier than Adam's own iterates."),
    ),
    failures=(
        N_("As Schedule-Free SGD: three points, and an average that trails after a long journey."),
        N_("Near a minimum z keeps moving about γ per step, as Adam does; only the average x settles."),
    ),
    paper_url="https://arxiv.org/abs/2405.15682",
    demos=(
        Demo(
            "sf-adamw-noise",
            N_("Schedule-Free AdamW with noisy gradients"),
            "bowl",
            "sf_adamw",
            {"lr": 0.05},
            (2.0, 1.5),
            300,
            N_(
                "Over the second half of the run y, where the gradient is taken, stays closer to the minimum on "
                "average than Adam's own iterates with the same γ and the same noise, while z wanders "
                "twice as far as y."
            ),
            noise=1.0,
            seed=0,
        ),
    ),
)

NEWTON = _s(
    name="newton",
    problem=(
        N_(
            "Gradient descent ignores curvature: it takes the same kind of step in a steep direction and a flat "
            "one. Newton's method fits the local quadratic model, value plus gradient plus curvature $H$, and "
            "jumps to that model's stationary point. On a quadratic that is the exact answer in one step, "
            "however badly conditioned the ravine."
        )
    ),
    usual={
        "lr": N_("1 is the pure Newton step; less is a damped step (a line search would choose it each step)."),
        "damping": (
            N_(
                "Adds δ to every eigenvalue of $H$ (Levenberg–Marquardt style). A large δ turns the step into "
                "gradient descent with learning rate 1/δ; a δ larger than the most negative eigenvalue's size "
                "makes the step go downhill, so saddles repel instead of attract."
            )
        ),
    },
    strengths=(
        N_("Converges quadratically near a minimum: the number of correct digits doubles each step."),
        N_("Affine invariant: ravines and bad scaling cost it nothing."),
    ),
    failures=(
        N_(
            "Heads for any stationary point: at a saddle the negative curvature flips the step's sign in that "
            "direction, so Newton is drawn to saddles and maxima."
        ),
        N_(
            "Needs the Hessian: d² numbers and a d³ solve per step, out of reach for a network with millions "
            "of weights (hence quasi-Newton methods such as L-BFGS)."
        ),
        N_("Where $H$ is singular or nearly so the step is huge or undefined."),
    ),
    paper_url="https://doi.org/10.1007/978-0-387-40065-5",
    formulas=((N_("Without damping:"), {}), (N_("With damping δ > 0:"), {"damping": 1.0})),
    demos=(
        Demo(
            "newton-saddle",
            N_("Newton is drawn to the saddle"),
            "saddle",
            "newton",
            {"lr": 1.0, "damping": 0.0},
            (1.0, 0.5),
            10,
            N_(
                "One step lands exactly on the saddle point at the origin, and the run stays there: for Newton a "
                "saddle is as good as a minimum."
            ),
        ),
        Demo(
            "newton-damped-saddle",
            N_("damping turns the saddle away"),
            "saddle",
            "newton",
            {"lr": 1.0, "damping": 3.0},
            (1.0, 0.5),
            10,
            N_(
                "With δ larger than the negative curvature's size, H + δI is positive definite: the step goes "
                "downhill and the run leaves the saddle along y."
            ),
        ),
        Demo(
            "newton-ravine",
            N_("one Newton step crosses the ravine"),
            "ravine",
            "newton",
            {"lr": 1.0, "damping": 0.0},
            (-4.0, 1.5),
            5,
            N_("On a quadratic, the first step lands on the minimum, however elongated the ravine."),
        ),
    ),
)

SECTIONS = (
    SGD,
    MOMENTUM,
    NESTEROV,
    ADAGRAD,
    ADADELTA,
    RMSPROP,
    ADAM,
    AMSGRAD,
    ADAMAX,
    NADAM,
    ADAMW,
    RADAM,
    YOGI,
    ADABELIEF,
    ADAFACTOR,
    SIGNUM,
    LION,
    LOOKAHEAD,
    SF_SGD,
    SF_ADAMW,
    NEWTON,
)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}


def demos() -> tuple[Demo, ...]:
    """Every demonstration of every section, in the order of the story."""
    return tuple(d for s in SECTIONS for d in s.demos)
