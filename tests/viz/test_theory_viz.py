"""viz.theory: the overlay is the local quadratic model's own shape (level sets of ½dᵀHd, asymptotes of zero
curvature, axes along the eigenvectors), step by step; the edge-of-stability chart carries the sharpness and
its limit; every chart text is at least 14 px."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import optimizers
import surfaces
from optimizers import analysis
from viz import surface_map as sm
from viz.theory import SIZE, EdgeSeries, QuadraticOverlay, edge_of_stability_figure, quadratic_overlay, sharpness_figure

RAVINE = surfaces.get("ravine")
SADDLE = surfaces.get("saddle")
ROSEN = surfaces.get("rosenbrock")
HIMMEL = surfaces.get("himmelblau")


def _xy(trace) -> np.ndarray:
    return np.stack([sm.unpack(trace["x"]), sm.unpack(trace["y"])], axis=-1)


def _extent(surface) -> float:
    (x0, x1), (y0, y1) = surface.bounds
    return SIZE * min(x1 - x0, y1 - y0)


@pytest.mark.parametrize("surface, point", [(RAVINE, (-4.0, 1.5)), (ROSEN, (-1.0, 0.5)), (HIMMEL, (0.0, 0.0))])
def test_at_a_definite_point_the_shape_is_an_ellipse_level_set_of_the_hessian(surface, point):
    shape, axes, labels = quadratic_overlay(surface, point)
    m = analysis.quadratic_model(surface, point)
    assert m.kind in ("minimum", "maximum")
    d = _xy(shape) - m.point
    d = d[np.isfinite(d).all(axis=1)]
    level = np.einsum("ni,ij,nj->n", d, m.hessian, d)
    np.testing.assert_allclose(level, level[0], rtol=1e-5)  # float32 on the wire
    # its longest semi-axis is SIZE of the view's smaller side, along the flattest direction
    far = d[np.argmax(np.hypot(*d.T))]
    assert np.hypot(*far) == pytest.approx(_extent(surface), rel=1e-5)
    assert abs(far @ m.eigenvectors[:, int(np.argmin(np.abs(m.eigenvalues)))]) == pytest.approx(
        np.hypot(*far), rel=1e-5
    )
    # the axes run along the eigenvectors, through the point
    seg = _xy(axes)[:6]
    for i in range(2):
        a, b = seg[3 * i] - m.point, seg[3 * i + 1] - m.point
        np.testing.assert_allclose(a, -b, atol=1e-5)
        assert abs(a @ m.eigenvectors[:, i]) == pytest.approx(np.hypot(*a), rel=1e-5)
    assert labels["text"] == [f"λ₁ = {m.eigenvalues[0]:.3g}", f"λ₂ = {m.eigenvalues[1]:.3g}"]


def test_at_a_saddle_the_branches_are_level_sets_of_both_signs_and_the_asymptotes_have_zero_curvature():
    point = (1.0, 0.3)
    shape, axes, _ = quadratic_overlay(SADDLE, point)
    m = analysis.quadratic_model(SADDLE, point)
    d = _xy(shape) - m.point
    d = d[np.isfinite(d).all(axis=1)]
    level = np.einsum("ni,ij,nj->n", d, m.hessian, d)
    assert (level > 0).any() and (level < 0).any()
    np.testing.assert_allclose(np.abs(level), np.abs(level[0]), rtol=1e-4)
    asym = _xy(axes)[6:]
    for i in (0, 3):
        a = asym[i] - m.point
        assert a @ m.hessian @ a == pytest.approx(0.0, abs=1e-5 * (a @ a) * 2)
        assert np.hypot(*a) == pytest.approx(_extent(SADDLE), rel=1e-5)


def test_the_overlay_follows_the_run_step_by_step():
    traj = optimizers.run(optimizers.make("sgd", lr=0.001), ROSEN, np.array([-1.0, 0.5]), 40)
    ov = QuadraticOverlay(ROSEN, traj.points)
    for t in (0, 7, 40):
        m = analysis.quadratic_model(ROSEN, traj.points[t])
        np.testing.assert_allclose(ov.eigenvalues[t], m.eigenvalues, rtol=1e-12)
        shape = ov.traces(t)[0]
        d = _xy(shape) - traj.points[t]
        d = d[np.isfinite(d).all(axis=1)]
        level = np.abs(np.einsum("ni,ij,nj->n", d, m.hessian, d))  # the path crosses a saddle region here
        np.testing.assert_allclose(level, level[0], rtol=1e-4)
        assert ov.frame(t)[2]["text"] == ov.label_text(t)
    go.Figure({"data": ov.traces(3), "layout": {}})  # valid Plotly


def test_an_undefined_point_gives_empty_traces():
    class Broken:
        bounds = ((-1.0, 1.0), (-1.0, 1.0))

        def hessian(self, xy):
            return np.full(np.shape(xy)[:-1] + (2, 2), np.nan)

    shape, axes, labels = QuadraticOverlay(Broken(), [(0.0, 0.0)]).traces(0)
    assert len(sm.unpack(shape["x"])) == 0 and len(sm.unpack(axes["x"])) == 0 and labels["text"] == []


def test_the_edge_of_stability_chart_carries_the_sharpness_and_the_limit():
    traj = optimizers.run(optimizers.make("sgd", lr=0.078), RAVINE, np.array([-4.0, 1.5]), 50)
    s = analysis.sharpness(traj, RAVINE)
    fig = sharpness_figure(s)
    line, limit = fig.data
    np.testing.assert_array_equal(sm.unpack(line.y), s.sharpness)  # float64 on the wire
    np.testing.assert_array_equal(sm.unpack(line.x), np.arange(51))
    assert list(limit.y) == [2 / 0.078, 2 / 0.078] and "2/γ" in limit.name
    many = edge_of_stability_figure(
        [
            EdgeSeries("a", np.arange(3), np.array([1.0, 2.0, 3.0]), 4.0, "2/γ"),
            EdgeSeries("b", np.arange(3), np.ones(3), None),
        ]
    )
    assert [t.name for t in many.data] == ["a", "a: 2/γ = 4", "b"]


def _font_sizes(fig: go.Figure) -> list[float]:
    sizes = [fig.layout.font.size, fig.layout.legend.font.size]
    for ax in (fig.layout.xaxis, fig.layout.yaxis):
        sizes += [ax.title.font.size, ax.tickfont.size]
    return sizes


def test_chart_text_is_at_least_14_px():
    s = analysis.sharpness(optimizers.run(optimizers.make("sgd"), RAVINE, np.array([-4.0, 1.5]), 5), RAVINE)
    assert min(_font_sizes(sharpness_figure(s))) >= 14
    labels = quadratic_overlay(RAVINE, (-4.0, 1.5))[2]
    assert labels["textfont"]["size"] >= 14


def test_a_log_chart_spans_the_values_and_limits_with_written_out_ticks():
    from viz.theory import edge_of_stability_spec

    spec = edge_of_stability_spec(
        [
            EdgeSeries("a", np.arange(3), np.array([1.2, 3.0, np.nan]), 380.0),
            EdgeSeries("b", np.arange(3), np.ones(3), 20.0),
        ],
        log_y=True,
    )
    y = spec["layout"]["yaxis"]
    assert y["type"] == "log" and spec["layout"]["shapes"] == []
    lo, hi = y["range"]
    assert 10**lo < 1.0 and 10**hi > 380.0
    assert y["tickvals"] == [1, 2, 5, 10, 20, 50, 100, 200, 500] and y["ticktext"][-1] == "500"


# -- the stage's arrays (viz.theory.stage_model) --------------------------------------------------------------
class _Quad:
    """f = ½ pᵀ H p with a fixed H (what stage_model reads: hessian)."""

    bounds = ((-2.0, 2.0), (-1.0, 1.0))

    def __init__(self, h):
        self.h = np.asarray(h, dtype=float)

    def hessian(self, p):
        return np.broadcast_to(self.h, np.shape(p)[:-1] + (2, 2))


@pytest.mark.parametrize(
    ("h", "kind", "kappa"),
    [
        ([[4.0, 1.0], [1.0, 2.0]], 1, None),  # a minimum: κ = λmax/λmin
        ([[-4.0, 1.0], [1.0, -2.0]], 2, np.nan),  # a maximum: no κ
        ([[1.0, 0.0], [0.0, -3.0]], 3, np.nan),  # a saddle: no κ, asymptotes
        ([[0.0, 0.0], [0.0, 3.0]], 0, np.inf),  # flat along x: κ infinite, no shape
    ],
)
def test_stage_model_per_kind_of_point(h, kind, kappa):
    from viz.theory import stage_model

    surf = _Quad(h)
    pts = np.array([[0.1, 0.2], [-0.3, 0.4], [0.0, 0.0]])
    m = stage_model(surf, pts)
    w, v = np.linalg.eigh(np.asarray(h))
    extent = SIZE * 2.0  # the smaller side of the view is 2
    assert (m["kind"] == kind).all()
    np.testing.assert_allclose(m["eigenvalues"], np.tile(w, (3, 1)), atol=1e-12)
    if kappa is None:
        np.testing.assert_allclose(m["kappa"], w[1] / w[0], rtol=1e-12)
    else:
        np.testing.assert_array_equal(m["kappa"], kappa)
    lengths = np.linalg.norm(m["axes"], axis=-1)  # (n, 2)
    assert np.isclose(lengths.max(axis=1), extent).all()  # the longest axis is the extent
    if kind in (1, 2, 3):
        # along the eigenvectors, semi-axes in the ratio √(|λmin|/|λmax|) (½dᵀ|H|d constant)
        for i in range(2):
            a = m["axes"][:, i]
            assert np.allclose(a[:, 0] * v[1, i] - a[:, 1] * v[0, i], 0, atol=1e-12)
        np.testing.assert_allclose(lengths[:, 1] / lengths[:, 0], np.sqrt(abs(w[0]) / abs(w[1])), rtol=1e-12)
    if kind == 3:
        for j in range(2):
            d = m["asymptotes"][:, j]
            np.testing.assert_allclose(np.einsum("ni,ij,nj->n", d, h, d), 0, atol=1e-12)
    else:
        assert np.isnan(m["asymptotes"]).all()
