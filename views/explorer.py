"""Explorer: step one optimizer over a surface and watch its path beside the numbers inside it.

Thin page: widgets -> ui.explorer_cache (optimizers.run, the frozen viz.explorer figure; plain values in) -> one
Plotly figure (map left, state quantities right, Play/scrubber client-side) and the inspector
(optimizers.explain). State: the settings in session state and the URL (ui.state; keys as
presets.explorer_link writes them), the current step in "explorer::t"; any change of a setting starts a fresh
run at step 0 and says so. The step area is an st.fragment: Step, Back and Reset rerun only it.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import streamlit as st

import optimizers
import presets
import surfaces
from optimizers import analysis
from optimizers.explain import explain
from ui import budget as budget_ui
from ui import controls, first_paint
from ui import explorer_cache as cache
from ui import inspector as inspector_tex
from ui import state as ui_state
from ui.formula import EXAMPLE, formula_input, formula_params
from viz import surface_map

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
DRAWN_KEY = f"{PAGE}::drawn"  # this session has had its first run: the chart is drawn from now on


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


def _on_map_click() -> None:
    """A click on the map (a point of the invisible grid, or of the path) becomes the new start."""
    event = st.session_state.get(key("map"))
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return
    for p in points or []:
        x, y = p.get("x"), p.get("y")
        if isinstance(x, int | float) and isinstance(y, int | float) and math.isfinite(x) and math.isfinite(y):
            _on_start((round(float(x), 3), round(float(y), 3)))
            st.session_state[FULL_RUN_KEY] = True
            return


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
                f"The formula cannot be used ({error})." if error else "Type a formula f(x, y) in the sidebar."
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
        "Steps", key=key("steps"), step=10, help=f"How many updates to compute for Play (1 to {MAX_STEPS})."
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
def inspector(traj, t: int) -> None:
    opt = traj.optimizer
    st.subheader("Inspector", anchor=False)
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


# -- the page -----------------------------------------------------------------------------------------------
def main() -> None:
    surface_name = _peek("surface", SURFACE_OPTIONS, DEFAULT_SURFACE)
    opt_name = _peek("opt", optimizers.NAMES, DEFAULT_OPT)
    params = params_for(surface_name, opt_name)
    notices = ui_state.restore(PAGE, params)

    config = sidebar(notices)
    # the URL mirrors every setting (with the formula's keys only for a custom surface)
    params = params_for(st.session_state.get(key("surface"), DEFAULT_SURFACE), config["opt_name"])
    ui_state.mirror(PAGE, params)

    run_id = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        config["steps"],
        config["noise"],
        config["seed"],
    )
    if st.session_state.get(RUN_KEY) != run_id:
        if RUN_KEY in st.session_state:
            st.session_state[NOTICE_KEY] = "Settings changed: a fresh run starts at step 0."
        st.session_state[RUN_KEY] = run_id
        st.session_state[T_KEY] = 0

    st.session_state.pop(FULL_RUN_KEY, None)  # this is a full run: the sidebar already shows a map click
    stage(config, notices)


@st.fragment
def stage(config: dict, notices: list[str]) -> None:
    """Everything a Step press changes: the heading, buttons, metrics, the figure, the inspector.

    A fragment: pressing Step (or Back, Reset, a click on the map) reruns only this part, not the sidebar's
    ~20 controls; under a class of 40 that is a good part of the server's time per press. A map click moves
    the start, a setting: it asks for a full run so that the sidebar and the URL follow.
    """
    if st.session_state.pop(FULL_RUN_KEY, False):
        st.rerun(scope="app")
    try:
        _stage(config, [*notices])
    except Exception as exc:  # noqa: BLE001 - a fragment run does not pass through main()'s guard
        _went_wrong(exc)


def _stage(config: dict, notices: list[str]) -> None:
    surface = config["surface"]
    # A session's first run draws the page without what only the chart's run needs: the chart (Plotly's script),
    # the surface's formula and the inspector (KaTeX's script and fonts). The browser paints the controls and
    # the step row without waiting for either, and the beacon then reruns this fragment to draw them.
    first = not st.session_state.get(DRAWN_KEY)
    title = optimizers.get(config["opt_name"]).title
    on = "your formula" if getattr(surface, "formula", None) else surface.title
    st.markdown(f"#### {title} on {on}" + ("" if first else f" &nbsp; ${surface.latex}$"))
    t = int(st.session_state.get(T_KEY, 0))
    # one flex row, not seven columns: a column is a block of its own, and every block is a message to send
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    if row.button("Step", help="One update from where the run stands.", width="stretch"):
        t += 1
    if row.button("Step ×10", help="Ten updates.", width="stretch"):
        t += 10
    if row.button("Back", help="Undo one update.", width="stretch"):
        t -= 1
    if row.button("Reset", help="Back to the start (step 0).", width="stretch"):
        t = 0
    t = int(np.clip(t, 0, MAX_STEPS))
    if t == MAX_STEPS and st.session_state.get(T_KEY) == MAX_STEPS:
        notices.append(f"The Explorer stops at {MAX_STEPS} steps.")
    st.session_state[T_KEY] = t

    run_steps = max(config["steps"], t)
    args = (
        config["surface_key"],
        config["opt_name"],
        config["hypers"],
        config["start"],
        run_steps,
        config["noise"],
        config["seed"],
    )
    three_d = bool(st.session_state.get(key("view3d"), False))
    traj, figure = cache.this_session(args, three_d)
    row.metric("Step", t)
    loss = float(traj.losses[t])
    row.metric("Loss f(θ)", f"{loss:.4g}" if math.isfinite(loss) else "—")
    row.download_button(
        "Download CSV",
        data=functools.partial(cache.csv_bytes, traj),
        file_name=f"{config['opt_name']}-{surface.name}.csv",
        mime="text/csv",
        help="Every step of the computed run: θ, loss, gradient and the optimizer's state.",
        on_click="ignore",
        width="stretch",
    )

    for n in notices:
        st.warning(n, icon=":material/warning:")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/restart_alt:")
    _outcome_box(traj)

    if first:  # the page first, the chart right after
        st.session_state[DRAWN_KEY] = True  # (a first run cut short before here stays a first run)
        first_paint.placeholder(figure.height, "Drawing the map and the optimizer's numbers ...")
        first_paint.beacon(key=key("painted"))
    else:
        _chart(figure, t, three_d)
    frames = figure.frame_steps
    stride = frames[1] - frames[0] if len(frames) > 1 else 1
    every = "every step" if stride == 1 else f"one step in {stride}"
    st.caption(
        f"Left: the path to step {t} (red), with the arrows of step {t} drawn from θ₍ₜ₋₁₎: black −g (downhill), "
        f"blue the first moment or momentum (both scaled to be seen) and red the actual update, to scale. "
        f"Stars are minima, orange crosses saddle points; click the map to start there. Right: the numbers inside "
        f"the optimizer, x-coordinate blue and y-coordinate orange, over the {traj.steps} computed steps; the "
        f"dotted line is the current step. ▶ Play animates the run in your browser ({every})."
    )
    if not first:
        inspector(traj, t)


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
        key=key("map"),
        on_select=_on_map_click if not three_d else "ignore",
        selection_mode="points",
        theme=None,
        config={"displaylogo": False, "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
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
