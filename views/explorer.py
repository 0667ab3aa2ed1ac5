"""Explorer: step one optimizer over a surface and watch its path beside the numbers inside it.

Thin page: widgets -> ui.explorer_cache (optimizers.run, and the run as the stage's bytes via
viz.explorer.stage_data; plain values in) -> the stage (ui/stage.py: one components-v2 element that owns the
timeline: Step, Step ×10, Back, Reset, Play/Pause, speeds, scrubber; it draws the map, the numbers panel, the
loss and the state panels at every step in the browser) and the inspector (optimizers.explain, ui.inspector).

State: the settings in session state and the URL (ui.state; keys as presets.explorer_link writes them, plus
`presenter`); the step the inspector shows in "explorer::t", which the stage reports when stepping rests (a run
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
import zlib

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

import optimizers
import surfaces
from content import presets
from optimizers import analysis
from optimizers.explain import explain
from ui import budget as budget_ui
from ui import controls, decimal_comma
from ui import explorer_cache as cache
from ui import inspector as inspector_tex
from ui import stage as ui_stage
from ui import state as ui_state
from ui.export import current_link, export_controls
from ui.formula import EXAMPLE, escape_markdown, formula_input, formula_params
from viz import explorer as viz_explorer
from viz import surface_map
from viz.theory import sharpness_spec

PAGE = "explorer"
CUSTOM = cache.CUSTOM
MAX_STEPS = 2000  # a request stays well under a second
DEFAULT_SURFACE = "rosenbrock"
DEFAULT_OPT = "adam"
DEFAULT_STEPS = 300
SURFACE_OPTIONS = (*surfaces.NAMES, CUSTOM)
T_KEY = f"{PAGE}::t"
RUN_KEY = f"{PAGE}::run"
NOTICE_KEY = f"{PAGE}::notice"
FULL_RUN_KEY = f"{PAGE}::full_run"  # a setting changed inside the fragment (a click on the map)
DRAWN_KEY = f"{PAGE}::drawn"  # the stage has been painted once in this session: LaTeX from now on
LINK_T_KEY = f"{PAGE}::link_t"  # a link's t, to be checked against the run's last step
OPENED_KEY = f"{PAGE}::opened"  # the stage's header for the run it shows: token, the step it opens at, a note
SEQ_KEY = f"{PAGE}::seq"  # counts the times the server set t (a new run, a link): part of the stage's token
TOKEN_KEY = f"{PAGE}::token"  # the token of the run the stage shows
LAST_KEY = f"{PAGE}::last"  # the last step the timeline can reach
RESTED_KEY = f"{PAGE}::rested"  # this run is the stage's report that stepping rests (set by its callback)
SENT_KEY = f"{PAGE}::sent"  # the token of the run whose data the stage element last carried
EXPORT_KEY = f"{PAGE}::exports"  # the "Take it to class" box is open (its controls are drawn only then)


def key(name: str) -> str:
    return f"{PAGE}:{name}"


def _surface_title(name: str) -> str:
    return "Custom formula f(x, y)" if name == CUSTOM else surfaces.get(name).title


def _fmt_num(x: float) -> str:
    return f"{x:.4g}"


# -- which surface and optimizer the settings are for (before the widgets exist) --------------------------
def _url_is_fresh() -> bool:
    """The same test ui.state.restore makes: a URL this session has not seen or written itself."""
    url = tuple(sorted((k, st.query_params.get(k)) for k in st.query_params))
    return st.session_state.get(f"{PAGE}::url") != url and url != st.session_state.get(f"{PAGE}::mirrored")


def _peek(name: str, options, default: str) -> str:
    if _url_is_fresh() and st.query_params.get(name) in options:
        return st.query_params.get(name)
    value = st.session_state.get(key(name), default)
    return value if value in options else default


def _builtin_for_defaults(surface_name: str) -> str:
    return surface_name if surface_name in surfaces.NAMES else "bowl"


def params_for(surface_name: str, opt_name: str) -> list[ui_state.Param]:
    surf = surfaces.get(_builtin_for_defaults(surface_name))
    start = surf.default_start
    params = [
        ui_state.Param("surface", DEFAULT_SURFACE, ui_state.parse_choice(SURFACE_OPTIONS)),
        ui_state.Param("opt", DEFAULT_OPT, ui_state.parse_choice(optimizers.NAMES)),
        *controls.hyper_params(opt_name, overrides=presets.recommended(opt_name, _builtin_for_defaults(surface_name))),
        ui_state.Param("x0", float(start[0]), ui_state.parse_float(-1e6, 1e6), ui_state.fmt_float),
        ui_state.Param("y0", float(start[1]), ui_state.parse_float(-1e6, 1e6), ui_state.fmt_float),
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
        st.session_state[key(name)] = value


def _on_surface() -> None:
    name = st.session_state.get(key("surface"))
    opt_name = st.session_state.get(key("opt"), DEFAULT_OPT)
    if name in surfaces.NAMES:
        x0, y0 = surfaces.get(name).default_start
        st.session_state[key("x0")], st.session_state[key("y0")] = float(x0), float(y0)
    elif name == CUSTOM:
        if not str(st.session_state.get(key("formula"), "")).strip():
            st.session_state[key("formula")] = EXAMPLE
        st.session_state[key("x0")], st.session_state[key("y0")] = 1.5, 0.5
    if opt_name in optimizers.NAMES:
        _apply_recommended(opt_name, name)


def _on_opt() -> None:
    opt_name = st.session_state.get(key("opt"))
    if opt_name in optimizers.NAMES:
        _apply_recommended(opt_name, st.session_state.get(key("surface"), DEFAULT_SURFACE))


def _on_start(point) -> None:
    st.session_state[key("x0")], st.session_state[key("y0")] = float(point[0]), float(point[1])


# -- the sidebar -----------------------------------------------------------------------------------------------
def _number(label: str, name: str, *, help: str, step: float | int, fmt: str, box) -> float:  # noqa: A002
    return box.number_input(label, key=key(name), help=help, step=step, format=fmt)


def sidebar(notices: list[str]) -> dict | None:
    """Render the controls; return the run's configuration (checked values) or None if it cannot run."""
    sb = st.sidebar
    sb.header("Settings")
    surface_name = sb.selectbox(
        "Surface",
        SURFACE_OPTIONS,
        key=key("surface"),
        format_func=_surface_title,
        on_change=_on_surface,
        help="The loss surface f(x, y) the optimizer walks on.",
    )
    surface = None
    surface_key: tuple
    if surface_name == CUSTOM:
        surface, error = formula_input(PAGE, sb)
        if surface is None:
            notices.append(
                f"The formula cannot be used ({escape_markdown(error)})."
                if error
                else "Type a formula f(x, y) in the sidebar."
            )
            surface_name = "bowl"
        else:
            text = st.session_state.get(key("formula"), "")
            surface_key = (CUSTOM, text, tuple(tuple(map(float, b)) for b in surface.bounds))
    if surface is None:
        surface = surfaces.get(surface_name)
        surface_key = (surface_name,)
    sb.caption(surface.description)

    opt_name = sb.selectbox(
        "Optimizer",
        optimizers.NAMES,
        key=key("opt"),
        format_func=lambda n: optimizers.get(n).title,
        on_change=_on_opt,
        help="The update rule. Changing it loads its recommended settings for this surface.",
    )
    sb.caption(optimizers.get(opt_name).description)
    hypers, _errors = controls.hyper_inputs(opt_name, PAGE, container=sb, log_sliders=True)

    sb.subheader("Start")
    c1, c2 = sb.columns(2)
    x0 = _number("x₀", "x0", help="Start x (or click the map).", step=0.1, fmt="%g", box=c1)
    y0 = _number("y₀", "y0", help="Start y (or click the map).", step=0.1, fmt="%g", box=c2)
    if len(surface.starts):
        sb.caption("Suggested starts (or click anywhere on the map):")
        row = sb.container(horizontal=True, wrap=True, gap="small")
        for i, p in enumerate(surface.starts):
            row.button(
                f"({_fmt_num(p[0])}, {_fmt_num(p[1])})",
                key=f"{PAGE}::start{i}",
                on_click=_on_start,
                args=(tuple(map(float, p)),),
                width="content",
            )
    lo, hi = surface.divergence_box()
    start_ok = all(isinstance(v, int | float) and math.isfinite(v) for v in (x0, y0))
    if start_ok and not (lo[0] <= x0 <= hi[0] and lo[1] <= y0 <= hi[1]):
        start_ok = False
    if not start_ok:
        d = surface.default_start
        sb.error(
            f"The start must be finite and within x ∈ [{lo[0]:g}, {hi[0]:g}], y ∈ [{lo[1]:g}, {hi[1]:g}]. "
            f"Using ({_fmt_num(d[0])}, {_fmt_num(d[1])}).",
            icon=":material/warning:",
        )
        x0, y0 = float(d[0]), float(d[1])

    sb.subheader("Run")
    steps = sb.number_input(
        "Steps",
        key=key("steps"),
        step=10,
        help=f"How many updates the run computes: the timeline's length (1 to {MAX_STEPS}).",
    )
    steps = _checked_int(steps, 1, MAX_STEPS, DEFAULT_STEPS, "Steps", sb)
    budget_ui.explorer_check(opt_name, surface, steps, sb)  # over the work budget: a message, and no run
    noise = sb.number_input(
        "Gradient noise σ",
        key=key("noise"),
        step=0.1,
        format="%g",
        help="Stochastic-gradient mode: add N(0, σ²) to every gradient component (0 = exact gradients).",
    )
    if not (isinstance(noise, int | float) and math.isfinite(noise) and 0 <= noise <= 100):
        sb.error("σ must be a number in [0, 100]. Using 0.", icon=":material/warning:")
        noise = 0.0
    seed = sb.number_input("Noise seed", key=key("seed"), step=1, help="The same seed gives the same noise.")
    seed = _checked_int(seed, 0, 2**31 - 1, 0, "The seed", sb)
    sb.toggle("3-D view", key=key("view3d"), help="Show the surface in 3-D (drag to turn it).")
    return dict(
        surface=surface,
        surface_key=surface_key,
        opt_name=opt_name,
        hypers=tuple(hypers.items()),
        start=(float(x0), float(y0)),
        steps=steps,
        noise=float(noise),
        seed=seed,
    )


def _checked_int(value, low: int, high: int, default: int, what: str, box) -> int:
    ok = isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer() and low <= value <= high
    if not ok:
        box.error(f"{what} must be a whole number in [{low}, {high}]. Using {default}.", icon=":material/warning:")
        return default
    return int(value)


# -- the inspector ------------------------------------------------------------------------------------------
def inspector(traj, t: int, surface) -> None:
    opt = traj.optimizer
    st.subheader("Inspector", anchor=False)
    on = "your formula" if getattr(surface, "formula", None) else surface.title
    st.markdown(f"**The surface**, {on}: ${surface.latex}$")
    # One under the other, each the page's full width: side by side, the step's numbers (about 480 px for Adam,
    # 770 for RAdam) were cut to a scrolled column on a 1280 px laptop
    st.markdown(f"**{opt.title}'s update rule**, as computed with these settings:")
    st.latex(opt.formula())
    if t == 0:
        st.markdown("**Step 0** is the start. Press **Step** to see the rule with the first step's numbers.")
        return
    out = analysis.outcome(traj)
    if out.stopped and t > out.last_step:  # the engine refused this update: θ and the state stayed
        st.markdown(out.not_taken(t))
        return
    st.markdown(f"**Step {t}** with its numbers, per coordinate (x, then y):")
    try:
        st.latex(inspector_tex.step_tex(explain(traj, t)))
    except Exception as exc:  # noqa: BLE001 - the inspector must never break the page
        st.warning(f"The inspector cannot show step {t}: {exc}")


# -- the theory beside the run (optimizers.analysis.step_theory) ---------------------------------------------
def _g(x: float | None) -> str:
    if x is None:
        return "—"
    return "∞" if x == math.inf else f"{x:.4g}"


def theory_panel(traj, t: int, surface) -> None:
    """The local quadratic model at θ_t against what the run did: the predicted rate beside the measured one,
    γ·λmax against its limit, how far the model holds, and the button that sets the best γ (and μ)."""
    st.subheader(f"Theory at step {t}", anchor=False)
    try:
        th = analysis.step_theory(traj, surface, t)
    except ValueError as exc:  # the Hessian is not finite at θ_t: no model to show
        st.markdown(f"No quadratic model at step {t}: {exc}.")
        return
    m = th.model
    opt = traj.optimizer
    hp = opt.hyperparams()
    lr = float(np.asarray(hp.get("lr", np.nan)).ravel()[0])
    kappa = "none (λmin ≤ 0: no minimum here)" if m.condition_number is None else _g(m.condition_number)
    lines = [
        f"- **Local model at θ{_sub(t)}** ({m.kind}): λmin = {_g(m.lambda_min)}, λmax = {_g(m.lambda_max)}, "
        f"κ = {kappa}."
    ]
    if th.predicted_rate is None:
        lines.append(
            f"- **Predicted rate**: none for {opt.title} (its step depends on its state, not on γ and H alone)."
        )
    else:
        lines.append(f"- **Predicted rate** per step ({th.predicted_label}): {_g(th.predicted_rate)}.")
    if th.measured_rate is None:
        lines.append("- **Measured rate**: none at this step (step 0, or no distance to measure).")
    else:
        lines.append(f"- **Measured rate** ({th.measured_label}): {_g(th.measured_rate)}.")
    if th.lr_max is not None and np.isfinite(lr):
        limit = th.lr_max * m.lambda_max if math.isfinite(th.lr_max) else None
        if limit is None:
            lines.append(f"- **γ·λmax** = {_g(lr * m.lambda_max)}: no direction curves up, so no γ is stable here.")
        else:
            side = "below" if lr * m.lambda_max < limit else "not below"
            lines.append(
                f"- **γ·λmax** = {_g(lr * m.lambda_max)}, {side} the limit {_g(limit)} "
                f"(stable on this model for γ < {_g(th.lr_max)})."
            )
    if th.exact:
        lines.append("- **Where the model holds**: everywhere on the view (the surface is this quadratic).")
    elif th.valid_radius > 0:
        lines.append(
            f"- **Where the model holds**: within {_g(th.valid_radius)} of θ{_sub(t)} (beyond, f differs from the "
            "model by more than 10 % of the model's own change)."
        )
    else:
        lines.append(f"- **Where the model holds**: nowhere measurable around θ{_sub(t)} (f departs from it at once).")
    st.markdown("\n".join(lines))
    if th.best is not None:
        what = ", ".join(f"{'γ' if n == 'lr' else 'μ'} = {v:.6g}" for n, v in th.best.items())
        st.button(
            "Use the best γ (and μ)",
            key=f"{PAGE}::best",
            on_click=_use_best,
            args=(dict(th.best),),
            help=f"Set {what}: the fastest constant settings on the model at θ{_sub(t)} (a new run).",
        )
    edge_of_stability(traj, surface)


def edge_of_stability(traj, surface) -> None:
    """The run's sharpness λmax(H(θ_t)) (for an adaptive optimizer, of its preconditioned Hessian) against its
    stability limit, over the whole run (Cohen et al.): where a run settles at the edge, the two meet."""
    try:
        sharp = analysis.sharpness(traj, surface)
    except ValueError as exc:
        st.caption(f"No sharpness chart: {exc}.")
        return
    st.plotly_chart(
        surface_map.prepared(sharpness_spec(sharp, name=traj.optimizer.title, height=360)),
        key=key("sharpness"),
        theme=None,
        config={"displaylogo": False},
        width="stretch",
    )


def _sub(t: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(t))


# -- the page -----------------------------------------------------------------------------------------------
def main() -> None:
    decimal_comma.install()  # a comma typed in a number box is the decimal point (0,05 -> 0.05, never 5)
    fresh = _url_is_fresh()  # a link opened, or Back / Forward: its settings, and its step t, apply
    link_t = st.query_params.get("t") if fresh else None
    surface_name = _peek("surface", SURFACE_OPTIONS, DEFAULT_SURFACE)
    opt_name = _peek("opt", optimizers.NAMES, DEFAULT_OPT)
    params = params_for(surface_name, opt_name)
    notices = ui_state.restore(PAGE, params)

    config = sidebar(notices)
    run_id = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        config["steps"],
        config["noise"],
        config["seed"],
    )
    changed = st.session_state.get(RUN_KEY) != run_id
    if changed or link_t is not None:
        if changed and RUN_KEY in st.session_state and link_t is None:
            st.session_state[NOTICE_KEY] = "Settings changed: a fresh run starts at step 0."
        st.session_state[RUN_KEY] = run_id
        st.session_state[T_KEY] = 0
        st.session_state[LINK_T_KEY] = link_t  # checked against the run's last step once the run is known
        st.session_state[SEQ_KEY] = st.session_state.get(SEQ_KEY, 0) + 1  # the stage opens at the server's t

    # the URL mirrors every setting (with the formula's keys only for a custom surface); the step t is written
    # by the stage itself (history.replaceState: no history entry per step) and dropped when the run changes
    params = params_for(st.session_state.get(key("surface"), DEFAULT_SURFACE), config["opt_name"])
    ui_state.mirror(PAGE, params, keep=("t",) if (fresh or not changed) else ())

    st.session_state.pop(FULL_RUN_KEY, None)  # this is a full run: the sidebar already shows a map click
    _page_style(bool(st.session_state.get(key("presenter"))))
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
    st.session_state[FULL_RUN_KEY] = True  # the sidebar and the URL follow: a full run


def _use_best(best: dict[str, float]) -> None:
    """The "use the best γ (and μ)" button: a setting change (the run, the sidebar and the URL follow)."""
    for name, value in best.items():
        st.session_state[key(name)] = float(value)
    st.session_state[FULL_RUN_KEY] = True


def _on_t() -> None:
    """The stage reports where stepping rests: the inspector shows that step (a run of this fragment only)."""
    value = (st.session_state.get(key("stage")) or {}).get("t")
    st.session_state[DRAWN_KEY] = True
    if not isinstance(value, dict) or value.get("token") != st.session_state.get(TOKEN_KEY):
        return  # a report about a run this session has since replaced
    t = value.get("t")
    if isinstance(t, int) and not isinstance(t, bool):
        st.session_state[T_KEY] = int(np.clip(t, 0, st.session_state.get(LAST_KEY, 0)))
    st.session_state[RESTED_KEY] = True  # the browser holds this run: the fragment's run need not resend it


def _on_stage_start() -> None:
    """A click on the stage's map: the new start (a setting), then a full run so that the sidebar follows."""
    point = (st.session_state.get(key("stage")) or {}).get("start")
    try:
        x, y = (float(v) for v in point)
    except (TypeError, ValueError):
        return
    if math.isfinite(x) and math.isfinite(y):
        _on_start((round(x, 3), round(y, 3)))
        st.session_state[FULL_RUN_KEY] = True


def link_step(raw: str | None, last: int, steps: int, stop: str) -> tuple[int, str]:
    """The step a link's `t` opens at, and what to say about it (nothing when it is taken as it is)."""
    if raw is None:
        return 0, ""
    try:
        t = int(str(raw).strip())
    except ValueError:
        return 0, f"Ignored t={ui_state._code(raw)[:20]} from the link (not a whole number); showing step 0."
    if t < 0:
        return 0, f"The link's step t={t} is before the start: showing step 0."
    if t > last:
        if last < steps:
            return last, f"The link's step t={t} is past the run's last step: {stop}"
        return last, f"The link's step t={t} is beyond this run's {steps} steps: showing step {last}, the last."
    return t, ""


@st.fragment
def stage(config: dict, notices: list[str]) -> None:
    """The heading, the stage (timeline, map, numbers, charts: ui/stage.py) and the inspector.

    A fragment: when stepping rests, the stage reports t and only this reruns, to show the inspector for t (the
    stage's data is the same bytes as before, sent as a reference). A change made here that is a setting (a click
    on the map, the Presenter switch) asks for a full run so that the sidebar and the URL follow.
    """
    if st.session_state.pop(FULL_RUN_KEY, False):
        st.rerun(scope="app")
    try:
        _stage(config, [*notices])
    except Exception as exc:  # noqa: BLE001 - a fragment run does not pass through main()'s guard
        _went_wrong(exc)


def _stage(config: dict, notices: list[str]) -> None:
    surface = config["surface"]
    # A session's first run has no LaTeX (KaTeX's script and fonts would hold the first paint back): the formula
    # in the heading and the inspector come with the run the stage asks for once the page is painted.
    drawn = bool(st.session_state.get(DRAWN_KEY))
    args = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        config["steps"],
        config["noise"],
        config["seed"],
    )
    theory = bool(st.session_state.get(key("theory"), False))
    traj, payload = cache.this_session(args, theory)
    last, stop = viz_explorer.last_step(traj)
    seq = st.session_state.get(SEQ_KEY, 0)
    token = f"{zlib.crc32(repr((args, seq, theory)).encode()):08x}-{seq}"
    opened = st.session_state.get(OPENED_KEY)
    if opened is None or opened["token"] != token:  # a new run, or a link: the stage opens at the server's step
        note = st.session_state.pop(NOTICE_KEY, "")
        link = st.session_state.pop(LINK_T_KEY, None)
        t0, said = link_step(link, last, traj.steps, stop)
        if link is None and opened is not None and opened.get("run") == (args, seq):
            t0 = int(np.clip(st.session_state.get(T_KEY, 0), 0, last))  # only Theory switched: the same run, same t
        st.session_state[T_KEY] = t0
        # the header stays the same bytes while the token does (the message cache then sends a reference)
        opened = dict(token=token, t0=t0, note=said or note, said=said, run=(args, seq))
        st.session_state[OPENED_KEY] = opened
    t = int(np.clip(st.session_state.get(T_KEY, 0), 0, last))
    st.session_state[T_KEY] = t
    st.session_state[LAST_KEY] = last
    st.session_state[TOKEN_KEY] = token

    title = optimizers.get(config["opt_name"]).title
    on = "your formula" if getattr(surface, "formula", None) else surface.title
    head = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    head.markdown(f"#### {title} on {on}", width="stretch")
    head.toggle(
        "Presenter",
        key=key("presenter"),
        on_change=_on_presenter,
        help="Hide the settings and give the stage the whole screen (kept in the link).",
        width="content",
    )
    head.toggle(
        "Theory",
        key=key("theory"),
        on_change=_on_presenter,
        help="Draw the local quadratic model at θₜ on the map (its eigenvector axes: an ellipse at a minimum, "
        "the asymptotes at a saddle), with λmin, λmax and κ in the numbers, and the predicted rate beside the "
        "measured one under the stage (kept in the link).",
        width="content",
    )
    # The stage's report that stepping rests reruns this fragment only: the browser holds the run (the same token,
    # sent in an earlier run), so the element goes without its data (ui/stage.py). Any other run sends it.
    ctx = get_script_run_ctx()
    rested = st.session_state.pop(RESTED_KEY, False) and bool(ctx and ctx.fragment_ids_this_run)
    keep = rested and st.session_state.get(SENT_KEY) == token
    st.session_state[SENT_KEY] = token
    ui_stage.stage(
        None if keep else payload,
        token=token,
        t0=opened["t0"],
        note=opened["note"],
        key=key("stage"),
        on_t=_on_t,
        on_start=_on_stage_start,
    )
    for n in notices:
        st.warning(n, icon=":material/warning:")
    if opened["said"]:
        st.info(opened["said"], icon=":material/link:")
    _outcome_box(traj)
    st.download_button(
        "Download CSV",
        data=functools.partial(cache.csv_bytes, traj),
        file_name=f"{config['opt_name']}-{surface.name}.csv",
        mime="text/csv",
        help="Every step of the computed run: θ, loss, gradient and the optimizer's state.",
        on_click="ignore",
        width="content",
    )
    if bool(st.session_state.get(key("view3d"), False)) and drawn:
        st.markdown("**3-D view** at the step shown in the inspector:")
        _chart(cache.figure(*args, True), t, True)
    if drawn and theory:
        theory_panel(traj, t, surface)
    if drawn:
        inspector(traj, t, surface)
        # Lazy: the controls are drawn only while the box is open (opening it reruns this fragment). Closed, they
        # were about a dozen elements in every run, a third of the server's work when stepping rests.
        box = st.expander("Take it to class: HTML animation, GIF, slide PNG", key=EXPORT_KEY, on_change="rerun")
        if box.open:
            with box:
                export_controls(traj, surface, current_link("explorer"), st.container(), t=t)


def _outcome_box(traj) -> None:
    """How the run ended, if it stopped early (worded by optimizers.analysis.outcome): an error only for a
    divergence; an escape downhill is the optimizer doing its job, an undefined point is neither."""
    out = analysis.outcome(traj)
    text = f"**{out.headline}**: {out.detail}"
    if out.kind == "diverged":
        st.error(text, icon=":material/error:")
    elif out.kind == "escaped":
        st.info(text, icon=":material/trending_down:")
    elif out.kind == "undefined":
        st.warning(text, icon=":material/block:")


def _chart(figure, t: int, three_d: bool) -> None:
    st.plotly_chart(
        surface_map.prepared(figure.at(t)),
        key=key("map3d"),
        theme=None,
        config={"displaylogo": False, "scrollZoom": False},
        width="stretch",
    )


def _went_wrong(exc: Exception) -> None:
    st.error(
        f"Something went wrong while drawing the Explorer: {exc}. Change a setting or press Reset.",
        icon=":material/error:",
    )


try:
    main()
except Exception as exc:  # noqa: BLE001 - never a traceback on the page
    _went_wrong(exc)
