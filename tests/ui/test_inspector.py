"""The inspector over every optimizer x built-in surface: its LaTeX typesets in KaTeX (Streamlit's own copy), and
the numbers it shows give the result it shows.

The cases: every pair with its recommended settings from each of the surface's suggested starts, a sample of
steps from the first to late ones (the last before a divergence); every optimizer configuration of
tests/optimizers' table (non-default hyperparameters) and a few more extreme ones on every surface; noisy
gradients.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import numpy as np
import pytest

import optimizers
import surfaces
from content import presets
from optimizers.base import EXPR_FUNCTIONS
from optimizers.explain import explain
from optimizers.newton import solve
from tests.optimizers.test_optimizers import CASES as OPT_CASES
from tests.ui import katex_check
from ui.inspector import step_tex

STEPS = 300  # the Explorer's default
SAMPLE = (1, 2, 6, 10, 42, 111, 200, 300)  # a step past a divergence: the last one taken instead
SAMPLE_VARIANTS = (1, 6, 42, 120)
EXTRA = [  # hyperparameters at the edges of their ranges
    ("adam", {"lr": 0.05, "beta1": 0.5, "beta2": 0.99999, "eps": 1e-3}),
    ("adam", {"lr": 0.001, "beta2": 0.9}),
    ("amsgrad", {"lr": 0.2, "beta2": 0.99999}),
    ("adamax", {"lr": 0.3, "beta1": 0.99, "beta2": 0.9}),
    ("nadam", {"lr": 0.02, "momentum_decay": 0.04, "beta2": 0.99999}),
    ("adamw", {"lr": 0.05, "weight_decay": 2.0}),
    ("radam", {"lr": 0.1, "beta2": 0.99999}),
    ("adagrad", {"lr": 1.5, "eps": 0.0, "initial_accumulator": 1000.0}),
    ("adadelta", {"lr": 3.0, "rho": 0.5, "eps": 1e-8}),
    ("rmsprop", {"lr": 0.001, "rho": 0.5, "eps": 0.0, "centered": True, "momentum": 0.99}),
    ("momentum", {"lr": 0.0001, "momentum": 0.999}),
    ("nesterov", {"lr": 0.003, "momentum": 0.99}),
    ("sgd", {"lr": 1e-5}),
    ("newton", {"lr": 0.1, "damping": 1e-6}),
]


@cache
def cases() -> list[tuple[str, list]]:
    """(label, explain's lines) for every step the tests look at."""
    out = []

    def add(label, name, hp, s, starts, sample=SAMPLE, noise=0.0):
        starts = np.asarray(starts, dtype=float).reshape(-1, 2)
        traj = optimizers.run(optimizers.make(name, **hp), s, starts, max(sample), noise=noise, seed=3)
        for i, start in enumerate(starts):
            last = traj.steps if traj.diverged[i] < 0 else int(traj.diverged[i]) - 1
            for t in sorted({min(t, last) for t in sample if last >= 1}):
                out.append((f"{label} start={start.tolist()} t={t}", explain(traj, t, index=i)))

    for sname in surfaces.NAMES:
        s = surfaces.get(sname)
        for name in optimizers.NAMES:
            add(f"{name} on {sname}", name, presets.recommended(name, sname), s, [s.default_start, *s.starts[1:2]])
        for name, hp in [(c[1], c[2]) for c in OPT_CASES] + EXTRA:
            add(f"{name} {hp} on {sname}", name, hp, s, s.default_start, SAMPLE_VARIANTS)
        add(f"adam noisy on {sname}", "adam", {"lr": 0.05}, s, s.default_start, noise=1.0)
        add(f"rmsprop noisy on {sname}", "rmsprop", {"lr": 0.01, "centered": True}, s, s.default_start, noise=3.0)
    add("adam lr 0.05 on bowl", "adam", {"lr": 0.05}, surfaces.get("bowl"), [2.0, 1.5], (111,))  # 10^{-5}^{2}
    return out


def test_the_cases_cover_every_pair_and_late_steps():
    labels = [label for label, _ in cases()]
    for sname in surfaces.NAMES:
        for name in optimizers.NAMES:
            assert any(label.startswith(f"{name} on {sname} ") for label in labels), (name, sname)
    assert sum(int(label.rpartition("t=")[2]) >= 100 for label in labels) > 1000


# -- KaTeX ------------------------------------------------------------------------------------------------------
def test_every_pairs_inspector_typesets_in_katex():
    node, bundle = katex_check.need_katex()
    texs = [step_tex(lines) for _, lines in cases()]
    version, errors = katex_check.render_errors(texs, node, bundle)
    bad = [(label, err) for (label, _), err in zip(cases(), errors, strict=True) if err is not None]
    assert not bad, f"{len(bad)} of {len(texs)} steps fail in KaTeX {version}, e.g. {bad[:3]}"


def test_the_katex_check_catches_a_double_superscript():
    node, bundle = katex_check.need_katex()
    _, errors = katex_check.render_errors([r"2{\times}10^{-5}^{2}", r"(2{\times}10^{-5})^{2}"], node, bundle)
    assert "Double superscript" in errors[0] and errors[1] is None


def _double_scripts(tex: str) -> list[str]:
    """Where a base gets two superscripts (a^{b}^{c}, KaTeX's "Double superscript"); pure Python, no KaTeX."""
    found = []
    for i, ch in enumerate(tex):
        if ch != "^":
            continue
        j = i + 1
        if tex.startswith("{", j):
            depth = 0
            for j in range(i + 1, len(tex)):
                depth += {"{": 1, "}": -1}.get(tex[j], 0)
                if depth == 0:
                    break
            j += 1
        elif tex.startswith("\\", j):
            j += 1 + len(re.match(r"[A-Za-z]*", tex[j + 1 :]).group(0))
        else:
            j += 1
        if tex[j:].lstrip().startswith("^"):
            found.append(tex[max(i - 20, 0) : j + 5])
    return found


@pytest.mark.parametrize(
    "tex,bad", [(r"2{\times}10^{-5}^{2}", True), (r"(2{\times}10^{-5})^{2}", False), ("a^b ^c", True), ("a^b", False)]
)
def test_the_python_check_finds_a_double_superscript(tex, bad):
    assert bool(_double_scripts(tex)) == bad


def test_no_step_has_a_double_superscript():
    """The KaTeX test's commonest failure, checked without Node too."""
    bad = [(label, _double_scripts(step_tex(lines))) for label, lines in cases()]
    bad = [b for b in bad if b[1]]
    assert not bad, f"{len(bad)} steps, e.g. {bad[:3]}"


# -- the numbers shown give the result shown ---------------------------------------------------------------------
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _significant(number: str) -> int:
    """Significant digits of a number as written: 0.0903 -> 3, 102.4294 -> 7, 2.2e-7 -> 2."""
    return len(number.lstrip("-").partition("e")[0].replace(".", "").strip("0")) or 1


def _python(text: str) -> str:
    """One of explain's texts read back as Python, from the text alone."""
    py = text.replace("·", "*").replace("−", "-").replace("²", "**2").replace("^", "**")
    py = re.sub(r"\bmax\(", "maximum(", py)
    py = re.sub(r"\bI\b", "eye", py)
    return _NUMBER.sub(lambda m: f"F('{m.group(0)}')", py)  # NumPy floats: 1/0 is inf, as in the run


_FUNCS = {
    **EXPR_FUNCTIONS,  # every function a rule's expression may call (sign, rms, norm, clip, ...)
    "solve": solve,  # as the run solves 2 x 2 systems (Cramer's rule): near-singular ones differ by noise
    "eye": np.eye(2),
    "F": np.float64,
    "inf": np.inf,
    "nan": np.nan,
}


def _mismatch(text: str) -> str | None:
    """Why evaluating the shown numbers does not give the shown result (to its last shown digit), or None."""
    lhs, sep, rhs = text.rpartition(" = ")
    assert sep, text
    with np.errstate(all="ignore"):
        got = np.atleast_1d(np.asarray(eval(_python(lhs), {"__builtins__": {}}, dict(_FUNCS)), dtype=float))  # noqa: S307
    shown = re.findall(r"-?inf|nan|" + _NUMBER.pattern, rhs.replace("−", "-"))
    assert len(shown) == got.size, text
    for s, v in zip(shown, got.ravel(), strict=True):
        r = float(s)
        if r == 0 or not np.isfinite(r):
            if not (v == r or np.isnan(v) and np.isnan(r)):
                return f"{v!r} shown as {s}"
            continue
        half = 0.5 * 10.0 ** Decimal(s).as_tuple().exponent
        if not abs(v - r) <= half * (1 + 1e-9):
            return f"the shown numbers give {v!r}, shown {s}"
    return None


@pytest.mark.parametrize(
    "text,wrong",
    [
        ("(−102.4) + 0.9·114.6 = 0.6854", True),  # the shown numbers give 0.74
        ("0.001124 − 1·0.001123 = 2.234e−7", True),
        ("(−102.4) + 0.9·114.6 = 0.74", False),
        ("0.9·(−14.51) + (1 − 0.9)·26.39 = −10.42", False),
        ("solve([[2, 0], [0, 4]] + 0·I, [1, 1]) = [0.5, 0.25]", False),
        ("solve([[2, 0], [0, 4]] + 0·I, [1, 1]) = [0.5, 0.24]", True),
        ("max(0.999·24.49, abs(26.23) + 1e−8) = 26.23", False),
        ("(2.159e−5)² = 4.661e−10", False),
    ],
)
def test_the_read_back_check_tells_right_from_wrong(text, wrong):
    assert (_mismatch(text) is not None) == wrong


def test_the_shown_numbers_give_the_shown_result_in_every_line():
    bad = []
    for label, lines in cases():
        for e in lines:
            for text in e.texts:
                why = _mismatch(text)
                if why:
                    bad.append(f"{label} {e.line.name}: {text}: {why}")
    assert not bad, f"{len(bad)} lines, e.g. {bad[:5]}"


@pytest.mark.parametrize(
    "name,hp,surface,start,t",
    [
        ("nesterov", {"lr": 0.001, "momentum": 0.9}, "rosenbrock", (-1.5, 2.0), 6),
        ("adam", {"lr": 0.1}, "rosenbrock", (-1.5, 2.0), 42),
        ("newton", {"lr": 1.0}, "beale", (1.0, 1.5), 5),
    ],
)
def test_near_cancelling_terms_get_the_digits_they_need(name, hp, surface, start, t):
    traj = optimizers.run(optimizers.make(name, **hp), surfaces.get(surface), np.array(start), t)
    texts = [text for e in explain(traj, t) for text in e.texts]
    assert all(_mismatch(text) is None for text in texts), texts
    digits = [_significant(n) for text in texts for n in _NUMBER.findall(text.replace("−", "-"))]
    assert 4 < max(digits) <= 12, texts  # some need more than 4 digits here, none a wall of them


def test_hyperparameters_are_shown_exactly():
    s = surfaces.get("bowl")
    traj = optimizers.run(optimizers.make("adam", lr=0.05, beta2=0.99999, eps=1e-3), s, s.default_start, 20)
    texts = " ".join(text for e in explain(traj, 20) for text in e.texts)
    assert "0.99999·" in texts and "(1 − 0.99999)" in texts and "0.99999^20" in texts
    assert "(1 − 1)" not in texts and "0.001" in texts and "0.05/" in texts


def test_readable_where_four_digits_suffice():
    """Most lines need no more than 4 significant digits per number."""
    counts = []
    for _, lines in cases():
        for e in lines:
            for text in e.texts:
                counts += [_significant(n) for n in _NUMBER.findall(text.replace("−", "-"))]
    assert np.mean(np.array(counts) <= 4) > 0.9
