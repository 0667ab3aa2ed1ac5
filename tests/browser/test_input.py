"""Typing as a hurried visitor does: a comma decimal in a number box is read as a decimal (or refused), never
turned into another number (ui.decimal_comma, mounted on every page by ui.page.Page.run)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DONE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def _lr_box(page, app_url):
    page.goto(f"{app_url}/network?opts=adam&epochs=30")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    page.wait_for_function(DONE, timeout=60_000)
    page.get_by_text("Hyperparameters (defaults").click()
    box = page.get_by_role("spinbutton", name="γ `lr`")
    box.wait_for(timeout=10_000)
    return box


def _paste(box, text: str) -> None:
    box.evaluate(
        """(el, text) => {
            el.focus(); el.select();
            const data = new DataTransfer(); data.setData('text', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def test_a_typed_comma_is_the_decimal_point(page, app_url):
    box = _lr_box(page, app_url)
    box.click()
    box.press("Control+a")
    box.type("0,05")
    assert box.input_value() == "0.05"
    box.press("Enter")
    page.wait_for_function("() => location.search.includes('adam_lr=0.05&')", timeout=30_000)


def test_a_pasted_comma_decimal_is_read_and_a_number_with_separators_is_refused(page, app_url):
    box = _lr_box(page, app_url)
    _paste(box, "0,02")
    assert box.input_value() == "0.02"
    before = box.input_value()
    _paste(box, "1,000.5")
    assert box.input_value() == before  # refused: not read as 1 or 1000.5
    assert box.evaluate("el => el.validationMessage").startswith("Use a point for decimals")


def test_on_the_explorer_a_typed_comma_is_the_decimal_point(page, app_url):
    page.goto(f"{app_url}/explorer?surface=bowl&opt=sgd")
    page.wait_for_selector('[data-testid="lab-step"]', timeout=90_000)
    page.wait_for_function(DONE, timeout=60_000)
    page.wait_for_function("() => window.__labDecimalComma === true", timeout=30_000)
    box = page.get_by_role("spinbutton", name="γ `lr`")
    box.click()
    box.press("Control+a")
    box.type("0,05")
    assert box.input_value() == "0.05"
    box.press("Enter")
    page.wait_for_function("() => /[?&]lr=0\\.05(&|$)/.test(location.search)", timeout=30_000)
