"""A small chart of a learning-rate schedule γ_t, to sit beside its controls (no page shows it yet)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from i18n import translator
from optimizers.schedules import Schedule

_, ngettext = translator("core")


def schedule_figure(
    schedule: Schedule, lr: float, steps: int, current: int | None = None, height: int = 160
) -> go.Figure:
    """γ_t for t = 1 ... steps as a line, on a log axis when it spans more than a factor 20; `current` marked."""
    t = np.arange(1, steps + 1)
    rates = np.asarray(schedule.values(lr, steps), dtype=np.float64)
    fig = go.Figure(
        go.Scatter(x=t, y=rates, mode="lines", line={"color": "#0072B2", "width": 2}, name="γₜ", hoverinfo="x+y")
    )
    if current is not None and 1 <= current <= steps:
        fig.add_trace(
            go.Scatter(
                x=[current],
                y=[rates[current - 1]],
                mode="markers",
                marker={"color": "#D55E00", "size": 9},
                name=_("γ at step {t}").format(t=current),
                hoverinfo="x+y",
            )
        )
    positive = rates[rates > 0]
    log = positive.size == rates.size and positive.max() > 20 * positive.min()
    fig.update_xaxes(title_text=_("step t"), range=[0.5, steps + 0.5], fixedrange=True, automargin=True)
    # automargin: the axis title keeps clear of the tick labels (14 px "0.0005" is wider than a fixed margin)
    fig.update_yaxes(title_text="γₜ", type="log" if log else "linear", fixedrange=True, automargin=True)
    fig.update_layout(
        height=height,
        font={"size": 14},  # read on a projector: no chart text under 14 px
        margin={"l": 8, "r": 10, "t": 8, "b": 8},
        showlegend=False,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    return fig
