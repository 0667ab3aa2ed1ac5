"""The Guide page: a section per optimizer, every formula the optimizer's own, every Try-it link working.

The page runs inside app.py (st.page_link needs the pages that st.navigation registered).
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
from content import presets
from content.guide import MISTAKES, SECTIONS, demos, sections, tables

APP = "../../app.py"  # AppTest.from_file resolves paths from this file
TIMEOUT = 120


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


@pytest.fixture(scope="module")
def guide() -> AppTest:
    return _open("views/guide.py")


# -- the page ---------------------------------------------------------------------------------------------
def test_the_guide_renders_without_exception(guide):
    assert not guide.exception
    assert not guide.error


def test_every_optimizer_has_a_section_in_the_order_of_the_story(guide):
    anchors = [h.proto.anchor for h in guide.header if h.proto.anchor in optimizers.NAMES]
    assert anchors == list(optimizers.NAMES)
    titles = [h.value for h in guide.header if h.proto.anchor in optimizers.NAMES]
    assert all(optimizers.get(n).title in t for n, t in zip(optimizers.NAMES, titles, strict=True))


def test_every_formula_shown_is_the_one_the_optimizer_object_carries(guide):
    expected = [optimizers.make(s.name, **settings).formula() for s in SECTIONS for _, settings in s.formulas]
    shown = [el.value for el in guide.latex]
    assert all(v.startswith("$$\n") and v.endswith("\n$$") for v in shown)  # st.latex's wrapping
    assert [v[3:-3] for v in shown] == expected
    # and each section shows the rule with the lab's defaults among its formulas
    for s in SECTIONS:
        assert any(settings == {} for _, settings in s.formulas), s.name


def test_every_try_it_link_carries_its_demo_configuration(guide):
    from content.guide.theory import theory_demos  # the theory part comes after the optimizers' sections

    links = guide.get("page_link")
    assert len(links) == len(demos()) + len(theory_demos())
    for link, demo in zip(links, demos() + theory_demos(), strict=True):
        assert link.proto.page == "explorer"
        assert link.proto.query_string == urlsplit(demo.link()).query
        assert demo.label in link.proto.label


def test_the_family_tree_and_the_state_table_are_shown(guide):
    spec = json.loads(guide.get("plotly_chart")[0].proto.spec)
    texts = " ".join(a.get("text", "") for a in spec["layout"]["annotations"])
    # labels are wrapped to their boxes (after a hyphen, or at a space) and in bold: read them as plain text
    texts = re.sub(r"<[^>]+>", "", re.sub(r"(?<=-)(</b>)?<br>", "", texts).replace("<br>", " "))
    assert all(optimizers.get(n).title in texts for n in optimizers.NAMES)
    # the state table is Markdown (every row and cell shown whole, not a scrolled frame), one row per optimizer
    table = next(m.value for m in guide.markdown if m.value.startswith("| Optimizer | Kept between steps"))
    rows = [r.split(" | ")[0].strip("| ") for r in table.splitlines()[2:]]
    assert rows == [optimizers.get(n).title for n in optimizers.NAMES]
    assert "b (if momentum > 0)" in table  # the cell the frame cut off (RMSprop's)


def test_every_common_mistake_is_shown(guide):
    shown = " ".join(m.value for m in guide.markdown)
    for mistake in MISTAKES:
        assert mistake.title in shown
        assert set(mistake.about) <= set(optimizers.NAMES)


# -- the content ------------------------------------------------------------------------------------------
def test_sections_follow_the_story_and_explain_every_hyperparameter():
    assert [s.name for s in SECTIONS] == list(optimizers.NAMES)
    for s in SECTIONS:
        assert set(s.usual) == set(optimizers.get(s.name).HYPERS), s.name
        assert s.problem and s.strengths and s.failures and s.paper_url.startswith("https://")
        assert any(d.opt == s.name for d in s.demos), f"{s.name} has no demo of its own"
        for _, settings in s.formulas:
            optimizers.make(s.name, **settings)  # valid settings


def test_demo_keys_are_unique():
    keys = [d.key for d in demos()]
    assert len(keys) == len(set(keys))


# -- presets.explorer_link --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", optimizers.NAMES)
def test_explorer_link_names_every_hyperparameter_and_round_trips(name):
    cls = optimizers.get(name)
    given = {}
    for k, h in cls.HYPERS.items():
        # a valid value other than the default: halfway to the upper end of the range
        given[k] = (not h.default) if h.kind is bool else (float(h.default) + min(h.high, 1e3)) / 2
        if h.integer:
            given[k] = float(round(given[k]))
    url = presets.explorer_link("bowl", name, (0.25, -1.5), 77, noise=0.5, seed=3, **given)
    parts = urlsplit(url)
    assert parts.path == "explorer"
    query = parse_qsl(parts.query)
    keys = [k for k, _ in query]
    assert keys == ["surface", "opt", *cls.HYPERS, "x0", "y0", "steps", "noise", "seed"]
    q = dict(query)
    assert q["surface"] == "bowl" and q["opt"] == name
    for k, h in cls.HYPERS.items():
        if h.kind is bool:
            assert q[k] == ("true" if given[k] else "false")
        else:
            assert float(q[k]) == given[k]
    assert (float(q["x0"]), float(q["y0"]), int(q["steps"])) == (0.25, -1.5, 77)
    assert (float(q["noise"]), int(q["seed"])) == (0.5, 3)


def test_explorer_link_fills_the_hyperparameters_not_given_from_the_recommended_ones():
    q = dict(parse_qsl(urlsplit(presets.explorer_link("bowl", "adam", lr=0.5)).query))
    expected = presets.recommended("adam", "bowl") | {"lr": 0.5}
    assert float(q["lr"]) == 0.5 and float(q["beta2"]) == expected["beta2"]
    assert q["bias_correction"] == "true"
    assert "x0" not in q and "steps" not in q and "noise" not in q


@pytest.mark.parametrize(
    "opt,hypers,match",
    [
        ("adamm", {}, "unknown optimizer"),
        ("adam", {"momentum": 0.9}, "momentum"),
        ("adam", {"lr": -1.0}, "lr"),
        ("adam", {"beta2": 1.0}, "beta2"),
    ],
)
def test_explorer_link_rejects_bad_settings(opt, hypers, match):
    with pytest.raises(ValueError, match=match):
        presets.explorer_link("bowl", opt, **hypers)


# -- the state table --------------------------------------------------------------------------------------
def _state_reads(cls) -> set[str]:
    """The state fields that `update` reads (state.<field>), found in its source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.update)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "state"
    } - {"count"}


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_kept_state_is_what_update_reads_back(name):
    cls = optimizers.get(name)
    reads = _state_reads(cls)
    if hasattr(cls, "inner_class"):  # Lookahead hands the inner optimizer its part of the state
        reads |= _state_reads(cls.inner_class)
    assert set(tables.kept_fields(name)) == reads


# torch.optim's own per-parameter state, with every buffer switched on (RMSprop: centred, with momentum).
TORCH = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "adadelta": ("Adadelta", {}),
    "rmsprop": ("RMSprop", {"momentum": 0.9, "centered": True}),
    "adam": ("Adam", {}),
    "amsgrad": ("Adam", {"amsgrad": True}),
    "adamax": ("Adamax", {}),
    "nadam": ("NAdam", {}),
    "adamw": ("AdamW", {}),
    "radam": ("RAdam", {}),
    "adafactor": ("Adafactor", {}),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(TORCH))
def test_the_state_table_counts_the_buffers_torch_keeps(name):
    torch = pytest.importorskip("torch")
    cls_name, kwargs = TORCH[name]
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], lr=0.01, **kwargs)
    for _ in range(2):
        opt.zero_grad()
        (p - torch.arange(3.0, dtype=torch.float64)).pow(2).sum().backward()
        opt.step()
    state = opt.state[p]
    buffers = [k for k, v in state.items() if k != "step" and torch.is_tensor(v) and v.shape == p.shape]
    scalars = [k for k, v in state.items() if k != "step" and torch.is_tensor(v) and v.ndim == 0]
    row = tables.state_table().loc[name]
    most = row["Copies of θ"].split("–")[-1]
    assert int(most) == len(buffers), (name, buffers)
    assert len([s for s in row["Scalars kept"].split(", ") if s]) == len(scalars), (name, scalars)
    assert (row["Uses t"] == "yes") == (name not in ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop"))


def test_newton_keeps_nothing_between_steps():
    row = tables.state_table().loc["newton"]
    assert row["Kept between steps"] == "nothing" and row["Copies of θ"] == "0"


# -- every Try-it link opens a working Explorer ---------------------------------------------------------
def _widgets(at: AppTest):
    for kind in ("selectbox", "radio", "number_input", "slider", "toggle", "checkbox", "text_input"):
        yield from at.get(kind)


@pytest.mark.parametrize("demo", demos(), ids=lambda d: d.key)
def test_every_try_it_link_opens_a_working_explorer(demo):
    query = dict(parse_qsl(urlsplit(demo.link()).query))
    at = _open("views/explorer.py", query)
    assert not at.exception, [e.value for e in at.exception]
    widgets = list(_widgets(at))
    values = [w.value for w in widgets]
    assert demo.surface in values, f"no widget shows the surface {demo.surface!r}"
    assert demo.opt in values, f"no widget shows the optimizer {demo.opt!r}"
    shown = {w.key.rsplit(":", 1)[-1]: w.value for w in widgets if w.key}
    full = presets.recommended(demo.opt, demo.surface) | demo.hypers
    for name, value in full.items():
        assert name in shown, f"no widget for {name}"
        assert shown[name] == pytest.approx(value), name
    assert float(shown["x0"]) == pytest.approx(demo.start[0])
    assert float(shown["y0"]) == pytest.approx(demo.start[1])
    assert int(shown["steps"]) == demo.steps
    if demo.noise is not None:
        assert float(shown["noise"]) == pytest.approx(demo.noise)
    if demo.seed is not None:
        assert int(shown["seed"]) == demo.seed
    assert not [w.value for w in at.warning if "Ignored" in str(w.value)], "the Explorer rejected a setting"


# -- every demo shows its point ---------------------------------------------------------------------------
def _run(demo, opt=None, hypers=None, noise=None):
    """Run the demo's configuration (optionally another optimizer, some hyperparameters changed)."""
    import surfaces

    name = opt or demo.opt
    known = optimizers.get(name).HYPERS
    settings = presets.recommended(name, demo.surface) | {k: v for k, v in demo.hypers.items() if k in known}
    settings |= hypers or {}
    surface = surfaces.get(demo.surface)
    traj = optimizers.run(
        optimizers.make(name, **settings),
        surface,
        np.array(demo.start),
        demo.steps,
        noise=(demo.noise or 0.0) if noise is None else noise,
        seed=demo.seed,
    )
    return traj, surface


def _dist_to_min(points, surface):
    return np.min(np.linalg.norm(points[..., None, :] - surface.minima, axis=-1), axis=-1)


def _updates(traj):
    return traj.quantities["update"][1:]  # row t-1: θ_t − θ_{t−1}


def _claim_sgd_zigzag(demo):
    traj, surf = _run(demo)
    lr, steep = demo.hypers["lr"], np.linalg.eigvalsh(surf.hessian(surf.minima[0])).max()
    assert steep == pytest.approx(25) and 0.9 * 2 / steep < lr < 2 / steep  # "just under 0.08, 2/L", L = 25
    y = traj.points[:, 1]
    assert (np.sign(y[1:]) != np.sign(y[:-1])).all()  # crosses the floor on every step
    assert np.abs(y[1:] / y[:-1]) == pytest.approx(np.full(demo.steps, 0.875), rel=1e-3)  # "about 12% lower"
    assert np.abs(y[20]) > 0.05 * np.abs(y[0])  # still bouncing visibly a third of the way in
    assert 0.35 < _dist_to_min(traj.final, surf) < 0.45  # "still about 0.4 from the minimum"
    assert np.linalg.norm(traj.final) == pytest.approx(np.abs(traj.final[0]), rel=0.01)  # ...along the floor


def _claim_sgd_noise(demo):
    noisy, surf = _run(demo)
    clean, _ = _run(demo, noise=0.0)
    tail = _dist_to_min(noisy.points[demo.steps // 2 :], surf)
    assert _dist_to_min(clean.final, surf) < 1e-6  # without noise it settles
    assert tail.min() > 100 * _dist_to_min(clean.final, surf)  # with noise it never does


def _claim_momentum_ravine(demo):
    traj, surf = _run(demo)
    sgd_demo = next(d for d in demos() if d.key == "sgd-zigzag")
    assert f"SGD's {sgd_demo.hypers['lr']:g}" in sections.BY_NAME["momentum"].usual["lr"]
    sgd, _ = _run(sgd_demo)
    assert 7 < _dist_to_min(sgd.final, surf) / _dist_to_min(traj.final, surf) < 9  # "eight times closer"
    y = traj.points[:, 1]  # the bouncing dies down: in the last third it is under a seventh of what it was
    assert np.abs(y[2 * demo.steps // 3 :]).max() < np.abs(y[: demo.steps // 3]).max() / 7


def _swings(points):
    """The amplitude of each swing through the minimum along x: max |x| between sign changes."""
    x = points[:, 0]
    cuts = np.flatnonzero(np.sign(x[1:]) != np.sign(x[:-1])) + 1
    return np.array([np.abs(seg).max() for seg in np.split(x, cuts)])


def _claim_nesterov_vs_momentum(demo):
    nes, surf = _run(demo, opt="nesterov")
    mom, _ = _run(demo, opt="momentum")
    half = demo.steps // 2  # the second half of the run: momentum still swings wide, Nesterov has settled
    assert _dist_to_min(nes.points[half:], surf).max() < 0.1 * _dist_to_min(mom.points[half:], surf).max()
    ratio = _swings(nes.points)[1:12] / _swings(nes.points)[:11]  # the swings that are still visible
    assert ((ratio > 0.35) & (ratio < 0.51)).all()  # "about 0.4 times the last"
    assert _dist_to_min(nes.final, surf) < 1e-4  # "within 10⁻⁴ of the minimum after 80 steps"
    mom_swings = _swings(mom.points)
    ratio = mom_swings[1:] / mom_swings[:-1]
    assert ((ratio[:-1] > 0.8) & (ratio[:-1] < 0.9)).all()  # "about 15% shorter" (the last one is cut short)
    assert _dist_to_min(mom.final, surf) == pytest.approx(0.17, abs=0.01)  # "still about 0.17 away"


def _claim_adagrad_shrinks(demo):
    traj, surf = _run(demo)
    step = traj.quantities["step_size"][1:]
    assert np.all(np.diff(step, axis=0) <= 0)  # the effective step never grows
    moved = np.linalg.norm(_updates(traj), axis=-1)
    assert moved[-50:].mean() < 0.1 * moved[:10].mean()  # slows to a crawl...
    assert _dist_to_min(traj.final, surf) > 0.5  # ...along the floor, short of the minimum
    rms = next(d for d in demos() if d.key == "rmsprop-ravine")
    other, _ = _run(rms)
    assert _dist_to_min(traj.final, surf) > _dist_to_min(other.final, surf)


def _claim_adadelta_grows(demo):
    traj, _ = _run(demo)
    rho, eps = demo.hypers["rho"], demo.hypers["eps"]
    first = np.abs(_updates(traj)[0])
    assert first == pytest.approx(np.full(2, np.sqrt(eps / (1 - rho))), rel=0.1)
    step = traj.quantities["step_size"][1:]
    assert step.max() > 5 * step[0].max()


def _claim_adadelta_torch_eps(demo):
    traj, _ = _run(demo)
    first = np.abs(_updates(traj)[0])
    assert first == pytest.approx(np.full(2, np.sqrt(1e-6 / 0.1)), rel=0.1)
    lab, _ = _run(demo, hypers={"eps": 1e-3})
    assert np.abs(traj.final - traj.points[0]).sum() < np.abs(lab.final - lab.points[0]).sum()


def _claim_rmsprop_ravine(demo):
    traj, surf = _run(demo)
    first = np.abs(_updates(traj)[0])
    assert first == pytest.approx(np.full(2, demo.hypers["lr"] / np.sqrt(1 - demo.hypers["rho"])), rel=1e-3)
    assert first / demo.hypers["lr"] == pytest.approx(np.full(2, 3.2), abs=0.05)  # "about 3.2 times γ"
    along = traj.quantities["step_size"][1:, 0]  # the step size along the floor dips, then recovers
    low = int(along.argmin())
    assert low < demo.steps // 2 and along[low:].max() > 10 * along[low]
    assert _dist_to_min(traj.final, surf) < 0.05  # keeps going to the minimum


def _claim_adam_no_bias_correction(demo):
    off, _ = _run(demo)
    on, _ = _run(demo, hypers={"bias_correction": True})
    lr = demo.hypers["lr"]
    assert np.abs(_updates(off)[0]) == pytest.approx(np.full(2, lr * 0.1 / np.sqrt(0.001)), rel=1e-4)
    assert np.abs(_updates(on)[0]) == pytest.approx(np.full(2, lr), rel=1e-4)


def _claim_adam_rosenbrock(demo):
    traj, surf = _run(demo)
    g = np.abs(traj.grads[:-1])
    assert g.max() / g[g > 0].min() > 1000  # the gradient spans orders of magnitude...
    ratio = np.abs(_updates(traj)) / demo.hypers["lr"]
    assert ratio.max() <= 1 + 1e-9  # ...no step is larger than γ per coordinate
    assert 0.05 < np.median(ratio) < 0.15 and np.percentile(ratio, 90) < 0.2  # about a tenth, 90% under a fifth
    assert traj.losses[-1] < 1e-2 * traj.losses[0]


def _claim_adam_noise(demo):
    noisy, surf = _run(demo)
    d = _dist_to_min(noisy.points, surf)
    assert 30 <= int(np.argmax(d < 0.2)) <= 60  # reaches the bottom within about 50 steps
    assert d[100:].min() > 1e-3 and np.median(d[100:]) > 0.05  # ...and wanders around it, never settling
    ratio = np.abs(_updates(noisy)[100:]) / demo.hypers["lr"]
    assert 0.12 < np.median(ratio) < 0.18  # "about 0.15γ per coordinate"
    clean, _ = _run(demo, noise=0.0)
    assert _dist_to_min(clean.final, surf) < 1e-6  # "set the noise to 0: it settles within 10⁻⁶"


def _claim_amsgrad_vmax(demo):
    traj, _ = _run(demo)
    vmax, v = traj.quantities["v_max"], traj.quantities["v"]
    assert np.all(np.diff(vmax, axis=0) >= 0)
    assert np.any(v[-1] < 0.5 * vmax[-1])
    adam, _ = _run(demo, opt="adam")  # "so the steps stay small": smaller than Adam's on the same run
    half = demo.steps // 2
    assert (
        np.median(np.abs(_updates(traj)[half:]), axis=0) < 0.7 * np.median(np.abs(_updates(adam)[half:]), axis=0)
    ).all()


def _claim_adamax_infinity_norm(demo):
    traj, _ = _run(demo)
    u = traj.quantities["u"][-1]
    assert np.any(u > 10 * np.abs(traj.grads[-2]))  # u still holds an old, larger |g|


def _claim_nadam_ravine(demo):
    traj, _ = _run(demo)
    mu = traj.quantities["mu"][1:]
    assert np.all((mu > 0.45) & (mu < 0.47))  # far below β₁ = 0.9 over the whole run
    adam, _ = _run(demo, opt="adam")  # overshoots less on the way into the valley (from y = 1.5, past y = 0)
    assert -traj.points[:, 1].min() < 0.25 * -adam.points[:, 1].min()


def _claim_adamw_decay(demo):
    traj, surf = _run(demo)
    plain, _ = _run(demo, hypers={"weight_decay": 0.0})
    assert _dist_to_min(traj.final, surf) > 0.1
    assert np.linalg.norm(traj.final) < np.linalg.norm(surf.minima[0])
    assert _dist_to_min(plain.final, surf) < _dist_to_min(traj.final, surf)


def _claim_radam_warmup(demo):
    traj, _ = _run(demo)
    rho, r = traj.quantities["rho"], traj.quantities["r"]
    assert np.all(rho[1:6] <= 5) and rho[6] > 5
    assert np.all(np.isnan(r[1:6])) and 0.02 < r[6] < 0.03


def _claim_radam_steep(demo):
    traj, surf = _run(demo)
    assert traj.diverged_at is None
    assert np.abs(traj.grads[0]).max() > 100  # "a gradient in the hundreds"
    u = _updates(traj)
    assert np.abs(u[:5]).max() > 100 * demo.hypers["lr"]  # the first five steps leap...
    x = traj.points[:6, 0]
    assert x.max() > surf.minima[0][0] and x[5] < 0  # ...across the valley and back
    assert traj.losses[5] > traj.losses[0]  # ending higher than it started
    assert np.isnan(traj.quantities["r"][1:6]).all() and 0.02 < traj.quantities["r"][6] < 0.035
    assert np.abs(u[5:]).max() < 1e-3  # from step 6, each under 0.001 per coordinate
    wild, _ = _run(demo, hypers={"lr": 0.05})
    assert wild.diverged_at == 2  # with γ = 0.05 the second leap throws the run off the map


def _claim_newton_saddle(demo):
    traj, surf = _run(demo)
    assert np.allclose(traj.points[1:], surf.saddles[0], atol=1e-9)


def _claim_newton_damped_saddle(demo):
    traj, surf = _run(demo)
    assert demo.hypers["damping"] > -np.linalg.eigvalsh(surf.hessian(surf.saddles[0])).min()
    d = np.linalg.norm(traj.points - surf.saddles[0], axis=-1)
    end = int(traj.last_real) + 1  # the rows the run really took (an escape keeps no row past the map)
    assert np.all(np.diff(d[:end]) > 0)
    assert np.all(np.diff(traj.losses[:end]) < 0)  # the step goes downhill
    assert traj.diverged_at is None  # if it leaves the map, it escapes downhill
    assert np.abs(traj.points[end - 1, 1]) > 10 * np.abs(traj.points[end - 1, 0])


def _claim_newton_ravine(demo):
    traj, surf = _run(demo)
    assert _dist_to_min(traj.points[1], surf) < 1e-9


def _claim_yogi_rosenbrock(demo):
    yogi, _ = _run(demo)
    adam, _ = _run(demo, opt="adam")
    v, g2 = yogi.quantities["v"], yogi.grads[:-1] ** 2
    assert np.all(np.abs(np.diff(v, axis=0)) <= (1 - 0.999) * g2 + 1e-12 * v[:-1])  # at most (1 − β₂)g² a step
    assert np.all(yogi.quantities["v"][-1] > adam.quantities["v"][-1])  # Yogi's v the larger in both coordinates


def _claim_adabelief_ravine(demo):
    belief, surf = _run(demo)
    adam, _ = _run(demo, opt="adam")
    assert _dist_to_min(belief.final, surf) < 0.01 and _dist_to_min(adam.final, surf) > 0.05


def _rms(a):
    return np.linalg.norm(a, axis=-1) / np.sqrt(a.shape[-1])


def _claim_adafactor_relative(demo):
    traj, surf = _run(demo)
    step = _rms(_updates(traj))
    assert step[0] == pytest.approx(0.05 * _rms(traj.points[0]), rel=1e-12)  # 5% of RMS(θ) at step 1
    assert np.all(step <= traj.quantities["alpha"][1:] * (1 + 1e-12))  # never more than αₜ (d = 1)
    assert np.all(np.diff(step[20:]) < 0)  # shrinking with θ
    assert _dist_to_min(traj.final, surf) > 0.05


def _claim_signum_ravine(demo):
    traj, surf = _run(demo)
    np.testing.assert_allclose(np.abs(_updates(traj)), demo.hypers["lr"], rtol=1e-9)
    tail = _dist_to_min(traj.points[100:], surf)
    assert tail.max() <= 0.3
    landed = np.flatnonzero(tail[:-1] < 1e-9)
    assert landed.size and np.all(tail[landed + 1] >= 0.05)  # on the minimum, and straight off again


def _claim_lion_rosenbrock(demo):
    traj, _ = _run(demo)
    g = np.abs(traj.grads[:-1])
    assert g.max() > 100 and g.min() < 1  # hundreds on the wall, near 0 on the floor
    np.testing.assert_allclose(np.abs(_updates(traj)), demo.hypers["lr"], rtol=1e-9)


def _claim_lookahead_pull(demo):
    traj, _ = _run(demo)
    slow, fast, k = traj.quantities["slow"], traj.quantities["fast"], 5
    steps = np.arange(1, demo.steps + 1)
    np.testing.assert_array_equal(traj.points[k::k], slow[k::k])  # θ equals φ at every k-th step
    moved = np.any(np.diff(slow, axis=0) != 0, axis=-1)
    assert not moved[steps % k != 0].any() and moved[steps % k == 0].all()  # φ moves only then
    half = slow[k::k] - slow[:-k:k][: len(slow[k::k])]
    np.testing.assert_allclose(half, 0.5 * (fast[k::k] - slow[:-k:k][: len(slow[k::k])]), rtol=1e-12, atol=1e-15)


def _claim_sf_sgd_noise(demo):
    traj, surf = _run(demo)
    half = demo.steps // 2
    z, x, y = (_dist_to_min(a[half:], surf).mean() for a in (traj.quantities["z"], traj.quantities["x"], traj.points))
    assert z > 3 * max(x, y)


def _claim_sf_adamw_noise(demo):
    traj, surf = _run(demo)
    adam, _ = _run(demo, opt="adam")
    half = demo.steps // 2
    y, z = _dist_to_min(traj.points[half:], surf).mean(), _dist_to_min(traj.quantities["z"][half:], surf).mean()
    assert y < _dist_to_min(adam.points[half:], surf).mean()
    assert z > 2 * y


CLAIMS = {
    "sgd-zigzag": _claim_sgd_zigzag,
    "sgd-noise": _claim_sgd_noise,
    "momentum-ravine": _claim_momentum_ravine,
    "nesterov-bowl": _claim_nesterov_vs_momentum,
    "momentum-bowl": _claim_nesterov_vs_momentum,
    "adagrad-shrinks": _claim_adagrad_shrinks,
    "adadelta-grows": _claim_adadelta_grows,
    "adadelta-torch-eps": _claim_adadelta_torch_eps,
    "rmsprop-ravine": _claim_rmsprop_ravine,
    "adam-no-bias-correction": _claim_adam_no_bias_correction,
    "adam-noise": _claim_adam_noise,
    "adam-rosenbrock": _claim_adam_rosenbrock,
    "amsgrad-vmax": _claim_amsgrad_vmax,
    "adamax-infinity-norm": _claim_adamax_infinity_norm,
    "nadam-ravine": _claim_nadam_ravine,
    "adamw-decay": _claim_adamw_decay,
    "radam-warmup": _claim_radam_warmup,
    "radam-steep": _claim_radam_steep,
    "yogi-rosenbrock": _claim_yogi_rosenbrock,
    "adabelief-ravine": _claim_adabelief_ravine,
    "adafactor-relative": _claim_adafactor_relative,
    "signum-ravine": _claim_signum_ravine,
    "lion-rosenbrock": _claim_lion_rosenbrock,
    "lookahead-pull": _claim_lookahead_pull,
    "sf-sgd-noise": _claim_sf_sgd_noise,
    "sf-adamw-noise": _claim_sf_adamw_noise,
    "newton-saddle": _claim_newton_saddle,
    "newton-damped-saddle": _claim_newton_damped_saddle,
    "newton-ravine": _claim_newton_ravine,
}


def test_every_demo_has_a_checked_claim():
    assert set(CLAIMS) == {d.key for d in demos()}


@pytest.mark.parametrize("demo", demos(), ids=lambda d: d.key)
def test_every_demo_shows_its_point(demo):
    import surfaces

    assert demo.surface in surfaces.NAMES
    CLAIMS[demo.key](demo)


# -- claims of the sections' texts that no demo shows: each checked on a run -------------------------------
def _bowl_run(name, steps, noise=0.0, **hypers):
    import surfaces

    s = surfaces.get("bowl")
    hp = optimizers.defaults(name) | hypers
    return optimizers.run(optimizers.make(name, **hp), s, np.array([2.0, 1.5]), steps, noise=noise, seed=0)


def test_rmsprop_with_noise_keeps_stepping_a_large_fraction_of_lr():
    text = " ".join(sections.BY_NAME["rmsprop"].failures)
    assert "about 0.7γ per coordinate" in text and "noise σ = 1" in text
    traj = _bowl_run("rmsprop", 1000, noise=1.0, lr=0.05)
    ratio = np.abs(_updates(traj)[500:]) / 0.05
    assert 0.6 < np.median(ratio) < 0.8
    assert np.median(np.linalg.norm(traj.points[500:], axis=-1)) > 0.05  # never settles


def test_adam_settles_with_exact_gradients_and_not_with_noise():
    text = " ".join(sections.BY_NAME["adam"].failures)
    assert "about 0.15γ per coordinate" in text and "With exact gradients it converges" in text
    assert np.linalg.norm(_bowl_run("adam", 1000).final) < 1e-10
    for noise in (1.0, 10.0):  # the fraction does not depend on the noise's size
        ratio = np.abs(_updates(_bowl_run("adam", 3000, noise=noise, lr=0.05))[500:]) / 0.05
        assert 0.13 < np.median(ratio) < 0.17
    # the region it wanders in shrinks as γ does
    wander = {
        lr: np.median(np.linalg.norm(_bowl_run("adam", 1000, 1.0, lr=lr).points[500:], axis=-1)) for lr in (0.05, 0.01)
    }
    assert wander[0.01] < 0.75 * wander[0.05]


def test_adam_steps_are_at_most_about_lr():
    """Adam's usual-values text: 'Each step is at most about γ per coordinate, and often much less'."""
    import surfaces

    for name in ("bowl", "ravine", "rosenbrock", "beale", "himmelblau"):
        s = surfaces.get(name)
        traj = optimizers.run(optimizers.make("adam", lr=0.05), s, s.default_start, 300)
        ratio = np.abs(_updates(traj)) / 0.05
        assert ratio.max() < 1.5 and np.median(ratio) < 1, name


def test_radam_rectification_values_in_the_text():
    text = sections.BY_NAME["radam"].usual["beta2"]
    assert "0.03 at step 6, 0.2 at step 100 and 0.65 at step 1000" in text
    traj = _bowl_run("radam", 1000)
    r = traj.quantities["r"]
    assert r[6] == pytest.approx(0.03, abs=0.005)
    assert r[100] == pytest.approx(0.2, abs=0.02) and r[1000] == pytest.approx(0.65, abs=0.01)
    rho = traj.quantities["rho"]
    assert (rho[1:6] <= 5).all() and rho[6] > 5 and (rho[1:6] > 4).any()  # the paper's ρ > 4 would rectify earlier


def test_nadam_schedule_halfway_in_the_text():
    assert "after about 4,200 steps" in sections.BY_NAME["nadam"].usual["momentum_decay"]
    traj = _bowl_run("nadam", 4300)
    mu = traj.quantities["mu"]
    half = int(np.argmax(mu >= 0.675))
    assert 4100 <= half <= 4300
