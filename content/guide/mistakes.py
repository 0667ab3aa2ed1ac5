"""Common mistakes that tutorials make about these optimizers: plain data, no streamlit.

The formulas here are the *other* forms (other frameworks, tutorials) written out to contrast with the
app's; the app's own rules are never retyped: the page shows them from the optimizer objects.
"""

from __future__ import annotations

import dataclasses

from i18n import N_


@dataclasses.dataclass(frozen=True)
class Mistake:
    key: str
    title: str  # the claim or habit, stated plainly
    body: str  # markdown: what is actually true, and why it matters
    about: tuple[str, ...]  # the optimizer sections it concerns


MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        "adam-eps",
        N_("“Adam adds ε to √v̂” — in which framework?"),
        N_(
            "torch, optax and the paper's Algorithm 1 add ε **after** bias correction: "
            "$\\theta \\leftarrow \\theta - \\gamma\\,\\hat m/(\\sqrt{\\hat v} + \\varepsilon)$. "
            "TensorFlow/Keras use the paper's “efficient” form (end of its section 2), which folds the "
            "corrections into the step size and adds $\\hat\\varepsilon$ to the **uncorrected** root: "
            "$\\theta \\leftarrow \\theta - \\gamma_t\\, m/(\\sqrt{v} + \\hat\\varepsilon)$ with "
            "$\\gamma_t = \\gamma\\sqrt{1-\\beta_2^t}/(1-\\beta_1^t)$. That equals torch's rule with "
            "$\\varepsilon = \\hat\\varepsilon/\\sqrt{1-\\beta_2^t}$: about 32 times larger at step 1 with "
            "β₂ = 0.999, shrinking back over the first thousands of steps. Keras's default is also 1e-7, not "
            "1e-8. The difference matters when gradients are tiny or ε is large."
        ),
        ("adam",),
    ),
    Mistake(
        "keras-rmsprop-eps",
        N_("“RMSprop divides by √v + ε” — not in Keras"),
        N_(
            "torch adds ε outside the root, $\\sqrt{v} + \\varepsilon$. Keras puts it inside, "
            "$\\sqrt{v + \\varepsilon}$: where v is small the floor is $\\sqrt{\\varepsilon}$, about "
            "$3\\cdot 10^{-4}$ for Keras's 1e-7, instead of 1e-8. The defaults differ too: torch's decay "
            "(`alpha`) is 0.99, Keras's (`rho`) 0.9."
        ),
        ("rmsprop",),
    ),
    Mistake(
        "nesterov-form",
        N_("“Nesterov evaluates the gradient at θ − μV” — not in torch or optax"),
        N_(
            "The classic form takes the gradient at the look-ahead point: "
            "$V \\leftarrow \\mu V + \\gamma \\nabla f(\\theta - \\mu V)$, $\\theta \\leftarrow \\theta - V$. "
            "torch's `SGD(nesterov=True)` and optax's `sgd(nesterov=True)` use the reformulation that takes the "
            "gradient at the current point and steps along $g + \\mu b$. Its iterates are the classic form's "
            "look-ahead points, so a plot of one is not a plot of the other, and code ported from a tutorial "
            "to torch changes which points you see."
        ),
        ("nesterov",),
    ),
    Mistake(
        "beta2-default",
        N_("“β₂ = 0.9999”"),
        N_(
            "Adam's default β₂ is **0.999**, in the paper and in every major framework. With 0.9999, v averages "
            "over about 10,000 steps instead of 1,000, and the bias correction matters ten times longer."
        ),
        ("adam",),
    ),
    Mistake(
        "amsgrad-bias",
        N_("“AMSGrad is Adam with bias correction and a max”"),
        N_(
            "Reddi et al.'s AMSGrad has **no** bias correction: it divides $m$ by $\\sqrt{\\max(v)}$ directly "
            "(and its analysis decays γ and β₁). torch's `Adam(amsgrad=True)` keeps Adam's corrections and "
            "takes the maximum of the raw v before dividing by $1-\\beta_2^t$. Both are in the lab: switch "
            "`bias_correction` off for the paper's rule."
        ),
        ("amsgrad",),
    ),
    Mistake(
        "adamax-eps",
        N_("“AdaMax adds ε like Adam”"),
        N_(
            "The AdaMax rule in the paper has **no** ε: $u \\leftarrow \\max(\\beta_2 u, |g|)$. torch adds ε to "
            "$|g|$ inside the maximum, so u is never below ε; Keras adds it to u in the denominator. Either way "
            "it matters only where a coordinate's gradients have been (nearly) zero, where it prevents a "
            "division by zero."
        ),
        ("adamax",),
    ),
    Mistake(
        "adam-lr-adjustment",
        N_("“Adam adjusts the learning rate as α/(1 + √(v̂/(β₂ᵗ(1 − β₂ᵗ))))”"),
        N_(
            "Some tutorials print a “learning-rate adjustment” "
            "$\\alpha_t = \\alpha/\\big(1+\\sqrt{\\hat v/(\\beta_2^t(1-\\beta_2^t))}\\big)$ as part of Adam. "
            "It is not in the paper nor in any framework. The only step-size rewriting in the paper is the "
            "efficient form's $\\gamma\\sqrt{1-\\beta_2^t}/(1-\\beta_1^t)$, which is the bias correction moved "
            "into γ."
        ),
        ("adam",),
    ),
    Mistake(
        "momentum-lr",
        N_("“Momentum is V ← μV + γg” — torch writes it differently"),
        N_(
            "torch's `SGD(momentum=μ)` keeps γ **outside** the buffer: $b \\leftarrow \\mu b + g$, "
            "$\\theta \\leftarrow \\theta - \\gamma b$. With a constant γ that gives the same iterates as "
            "$V \\leftarrow \\mu V + \\gamma g$, $\\theta \\leftarrow \\theta - V$ ($V = \\gamma b$); with a "
            "learning-rate schedule they differ, because torch rescales the whole accumulated velocity at "
            "once. A third form, $V \\leftarrow \\mu V + (1-\\mu) g$ (an average, like Adam's m), takes steps "
            "$1-\\mu$ times smaller: ten times smaller for μ = 0.9 unless γ is raised to match."
        ),
        ("momentum",),
    ),
    Mistake(
        "adadelta-lr",
        N_("“Adadelta needs no learning rate” — unless your framework adds one"),
        N_(
            "Zeiler's rule has no γ. torch multiplies the step by `lr` (default 1.0, which matches the paper); "
            "Keras's default `learning_rate` is 0.001, a thousand times smaller than the paper's step."
        ),
        ("adadelta",),
    ),
)
