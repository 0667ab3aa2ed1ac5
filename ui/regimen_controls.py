"""Controls for a learning-rate schedule, weight decay and gradient clipping (optimizers.regimen), for any page
that runs first-order optimizers. A page adds a few lines:

    notices = PAGE.restore([..., *regimen_controls.params(PAGE.name)])   # every regimen setting
    choice = regimen_controls.controls(PAGE.name, [name], [lr], steps, box)  # the widgets, their messages
    PAGE.mirror([..., *regimen_controls.mirrored(PAGE.name)])            # only what is on goes into the link
    hypers = {**hypers, **dict(choice.pairs(name))}   # ("regimen", spec): plain values, for the cached run, where
    opt = optimizers.regimen.make(name, **hypers)     # builds the optimizer under it

The settings in the URL: `sched` (a schedule of optimizers.schedules, "constant" when absent), its parameters as
`<schedule>_<parameter>` (each schedule keeps its own: `cosine_T_max`, `wsd_decay`), `decay` (λ, 0 when absent)
with `decay_mode` (coupled or decoupled), `clip_norm` and `clip_value` (0 is off). A link that does not name one
of them opens with its default. A bad value is a message beside its control, and the run goes on without that part
(said in the message, never a silent change); a schedule that makes γ_t zero or negative within the run is refused
in the same way.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import streamlit as st

import i18n
import optimizers
from i18n import N_, translator
from optimizers import regimen as core
from optimizers import schedules
from optimizers.base import Hyper
from optimizers.symbols import plain

from .i18n import core as core_text
from .state import Param, fmt_float, parse_choice, setting_key, url_is_fresh

_, ngettext = translator("app")

SCHEDULE, DECAY, MODE, CLIP_NORM, CLIP_VALUE = "sched", "decay", "decay_mode", "clip_norm", "clip_value"
MODES = ("coupled", "decoupled")
MODE_LABELS = {
    "coupled": N_("coupled: λθ added to g (torch's weight_decay)"),
    "decoupled": N_("decoupled: θ(1 − γₜλ) (AdamW)"),
}
_HYPERS = core.Regimen.HYPERS


def _param_key(schedule: str, name: str) -> str:
    return f"{schedule}_{name}"


def _parser(name: str, h: Hyper):
    def parse(text: str) -> float:
        return h.check(name, float(text))  # ValueError names the parameter and its range

    return parse


def _fmt(h: Hyper):
    return (lambda v: str(int(v)) if float(v).is_integer() else repr(float(v))) if h.integer else fmt_float


def _all(prefix: str) -> list[Param]:
    return list(_every(prefix))


@functools.cache  # the same Params on every run (frozen; their parsers read no session): made once per prefix
def _every(prefix: str) -> tuple[Param, ...]:
    out = [Param(prefix + SCHEDULE, "constant", parse_choice(tuple(schedules.SCHEDULES)))]
    for sname, cls in schedules.SCHEDULES.items():
        for name, h in cls.PARAMS.items():
            out.append(Param(prefix + _param_key(sname, name), h.default, _parser(name, h), _fmt(h)))
    out += [
        Param(prefix + DECAY, 0.0, _parser(DECAY, _HYPERS["decay"]), fmt_float),
        Param(prefix + MODE, "coupled", parse_choice(MODES)),
        Param(prefix + CLIP_NORM, 0.0, _parser(CLIP_NORM, _HYPERS["clip_norm"]), fmt_float),
        Param(prefix + CLIP_VALUE, 0.0, _parser(CLIP_VALUE, _HYPERS["clip_value"]), fmt_float),
    ]
    return tuple(out)


def params(page: str, prefix: str = "") -> list[Param]:
    """Every regimen setting as ui.state Params, for the page's restore. On a link new to this session that carries
    settings, a regimen setting the link does not name goes back to its default (the link shows only what is on:
    see mirrored); a visit without settings in the address (the page menu) keeps the session's, as every setting."""
    out = _all(prefix)
    if url_is_fresh(page) and any(k != "t" for k in st.query_params):
        for p in out:
            if p.name not in st.query_params:
                st.session_state.pop(p.key(page), None)
    return out


def mirrored(page: str, prefix: str = "") -> list[Param]:
    """The Params worth a place in the link now: the schedule and its parameters when it is not constant, the
    decay (and its mode) when on, each clipping when on."""
    every = {p.name: p for p in _all(prefix)}

    def get(name: str) -> Any:
        return st.session_state.get(setting_key(page, prefix + name), every[prefix + name].default)

    names = []
    chosen = get(SCHEDULE)
    if chosen in schedules.SCHEDULES and chosen != "constant":
        names += [SCHEDULE, *(_param_key(chosen, n) for n in schedules.SCHEDULES[chosen].PARAMS)]
    if get(DECAY):
        names += [DECAY, MODE]
    names += [n for n in (CLIP_NORM, CLIP_VALUE) if get(n)]
    return [every[prefix + n] for n in names]


def is_on(page: str, opt_names: Sequence[str] = (), prefix: str = "") -> bool:
    """Whether the settings (as they stand in the session) put a first-order optimizer of `opt_names` under a
    regimen: for the work budget, checked before the controls are drawn."""
    if opt_names and all(optimizers.get(n).needs_hessian for n in opt_names if n in optimizers.NAMES):
        return False
    get = st.session_state.get
    return get(setting_key(page, prefix + SCHEDULE), "constant") != "constant" or any(
        bool(get(setting_key(page, prefix + n))) for n in (DECAY, CLIP_NORM, CLIP_VALUE)
    )


def under(hypers: Any) -> bool:
    """Whether a page's hyperparameters (a dict or its pairs) carry a regimen (Choice.pairs)."""
    return bool(dict(hypers).get(core.KEY))


@dataclasses.dataclass(frozen=True)
class Choice:
    """What the controls give the page: `spec`, the regimen as plain values (optimizers.regimen.spec; () when
    every part is off, or for an optimizer that is not first order), the schedule, and the messages shown."""

    spec: tuple = ()
    schedule: schedules.Schedule = dataclasses.field(default_factory=schedules.Constant)
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def on(self) -> bool:
        return bool(self.spec)

    def pairs(self, opt_name: str) -> tuple:
        """The entry to add to `opt_name`'s hyperparameter pairs (optimizers.regimen.make reads it), or ()."""
        spec = core.for_optimizer(self.spec, optimizers.get(opt_name))
        return ((core.KEY, spec),) if spec else ()


def _label(name: str, h: Hyper) -> str:
    return f"{plain(h.symbol)} `{name}`" if h.symbol else f"`{name}`"


def _number(box: Any, name: str, h: Hyper, key: str) -> tuple[float | None, str | None]:
    """One number box; (its checked value, None) or (None, the message shown beside it)."""
    if h.integer:
        help_text = _("{help} Valid: {range}, a whole number.").format(help=core_text(h.help), range=h.range_text())
    else:
        help_text = _("{help} Valid: {range}.").format(help=core_text(h.help), range=h.range_text())
    raw = box.number_input(_label(name, h), key=key, help=help_text, step=1.0 if h.integer else None, format="%g")
    try:
        return h.check(name, raw), None
    except ValueError as exc:
        return None, str(exc)


def controls(
    page: str,
    opt_names: Sequence[str],
    rates: Sequence[float],
    steps: int,
    box: Any = None,
    prefix: str = "",
    chart: bool = True,
    wide: bool = False,
) -> Choice:
    """The schedule, weight decay and clipping controls in `box` (an expander is made there), for the optimizers
    `opt_names` with base learning rates `rates` (the first one is charted) over `steps` updates (0: not known,
    the schedule is not checked nor charted). `wide`: the three parts side by side (a page's main area).

    Returns the Choice; every bad value has its message beside its control (that part is then off, and the
    message says so)."""
    box = box if box is not None else st
    classes = [optimizers.get(n) for n in opt_names]
    first = [(c, r) for c, r in zip(classes, rates, strict=True) if not c.needs_hessian]

    def key(name: str) -> str:
        return setting_key(page, prefix + name)

    exp = box.expander(_("Learning-rate schedule, weight decay, clipping"), expanded=is_on(page, prefix=prefix))
    if not first:
        exp.caption(
            _(
                "Newton's method is second order: a schedule, weight decay and clipping apply to first-order "
                "optimizers only."
            )
        )
        return Choice()
    errors: dict[str, str] = {}
    sched_box, decay_box, clip_box = exp.columns(3, gap="medium") if wide else (exp, exp, exp)

    # -- the schedule --
    chosen = sched_box.selectbox(
        _("Learning-rate schedule"),
        tuple(schedules.SCHEDULES),
        key=key(SCHEDULE),
        format_func=lambda n: schedules.SCHEDULES[n].shown_title(),
        help=_(
            "How γ changes from update to update (torch.optim.lr_scheduler's rules); the optimizer's γ is the base "
            "rate."
        ),
    )
    cls = schedules.SCHEDULES[chosen]
    values: dict[str, float] = {}
    for name, h in cls.PARAMS.items():
        v, err = _number(sched_box, name, h, key(_param_key(chosen, name)))
        if err:
            errors[_param_key(chosen, name)] = err
            sched_box.error(_("{error}. The run uses a constant γ until it is fixed.").format(error=err), icon="⚠️")
        values[name] = v
    schedule: schedules.Schedule = schedules.Constant()
    if not errors:
        try:
            schedule = schedules.make(chosen, **values)
            for _cls, lr in first:
                schedule.check(lr, steps)
        except ValueError as exc:
            errors[SCHEDULE] = str(exc)
            sched_box.error(
                _("Schedule refused: {error}. The run uses a constant γ until it is fixed.").format(error=exc), icon="⚠️"
            )
            schedule = schedules.Constant()
    if chart and chosen != "constant" and not errors and steps > 0:
        from viz.schedule import schedule_figure

        c0, lr0 = first[0]
        sched_box.plotly_chart(
            schedule_figure(schedule, float(lr0), steps, height=170),
            key=key("sched_chart"),
            config={"displayModeBar": False},
            theme=None,
        )
        sched_box.caption(_("γₜ over the run for {optimizer}'s γ = {lr}.").format(optimizer=c0.title, lr=f"{lr0:g}"))

    # -- weight decay --
    own = [c.title for c, _lr in first if "weight_decay" in c.HYPERS]
    decay, decoupled = 0.0, False
    v, err = _number(decay_box, DECAY, _HYPERS["decay"], key(DECAY))
    mode = decay_box.radio(
        _("Weight decay applied"),
        MODES,
        key=key(MODE),
        format_func=lambda m: _(MODE_LABELS[m]),
        help=core_text(_HYPERS["decoupled"].help),
    )
    if err:
        errors[DECAY] = err
        decay_box.error(_("{error}. The run has no weight decay until it is fixed.").format(error=err), icon="⚠️")
    else:
        decay, decoupled = float(v), mode == "decoupled" and float(v) > 0
    if own and decay:
        decay_box.caption(
            ngettext(
                "{optimizers} has its own `weight_decay`: λ here is not added to it.",
                "{optimizers} have their own `weight_decay`: λ here is not added to it.",
                len(own),
            ).format(optimizers=i18n.join(own))
        )

    # -- clipping --
    clip = {}
    for name in (CLIP_NORM, CLIP_VALUE):
        v, err = _number(clip_box, name, _HYPERS[name], key(name))
        if err:
            errors[name] = err
            clip_box.error(_("{error}. The run does not clip this way until it is fixed.").format(error=err), icon="⚠️")
        clip[name] = float(v) if v is not None else 0.0
    clip_box.caption(
        _(
            "Clipping acts on the gradient before the update: by norm as torch.nn.utils.clip_grad_norm_ (g scaled "
            "to ‖g‖ ≤ c, the norm over all the parameters), then by value as clip_grad_value_ (each component into "
            "[−c, c]). 0 is off."
        )
    )
    spec = core.spec(
        chosen if schedule.name != "constant" else "constant",
        schedule.params(),
        decay,
        decoupled,
        clip[CLIP_NORM],
        clip[CLIP_VALUE],
    )
    return Choice(spec=spec, schedule=schedule, errors=errors)


def for_steps(hypers: dict, steps: int) -> dict:
    """`hypers` (a page's, with a "regimen" entry or not) for a run of `steps` updates: without the regimen's
    schedule when that makes γ_t zero or negative within them (a basin map may run longer than the race), said
    in a caption where the page draws next."""
    spec = hypers.get(core.KEY)
    if not spec:
        return hypers
    d = dict(spec)
    try:
        schedules.make(d["schedule"], **dict(d["params"])).check(float(hypers["lr"]), steps)
    except ValueError as exc:
        st.caption(_("This runs with a constant γ, not the race's schedule: {error}.").format(error=exc))
        rest = core.spec("constant", None, d["decay"], d["decoupled"], d["clip_norm"], d["clip_value"])
        return {k: v for k, v in hypers.items() if k != core.KEY} | ({core.KEY: rest} if rest else {})
    return hypers


def with_clipped(table: Any, trajs: Sequence[Any]) -> Any:
    """Compare's results table with a column "clipped" ("n steps": the steps at which a clipping changed the
    gradient, optimizers.regimen.clipped_steps) when some racer runs under a clipping; else the table as it is."""
    clips = [
        isinstance(t.optimizer, core.Regimen) and bool(t.optimizer.clip_norm or t.optimizer.clip_value) for t in trajs
    ]
    if not any(clips):
        return table
    counts = [core.clipped_steps(t) if c else None for t, c in zip(trajs, clips, strict=True)]
    column = [ngettext("{n} step", "{n} steps", n).format(n=n) if n is not None else _("off") for n in counts]
    return table.assign(clipped=column)
