"""What "readable on a projector" means, measured in the browser: shared by the pages' browser tests.

smallest_chart_text(chart)      the smallest font size (CSS px) of any text a Plotly chart draws
boxes(chart, selector)          bounding boxes of the chart's parts (legend, axis titles, ...)
overlap(a, b)                   the area two boxes share (0 when apart)
visible_height(page)            the viewport's height under Streamlit's top bar
"""

from __future__ import annotations

PROJECTOR = {"width": 1280, "height": 720}
MIN_TEXT_PX = 14


def smallest_chart_text(chart) -> float:
    """The smallest computed font size among the chart's visible SVG texts (ticks, titles, legend, annotations)."""
    return chart.evaluate(
        """el => {
            const sizes = [...el.querySelectorAll('svg text')]
                .filter(t => t.textContent.trim() && t.getBBox().width > 0)
                .map(t => parseFloat(getComputedStyle(t).fontSize));
            return sizes.length ? Math.min(...sizes) : 0;
        }"""
    )


def boxes(chart, selector: str) -> list[dict]:
    return [b for b in (el.bounding_box() for el in chart.locator(selector).all()) if b]


def overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def visible_height(page) -> float:
    """The viewport's height below Streamlit's top bar (the header that stays over the page when it scrolls)."""
    top = page.evaluate(
        "(() => { const h = document.querySelector('[data-testid=\"stHeader\"]');"
        " return h ? h.getBoundingClientRect().bottom : 0; })()"
    )
    return page.viewport_size["height"] - top
