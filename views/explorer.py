"""Explorer: step one optimizer over a surface and watch its path beside the numbers inside it.

Thin page: widgets -> ui.caches (optimizers.run, and the run as the stage's bytes via
viz.explorer.stage_data; plain values in) -> the stage (ui/stage.py: one components-v2 element that owns the
timeline: Step, Step ×10, Back, Reset, Play/Pause, speeds, scrubber; it draws the map, the numbers panel, the
loss and the state panels at every step in the browser) and the inspector (optimizers.explain, ui.inspector).

A main() of section functions over PAGE (a ui.page.Page), which alone spells the page's session and URL keys.
State: the settings in session state and the URL (URL keys as presets.explorer_link writes them, plus
`presenter`); the step the inspector shows in PAGE.private(T), which the stage reports when stepping rests (a run
of the st.fragment `stage` only, whose stage element is the same bytes and travels as a reference). The URL's
`t` is written by the stage itself (history.replaceState: no history entry per step); a link's t opens the run
there (clamped and said when outside it). A setting change starts a fresh run at step 0 and says so; it is a
new history entry, so Back returns to the previous settings at the step they were left at.

Theory (a switch beside Presenter, `theory` in the URL): the stage's data carries the local quadratic model at every
step (viz.explorer.theory_data), and under the stage `theory_panel` shows optimizers.analysis.step_theory at t and
the button that sets best_hypers. Switching it keeps the run and the step.
"""

from __future__ import annotations

import functools
import math
import weakref
import zlib

import numpy as np
import streamlit as st

import budget
import i18n
import optimizers
import surfaces
from content import presets
from i18n import translator
from optimizers import analysis
from optimizers.explain import explain
from ui import budget as budget_ui
from ui import caches, controls, regimen_controls, start
from ui import inspector as inspector_tex
from ui import stage as ui_stage
from ui import state as ui_state
from ui.export import current_link, export_controls
from ui.formula import EXAMPLE, escape_markdown, formula_input, formula_params
from ui.i18n import core
from ui.internals import get_script_run_ctx
from ui.page import Page
from viz import explorer as viz_explorer
from viz import surface_map
from viz.theory import sharpness_spec

_, ngettext = translator("app")

PAGE = Page("explorer")  # every session and URL key of the page is spelled by PAGE
CUSTOM = "custom"  # the surface box's choice for a formula
MAX_STEPS = 2000  # a request stays well under a second
DEFAULT_SURFACE = "rosenbrock"
DEFAULT_OPT = "adam"
DEFAULT_STEPS = 300
SURFACE_OPTIONS = (*surfaces.NAMES, CUSTOM)
# page state that is not a setting (PAGE.private): what each is
T = "t"  # the step the inspector shows (the stage reports it when stepping rests)
RUN = "run"  # the settings of the run shown: a change starts a fresh run
THIS_RUN = "this_run"  # (settings, theory, language, weak reference to the shared run) while settings stay
NOTICE = "notice"
FULL_RUN = "full_run"  # a setting changed inside the fragment (a click on the map)
DRAWN = "drawn"  # the stage has been painted once in this session: LaTeX from now on
LINK_T = "link_t"  # a link's t, to be checked against the run's last step
OPENED = "opened"  # the stage's header for the run it shows: token, the step it opens at, a note
SEQ = "seq"  # counts the times the server set t (a new run, a link): part of the stage's token
TOKEN = "token"  # the token of the run the stage shows
LAST = "last"  # the last step the timeline can reach
RESTED = "rested"  # this run is the stage's report that stepping rests (set by its callback)
SENT = "sent"  # the token of the run whose data the stage element last carried
EXPORTS = "exports"  # the "Take it to class" box is open (its controls are drawn only then)


def _surface_title(name: str) -> str:
    return _("Custom formula f(x, y)") if name == CUSTOM else core(surfaces.get(name).title)


# -- which surface and optimizer the settings are for (before the widgets exist) --------------------------
def _peek(name: str, options, default: str) -> str:
    if PAGE.url_is_fresh() and st.query_params.get(name) in options:
        return st.query_params.get(name)
    value = PAGE.get(name, default)
    return value if value in options else default


def _builtin_for_defaults(surface_name: str) -> str:
    return surface_name if surface_name in surfaces.NAMES else "bowl"


def params_for(surface_name: str, opt_name: str) -> list[ui_state.Param]:
    surf = surfaces.get(_builtin_for_defaults(surface_name))
    params = [
        ui_state.Param("surface", DEFAULT_SURFACE, ui_state.parse_choice(SURFACE_OPTIONS)),
        ui_state.Param("opt", DEFAULT_OPT, ui_state.parse_choice(optimizers.NAMES)),
        *controls.hyper_params(opt_name, overrides=presets.recommended(opt_name, _builtin_for_defaults(surface_name))),
        *start.params(surf.default_start),
        ui_state.Param("steps", DEFAULT_STEPS, ui_state.parse_int(1, MAX_STEPS)),
        ui_state.Param("noise", 0.0, ui_state.parse_float(0.0, 100.0), ui_state.fmt_float),
        ui_state.Param("seed", 0, ui_state.parse_int(0, 2**31 - 1)),
        ui_state.Param("view3d", False, ui_state.parse_bool, ui_state.fmt_bool),
        ui_state.Param("presenter", False, ui_state.parse_bool, ui_state.fmt_bool),
        ui_state.Param("theory", False, ui_state.parse_bool, ui_state.fmt_bool),
    ]
    if surface_name == CUSTOM:
        params += formula_params()
    return params


# -- callbacks: a new surface or optimizer brings its recommended settings ----------------------------------
def _apply_recommended(opt_name: str, surface_name: str) -> None:
    for name, value in presets.recommended(opt_name, _builtin_for_defaults(surface_name)).items():
        PAGE.set(name, value)


def _on_surface() -> None:
    name = PAGE.get("surface")
    opt_name = PAGE.get("opt", DEFAULT_OPT)
    if name in surfaces.NAMES:
        x0, y0 = surfaces.get(name).default_start
        start.set_start(PAGE, (x0, y0))
    elif name == CUSTOM:
        if not str(PAGE.get("formula", "")).strip():
            PAGE.set("formula", EXAMPLE)
        start.set_start(PAGE, (1.5, 0.5))
    if opt_name in optimizers.NAMES:
        _apply_recommended(opt_name, name)


def _on_opt() -> None:
    opt_name = PAGE.get("opt")
    if opt_name in optimizers.NAMES:
        _apply_recommended(opt_name, PAGE.get("surface", DEFAULT_SURFACE))


# -- the sidebar -----------------------------------------------------------------------------------------------
def sidebar(notices: list[str]) -> dict | None:
    """Render the controls; return the run's configuration (checked values) or None if it cannot run."""
    sb = st.sidebar
    sb.header(_("Settings"))
    surface_name = sb.selectbox(
        _("Surface"),
        SURFACE_OPTIONS,
        key=PAGE.key("surface"),
        format_func=_surface_title,
        on_change=_on_surface,
        help=_("The loss surface f(x, y) the optimizer walks on."),
    )
    surface = None
    if surface_name == CUSTOM:
        surface, error = formula_input(PAGE.name, sb)
        if surface is None:
            notices.append(
                _("The formula cannot be used ({error}).").format(error=escape_markdown(error))
                if error
                else _("Type a formula f(x, y) in the sidebar.")
            )
            surface_name = "bowl"
    if surface is None:
        surface = surfaces.get(surface_name)
    sb.caption(surface.shown_description())

    opt_name = sb.selectbox(
        _("Optimizer"),
        optimizers.NAMES,
        key=PAGE.key("opt"),
        format_func=lambda n: optimizers.get(n).title,
        on_change=_on_opt,
        help=_("The update rule. Changing it loads its recommended settings for this surface."),
    )
    sb.caption(optimizers.get(opt_name).shown_description())
    hypers, _errors = controls.hyper_inputs(opt_name, PAGE.name, container=sb, log_sliders=True)

    sb.subheader(_("Start"))
    x0, y0 = start.inputs(
        PAGE,
        *sb.columns(2),
        labels=("x₀", "y₀"),
        helps=(_("Start x (or click the map)."), _("Start y (or click the map).")),
    )
    start.suggestions(PAGE, surface, sb, sb)
    x0, y0 = start.checked(surface, x0, y0, sb)

    sb.subheader(_("Run"))
    steps = sb.number_input(
        _("Steps"),
        key=PAGE.key("steps"),
        step=10,
        help=_("How many updates the run computes: the timeline's length (1 to {n}).").format(n=MAX_STEPS),
    )
    steps = _checked_int(steps, 1, MAX_STEPS, DEFAULT_STEPS, _("Steps"), sb)
    regimen_on = regimen_controls.is_on(PAGE.name, [opt_name])
    budget_ui.explorer_check(opt_name, surface, steps, sb, regimen_on)  # over the work budget: a message, no run
    noise = sb.number_input(
        _("Gradient noise σ"),
        key=PAGE.key("noise"),
        step=0.1,
        format="%g",
        help=_("Stochastic-gradient mode: add N(0, σ²) to every gradient component (0 = exact gradients)."),
    )
    if not (isinstance(noise, int | float) and math.isfinite(noise) and 0 <= noise <= 100):
        sb.error(_("σ must be a number in [0, 100]. Using 0."), icon=":material/warning:")
        noise = 0.0
    seed = sb.number_input(_("Noise seed"), key=PAGE.key("seed"), step=1, help=_("The same seed gives the same noise."))
    seed = _checked_int(seed, 0, 2**31 - 1, 0, _("The seed"), sb)
    regimen = regimen_controls.controls(PAGE.name, [opt_name], [hypers.get("lr", 0.0)], steps, sb)
    sb.toggle(_("3-D view"), key=PAGE.key("view3d"), help=_("Show the surface in 3-D (drag to turn it)."))
    return dict(
        surface=surface,
        surface_key=caches.surface_spec(surface),
        opt_name=opt_name,
        hypers=(*hypers.items(), *regimen.pairs(opt_name)),
        start=(float(x0), float(y0)),
        steps=steps,
        noise=float(noise),
        seed=seed,
    )


def _checked_int(value, low: int, high: int, default: int, what: str, box) -> int:
    ok = isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer() and low <= value <= high
    if not ok:
        box.error(
            _("{what} must be a whole number in [{low}, {high}]. Using {default}.").format(
                what=what, low=low, high=high, default=default
            ),
            icon=":material/warning:",
        )
        return default
    return int(value)


# -- the inspector ------------------------------------------------------------------------------------------
def inspector(traj, t: int, surface) -> None:
    opt = traj.optimizer
    st.subheader(_("Inspector"), anchor=False)
    on = _("your formula") if getattr(surface, "formula", None) else core(surface.title)
    st.markdown(_("**The surface**, {surface}:").format(surface=on) + f" ${surface.latex}$")
    # One under the other, each the page's full width: side by side, the step's numbers (about 480 px for Adam,
    # 770 for RAdam) were cut to a scrolled column on a 1280 px laptop
    st.markdown(_("**{name}'s update rule**, as computed with these settings:").format(name=opt.title))
    st.latex(opt.formula())
    if t == 0:
        st.markdown(_("**Step 0** is the start. Press **Step** to see the rule with the first step's numbers."))
        return
    out = analysis.outcome(traj)
    if out.stopped and t > out.last_step:  # the engine refused this update: θ and the state stayed
        st.markdown(out.not_taken(t))
        return
    st.markdown(_("**Step {t}** with its numbers, per coordinate (x, then y):").format(t=t))
    try:
        st.latex(inspector_tex.step_tex(explain(traj, t)))
    except Exception as exc:  # noqa: BLE001 - the inspector must never break the page
        st.warning(_("The inspector cannot show step {t}: {error}").format(t=t, error=exc))


# -- the theory beside the run (optimizers.analysis.step_theory) ---------------------------------------------
def _g(x: float | None) -> str:
    if x is None:
        return "—"
    return "∞" if x == math.inf else f"{x:.4g}"


def theory_panel(traj, t: int, surface) -> None:
    """The local quadratic model at θ_t against what the run did: the predicted rate beside the measured one,
    γ·λmax against its limit, how far the model holds, and the button that sets the best γ (and μ)."""
    st.subheader(_("Theory at step {t}").format(t=t), anchor=False)
    try:
        th = analysis.step_theory(traj, surface, t)
    except ValueError as exc:  # the Hessian is not finite at θ_t: no model to show
        st.markdown(_("No quadratic model at step {t}: {error}.").format(t=t, error=exc))
        return
    m = th.model
    opt = traj.optimizer
    hp = opt.hyperparams()
    lr = float(np.asarray(hp.get("lr", np.nan)).ravel()[0])
    kappa = _("none (λmin ≤ 0: no minimum here)") if m.condition_number is None else _g(m.condition_number)
    lines = [
        _("- **Local model at θ{t}** ({kind}): λmin = {lmin}, λmax = {lmax}, κ = {kappa}.").format(
            t=_sub(t), kind=core(m.kind), lmin=_g(m.lambda_min), lmax=_g(m.lambda_max), kappa=kappa
        )
    ]
    if th.predicted_rate is None:
        if opt.name == "regimen":  # optimizers.regimen: γ_t, decay and clipping are not in the constant-γ model
            why = _("under a schedule, weight decay or clipping the model's rate for a constant γ does not apply")
        else:
            why = _("its step depends on its state, not on γ and H alone")
        lines.append(_("- **Predicted rate**: none for {name} ({why}).").format(name=opt.title, why=why))
    else:
        lines.append(
            _("- **Predicted rate** per step ({label}): {value}.").format(
                label=th.predicted_label, value=_g(th.predicted_rate)
            )
        )
    if th.measured_rate is None:
        lines.append(_("- **Measured rate**: none at this step (step 0, or no distance to measure)."))
    else:
        lines.append(
            _("- **Measured rate** ({label}): {value}.").format(label=th.measured_label, value=_g(th.measured_rate))
        )
    if th.lr_max is not None and np.isfinite(lr):
        limit = th.lr_max * m.lambda_max if math.isfinite(th.lr_max) else None
        if limit is None:
            lines.append(
                _("- **γ·λmax** = {value}: no direction curves up, so no γ is stable here.").format(
                    value=_g(lr * m.lambda_max)
                )
            )
        else:
            if lr * m.lambda_max < limit:
                line = _("- **γ·λmax** = {value}, below the limit {limit} (stable on this model for γ < {lr}).")
            else:
                line = _("- **γ·λmax** = {value}, not below the limit {limit} (stable on this model for γ < {lr}).")
            lines.append(line.format(value=_g(lr * m.lambda_max), limit=_g(limit), lr=_g(th.lr_max)))
    if th.exact:
        lines.append(_("- **Where the model holds**: everywhere on the view (the surface is this quadratic)."))
    elif th.valid_radius > 0:
        lines.append(
            _(
                "- **Where the model holds**: within {radius} of θ{t} (beyond, f differs from the model by more "
                "than {share} of the model's own change)."
            ).format(radius=_g(th.valid_radius), t=_sub(t), share="10 %")  # a placeholder: no "%" in the message
        )
    else:
        lines.append(
            _("- **Where the model holds**: nowhere measurable around θ{t} (f departs from it at once).").format(
                t=_sub(t)
            )
        )
    st.markdown("\n".join(lines))
    if th.best is not None:
        what = ", ".join(f"{'γ' if n == 'lr' else 'μ'} = {v:.6g}" for n, v in th.best.items())
        st.button(
            _("Use the best γ (and μ)"),
            key=PAGE.private("best"),
            on_click=_use_best,
            args=(dict(th.best),),
            help=_("Set {what}: the fastest constant settings on the model at θ{t} (a new run).").format(
                what=what, t=_sub(t)
            ),
        )
    edge_of_stability(traj, surface)


def edge_of_stability(traj, surface) -> None:
    """The run's sharpness λmax(H(θ_t)) (for an adaptive optimizer, of its preconditioned Hessian) against its
    stability limit, over the whole run (Cohen et al.): where a run settles at the edge, the two meet."""
    try:
        sharp = analysis.sharpness(traj, surface)
    except ValueError as exc:
        st.caption(_("No sharpness chart: {error}.").format(error=exc))
        return
    st.plotly_chart(
        surface_map.prepared(sharpness_spec(sharp, name=traj.optimizer.title, height=360)),
        key=PAGE.key("sharpness"),
        theme=None,
        config={"displaylogo": False},
        width="stretch",
    )


def _sub(t: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(t))


# -- the page -----------------------------------------------------------------------------------------------
def settings() -> tuple[bool, str | None, list[str]]:
    """The settings from a link when the URL is new to this session (a link opened, or Back / Forward: its
    settings, and its step t, apply): (fresh, the link's t, notices about the link's values)."""
    fresh = PAGE.url_is_fresh()
    link_t = st.query_params.get("t") if fresh else None
    surface_name = _peek("surface", SURFACE_OPTIONS, DEFAULT_SURFACE)
    opt_name = _peek("opt", optimizers.NAMES, DEFAULT_OPT)
    notices = PAGE.restore(params_for(surface_name, opt_name) + regimen_controls.params(PAGE.name))
    return fresh, link_t, notices


def new_run(config: dict, link_t: str | None) -> bool:
    """A run whose settings differ from the one shown (or a link's t) starts at step 0, said once; True if changed."""
    run_id = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        config["steps"],
        config["noise"],
        config["seed"],
    )
    changed = PAGE.get_private(RUN) != run_id
    if changed or link_t is not None:
        if changed and PAGE.get_private(RUN) is not None and link_t is None:
            PAGE.set_private(NOTICE, _("Settings changed: a fresh run starts at step 0."))
        PAGE.set_private(RUN, run_id)
        PAGE.set_private(T, 0)
        PAGE.set_private(LINK_T, link_t)  # checked against the run's last step once the run is known
        PAGE.set_private(SEQ, PAGE.get_private(SEQ, 0) + 1)  # the stage opens at the server's t
    return changed


def mirror_link(config: dict, keep_t: bool) -> None:
    """The URL mirrors every setting (with the formula's keys only for a custom surface); the step t is written
    by the stage itself (history.replaceState: no history entry per step) and dropped when the run changes."""
    params = params_for(PAGE.get("surface", DEFAULT_SURFACE), config["opt_name"]) + regimen_controls.mirrored(PAGE.name)
    PAGE.mirror(params, keep=("t",) if keep_t else ())


def main() -> None:
    fresh, link_t, notices = settings()
    config = sidebar(notices)
    changed = new_run(config, link_t)
    mirror_link(config, keep_t=fresh or not changed)
    PAGE.pop_private(FULL_RUN, None)  # this is a full run: the sidebar already shows a map click
    _page_style(bool(PAGE.get("presenter")))
    stage(config, notices)


def _page_style(presenter: bool) -> None:
    """Room for the stage on a projector: less padding above and beside the page; Presenter hides the sidebar."""
    css = (
        '[data-testid="stMainBlockContainer"]{padding-top:3.2rem;padding-bottom:2rem;'
        "padding-left:1.5rem;padding-right:1.5rem;max-width:none}"
    )
    if presenter:
        css += (
            '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],'
            '[data-testid="stExpandSidebarButton"]{display:none !important}'
        )
    st.html(f"<style>{css}</style>")


def _on_presenter() -> None:
    PAGE.set_private(FULL_RUN, True)  # the sidebar and the URL follow: a full run


def _use_best(best: dict[str, float]) -> None:
    """The "use the best γ (and μ)" button: a setting change (the run, the sidebar and the URL follow)."""
    for name, value in best.items():
        PAGE.set(name, float(value))
    PAGE.set_private(FULL_RUN, True)


def _on_t() -> None:
    """The stage reports where stepping rests: the inspector shows that step (a run of this fragment only)."""
    value = (PAGE.get("stage") or {}).get("t")
    PAGE.set_private(DRAWN, True)
    if not isinstance(value, dict) or value.get("token") != PAGE.get_private(TOKEN):
        return  # a report about a run this session has since replaced
    t = value.get("t")
    if isinstance(t, int) and not isinstance(t, bool):
        PAGE.set_private(T, int(np.clip(t, 0, PAGE.get_private(LAST, 0))))
    PAGE.set_private(RESTED, True)  # the browser holds this run: the fragment's run need not resend it


def _on_stage_start() -> None:
    """A click on the stage's map: the new start (a setting), then a full run so that the sidebar follows."""
    point = start.clicked((PAGE.get("stage") or {}).get("start"))
    if point is not None:
        start.set_start(PAGE, point)
        PAGE.set_private(FULL_RUN, True)


def link_step(raw: str | None, last: int, steps: int, stop: str) -> tuple[int, str]:
    """The step a link's `t` opens at, and what to say about it (nothing when it is taken as it is)."""
    if raw is None:
        return 0, ""
    try:
        t = int(str(raw).strip())
    except ValueError:
        return 0, _("Ignored t={value} from the link (not a whole number); showing step 0.").format(
            value=ui_state._code(raw)[:20]
        )
    if t < 0:
        return 0, _("The link's step t={t} is before the start: showing step 0.").format(t=t)
    if t > last:
        if last < steps:
            return last, _("The link's step t={t} is past the run's last step: {stop}").format(t=t, stop=stop)
        return last, _(
            "The link's step t={t} is beyond this run's {steps} steps: showing step {last}, the last."
        ).format(t=t, steps=steps, last=last)
    return t, ""


@st.fragment
def stage(config: dict, notices: list[str]) -> None:
    """The heading, the stage (timeline, map, numbers, charts: ui/stage.py) and the inspector.

    A fragment: when stepping rests, the stage reports t and only this reruns, to show the inspector for t (the
    stage's data is the same bytes as before, sent as a reference). A change made here that is a setting (a click
    on the map, the Presenter switch) asks for a full run so that the sidebar and the URL follow.
    """
    if PAGE.pop_private(FULL_RUN, False):
        st.rerun(scope="app")
    with PAGE.guard(_("the Explorer")):  # a fragment's rerun does not pass through main()'s guard
        _stage(config, [*notices])


def _this_run(args: tuple, theory: bool = False) -> tuple:
    """(trajectory, stage bytes) for `caches.explorer_run(*args)` (`theory`: the bytes carry the Theory overlay;
    switching it, or the language, keeps the run and makes only the bytes).

    The session keeps its settings and a weak reference to the run shared by every session (caches.RUNS): every run
    of the page while the settings stay (the inspector's, after stepping rests) uses the same object, and a session
    holds no run of its own. A session whose tab closed is kept two minutes for a reconnect; holding its run
    strongly, 200 students exploring one after another kept 200 runs (up to 1.3 MB each) past RUNS' bound. A new
    setting, or a run RUNS has dropped meanwhile, is looked up in RUNS, then in the st.cache_data functions (which
    compute it on a miss).
    """
    lang = i18n.lang()  # the stage's texts are in the session's language
    kept = PAGE.get_private(THIS_RUN)
    same = kept is not None and kept[:3] == (args, theory, lang)
    shared = kept[3]() if same else None
    if shared is None:
        shared = caches.RUNS.get((args, theory, lang))
        if shared is None:
            spec, opt_name, steps = args[0], args[1], args[4]
            surface = caches.surface_of(spec)
            under = regimen_controls.under(args[2])  # the hyperparameters carry a regimen: more work a step
            v = budget.verdict(budget.explorer_work(opt_name, surface, steps, under))
            with budget_ui.Progress(v, _("Computing the run…")) as work:  # a bar only near the work budget
                hook = work.hook(budget.run_work(opt_name, surface, 1, regimen=under))
                traj = caches.explorer_run(*args, hook)  # positional _hook
            shared = caches.share_run((args, theory, lang), traj, caches.stage_bytes(*args, theory, lang))
        PAGE.set_private(THIS_RUN, (args, theory, lang, weakref.ref(shared)))
    return shared.traj, shared.data


def _stage(config: dict, notices: list[str]) -> None:
    surface = config["surface"]
    # A session's first run has no LaTeX (KaTeX's script and fonts would hold the first paint back): the formula
    # in the heading and the inspector come with the run the stage asks for once the page is painted.
    drawn = bool(PAGE.get_private(DRAWN))
    args = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        config["steps"],
        config["noise"],
        config["seed"],
    )
    theory = bool(PAGE.get("theory", False))
    traj, payload = _this_run(args, theory)
    last, stop = viz_explorer.last_step(traj)
    seq = PAGE.get_private(SEQ, 0)
    token = f"{zlib.crc32(repr((args, seq, theory)).encode()):08x}-{seq}"
    opened = PAGE.get_private(OPENED)
    if opened is None or opened["token"] != token:  # a new run, or a link: the stage opens at the server's step
        note = PAGE.pop_private(NOTICE, "")
        link = PAGE.pop_private(LINK_T, None)
        t0, said = link_step(link, last, traj.steps, stop)
        if link is None and opened is not None and opened.get("run") == (args, seq):
            t0 = int(np.clip(PAGE.get_private(T, 0), 0, last))  # only Theory switched: the same run, same t
        PAGE.set_private(T, t0)
        # the header stays the same bytes while the token does (the message cache then sends a reference)
        opened = dict(token=token, t0=t0, note=said or note, said=said, run=(args, seq))
        PAGE.set_private(OPENED, opened)
    t = int(np.clip(PAGE.get_private(T, 0), 0, last))
    PAGE.set_private(T, t)
    PAGE.set_private(LAST, last)
    PAGE.set_private(TOKEN, token)

    title = optimizers.get(config["opt_name"]).title
    on = _("your formula") if getattr(surface, "formula", None) else core(surface.title)
    head = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    head.markdown("#### " + _("{optimizer} on {surface}").format(optimizer=title, surface=on), width="stretch")
    head.toggle(
        _("Presenter"),
        key=PAGE.key("presenter"),
        on_change=_on_presenter,
        help=_("Hide the settings and give the stage the whole screen (kept in the link)."),
        width="content",
    )
    head.toggle(
        _("Theory"),
        key=PAGE.key("theory"),
        on_change=_on_presenter,
        help=_(
            "Draw the local quadratic model at θₜ on the map (its eigenvector axes: an ellipse at a minimum, the "
            "asymptotes at a saddle), with λmin, λmax and κ in the numbers, and the predicted rate beside the "
            "measured one under the stage (kept in the link)."
        ),
        width="content",
    )
    # The stage's report that stepping rests reruns this fragment only: the browser holds the run (the same token,
    # sent in an earlier run), so the element goes without its data (ui/stage.py). Any other run sends it.
    ctx = get_script_run_ctx()
    rested = PAGE.pop_private(RESTED, False) and bool(ctx and ctx.fragment_ids_this_run)
    keep = rested and PAGE.get_private(SENT) == token
    PAGE.set_private(SENT, token)
    ui_stage.stage(
        None if keep else payload,
        token=token,
        t0=opened["t0"],
        note=opened["note"],
        key=PAGE.key("stage"),
        on_t=_on_t,
        on_start=_on_stage_start,
    )
    for n in notices:
        st.warning(n, icon=":material/warning:")
    if opened["said"]:
        st.info(opened["said"], icon=":material/link:")
    _outcome_box(traj)
    st.download_button(
        _("Download CSV"),
        data=functools.partial(caches.csv_bytes, traj),
        file_name=f"{config['opt_name']}-{surface.name}.csv",
        mime="text/csv",
        help=_("Every step of the computed run: θ, loss, gradient and the optimizer's state."),
        on_click="ignore",
        width="content",
    )
    if bool(PAGE.get("view3d", False)) and drawn:
        st.markdown(_("**3-D view** at the step shown in the inspector:"))
        _chart(caches.explorer_figure(*args, True, i18n.lang()), t, True)
    if drawn and theory:
        theory_panel(traj, t, surface)
    if drawn:
        inspector(traj, t, surface)
        # Lazy: the controls are drawn only while the box is open (opening it reruns this fragment). Closed, they
        # were about a dozen elements in every run, a third of the server's work when stepping rests.
        box = st.expander(
            _("Take it to class: HTML animation, GIF or MP4, slide PNG"),
            key=PAGE.private(EXPORTS),
            on_change="rerun",
        )
        if box.open:
            with box:
                export_controls(traj, surface, current_link(PAGE.name), st.container(), t=t)


def _outcome_box(traj) -> None:
    """How the run ended, if it stopped early (worded by optimizers.analysis.outcome): an error only for a
    divergence; an escape downhill is the optimizer doing its job, an undefined point is neither."""
    out = analysis.outcome(traj)
    text = _("**{headline}**: {detail}").format(headline=out.headline, detail=out.detail)
    if out.kind == "diverged":
        st.error(text, icon=":material/error:")
    elif out.kind == "escaped":
        st.info(text, icon=":material/trending_down:")
    elif out.kind == "undefined":
        st.warning(text, icon=":material/block:")


def _chart(figure, t: int, three_d: bool) -> None:
    st.plotly_chart(
        surface_map.prepared(figure.at(t)),
        key=PAGE.key("map3d"),
        theme=None,
        config={"displaylogo": False, "scrollZoom": False},
        width="stretch",
    )


if __name__ == "__main__":  # Streamlit runs a page as __main__; tests import the module for PAGE and its names
    PAGE.run(main, _("the Explorer"))
