"""The fcnn style: columns of neurons, bundled edges, elision, labels and limits."""

from __future__ import annotations

import copy
import math
import re
import time
from itertools import pairwise
from typing import Any

import pytest

from nnsketch.errors import LimitError
from nnsketch.primitives import Circle, Drawing, Group, Node, Path, walk
from nnsketch.render import build
from tests.checks import (
    SVG_NS,
    assert_finite_and_inside,
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    layer_index,
    parse_svg,
    svg_layer_groups,
    texts,
    union_box,
)
from tests.conftest import load

OPTION_SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "vertical": {"direction": "vertical"},
    "bezier": {"edge_shape": "bezier"},
    "weights": {"weight_width": True, "weight_opacity": True, "weight_color": True},
    "arrows": {"arrowheads": True},
    "bias": {"show_bias": True},
    "full": {"elide": False, "max_nodes": 200},
    "top": {"label_position": "top", "show_bias": True},
    "vertical-all": {
        "direction": "vertical", "label_position": "top", "show_bias": True,
        "arrowheads": True, "edge_shape": "bezier", "weight_color": True, "weight_width": True,
    },
}  # fmt: skip


def spec(name: str = "mlp", **fcnn: Any) -> dict[str, Any]:
    data = load(name)
    data["style"] = "fcnn"
    data.setdefault("options", {})
    data["options"]["fcnn"] = {**data["options"].get("fcnn", {}), **fcnn}
    return data


def mlp(*units: int, **fcnn: Any) -> dict[str, Any]:
    layers: list[dict[str, Any]] = [{"type": "input", "units": units[0]}]
    layers += [{"type": "dense", "units": n} for n in units[1:]]
    return {"style": "fcnn", "layers": layers, "options": {"fcnn": fcnn}}


def sub(group: Group, cls: str) -> Group | None:
    """The child group of a layer group with class `cls`."""
    for child in group.children:
        if isinstance(child, Group) and cls in child.classes:
            return child
    return None


def node_circles(group: Group) -> list[Circle]:
    nodes = sub(group, "nodes")
    assert nodes is not None
    return [c for c in nodes.children if isinstance(c, Circle)]


def edge_groups(drawing: Drawing) -> list[Group]:
    return [c for c in drawing.children if isinstance(c, Group) and "edges" in c.classes]


def subpaths(path: Path) -> list[list[tuple[str, tuple[float, ...]]]]:
    out: list[list[tuple[str, tuple[float, ...]]]] = []
    for cmd in path.commands:
        if cmd[0] == "M":
            out.append([])
        out[-1].append(cmd)
    return out


def stroked(group: Group) -> list[Path]:
    return [p for p in group.children if isinstance(p, Path) and p.fill == "none"]


def heads(group: Group) -> list[Path]:
    return [p for p in group.children if isinstance(p, Path) and p.fill != "none"]


# -- geometry invariants ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["mlp", "small_mlp"])
@pytest.mark.parametrize("opts", list(OPTION_SETS), ids=list(OPTION_SETS))
def test_finite_inside_and_labels_apart(name: str, opts: str) -> None:
    data = spec(name, **OPTION_SETS[opts])
    if opts == "full" and name == "mlp":
        data["layers"][0]["units"] = 196  # a 14x14 input keeps the unelided edges in bounds
    drawing = build(data).drawing
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing, gap=2.0)


def test_every_example_draws_in_the_fcnn_style(example: dict[str, Any]) -> None:
    drawing = build({**example, "style": "fcnn"}).drawing
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)


def test_one_column_per_layer_that_is_not_pass_through() -> None:
    data = spec("mnist_cnn")
    data["layers"].insert(-1, {"type": "softmax"})
    data["layers"].insert(2, {"type": "norm", "kind": "batch"})
    drawing = build(data).drawing
    passing = {"dropout", "activation", "norm", "softmax"}
    expected = [i for i, layer in enumerate(data["layers"]) if layer["type"] not in passing]
    groups = layer_groups(drawing)
    assert [layer_index(g) for g in groups] == expected
    folded = {layer_index(g): dict(g.data).get("folded") for g in groups}
    assert folded[1] == "2"  # the norm after the first conv
    words = " ".join(t.text for t in texts(drawing))
    assert "dropout 0.5" in words and "softmax" in words and "Batch norm" in words
    assert "Convolution 3×3" in words and "ReLU" in words


def test_circles_per_column_elided_and_full() -> None:
    elided = layer_groups(build(spec("mlp")).drawing)
    assert [len(node_circles(g)) for g in elided] == [16, 16, 16, 10]
    assert [sub(g, "ellipsis") is not None for g in elided] == [True, True, True, False]
    full = layer_groups(build(mlp(196, 128, 64, 10, elide=False)).drawing)
    assert [len(node_circles(g)) for g in full] == [196, 128, 64, 10]
    assert all(sub(g, "ellipsis") is None for g in full)
    odd = layer_groups(build(spec("mlp", max_nodes=5)).drawing)
    assert [len(node_circles(g)) for g in odd] == [5, 5, 5, 5]


def test_elision_keeps_first_and_last_nodes_around_the_dots() -> None:
    group = layer_groups(build(spec("mlp")).drawing)[0]
    ys = [c.cy for c in node_circles(group)]
    steps = [b - a for a, b in pairwise(ys)]
    pitch = min(steps)
    assert steps.count(pitch) == 14 and max(steps) == pytest.approx(2 * pitch)
    gap_at = steps.index(max(steps))
    assert gap_at == 7  # 8 first nodes, then the ellipsis, then 8 last nodes
    dots = sub(group, "ellipsis")
    assert dots is not None and len(dots.children) == 3
    for dot in dots.children:
        assert isinstance(dot, Circle)
        assert ys[gap_at] + 10 < dot.cy < ys[gap_at + 1] - 10
    label = sub(group, "label")
    assert label is not None and any(r.text == "784" for t in label.children for r in t.runs)


def test_columns_left_to_right_centred_on_one_axis() -> None:
    groups = layer_groups(build(spec("mlp")).drawing)
    boxes = [union_box(list(sub(g, "nodes").children)) for g in groups]  # type: ignore[union-attr]
    for a, b in pairwise(boxes):
        assert a is not None and b is not None
        assert a.x1 + 8 <= b.x0
    centres = [(b.y0 + b.y1) / 2 for b in boxes if b is not None]
    assert max(centres) - min(centres) < 1e-6


def test_vertical_rows_top_to_bottom_nodes_across() -> None:
    groups = layer_groups(build(spec("mlp", direction="vertical")).drawing)
    boxes = [union_box(list(sub(g, "nodes").children)) for g in groups]  # type: ignore[union-attr]
    for a, b in pairwise(boxes):
        assert a is not None and b is not None
        assert a.y1 + 8 <= b.y0
    for box in boxes:
        assert box is not None and box.width > 5 * box.height
    centres = [(b.x0 + b.x1) / 2 for b in boxes if b is not None]
    assert max(centres) - min(centres) < 1e-6


def test_layer_color_replaces_node_fill() -> None:
    data = spec("small_mlp", node_fill="#eeeeee")
    data["layers"][1]["color"] = "#ff8800"
    groups = layer_groups(build(data).drawing)
    assert {c.fill for c in node_circles(groups[1])} == {"#ff8800"}
    assert {c.fill for c in node_circles(groups[2])} == {"#eeeeee"}


# -- edges -----------------------------------------------------------------------------


def test_edges_between_two_layers_are_one_path_with_a_subpath_per_edge() -> None:
    svg = build(spec("mlp")).svg
    root = parse_svg(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if "edges" in (g.get("class") or "").split()]
    assert [g.get("data-layer") for g in groups] == ["1", "2", "3"]
    for g, n in zip(groups, [16 * 16, 16 * 16, 16 * 10], strict=True):
        paths = g.findall(f"{SVG_NS}path")
        assert len(paths) == 1
        d = paths[0].get("d") or ""
        assert d.count("M") == n and d.count("L") == n


def test_weighted_edges_are_bucketed() -> None:
    drawing = build(spec("mlp", weight_width=True, weight_opacity=True, weight_color=True)).drawing
    for group in edge_groups(drawing):
        paths = stroked(group)
        assert 2 <= len(paths) <= 8
        assert len({(p.stroke_width, p.opacity, p.stroke) for p in paths}) == len(paths)
    colors = {p.stroke for g in edge_groups(drawing) for p in stroked(g)}
    assert colors == {"#d62728", "#1f77b4"}
    counts = [sum(len(subpaths(p)) for p in stroked(g)) for g in edge_groups(drawing)]
    assert counts == [256, 256, 160]


def test_bias_units_feed_only_the_next_layers_real_nodes() -> None:
    drawing = build(spec("small_mlp")).drawing  # the example turns show_bias on
    groups = layer_groups(drawing)
    biases = [sub(g, "bias") for g in groups]
    assert [b is not None for b in biases] == [True, True, True, False]
    for b in biases[:3]:
        assert b is not None
        circle = next(c for c in b.children if isinstance(c, Circle))
        assert circle.dash and circle.fill == "#f2f2f2"
        assert any(t.text == "+1" for t in b.children if not isinstance(t, Circle))
    counts = [len(subpaths(stroked(g)[0])) for g in edge_groups(drawing)]
    assert counts == [(4 + 1) * 8, (8 + 1) * 8, (8 + 1) * 2]


def _rims(drawing: Drawing) -> list[tuple[float, float, float]]:
    return [
        (p.cx, p.cy, p.r + p.stroke_width / 2)
        for g in layer_groups(drawing)
        for p in walk(g)
        if isinstance(p, Circle) and p.r > 5
    ]


def _on_a_rim(x: float, y: float, rims: list[tuple[float, float, float]]) -> bool:
    return any(abs(math.hypot(x - cx, y - cy) - r) < 0.02 for cx, cy, r in rims)


@pytest.mark.parametrize("shape", ["straight", "bezier"])
@pytest.mark.parametrize("direction", ["horizontal", "vertical"])
def test_edges_start_and_end_on_circle_rims(shape: str, direction: str) -> None:
    drawing = build(spec("small_mlp", edge_shape=shape, direction=direction)).drawing
    rims = _rims(drawing)
    for group in edge_groups(drawing):
        for path in stroked(group):
            for sp in subpaths(path):
                xs = [v for _, args in sp for v in args]
                assert _on_a_rim(xs[0], xs[1], rims)
                assert _on_a_rim(xs[-2], xs[-1], rims)


def test_arrowheads_touch_the_rims_one_per_edge() -> None:
    drawing = build(spec("small_mlp", arrowheads=True, weight_width=True)).drawing
    rims = _rims(drawing)
    for group in edge_groups(drawing):
        lines = sum(len(subpaths(p)) for p in stroked(group))
        triangles = [sp for p in heads(group) for sp in subpaths(p)]
        assert len(triangles) == lines
        for tri in triangles:
            assert [c for c, _ in tri] == ["M", "L", "L", "Z"]
            assert _on_a_rim(*tri[0][1], rims)


# -- labels ----------------------------------------------------------------------------


def test_default_labels_name_the_layer_with_a_superscript_dimension() -> None:
    drawing = build(mlp(4, 8, 2)).drawing
    words = [t.text for t in texts(drawing)]
    assert any(w.startswith("Input layer") for w in words)
    assert any(w.startswith("Hidden layer") for w in words)
    assert any(w.startswith("Output layer") for w in words)
    sups = [r.text for t in texts(drawing) for r in t.runs if r.sup]
    assert sups == ["4", "8", "2"]
    root = parse_svg(build(mlp(4, 8, 2)).svg)
    spans = [s for s in root.iter(f"{SVG_NS}tspan") if float(s.get("dy") or 0) < 0]
    assert [s.text for s in spans] == ["4", "8", "2"]


def test_a_layer_label_replaces_the_default_name() -> None:
    words = " ".join(t.text for t in texts(build(spec("mlp")).drawing))
    assert "Input ∈ ℝ784" in words and "Input layer" not in words
    assert "Output ∈ ℝ10" in words


def test_labels_below_or_above_every_node() -> None:
    for position in ("bottom", "top"):
        drawing = build(spec("small_mlp", label_position=position)).drawing
        nodes = union_box([c for g in layer_groups(drawing) for c in walk(g)
                           if isinstance(c, Circle)])  # fmt: skip
        assert nodes is not None
        for g in layer_groups(drawing):
            label = sub(g, "label")
            assert label is not None
            box = union_box(list(label.children))
            assert box is not None
            assert box.y0 >= nodes.y1 if position == "bottom" else box.y1 <= nodes.y0


def test_long_labels_widen_the_gap_instead_of_overlapping() -> None:
    data = mlp(3, 3, 3, layer_spacing=40)
    data["layers"][1]["label"] = "Incomprehensibilities"
    drawing = build(data).drawing
    assert_no_text_overlap(drawing, gap=2.0)
    assert_finite_and_inside(drawing)


def test_labels_off_leave_only_the_title() -> None:
    drawing = build(spec("mlp", show_labels=False)).drawing
    assert [t.text for t in texts(drawing)] == ["MNIST multilayer perceptron"]


# -- determinism -----------------------------------------------------------------------


def test_same_spec_same_bytes() -> None:
    data = spec("mlp", weight_width=True, weight_color=True, arrowheads=True)
    assert build(data).svg == build(copy.deepcopy(data)).svg


def _edge_paths(data: dict[str, Any]) -> dict[str, tuple[Node, ...]]:
    return {dict(g.data)["layer"]: g.children for g in edge_groups(build(data).drawing)}


def test_editing_a_later_layer_keeps_the_weights_of_earlier_pairs() -> None:
    data = mlp(6, 7, 5, 4, 3, weight_width=True, weight_opacity=True, weight_color=True)
    before = _edge_paths(data)
    data["layers"][3]["units"] = 6
    after = _edge_paths(data)
    assert before["1"] == after["1"] and before["2"] == after["2"]
    assert before["3"] != after["3"]


# -- limits and output -----------------------------------------------------------------


def test_huge_unelided_network_is_refused_quickly() -> None:
    data = mlp(*([1000] * 10), elide=False)
    start = time.perf_counter()
    with pytest.raises(LimitError) as err:
        build(data)
    assert time.perf_counter() - start < 1.0
    issue = err.value.issues[0]
    assert re.fullmatch(r"layers\[\d\]\.units", issue.loc)
    assert "max_nodes_drawn" in issue.msg or "max_edges_drawn" in issue.msg
    assert "elide" in issue.msg


def test_too_many_nodes_is_refused_with_the_limit_name() -> None:
    with pytest.raises(LimitError) as err:
        build(mlp(6000, 3, elide=False))
    issue = err.value.issues[0]
    assert issue.loc == "layers[0].units" and "max_nodes_drawn" in issue.msg


def test_too_many_elided_layers_point_at_max_nodes() -> None:
    with pytest.raises(LimitError) as err:
        build(mlp(*([100] * 700)))
    issue = err.value.issues[0]
    assert issue.loc == "options.fcnn.max_nodes" and "max_nodes_drawn" in issue.msg


def test_elided_huge_layers_draw_fast() -> None:
    start = time.perf_counter()
    drawing = build(mlp(*([1_000_000] * 6))).drawing
    assert time.perf_counter() - start < 1.0
    assert [len(node_circles(g)) for g in layer_groups(drawing)] == [16] * 6


def test_png_is_not_blank() -> None:
    assert_png_not_blank(build(spec("small_mlp", weight_color=True)).png(scale=1))


def test_svg_groups_map_to_layers() -> None:
    root = parse_svg(build(spec("mnist_cnn")).svg)
    groups = svg_layer_groups(root)
    assert [g.get("data-layer") for g in groups] == ["0", "1", "2", "3", "4", "5", "7", "8"]
    for g in groups:
        assert "column" in (g.get("class") or "").split()
        assert g.findall(f".//{SVG_NS}circle")


def _nodes(node: Node) -> int:
    return sum(1 for _ in walk(node))


def test_element_count_stays_small_for_the_mnist_mlp() -> None:
    drawing = build(spec("mlp")).drawing
    assert sum(_nodes(c) for c in drawing.children) < 120


# -- cost annotations --------------------------------------------------------------------


def costed(name: str = "mlp", wanted: tuple[str, ...] = ("shape", "params", "macs"),
           **fcnn: Any) -> Drawing:  # fmt: skip
    data = spec(name, **fcnn)
    data["options"]["annotations"] = list(wanted)
    return build(data).drawing


def note_lines(group: Group) -> list[str]:
    notes = sub(group, "annotation")
    return [] if notes is None else [t.text for t in walk(notes) if hasattr(t, "runs")]


def test_annotations_list_each_columns_cost_in_small_grey_lines() -> None:
    drawing = costed()
    groups = layer_groups(drawing)
    assert [note_lines(g) for g in groups] == [
        ["784"],
        ["128", "100.5k params", "100.4k MACs"],
        ["64", "8,256 params", "8,192 MACs"],
        ["10", "650 params", "640 MACs"],
    ]
    for g in groups:
        notes, label = sub(g, "annotation"), sub(g, "label")
        assert notes is not None and label is not None
        note_box, label_box = union_box(list(notes.children)), union_box(list(label.children))
        assert note_box is not None and label_box is not None
        assert note_box.y0 >= label_box.y1  # under the label, which is under the column
        for t in walk(notes):
            assert t.size < 12 and t.fill != "#000000"  # type: ignore[union-attr]
    assert_no_text_overlap(drawing, gap=1.0)
    assert_finite_and_inside(drawing)


def test_annotations_stay_under_the_columns_when_labels_go_above() -> None:
    drawing = costed(label_position="top", show_bias=True)
    circles = union_box(
        [c for g in layer_groups(drawing) for c in walk(g) if isinstance(c, Circle)]
    )
    assert circles is not None
    for g in layer_groups(drawing):
        notes, label = sub(g, "annotation"), sub(g, "label")
        assert notes is not None and label is not None
        assert union_box(list(label.children)).y1 <= circles.y0  # type: ignore[union-attr]
        assert union_box(list(notes.children)).y0 >= circles.y1  # type: ignore[union-attr]
    assert_no_text_overlap(drawing, gap=1.0)
    assert_finite_and_inside(drawing)


@pytest.mark.parametrize("opts", list(OPTION_SETS), ids=list(OPTION_SETS))
def test_annotations_never_overlap_in_any_option_set(opts: str) -> None:
    for name in ("small_mlp",) if opts == "full" else ("mlp", "small_mlp", "mnist_cnn"):
        drawing = costed(name, **OPTION_SETS[opts])
        assert_no_text_overlap(drawing, gap=1.0)
        assert_finite_and_inside(drawing)
        nodes = [union_box([c]) for g in layer_groups(drawing) for c in walk(g)
                 if isinstance(c, Circle)]  # fmt: skip
        for g in layer_groups(drawing):
            notes = sub(g, "annotation")
            box = union_box(list(notes.children)) if notes else None
            assert box is not None
            assert not any(n is not None and box.overlaps(n) for n in nodes)


def test_annotations_without_labels_and_in_the_order_asked() -> None:
    drawing = costed(wanted=("macs", "params"), show_labels=False)
    groups = layer_groups(drawing)
    assert all(sub(g, "label") is None for g in groups)
    assert note_lines(groups[1]) == ["100.4k MACs", "100.5k params"]
    assert note_lines(groups[0]) == []  # the input costs nothing
    assert_no_text_overlap(drawing, gap=1.0)


def test_annotations_add_the_cost_of_folded_layers() -> None:
    data = spec("mnist_cnn")
    data["layers"].insert(2, {"type": "norm", "kind": "batch"})
    data["options"]["annotations"] = ["params"]
    diagram = build(data)
    conv, norm = diagram.network.layers[1], diagram.network.layers[2]
    (first,) = [g for g in layer_groups(diagram.drawing) if layer_index(g) == 1]
    assert note_lines(first) == [f"{conv.params + norm.params:,} params"]


def test_no_annotations_by_default() -> None:
    assert not [g for g in layer_groups(build(spec("mlp")).drawing) if sub(g, "annotation")]
