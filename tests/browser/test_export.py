"""The exported HTML files in Chromium, opened from file:// with every other request blocked: they draw, they
play (the step readout and the figure advance), the numbers panel shows the run's numbers, every text is at
least 14 px, and they make no request. No server is involved."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import surfaces
from content import presets
from optimizers import analysis
from viz import export

ROSEN = surfaces.get("rosenbrock")


def _run(name: str, steps: int, **hp):
    hp = {**presets.recommended(name, "rosenbrock"), **hp}
    return optimizers.run(optimizers.make(name, **hp), ROSEN, ROSEN.default_start, steps)


def _open(browser, path):
    """Open `path` from file:// with every other request aborted; return (page, context, requests made)."""
    url = path.as_uri()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#plot[data-ready='1'] .scatterlayer .trace", timeout=30_000)
    return page, context, requests, errors


def _min_font_px(page) -> float:
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg text, body *')]
             .filter(e => e.childElementCount === 0 && e.textContent.trim() && e.getClientRects().length)
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )


def _plays(page) -> int:
    assert page.inner_text("#readout").startswith("step 0 /")
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('plot').dataset.drawn) >= 5", timeout=20_000)
    page.click("#play")  # pause
    t = int(page.inner_text("#readout").split()[1])
    assert t >= 5
    page.wait_for_function(f"Number(document.getElementById('plot').dataset.drawn) === {t}", timeout=10_000)
    return t


def test_a_run_draws_plays_and_asks_for_nothing(browser, tmp_path):
    traj = _run("adam", 500)
    link = "http://10.1.2.3:8501/" + presets.explorer_link("rosenbrock", "adam", (-1.5, 2.0), 500, lr=0.1)
    path = tmp_path / "run.html"
    path.write_text(export.explorer_html(traj, ROSEN, link=link), encoding="utf-8")
    page, context, requests, errors = _open(browser, path)
    try:
        t = _plays(page)
        # the path drawn is the run's, to step t; the panel shows step t's numbers
        xs = page.evaluate("document.getElementById('plot').data[document.getElementById('plot').layout.meta.path].x")
        np.testing.assert_allclose(np.asarray(xs, dtype=float), traj.points[: t + 1, 0], rtol=1e-6)
        assert page.inner_text("#panel-t") == str(t)
        cells = page.locator("#panel tr").all_inner_texts()
        theta = next(c for c in cells if c.startswith("θ\t"))
        x, y = (float(v) for v in theta.split("\t")[1:3])
        np.testing.assert_allclose([x, y], traj.points[t], rtol=1e-5)
        # the scrubber moves it too
        page.eval_on_selector("#scrub", "e => { e.value = 500; e.dispatchEvent(new Event('input')); }")
        page.wait_for_function("document.getElementById('plot').dataset.drawn === '500'", timeout=10_000)
        assert page.inner_text("#readout") == "step 500 / 500"
        assert page.get_attribute("#applink", "href") == link
        assert _min_font_px(page) >= 14
        assert requests == [path.as_uri()] and errors == []
    finally:
        context.close()


def test_a_diverged_run_ends_at_its_last_step_and_says_why(browser, tmp_path):
    traj = _run("sgd", 300, lr=0.05)
    assert traj.diverged_at == 2
    path = tmp_path / "diverged.html"
    path.write_text(export.explorer_html(traj, ROSEN), encoding="utf-8")
    page, context, requests, errors = _open(browser, path)
    try:
        assert "diverged at step 2" in page.inner_text("#notice")
        assert page.inner_text("#readout") == "step 0 / 1"
        page.click("#play")
        page.wait_for_function("document.getElementById('plot').dataset.drawn === '1'", timeout=10_000)
        page.wait_for_timeout(400)
        assert page.inner_text("#readout") == "step 1 / 1" and page.inner_text("#play") == "▶ Play"
        assert requests == [path.as_uri()] and errors == []
    finally:
        context.close()


@pytest.mark.parametrize("steps", [300])
def test_a_race_draws_plays_and_asks_for_nothing(browser, tmp_path, steps):
    names = ["sgd", "momentum", "adam"]
    opts = [optimizers.make(n, **presets.recommended(n, "rosenbrock")) for n in names]
    trajs = analysis.race(opts, ROSEN, ROSEN.default_start, steps, 0.0, 0, record=False)
    path = tmp_path / "race.html"
    path.write_text(export.race_html(ROSEN, trajs, names, names, f_star=0.0, link="http://h:8501/compare"))
    page, context, requests, errors = _open(browser, path)
    try:
        t = _plays(page)
        gd = "document.getElementById('plot')"
        for first, traj in zip(page.evaluate(f"{gd}.layout.meta.racers"), trajs, strict=True):
            ys = page.evaluate(f"{gd}.data[{first}].y")
            np.testing.assert_allclose(np.asarray(ys, dtype=float), traj.points[: t + 1, 1], rtol=1e-6)
        assert _min_font_px(page) >= 14
        assert requests == [path.as_uri()] and errors == []
    finally:
        context.close()


def test_compare_downloads_a_race_file_that_links_back_to_the_same_race(app_url, page, tmp_path):
    """On a real server: the deferred HTML download of Compare's race, and its link back to the same settings."""
    import re
    from urllib.parse import parse_qsl, urlsplit

    page.goto(f"{app_url}/compare?preset=beale")
    heading = page.get_by_text("Take the race to class")
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download animation (HTML)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "race-beale.html"
    html = path.read_text(encoding="utf-8")
    link = re.search(r'id="applink" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    shown = urlsplit(page.url)
    assert link.startswith(f"{app_url}/compare?")
    assert dict(parse_qsl(urlsplit(link).query, keep_blank_values=True)) == dict(
        parse_qsl(shown.query, keep_blank_values=True)
    )
    assert "Race on Beale" in html


def test_a_run_with_theory_draws_the_quadratic_model_at_each_step(browser, tmp_path):
    """The ellipse drawn at step t is a level set of the Hessian at θₜ around θₜ, and the panel shows λmin."""
    ravine = surfaces.get("ravine")
    hp = presets.recommended("momentum", "ravine")
    traj = optimizers.run(optimizers.make("momentum", **hp), ravine, ravine.default_start, 80)
    path = tmp_path / "theory.html"
    path.write_text(export.explorer_html(traj, ravine, theory=True), encoding="utf-8")
    page, context, requests, errors = _open(browser, path)
    try:
        page.eval_on_selector("#scrub", "e => { e.value = 40; e.dispatchEvent(new Event('input')); }")
        page.wait_for_function("document.getElementById('plot').dataset.drawn === '40'", timeout=10_000)
        trace = page.evaluate(
            "(() => { const gd = document.getElementById('plot');"
            " return gd.data.find((d) => (d.name || '').startsWith('local quadratic model')); })()"
        )
        d = np.stack([np.asarray(trace["x"], float), np.asarray(trace["y"], float)], -1) - traj.points[40]
        assert len(d) == 73
        level = np.einsum("ni,ij,nj->n", d, ravine.hessian(traj.points[40]), d)
        np.testing.assert_allclose(level, level[0], rtol=1e-4)  # the file keeps 6-7 digits
        cells = page.locator("#panel tr").all_inner_texts()
        assert any(c.startswith("λmin\t0.5") for c in cells) and any(c.startswith("κ\t50") for c in cells)
        assert requests == [path.as_uri()] and errors == []
    finally:
        context.close()
