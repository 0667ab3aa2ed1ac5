"""The Guide in a real browser: headings, rendered formulas, the family tree, and a Try-it link that lands
on the Explorer with the demo's settings in the URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

import optimizers
from content.guide import BY_NAME, demos
from content.guide.theory import theory_demos

from .conftest import SHOTS

pytestmark = pytest.mark.browser


def _open_guide(page, app_url):
    # Start from the home page and navigate in-app, as a visitor does.
    page.goto(app_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.get_by_role("link", name="Guide").first.click()
    page.wait_for_selector(f"h2#{optimizers.NAMES[-1]}", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_the_guide_reads_well(page, app_url, screenshot):
    _open_guide(page, app_url)
    for name in optimizers.NAMES:
        heading = page.locator(f"h2#{name}")
        assert heading.count() == 1 and optimizers.get(name).title in heading.inner_text()
    n_formulas = sum(len(s.formulas) for s in BY_NAME.values())
    assert page.locator(".katex-display").count() == n_formulas  # every rule typeset as display maths
    assert page.locator(".katex-error").count() == 0
    tree = page.locator(".js-plotly-plot").first
    box = tree.bounding_box()
    assert box["width"] > 600 and box["height"] > 400
    assert page.locator('[data-testid="stPageLink"]').count() == len(demos()) + len(theory_demos())
    # the whole page, tall enough to show every section (Streamlit scrolls an inner container)
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(int(height), 30_000)})
    page.wait_for_timeout(1500)
    screenshot("guide")


def test_a_try_it_link_opens_the_explorer_with_its_settings(page, app_url):
    _open_guide(page, app_url)
    demo = next(d for d in demos() if d.key == "adagrad-shrinks")
    link = page.locator('[data-testid="stPageLink"] a', has_text=demo.label)
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/explorer?**", timeout=30_000)
    got = urlsplit(page.url)
    assert got.path.endswith("/explorer")
    # the Explorer may add keys of its own when it mirrors its state, but keeps the link's values
    wanted = dict(parse_qsl(urlsplit(demo.link()).query))
    shown = dict(parse_qsl(got.query))
    for key, value in wanted.items():
        assert key in shown, key
        try:
            assert float(shown[key]) == float(value), key
        except ValueError:
            assert shown[key] == value, key


def test_on_a_projector_the_tree_reads_from_the_back_and_the_state_table_is_whole(page, app_url, screenshot):
    from tests.browser.projector import MIN_TEXT_PX, PROJECTOR, smallest_chart_text, visible_height

    page.set_viewport_size(PROJECTOR)
    _open_guide(page, app_url)
    tree = page.locator(".js-plotly-plot").first
    tree.scroll_into_view_if_needed()
    assert smallest_chart_text(tree) >= MIN_TEXT_PX
    assert tree.bounding_box()["height"] <= visible_height(page)
    table = page.locator("table").filter(has_text="Kept between steps").first
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    # every optimizer's row is in the page (no inner scroll), and no cell is cut: the table is no wider than its
    # column of the page, and each cell shows its whole text (its content fits its box)
    assert table.locator("tbody tr").count() == len(optimizers.NAMES)
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    box = table.bounding_box()
    assert box["x"] + box["width"] <= main["x"] + main["width"] + 1
    cut = table.evaluate("t => [...t.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1).length")
    assert cut == 0
    screenshot("guide_projector_state_table")


# each label of the tree (its box's text) against the boxes: [label text, its box, the box it sits in (or null)]
TREE_LABELS = """tree => {
  const boxes = [...tree.querySelectorAll('.shapelayer path')].map(s => s.getBoundingClientRect())
    .filter(b => b.width > 20 && b.height > 20);
  return [...tree.querySelectorAll('.annotation-text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect(), cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    const b = boxes.find(b => cx > b.left && cx < b.right && cy > b.top && cy < b.bottom);
    return [t.textContent, [r.left, r.top, r.right, r.bottom], b ? [b.left, b.top, b.right, b.bottom] : null];
  });
}"""


def test_on_a_projector_every_label_of_the_tree_stays_in_its_box(page, app_url):
    from tests.browser.projector import PROJECTOR, boxes, overlap

    page.set_viewport_size(PROJECTOR)
    _open_guide(page, app_url)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    tree = page.locator(".js-plotly-plot").first
    tree.scroll_into_view_if_needed()
    labels = tree.evaluate(TREE_LABELS)
    assert len(labels) == len(optimizers.NAMES)
    for text, (l, t, r, b), box in labels:
        assert box is not None, text
        assert l >= box[0] - 0.5 and r <= box[2] + 0.5 and t >= box[1] - 0.5 and b <= box[3] + 0.5, (text, box)
    legend = tree.locator(".legend").bounding_box()
    for shape in boxes(tree, ".shapelayer path"):
        assert overlap(legend, shape) == 0, (legend, shape)  # the legend lies in the empty corner
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(2, 2)
    page.screenshot(path=str(SHOTS / "guide-tree-1280x720.png"))
