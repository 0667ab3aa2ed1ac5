"""Schedules and clipping in a real browser: the numbers panel's γₜ at each step is the schedule's value there, the
clipped steps the stage counts are the regimen's record, and Schedule-Free's sequences are drawn with their caption.
Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import regimen, schedules

from .conftest import SHOTS, wait_for_app

pytestmark = pytest.mark.browser

QUERY = {
    "surface": "rosenbrock",
    "opt": "sgd",
    "lr": "0.001",
    "steps": "80",
    "x0": "-1.5",
    "y0": "2",
    "sched": "warmup_cosine",
    "warmup_cosine_warmup": "10",
    "warmup_cosine_T_max": "100",
    "warmup_cosine_start_factor": "0.1",
    "clip_norm": "20",
}


def _open(page, app_url, query: dict[str, str]) -> None:
    page.goto(f"{app_url}/explorer?" + "&".join(f"{k}={v}" for k, v in query.items()))
    page.get_by_test_id("lab-map").wait_for(timeout=60_000)
    wait_for_app(page, 60_000)


def _to_step(page, t: int) -> None:
    page.get_by_test_id("lab-scrubber").fill(str(t))
    page.get_by_test_id("lab-step").filter(has_text=re.compile(rf"^{t}$")).wait_for(timeout=10_000)


def _cell(page, symbol: str) -> str:
    row = page.get_by_test_id("lab-numbers").locator(f'tr:has(td.sym:text-is("{symbol}"))')
    return row.locator("td.num").first.inner_text()


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _as_shown(v: float) -> float:
    """v as stage.js's fmt writes it: 4 significant digits in [1e-3, 1e5), else 3 (as 1.28e−4)."""
    return float(f"{v:.4g}") if 1e-3 <= abs(v) < 1e5 else float(f"{v:.2e}")


def test_the_numbers_panel_shows_the_schedules_gamma_t_and_the_clipped_steps(page, app_url):
    _open(page, app_url, QUERY)
    sched = schedules.make("warmup_cosine", warmup=10, T_max=100, start_factor=0.1)
    rates = sched.values(0.001, 80)
    shown = {}
    for t in (1, 4, 10, 11, 37, 80):
        _to_step(page, t)
        shown[t] = _number(_cell(page, "γₜ"))
        assert shown[t] == _as_shown(rates[t - 1]), t
    assert shown[1] < shown[4] < shown[10] and shown[11] > shown[37] > shown[80]  # warm-up, then the cosine
    core = optimizers.run(
        regimen.Regimen(optimizers.make("sgd", lr=0.001), sched, clip_norm=20.0),
        surfaces.get("rosenbrock"),
        np.array([-1.5, 2.0]),
        80,
    )
    n = regimen.clipped_steps(core)
    assert 0 < n < 80
    assert page.get_by_test_id("lab-clipped").inner_text().endswith(f"clipped: {n} steps of 80")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "explorer-schedule-clipping.png"), full_page=True)


def test_schedule_free_draws_its_sequences_and_says_which_is_the_iterate(page, app_url):
    _open(page, app_url, {"surface": "rosenbrock", "opt": "sf_sgd", "lr": "0.001", "steps": "60"})
    _to_step(page, 60)
    text = page.get_by_test_id("lab-sequences").inner_text()
    assert "x: the average of z (returned)" in text and "z: the SGD steps" in text
    assert "The red path is y, where each gradient is taken" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "explorer-schedule-free-sequences.png"), full_page=True)
