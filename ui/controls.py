"""Hyperparameter controls built from each optimizer's metadata (optimizers.Hyper)."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

import optimizers

from .state import Param, fmt_bool, fmt_float, parse_bool


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


def hyper_inputs(opt_name: str, page: str, prefix: str = "", container: Any = None) -> tuple[dict, dict]:
    """Render one input per hyperparameter; return (valid values, {name: error message}).

    Values come from session state keys `<page>:<prefix><hyper>` (set up by ui.state.restore with
    hyper_params). An invalid value is reported beside its control and the default is used in its place.
    """
    box = container if container is not None else st
    cls = optimizers.get(opt_name)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, h in cls.HYPERS.items():
        key = f"{page}:{prefix}{name}"
        label = f"${h.symbol}$ `{name}`" if h.symbol else f"`{name}`"
        help_text = f"{h.help} Valid: {h.range_text()}."
        if h.kind is bool:
            raw = box.toggle(label, key=key, help=help_text)
        else:
            raw = box.number_input(
                label, key=key, help=help_text, step=_step(h, float(h.default)), format="%g"
            )
        try:
            values[name] = h.check(name, raw)
        except ValueError as exc:
            errors[name] = str(exc)
            box.error(f"{exc}. Using the default, {h.default:g}.", icon="⚠️")
            values[name] = h.default
    return values, errors
