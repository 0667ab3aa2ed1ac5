"""The inspector under a regimen (optimizers.regimen): every schedule, decay coupled and decoupled, clipping by
norm and by value, around several optimizers: each line's shown numbers give its shown result (γ_t read back
with the run's own schedule), and every step typesets in KaTeX."""

from __future__ import annotations

import re
from functools import cache

import numpy as np

import optimizers
import surfaces
from optimizers import regimen, schedules
from optimizers.explain import explain
from tests.ui import katex_check
from tests.ui import test_inspector as inspector_tests
from ui.inspector import step_tex

SCHEDULES = [
    ("constant", {}),
    ("step", {"step_size": 7, "gamma": 0.5}),
    ("exponential", {"gamma": 0.97}),
    ("cosine", {"T_max": 80, "eta_min": 1e-4}),
    ("warmup_cosine", {"warmup": 5, "T_max": 80}),
    ("wsd", {"warmup": 5, "decay": 20, "total": 60}),
    ("one_cycle", {"total_steps": 60}),
    ("inverse_sqrt", {"warmup": 4}),
]
PARTS = [
    {"decay": 0.05},
    {"decay": 0.05, "decoupled": True},
    {"clip_norm": 2.0},
    {"clip_value": 0.5},
    {"clip_norm": 5.0, "clip_value": 1.0, "decay": 0.01, "decoupled": True},
]
INNER = [("sgd", {"lr": 0.001}), ("adam", {"lr": 0.05}), ("lookahead", {"lr": 0.02}), ("sf_adamw", {"lr": 0.05})]
STEPS = (1, 2, 6, 13, 40, 60)


@cache
def cases() -> list[tuple[str, regimen.Regimen, list]]:
    out = []
    for s_i, (sname, sp) in enumerate(SCHEDULES):
        for p_i, parts in enumerate(PARTS):
            name, hp = INNER[(s_i + p_i) % len(INNER)]
            surface = surfaces.get(("rosenbrock", "beale", "himmelblau")[(s_i + p_i) % 3])
            opt = regimen.Regimen(optimizers.make(name, **hp), schedules.make(sname, **sp), **parts)
            traj = optimizers.run(opt, surface, surface.default_start, max(STEPS))
            last = int(traj.last_real)
            for t in sorted({min(t, last) for t in STEPS if last >= 1}):
                out.append((f"{name} {sname} {parts} on {surface.name} t={t}", opt, explain(traj, t)))
    return out


def test_the_shown_numbers_give_the_shown_result_under_every_regimen():
    bad = []
    funcs = inspector_tests._FUNCS
    for label, opt, lines in cases():
        funcs["schedule"] = opt.schedule  # γ_t = schedule(γ, t) reads back with the run's own schedule
        try:
            for e in lines:
                for text in e.texts:
                    why = inspector_tests._mismatch(text)
                    if why:
                        bad.append(f"{label} {e.line.name}: {text}: {why}")
        finally:
            funcs.pop("schedule", None)
    assert len(cases()) > 150
    assert not bad, f"{len(bad)} lines, e.g. {bad[:5]}"


def test_the_norm_clipping_line_shows_the_norm_over_both_coordinates():
    label, opt, lines = next(c for c in cases() if "'clip_norm': 2.0" in c[0] and c[0].endswith("t=6"))
    (scale,) = [e for e in lines if e.line.name == "clip_scale"]
    (g_eff,) = [e for e in lines if e.line.name == "g_eff"]
    assert re.search(r"norm\(\[[^],]+, [^],]+\]\)", scale.texts[0])  # ‖g‖ of the vector, not of a coordinate
    np.testing.assert_allclose(np.asarray(g_eff.value), np.asarray(g_eff.recorded), rtol=1e-12)


def test_every_regimen_step_typesets_in_katex():
    node, bundle = katex_check.need_katex()
    texs = [step_tex(lines) for _, _, lines in cases()] + [opt.formula() for _, opt, _ in cases()]
    version, errors = katex_check.render_errors(texs, node, bundle)
    bad = [err for err in errors if err is not None]
    assert not bad, f"{len(bad)} of {len(texs)} fail in KaTeX {version}, e.g. {bad[:3]}"
