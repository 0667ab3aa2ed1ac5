"""Compare: race optimizers on one surface, give each its best learning rate, and map where they end up.

Thin: widgets -> optimizers.analysis (the maths, cached in ui.caches) -> viz.compare (the figures). Every
setting is mirrored in the URL, the sweep's and the basin map's toggles too. Caps keep each request short: at
most 8 racers x 1000 steps, sweeps of at most 60 rates x 1000 steps (one vectorised run per optimizer), basin
maps of at most 150² starts x 1000 steps; and within those, the work budget (budget/, ui/budget.py): the race,
the sweep and the basin map are each refused, with a message beside the control to change, when their work
(steps x starts x the surface's and optimizer's cost) is over the limit of one run, and run in chunks with a
progress bar near it that says what is being computed.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import streamlit as st

import budget
import i18n
import optimizers
import surfaces
from content import presets
from content.races import BY_KEY as RACE_PRESETS
from i18n import translator
from optimizers import analysis
from ui import budget as budget_ui
from ui import caches, regimen_controls, state
from ui import start as start_point
from ui.controls import frozen, hyper_inputs, hyper_params
from ui.controls import racer_prefix as prefix
from ui.formula import formula_input, formula_params
from ui.i18n import content, core
from ui.page import Page
from viz import compare as vc
from viz import surface_map as sm

_, ngettext = translator("app")

PAGE = Page("compare")  # every session and URL key of the page is spelled by PAGE
CUSTOM = "custom"
MAX_RACERS = 8
MAX_STEPS = 1000
MAX_SWEEP_STEPS = 1000
SWEEP_RATES = (30, 60)
BASIN_GRIDS = (50, 75, 100, 125, 150)
MAX_NOISE = 100.0
DEFAULT_OPTS = ("sgd", "momentum", "adam")
SURFACE_CHOICES = (*surfaces.NAMES, CUSTOM)


# -- settings -----------------------------------------------------------------------------------------------
def _parse_opts(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or len(names) > MAX_RACERS or len(set(names)) != len(names):
        raise ValueError(_("must be 1 to {n} different optimizers, comma-separated").format(n=MAX_RACERS))
    for n in names:
        optimizers.get(n)  # ValueError naming the choices
    return names


def _fmt_opts(names) -> str:
    return ",".join(names)


def _parse_preset(text: str) -> str:
    if text and text not in RACE_PRESETS:
        raise ValueError(_("must be one of {options}").format(options=", ".join(RACE_PRESETS)))
    return text


ROSEN_START = surfaces.get("rosenbrock").default_start
BASE = [
    state.Param("surface", "rosenbrock", state.parse_choice(SURFACE_CHOICES)),
    state.Param("opts", list(DEFAULT_OPTS), _parse_opts, _fmt_opts),
    *start_point.params(ROSEN_START),
    state.Param("steps", 500, state.parse_int(1, MAX_STEPS)),
    state.Param("noise", 0.0, state.parse_float(0.0, MAX_NOISE), state.fmt_float),
    state.Param("seed", 0, state.parse_int(0, 2**31 - 1)),
    state.Param("tol", analysis.LOSS_TOL, state.parse_float(1e-12, 1e6), state.fmt_float),
    state.Param("preset", "", _parse_preset),
    state.Param("rates", SWEEP_RATES[0], state.parse_int(*SWEEP_RATES)),
    state.Param("basin_opt", "adam", state.parse_choice(optimizers.NAMES)),
    state.Param("grid", 100, state.parse_int_option(BASIN_GRIDS)),
    state.Param("basin_steps", 500, state.parse_int(1, MAX_SWEEP_STEPS)),
    state.Param("color_by", "minimum", state.parse_choice(("minimum", "steps"))),
    state.Param("sweep", False, state.parse_bool, state.fmt_bool),  # the toggles too: a link opens every chart
    state.Param("basin", False, state.parse_bool, state.fmt_bool),
]
FORMULA = formula_params()


def _surface_guess() -> str:
    """The surface this run will show (read before restore, for the hyperparameters' defaults)."""
    q = st.query_params.get("surface")
    if q in SURFACE_CHOICES:
        return q
    return st.session_state.get(PAGE.key("surface"), "rosenbrock")


def _hyper_defaults(surface_name: str) -> list[state.Param]:
    rec_surface = surface_name if surface_name in surfaces.NAMES else ""
    out = []
    for opt in optimizers.NAMES:
        out += hyper_params(opt, prefix(opt), presets.recommended(opt, rec_surface))
    return out


def _reset_hypers(surface_name: str) -> None:
    rec_surface = surface_name if surface_name in surfaces.NAMES else ""
    for opt in optimizers.NAMES:
        for name, v in presets.recommended(opt, rec_surface).items():
            st.session_state[PAGE.key(prefix(opt) + name)] = v


# -- callbacks (they run before the widgets, so they may set the widgets' values) ---------------------------
def on_surface_change() -> None:
    name = st.session_state[PAGE.key("surface")]
    _reset_hypers(name)
    if name in surfaces.NAMES:
        start_point.set_start(PAGE, surfaces.get(name).default_start)
    st.session_state[PAGE.key("preset")] = ""


def apply_preset(preset_key: str | None = None) -> None:
    preset_key = preset_key if preset_key is not None else st.session_state.get(PAGE.key("preset"), "")
    p = RACE_PRESETS.get(preset_key)
    if p is None:
        return
    st.session_state[PAGE.key("preset")] = p.key
    st.session_state[PAGE.key("surface")] = p.surface
    _reset_hypers(p.surface)
    st.session_state[PAGE.key("opts")] = list(p.names)
    for opt in p.names:
        for name, v in p.hypers(opt).items():
            st.session_state[PAGE.key(prefix(opt) + name)] = v
    start_point.set_start(PAGE, p.start)
    st.session_state[PAGE.key("steps")] = int(p.steps)
    st.session_state[PAGE.key("noise")] = float(p.noise)
    st.session_state[PAGE.key("seed")] = int(p.seed)


def on_map_click() -> None:
    point = start_point.clicked(PAGE.get("map"))  # a click on the map's click targets, not on a path
    if point is not None:
        start_point.set_start(PAGE, point)


def use_best_rates(best: dict[str, float]) -> None:
    for opt, lr in best.items():
        st.session_state[PAGE.key(prefix(opt) + "lr")] = float(lr)


def _max_steps(work_of, steps: int) -> str:
    """'use at most N steps' for the largest N below `steps` whose work fits, or '' if not even 1 step fits."""
    most = budget.largest(lambda k: work_of(k) <= budget.LIMIT, 1, max(1, steps - 1))
    return ngettext("at most {n} step", "at most {n} steps", most).format(n=most) if most is not None else ""


# -- the page: main() of sections; each section draws its part and passes on what the next ones need ----------
def settings() -> SimpleNamespace:
    """The title, the link's settings, the controls; stops the page when fewer than two racers are chosen."""
    st.title(_("Compare optimizers"))
    st.caption(
        _(
            "Race optimizers from the same start on the same surface, give each one its best learning rate, and "
            "map where they end up from every start. Every setting is in the page's address: copy it to share "
            "this view."
        )
    )

    surface_guess = _surface_guess()
    params = BASE + FORMULA + _hyper_defaults(surface_guess) + regimen_controls.params(PAGE.name)
    notices = PAGE.restore(params)
    q_preset = st.query_params.get("preset")
    if (
        q_preset in RACE_PRESETS
        and "opts" not in st.query_params
        and st.session_state.get(PAGE.private("applied")) != q_preset
    ):
        apply_preset(q_preset)  # a short link "compare?preset=beale"
        st.session_state[PAGE.private("applied")] = q_preset
    for n in notices:
        st.warning(n, icon="⚠️")

    # presets
    preset_keys = [""] + list(RACE_PRESETS)
    st.selectbox(
        _("Classic races"),
        preset_keys,
        key=PAGE.key("preset"),
        format_func=lambda k: _("— pick a demonstration —") if not k else content(RACE_PRESETS[k].title),
        on_change=apply_preset,
        help=_("Loads the surface, racers, hyperparameters, start and steps of a classic demonstration."),
    )

    top = st.columns([1.2, 3])
    row = st.columns(5)
    race_box = st.container()  # under Steps: the race's refusal, if it is over the work budget
    surface_name = top[0].selectbox(
        _("Surface"),
        SURFACE_CHOICES,
        key=PAGE.key("surface"),
        format_func=lambda n: _("Custom formula") if n == CUSTOM else core(surfaces.get(n).title),
        on_change=on_surface_change,
    )
    surface = surfaces.get(surface_name) if surface_name in surfaces.NAMES else None
    if surface_name == CUSTOM:
        custom, error = formula_input(PAGE.name)
        if custom is None:
            if error is None:
                st.info(
                    _(
                        "Type a formula in x and y (for example `x^2 - y^2`) to race on it. Showing Rosenbrock "
                        "meanwhile."
                    )
                )
            surface = surfaces.get("rosenbrock")
        else:
            surface = custom
    surface_spec = caches.surface_spec(surface)

    if not isinstance(st.session_state.get(PAGE.key("opts")), list):
        st.session_state[PAGE.key("opts")] = list(DEFAULT_OPTS)
    opts = top[1].multiselect(
        _("Optimizers (2 to {n})").format(n=MAX_RACERS),
        optimizers.NAMES,
        key=PAGE.key("opts"),
        max_selections=MAX_RACERS,
        format_func=lambda n: optimizers.get(n).title,
    )
    steps = int(row[0].number_input(_("Steps"), min_value=1, max_value=MAX_STEPS, step=50, key=PAGE.key("steps")))
    noise = float(
        row[1].number_input(
            _("Gradient noise σ"),
            min_value=0.0,
            max_value=MAX_NOISE,
            step=0.1,
            format="%g",
            key=PAGE.key("noise"),
            help=_("Adds N(0, σ²) to every gradient component. One seed: every racer draws the same noise."),
        )
    )
    seed = int(row[2].number_input(_("Seed"), min_value=0, max_value=2**31 - 1, step=1, key=PAGE.key("seed")))

    # start
    x0, y0 = start_point.inputs(PAGE, row[3], row[4], labels=(_("Start x"), _("Start y")))
    start_cols = st.columns([1.2, 3])
    start_point.suggestions(PAGE, surface, start_cols[0], start_cols[1])
    start = start_point.checked(surface, x0, y0, st)

    # hyperparameters, one tab per racer
    racers: list[tuple[str, dict]] = []
    hyper_errors = False
    if opts:
        with st.expander(_("Hyperparameters of each racer"), expanded=False):
            tabs = st.tabs([optimizers.get(o).title for o in opts])
            for tab, opt in zip(tabs, opts, strict=True):
                values, errors = hyper_inputs(opt, PAGE.name, prefix(opt), container=tab.columns(2)[0])
                hyper_errors |= bool(errors)
                racers.append((opt, values))
    regimen = regimen_controls.controls(PAGE.name, opts, [hp["lr"] for _, hp in racers], steps, wide=True)
    racers = [(name, {**hp, **dict(regimen.pairs(name))}) for name, hp in racers]

    PAGE.mirror(
        BASE
        + (FORMULA if surface_name == CUSTOM else [])
        + [p for o in opts for p in hyper_params(o, prefix(o))]
        + regimen_controls.mirrored(PAGE.name),
    )

    active = RACE_PRESETS.get(st.session_state.get(PAGE.key("preset"), ""))
    if active is not None:
        same = (
            active.surface == surface_name
            and list(active.names) == list(opts)
            and start == tuple(map(float, active.start))
            and steps == active.steps
            and all(frozen(active.hypers(o)) == frozen(hp) for o, hp in racers)
        )
        st.info(
            _("**What to notice — {title}.** {notice}").format(
                title=content(active.title), notice=content(active.notice)
            ),
            icon="👀",
        )
        if not same:
            st.caption(_("You have changed the settings since loading this demonstration, so the text may not apply."))

    if len(opts) < 2:
        st.info(_("Choose at least two optimizers to race."))
        st.stop()

    racers_key = tuple((name, frozen(hp)) for name, hp in racers)
    labels = [f"{optimizers.get(n).title} (γ={hp['lr']:.3g})" for n, hp in racers]
    f_star = analysis.global_min_value(surface)
    names = [n for n, _ in racers]
    return SimpleNamespace(
        surface=surface,
        surface_name=surface_name,
        surface_spec=surface_spec,
        opts=opts,
        steps=steps,
        noise=noise,
        seed=seed,
        start=start,
        racers=racers,
        racers_key=racers_key,
        labels=labels,
        f_star=f_star,
        race_box=race_box,
        names=names,
        trajs=None,
        regimen=regimen.on,
    )


def race(run: SimpleNamespace) -> None:
    """The race's chart (run.trajs is set), or its refusal beside Steps and the page stops."""
    surface, surface_spec, steps, noise, seed, start, racers, racers_key, labels, f_star, race_box, names = (
        run.surface,
        run.surface_spec,
        run.steps,
        run.noise,
        run.seed,
        run.start,
        run.racers,
        run.racers_key,
        run.labels,
        run.f_star,
        run.race_box,
        run.names,
    )
    st.subheader(_("The race"))
    names = [n for n, _ in racers]
    race_v = budget.verdict(budget.race_work(names, surface, steps, run.regimen))
    if not race_v.ok:
        fewer = _max_steps(lambda k: budget.race_work(names, surface, k, run.regimen), steps)
        if fewer:
            advice = _("use {fewer}, fewer racers (Newton costs most) or a simpler formula").format(fewer=fewer)
        else:
            advice = _("use fewer racers (Newton costs most) or a simpler formula")
        budget_ui.allow(race_v, race_box, _("this race"), advice)
        st.info(_("Nothing is computed until the race fits: see the message above."))
        st.stop()
    racing = ngettext(
        "Racing {n} optimizers for {steps} step on {surface}…",
        "Racing {n} optimizers for {steps} steps on {surface}…",
        steps,
    ).format(n=len(names), steps=steps, surface=core(surface.title))
    with budget_ui.Progress(race_v, racing) as work:
        hook = work.hook(max(budget.run_work(n, surface, 1, regimen=run.regimen) for n in names))
        trajs = caches.race_runs(surface_spec, racers_key, start, steps, noise, seed, _hook=hook)
    spec = vc.race_spec(surface, trajs, [n for n, _ in racers], labels, f_star=f_star)
    st.plotly_chart(
        sm.prepared(spec),
        key=PAGE.key("map"),
        on_select=on_map_click,
        selection_mode="points",
        theme=None,  # the figure's own fonts and colours (Streamlit's theme shrinks the text)
        config={"displaylogo": False, "scrollZoom": False},
    )
    if f_star is not None:
        right = _("loss − f* on a log scale (f* is the global minimum value).")
    else:
        right = _("the loss.")
    st.caption(
        _(
            "Press ▶ Play to race every path on the same steps (↺ Replay starts over); click a name in the legend "
            "to hide or show that racer. Right: {right}"
        ).format(right=right)
    )

    run.trajs = trajs


def results(run: SimpleNamespace) -> None:
    """The race's table, how it is measured, and its downloads."""
    surface, racers, labels, f_star, trajs = run.surface, run.racers, run.labels, run.f_star, run.trajs
    # results
    tol_col = st.columns([1, 3])[0]
    tol = float(
        tol_col.number_input(
            _("Loss tolerance"),
            min_value=1e-12,
            max_value=1e6,
            format="%g",
            key=PAGE.key("tol"),
            help=_("'Steps to tolerance' counts the steps until the loss is within this much of the global minimum."),
        )
    )
    rows = []
    for label, traj in zip(labels, trajs, strict=True):
        m = analysis.metrics(traj, surface, loss_tol=tol)
        rows.append(
            {
                "optimizer": label,
                "outcome": m["outcome"].short,
                "final loss": m["final_loss"],
                "distance to nearest minimum": m["distance_to_minimum"],
                "steps to tolerance": m["steps_to_tol"],
                "near saddle at": m["near_saddle_at"],
                "escaped saddle at": m["escaped_saddle_at"],
                "diverged at": m["diverged_at"],
                "left the map downhill at": m["escaped_at"],
                "undefined at": m["undefined_at"],
            }
        )
    table = regimen_controls.with_clipped(pd.DataFrame(rows), trajs)  # "clipped: n steps" when a racer clips
    STEP_COLUMNS = (
        "steps to tolerance",
        "near saddle at",
        "escaped saddle at",
        "diverged at",
        "left the map downhill at",
        "undefined at",
    )
    for col in STEP_COLUMNS:
        table[col] = pd.array([v if v is not None else pd.NA for v in table[col]], dtype="Int64")
    # an escape and an undefined point have their own columns where a racer had one (the outcome column says all)
    for col in ("left the map downhill at", "undefined at"):
        if table[col].isna().all():
            table = table.drop(columns=[col])
    table["distance to nearest minimum"] = pd.array(
        [v if v is not None else np.nan for v in table["distance to nearest minimum"]], dtype="float64"
    )
    # columns that cannot apply to this surface are left out (no known minimum, no known saddle)
    if not len(surface.minima) and f_star is None:
        table = table.drop(columns=["distance to nearest minimum", "steps to tolerance"])
    if not len(surface.saddles):
        table = table.drop(columns=["near saddle at", "escaped saddle at"])
    # shown: a step that never came reads "never" (an empty cell would read "None"); the CSV keeps blanks
    shown = table.copy()
    for col in STEP_COLUMNS:
        if col in shown:
            shown[col] = [_("never") if v is pd.NA else str(int(v)) for v in shown[col]]
    st.dataframe(
        shown,
        placeholder="—",  # a missing number (Streamlit writes "None" in every language)
        hide_index=True,
        key=PAGE.key("table"),
        # the headers in the session's language; the columns keep their names (the CSV's identifiers)
        column_config={
            "optimizer": st.column_config.TextColumn(_("optimizer")),
            "outcome": st.column_config.TextColumn(_("outcome")),
            "final loss": st.column_config.NumberColumn(_("final loss"), format="%.4g"),
            "distance to nearest minimum": st.column_config.NumberColumn(
                _("distance to nearest minimum"), format="%.4g"
            ),
            "steps to tolerance": st.column_config.TextColumn(_("steps to tolerance")),
            "near saddle at": st.column_config.TextColumn(_("near saddle at")),
            "escaped saddle at": st.column_config.TextColumn(_("escaped saddle at")),
            "diverged at": st.column_config.TextColumn(_("diverged at")),
            "left the map downhill at": st.column_config.TextColumn(_("left the map downhill at")),
            "undefined at": st.column_config.TextColumn(_("undefined at")),
            "clipped": st.column_config.TextColumn(_("clipped")),
        },
    )
    with st.expander(_("How these are measured")):
        st.markdown(
            _(
                "- **Steps to tolerance**: the first step at which the loss is within {tol} of the global minimum "
                "value (blank when the surface has no known minimum, or the run never got there).\n"
                "- **Distance to nearest minimum**: from the last point to the nearest known minimum (the stars).\n"
                "- **Saddle**: a run is *near* a saddle (the crosses) once it comes within {radius} of it ({share} "
                "of the view's smaller side); it *escaped* at the first later step at which it is farther than that "
                "AND its loss is below the saddle's value: it went down past the saddle, not back the way it came.\n"
                "- **Outcome**: how the run ended: it ran all its steps, diverged, left the map going downhill, or "
                "reached a point where the gradient (or Newton's step) is undefined.\n"
                "- **Diverged at**: the step whose point left the finite numbers or a box ten view-widths around "
                "the map, or where the loss became infinite, without going downhill (the loss grew, or stopped "
                "being a number); the path stops there.\n"
                "- **Left the map downhill at**: the step at which the run left that box (or reached f = −∞) going "
                "downhill: the loss fell at each of its last three steps, to below every value f takes on the map. "
                "On a surface with no minimum (f → −∞) that is the optimizer doing its job, not a failure.\n"
                "- **Undefined at**: the step whose point has f or its gradient undefined (e.g. the apex of a "
                "cone), or where Newton's step does not exist (a singular Hessian); the run stops on that point.\n"
                "- With noise, every racer adds the same noise sequence (one seed), so the race stays fair."
            ).format(
                tol=f"{tol:g}",
                radius=f"{analysis.default_tol(surface, analysis.SADDLE_RADIUS):.3g}",
                share=f"{analysis.SADDLE_RADIUS:.0%}",
            )
        )
    paths = pd.concat([t.to_frame().assign(optimizer=n) for (n, _), t in zip(racers, trajs, strict=True)])
    dl = st.columns(3)
    dl[0].download_button(_("Results table (CSV)"), table.to_csv(index=False), "race_results.csv", "text/csv")
    dl[1].download_button(
        _("Every path, step by step (CSV)"),
        paths[["optimizer", "step", "x", "y", "loss", "grad_x", "grad_y"]].to_csv(index=False),
        "race_paths.csv",
        "text/csv",
    )


def sweep(run: SimpleNamespace) -> None:
    """The learning-rate sweep, when its toggle is on."""
    surface, surface_spec, steps, start, racers, racers_key, f_star, names = (
        run.surface,
        run.surface_spec,
        run.steps,
        run.start,
        run.racers,
        run.racers_key,
        run.f_star,
        run.names,
    )
    st.subheader(_("Fair learning rates"))
    st.write(
        _(
            "A race is only fair if every optimizer gets a good learning rate. The sweep runs each racer with "
            "log-spaced rates from {low} to {high} (one vectorised run per optimizer, its other hyperparameters as "
            "set above, from the race's start, without noise) and picks as best {rule}."
        ).format(low=f"{analysis.SWEEP_LOW:g}", high=f"{analysis.SWEEP_HIGH:g}", rule=core(analysis.BEST_RATE_RULE))
    )
    sw_cols = st.columns([1.5, 1, 2])
    sweep_box = st.container()
    do_sweep = sw_cols[0].toggle(_("Sweep learning rates"), key=PAGE.key("sweep"))
    n_rates = int(
        sw_cols[1].number_input(_("Rates"), min_value=SWEEP_RATES[0], max_value=SWEEP_RATES[1], key=PAGE.key("rates"))
    )
    if do_sweep:
        sweep_steps = min(steps, MAX_SWEEP_STEPS)
        if sweep_steps < steps:
            st.caption(
                _("The sweep runs {steps} steps (its cap), not the race's {race}.").format(
                    steps=sweep_steps, race=steps
                )
            )
        no_lr = tuple((name, tuple(kv for kv in hp if kv[0] != "lr")) for name, hp in racers_key)  # lr is swept
        sweep_v = budget.verdict(budget.sweep_work(names, surface, sweep_steps, n_rates, run.regimen))
        fewer = _max_steps(lambda k: budget.sweep_work(names, surface, k, n_rates, run.regimen), sweep_steps) or _(
            "fewer steps"
        )
        if n_rates > SWEEP_RATES[0]:
            advice = _("use {fewer} or {rates} rates, fewer racers or a simpler formula").format(
                fewer=fewer, rates=SWEEP_RATES[0]
            )
        else:
            advice = _("use {fewer}, fewer racers or a simpler formula").format(fewer=fewer)
        do_sweep = budget_ui.allow(sweep_v, sweep_box, _("this sweep"), advice)
    if do_sweep:
        sweeping = _("Trying {rates} learning rates for each of {n} optimizers, {steps} steps each…").format(
            rates=n_rates, n=len(names), steps=sweep_steps
        )
        with budget_ui.Progress(sweep_v, sweeping) as work:
            hook = work.hook(max(budget.run_work(n, surface, 1, n_rates, regimen=run.regimen) for n in names))
            sweeps = caches.sweep_runs(surface_spec, no_lr, start, sweep_steps, n_rates, _hook=hook)
        st.plotly_chart(
            vc.sweep_figure(sweeps, [optimizers.get(n).title for n, _ in racers], f_star),
            key=PAGE.key("sweepfig"),
            theme=None,
        )
        best = {s.optimizer: s.best_rate for s in sweeps if s.best_rate is not None}

        def chosen_by(s) -> str:
            if s.best_index is None:
                return _("no rate qualifies")
            if s.best_by_escape:
                return _("leaves the map downhill soonest (step {t})").format(t=int(s.escaped_at[s.best_index]))
            return _("lowest final loss")

        summary = pd.DataFrame(
            {
                "optimizer": [optimizers.get(s.optimizer).title for s in sweeps],
                "rate now": [hp["lr"] for _, hp in racers],
                "best rate": [s.best_rate for s in sweeps],
                "chosen as": [chosen_by(s) for s in sweeps],
                # no best loss where the best rate is the one that escapes soonest (or none is found): "—"
                "final loss at best": ["—" if s.best_loss is None else f"{s.best_loss:.4g}" for s in sweeps],
                "rates that diverged": [int(s.diverged.sum()) for s in sweeps],
                "rates that left the map downhill": [int(s.escaped.sum()) for s in sweeps],
                "rates that reached an undefined point": [int(s.undefined.sum()) for s in sweeps],
            }
        )
        if not summary["rates that reached an undefined point"].any():
            summary = summary.drop(columns=["rates that reached an undefined point"])
        st.dataframe(
            summary,
            placeholder="—",  # a missing value (Streamlit writes "None" in every language)
            hide_index=True,
            column_config={  # the headers translated, the columns keep their names
                "optimizer": st.column_config.TextColumn(_("optimizer")),
                "rate now": st.column_config.NumberColumn(_("rate now")),
                "best rate": st.column_config.NumberColumn(_("best rate"), format="%.4g"),
                "chosen as": st.column_config.TextColumn(_("chosen as")),
                "final loss at best": st.column_config.TextColumn(_("final loss at best")),
                "rates that diverged": st.column_config.NumberColumn(_("rates that diverged")),
                "rates that left the map downhill": st.column_config.NumberColumn(
                    _("rates that left the map downhill")
                ),
                "rates that reached an undefined point": st.column_config.NumberColumn(
                    _("rates that reached an undefined point")
                ),
            },
        )
        if any(s.best_by_escape for s in sweeps):
            st.caption(
                _(
                    "Some rates left the map going downhill: this surface has no minimum that way (f keeps "
                    "falling), so no final loss can be compared there, and the best rate is the one that leaves "
                    "soonest. Triangles along the bottom of the chart mark those rates."
                )
            )
        nobest = [optimizers.get(s.optimizer).title for s in sweeps if s.best_rate is None]
        if nobest:
            st.warning(
                _(
                    "No rate ran all its steps or left the map downhill for {optimizers} (each diverged or reached "
                    "an undefined point): its rate is left as it is."
                ).format(optimizers=i18n.join(nobest)),
                icon="⚠️",
            )
        sw_cols[2].button(
            _("Use the best rates in the race"),
            on_click=use_best_rates,
            args=(best,),
            type="primary",
            disabled=not best,
            key=PAGE.key("usebest"),
        )


def basins(run: SimpleNamespace) -> None:
    """The basin map, when its toggle is on."""
    surface, surface_name, surface_spec, racers = run.surface, run.surface_name, run.surface_spec, run.racers
    st.subheader(_("Where do they end up?"))
    st.write(
        _(
            "Start one optimizer from every point of a grid at once and colour each start by the minimum it reaches "
            "(within {share} of the view's smaller side), or by how many steps it took; grey: no minimum reached in "
            "time, black: diverged, sky blue: left the map going downhill (no minimum that way), pale green: "
            "reached a point where the gradient is undefined."
        ).format(share=f"{analysis.BASIN_TOL:.0%}")
    )
    b_cols = st.columns([1.4, 1.2, 1, 1, 1.3])
    basin_box = st.container()
    do_basin = b_cols[0].toggle(_("Map the basins"), key=PAGE.key("basin"))
    basin_opt = b_cols[1].selectbox(
        _("Optimizer"), optimizers.NAMES, key=PAGE.key("basin_opt"), format_func=lambda n: optimizers.get(n).title
    )
    grid = int(b_cols[2].selectbox(_("Grid"), BASIN_GRIDS, key=PAGE.key("grid"), format_func=lambda n: f"{n} × {n}"))
    basin_steps = int(
        b_cols[3].number_input(_("Steps"), min_value=1, max_value=MAX_SWEEP_STEPS, key=PAGE.key("basin_steps"))
    )
    color_by = b_cols[4].radio(
        _("Colour by"),
        ("minimum", "steps"),
        key=PAGE.key("color_by"),
        format_func=lambda m: _("minimum reached") if m == "minimum" else _("steps taken"),
        horizontal=True,
    )
    if do_basin:
        in_race = dict(racers)
        hp = in_race.get(basin_opt) or presets.recommended(
            basin_opt, surface_name if surface_name in surfaces.NAMES else ""
        )
        hp = regimen_controls.for_steps(hp, basin_steps)  # the race's regimen, where it holds for these steps
        basin_v = budget.verdict(
            budget.basin_work(basin_opt, surface, basin_steps, grid, regimen=regimen_controls.under(hp))
        )
        fewer = _max_steps(lambda k: budget.basin_work(basin_opt, surface, k, grid), basin_steps)
        fewer = fewer or _("fewer steps")
        if grid > BASIN_GRIDS[0]:
            advice = _("use {fewer}, a smaller grid or another optimizer").format(fewer=fewer)
        else:
            advice = _("use {fewer} or another optimizer").format(fewer=fewer)
        what = _("this basin map ({grid} × {grid} starts × {steps} steps)").format(grid=grid, steps=basin_steps)
        if budget_ui.allow(basin_v, basin_box, what, advice):
            mapping = _("Running {optimizer} from {grid} × {grid} starts for {steps} steps…").format(
                optimizer=optimizers.get(basin_opt).title, grid=grid, steps=basin_steps
            )
            with budget_ui.Progress(basin_v, mapping) as work:
                hook = work.hook(budget.run_work(basin_opt, surface, 1, min(grid * grid, 2500)))
                basin = caches.basin_run(surface_spec, basin_opt, frozen(hp), basin_steps, grid, _hook=hook)
            if basin_opt in in_race:
                title = _("{optimizer} (γ={lr}, as in the race), {steps} steps")
            else:
                title = _("{optimizer} (γ={lr}, recommended), {steps} steps")
            title = title.format(optimizer=optimizers.get(basin_opt).title, lr=f"{hp['lr']:.3g}", steps=basin_steps)
            st.markdown(f"**{title}**")
            st.plotly_chart(sm.prepared(vc.basin_spec(surface, basin, color_by)), key=PAGE.key("basinfig"), theme=None)
            counts = basin.counts()
            total = basin.label.size
            stops = (analysis.NOT_REACHED, analysis.DIVERGED, analysis.ESCAPED, analysis.UNDEFINED)
            reached = total - sum(counts[lab] for lab in stops)
            more = [
                _("{n} left the map going downhill").format(n=f"{counts[analysis.ESCAPED]:,}")
                if counts[analysis.ESCAPED]
                else "",
                _("{n} reached an undefined point").format(n=f"{counts[analysis.UNDEFINED]:,}")
                if counts[analysis.UNDEFINED]
                else "",
            ]
            st.caption(
                _(
                    "{reached} of {total} starts reached a known minimum, {missed} did not in {steps} steps, "
                    "{more}{diverged} diverged."
                ).format(
                    reached=f"{reached:,}",
                    total=f"{total:,}",
                    missed=f"{counts[analysis.NOT_REACHED]:,}",
                    steps=basin_steps,
                    more="".join(m + _(", ") for m in more if m),
                    diverged=f"{counts[analysis.DIVERGED]:,}",
                )
            )


def exports(run: SimpleNamespace) -> None:
    """Take the race to class: an HTML file, a GIF or MP4, a slide PNG, made only when asked for (ui.export)."""
    from ui.export import current_link, race_export_controls

    st.subheader(_("Take the race to class"))
    race_export_controls(
        run.surface, run.trajs, [n for n, _ in run.racers], run.labels, run.f_star, current_link(PAGE.name)
    )


def main() -> None:
    run = settings()
    race(run)
    results(run)
    sweep(run)
    basins(run)
    exports(run)


if __name__ == "__main__":  # Streamlit runs a page as __main__; tests may import it for PAGE
    PAGE.run(main, _("the Compare page"))
