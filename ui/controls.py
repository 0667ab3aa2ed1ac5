"""Hyperparameter controls built from each optimizer's metadata (optimizers.Hyper)."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

import optimizers
from i18n import translator
from optimizers.symbols import plain

from .i18n import core
from .state import Param, fmt_bool, fmt_float, parse_bool, setting_key

_, ngettext = translator("app")


def hyper_params(opt_name: str, prefix: str = "", overrides: dict[str, Any] | None = None) -> list[Param]:
    """The query-string Params of an optimizer's hyperparameters, named `<prefix><hyper>`."""
    out = []
    for name, h in optimizers.get(opt_name).HYPERS.items():
        default = (overrides or {}).get(name, h.default)
        if h.kind is bool:
            out.append(Param(prefix + name, default, parse_bool, fmt_bool))
        else:
            out.append(Param(prefix + name, default, _hyper_parser(name, h), fmt_float))
    return out


def _hyper_parser(name: str, h: optimizers.Hyper):
    def parse(text: str) -> float:
        return h.check(name, float(text))  # ValueError names the parameter and its range

    return parse


def _step(h: optimizers.Hyper, default: float) -> float:
    if h.log or h.high > 1:
        mag = abs(default) if default else 1.0
        return 10.0 ** math.floor(math.log10(mag)) if mag > 0 else 0.01
    return 0.001 if default >= 0.99 else 0.01


def log_options(h: optimizers.Hyper) -> list[float]:
    """1-2-5 values per decade inside the valid range, from 10⁻⁴ of the default (at most 10⁻⁶) up."""
    low = min(float(h.default) * 1e-4, 1e-6) if h.default else 1e-6
    grid = [m * 10.0**e for e in range(-12, 4) for m in (1, 2, 5)]
    return [float(f"{v:.0e}") for v in grid if v >= low * 0.999 and h.contains(v)]


def racer_prefix(opt: str) -> str:
    """The prefix of one optimizer's hyperparameter settings on a page with several (`adam_` in `adam_lr`)."""
    return f"{opt}_"


def log_key(key: str) -> str:
    """The session key of the log-scale slider under the box whose key is `key`."""
    return key + "::log"


def _sync_from_slider(key: str) -> None:
    st.session_state[key] = st.session_state[log_key(key)]


def _log_slider(box: Any, h: optimizers.Hyper, name: str, key: str, raw: Any) -> None:
    options = log_options(h)
    if not options:
        return
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float(h.default)
    if not (math.isfinite(value) and value > 0):
        value = float(h.default) if h.default else options[0]
    nearest = min(options, key=lambda o: abs(math.log10(o) - math.log10(value)))
    st.session_state[log_key(key)] = nearest  # follows the box (set before the slider exists in this run)
    box.select_slider(
        _("{name} on a log scale").format(name=name),
        options=options,
        key=log_key(key),
        format_func=lambda v: f"{v:g}",
        on_change=_sync_from_slider,
        args=(key,),
        label_visibility="collapsed",
        help=_("Drag to change {name} by factors of 2 to 2.5 (the box above takes any value).").format(name=name),
    )


def hyper_label(name: str, h: optimizers.Hyper) -> str:
    """The label of a hyperparameter's control: its symbol in plain text (β₁), then its name as code (beta1).

    Not KaTeX: a page's first paint waits for every KaTeX label (the script that renders it and its fonts),
    about 0.3 s of a first visit in the README's measurements."""
    return f"{plain(h.symbol)} `{name}`" if h.symbol else f"`{name}`"


def frozen(hp: dict) -> tuple:
    """Hyperparameters as a sorted tuple of plain values: a hashable st.cache_data argument (a regimen's spec,
    already a tuple of plain values, as it is)."""
    return tuple(sorted((k, v if isinstance(v, bool | tuple) else float(v)) for k, v in hp.items()))


def hyper_inputs(
    opt_name: str, page: str, prefix: str = "", container: Any = None, log_sliders: bool = False
) -> tuple[dict, dict]:
    """Render one input per hyperparameter; return (valid values, {name: error message}).

    Values come from session state keys `<page>:<prefix><hyper>` (set up by ui.state.restore with
    hyper_params). An invalid value is reported beside its control and the default is used in its place.
    With `log_sliders`, a log-scale hyperparameter (learning rate, ε) also gets a slider over 1-2-5 steps
    per decade under its box (key `<page>:<prefix><hyper>::log`), kept in step with the box.
    """
    box = container if container is not None else st
    cls = optimizers.get(opt_name)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, h in cls.HYPERS.items():
        key = setting_key(page, prefix + name)
        label = hyper_label(name, h)
        help_text = _("{help} Valid: {range}.").format(help=core(h.help), range=h.range_text())
        if h.kind is bool:
            raw = box.toggle(label, key=key, help=help_text)
        else:
            raw = box.number_input(label, key=key, help=help_text, step=_step(h, float(h.default)), format="%g")
            if log_sliders and h.log:
                _log_slider(box, h, name, key, raw)
        try:
            values[name] = h.check(name, raw)
        except ValueError as exc:
            errors[name] = str(exc)
            box.error(_("{error}. Using the default, {default}.").format(error=exc, default=f"{h.default:g}"), icon="⚠️")
            values[name] = h.default
    return values, errors
