"""viz.family_tree: the descent the Guide tells, drawn so that every box and arrow can be read."""

import itertools
import re

import numpy as np
import pytest

import optimizers
from viz import family_tree as ft

# The lineage the Guide tells (issue 8), written out independently of the module's table.
EXPECTED_EDGES = {
    ("sgd", "momentum"),
    ("momentum", "nesterov"),
    ("sgd", "adagrad"),
    ("adagrad", "rmsprop"),
    ("adagrad", "adadelta"),
    ("momentum", "adam"),
    ("rmsprop", "adam"),
    ("adam", "amsgrad"),
    ("adam", "adamax"),
    ("adam", "nadam"),
    ("nesterov", "nadam"),
    ("adam", "adamw"),
    ("adam", "radam"),
    ("adam", "yogi"),
    ("adam", "adabelief"),
    ("adam", "adafactor"),
    ("momentum", "signum"),
    ("signum", "lion"),
    ("adamw", "lion"),
    ("adam", "lookahead"),
    ("momentum", "sf_sgd"),
    ("sf_sgd", "sf_adamw"),
    ("adamw", "sf_adamw"),
}


def test_the_edges_are_the_lineage():
    assert set(ft.EDGES) == EXPECTED_EDGES
    assert len(ft.EDGES) == len(set(ft.EDGES))


@pytest.mark.parametrize("table", ["POSITIONS", "YEARS", "CHANGE", "FAMILY"])
def test_every_optimizer_has_an_entry_and_nothing_else(table):
    assert set(getattr(ft, table)) == set(optimizers.NAMES)


def test_newton_stands_apart_and_the_rest_descend_from_sgd():
    assert all("newton" not in e for e in ft.EDGES)
    reached, frontier = {"sgd"}, ["sgd"]
    while frontier:
        node = frontier.pop()
        for p, c in ft.EDGES:
            if p == node and c not in reached:
                reached.add(c)
                frontier.append(c)
    assert reached == set(optimizers.NAMES) - {"newton"}


@pytest.mark.parametrize("parent,child", sorted(EXPECTED_EDGES))
def test_arrows_run_left_to_right(parent, child):
    assert ft.POSITIONS[child][0] > ft.POSITIONS[parent][0]
    assert parent in ft.parents(child)


def _inside(name, xs, ys, margin=0.0):
    x, y = ft.POSITIONS[name]
    return (np.abs(xs - x) < ft.HALF_WIDTH - margin) & (np.abs(ys - y) < ft.half_height(name) - margin)


def test_boxes_do_not_overlap():
    for a, b in itertools.combinations(ft.POSITIONS, 2):
        (xa, ya), (xb, yb) = ft.POSITIONS[a], ft.POSITIONS[b]
        apart = abs(xa - xb) >= 2 * ft.HALF_WIDTH + 0.1 or abs(ya - yb) >= ft.half_height(a) + ft.half_height(b) + 0.1
        assert apart, f"{a} and {b} overlap"


@pytest.mark.parametrize("parent,child", sorted(EXPECTED_EDGES))
def test_an_arrow_crosses_no_box_and_touches_both_ends(parent, child):
    xs, ys = ft.edge_path(parent, child, n=400)
    for name in ft.POSITIONS:
        assert not _inside(name, xs, ys, margin=1e-9).any(), f"{parent}->{child} crosses {name}"
    (xp, yp), (xc, yc) = ft.POSITIONS[parent], ft.POSITIONS[child]
    assert (xs[0], ys[0]) == pytest.approx((xp + ft.HALF_WIDTH, yp))
    assert (xs[-1], ys[-1]) == pytest.approx((xc - ft.HALF_WIDTH, yc))


def test_the_figure_has_a_box_a_label_and_an_arrowhead_for_everything():
    fig = ft.family_tree()
    labels = {a.name: a.text for a in fig.layout.annotations if a.name}
    for name in optimizers.NAMES:
        lines = re.sub(r"<[^>]+>", "", labels[f"node:{name}"].replace("<br>", "\n"))
        text = lines.replace("-\n", "-").replace("\n", " ")  # the label read across its line breaks
        assert optimizers.get(name).title in text and ft.YEARS[name] in text and ft.CHANGE[name] in text
        assert all(ft._px(line) <= ft.LABEL_PX * 1.12 for line in lines.split("\n")), lines  # wrapped to the box
    heads = [a for a in fig.layout.annotations if a.showarrow]
    assert len(heads) == len(ft.EDGES)
    boxes = [s for s in fig.layout.shapes if s.name and s.name.startswith("box:")]
    assert sorted(s.name[4:] for s in boxes) == sorted(optimizers.NAMES)
    edge_traces = [t for t in fig.data if t.mode == "lines"]
    assert len(edge_traces) == len(ft.EDGES)
    legend = {t.name for t in fig.data if t.showlegend is not False}
    assert legend == set(ft.COLOURS)
    fig.to_json()  # serialisable for st.plotly_chart


def test_highlight_thickens_one_border():
    widths = {s.name[4:]: s.line.width for s in ft.family_tree(highlight="adam").layout.shapes if s.name}
    assert widths["adam"] > max(w for n, w in widths.items() if n != "adam")
    with pytest.raises(ValueError, match="unknown optimizer"):
        ft.family_tree(highlight="adamm")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("average instead of momentum", ["average instead of", "momentum"]),
        ("m ÷ √v, bias-corrected", ["m ÷ √v, bias-", "corrected"]),
        ("look ahead", ["look ahead"]),
        ("平均代替动量平均代替动量平均代替动量", ["平均代替动量平均", "代替动量平均代替", "动量"]),
    ],
)
def test_wrap_breaks_at_spaces_hyphens_and_between_cjk_characters(text, lines):
    assert ft.wrap(text) == lines
