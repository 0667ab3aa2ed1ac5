"""Back and Forward move between settings on Compare and Train a network (the Explorer's own test is in
test_explorer.py): change a setting twice, Back shows the previous value in the box, the link and the page's
run; Forward comes back."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def _idle(page, timeout: float = 90_000) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=timeout)


def _param(page, name: str, value: str, timeout: float = 60_000) -> None:
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('{name}') === '{value}'", timeout=timeout)
    _idle(page)


def _box(page, label: str):
    return page.locator('[data-testid="stNumberInput"]').filter(has_text=label).locator("input").first


def _set(page, label: str, name: str, value: str) -> None:
    box = _box(page, label)
    box.fill(value)
    box.press("Enter")
    _param(page, name, value)


def _back_and_forward(page, label: str, name: str, values: tuple[str, str, str], shown) -> None:
    """From values[0], set values[1] then values[2]; Back shows values[1], again values[0]; Forward values[1].
    `shown(value)` checks that the page's run is the one for that value, not only the box."""
    first, second, third = values
    _set(page, label, name, second)
    shown(second)
    _set(page, label, name, third)
    shown(third)
    page.go_back()
    _param(page, name, second)
    assert _box(page, label).input_value() == second
    shown(second)
    page.go_back()
    _param(page, name, first)
    assert _box(page, label).input_value() == first
    shown(first)
    page.go_forward()
    _param(page, name, second)
    assert _box(page, label).input_value() == second
    shown(second)


def _open(page, url: str) -> None:
    page.goto(url.split("/compare")[0].split("/network")[0])  # the home page first, as a visitor
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    _idle(page)


def test_compare_back_and_forward_between_settings(page, app_url):
    _open(page, f"{app_url}/compare?surface=saddle&opts=sgd,adam&x0=-1.0&y0=0.1&steps=60")

    def race_steps(value: str) -> None:
        # the race's scrubber ends at the race's last step: the run shown is the one for these settings
        last = page.evaluate(
            "() => { const s = document.querySelector('.js-plotly-plot')._fullLayout.sliders[0];"
            " return s.steps[s.steps.length - 1].label; }"
        )
        assert last == value, (last, value)

    race_steps("60")
    _back_and_forward(page, "Steps", "steps", ("60", "50", "40"), race_steps)


def test_network_back_and_forward_between_settings(page, app_url):
    _open(page, f"{app_url}/network?opts=adam&epochs=20")

    def epochs(value: str) -> None:
        # the curves run to the last epoch of this setting
        last = page.evaluate(
            "() => Math.max(...document.querySelector('.js-plotly-plot')._fullData.flatMap(t => Array.from(t.x || [])))"
        )
        assert int(last) == int(value), (last, value)

    epochs("20")
    _back_and_forward(page, "Epochs", "epochs", ("20", "25", "30"), epochs)
