"""viz.schedule: the chart draws the schedule's own rates and marks the current step."""

import numpy as np
import pytest

from optimizers import schedules
from viz.schedule import schedule_figure


def test_the_line_is_the_schedules_rates_and_the_marker_the_current_one():
    s = schedules.make("warmup_cosine", warmup=5, T_max=60, eta_min=0.001)
    fig = schedule_figure(s, 0.1, 60, current=12)
    line, marker = fig.data
    np.testing.assert_array_equal(line.x, np.arange(1, 61))
    np.testing.assert_array_equal(line.y, s.values(0.1, 60))
    assert marker.x == (12,) and marker.y[0] == pytest.approx(s.values(0.1, 60)[11])
    assert fig.layout.yaxis.type == "log"  # 0.1 down to 0.001: a factor 100
    fig.to_json()


def test_a_flat_schedule_stays_linear_and_a_step_outside_the_run_is_not_marked():
    fig = schedule_figure(schedules.make("constant"), 0.05, 30, current=99)
    assert len(fig.data) == 1 and fig.layout.yaxis.type == "linear"
    assert set(fig.data[0].y) == {0.05}
