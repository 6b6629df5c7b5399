"""The lenet style: stacks of feature maps, kernels, dense bars, labels and captions."""

from __future__ import annotations

import copy
import math
import time
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from nnsketch.primitives import Box, Drawing, Group, Line, Node, Polygon, Rect, Text, bounds, walk
from nnsketch.render import build
from nnsketch.styles.common import fmt_count, scale_size
from tests.checks import (
    assert_finite_and_inside,
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    parse_svg,
    svg_layer_groups,
    svg_texts,
    texts,
)
from tests.conftest import load
from tests.strategies import chain_specs

EXAMPLES = ("lenet5", "mnist_cnn", "vgg16", "alexnet")
FOLDED = {"norm", "activation", "dropout", "softmax"}


def lenet(name: str = "lenet5", **options: Any) -> dict[str, Any]:
    data = load(name)
    data["style"] = "lenet"
    data.setdefault("options", {})
    data["options"]["lenet"] = {**data["options"].get("lenet", {}), **options}
    return data


def draw(spec: dict[str, Any]) -> Drawing:
    return build(spec).drawing


def groups_of(drawing: Drawing, cls: str) -> list[Group]:
    found: list[Group] = []

    def visit(node: Node) -> None:
        if isinstance(node, Group):
            if cls in node.classes:
                found.append(node)
            for child in node.children:
                visit(child)

    for child in drawing.children:
        visit(child)
    return found


def maps(group: Group) -> list[Rect]:
    """The feature-map rectangles of a layer group (the kernel rectangle is unfilled)."""
    return [p for p in walk(group) if isinstance(p, Rect) and p.fill != "none"]


def kernels(group: Group) -> list[Rect]:
    return [p for p in walk(group) if isinstance(p, Rect) and p.fill == "none"]


def front(group: Group) -> Rect:
    """The front map: drawn last, lowest and leftmost."""
    return maps(group)[-1]


def box_of(node: Node) -> Box:
    b = bounds(node)
    assert b is not None
    return b


def rect_box(r: Rect) -> Box:
    return Box(r.x, r.y, r.x + r.width, r.y + r.height)


def texts_in(drawing: Drawing, cls: str) -> list[Text]:
    return [p for g in groups_of(drawing, cls) for p in walk(g) if isinstance(p, Text)]


def narrow(stagger: bool, **options: Any) -> dict[str, Any]:
    """Small single-map stacks with long captions: the captions crowd each other."""
    layers: list[dict[str, Any]] = [{"type": "input", "height": 8, "width": 8, "channels": 1}]
    layers += [{"type": "conv", "filters": 1, "kernel": 1} for _ in range(6)]
    layers += [{"type": "pool", "kernel": 2}]
    opts = {"layer_spacing": 0, "max_maps": 1, "stagger_captions": stagger, **options}
    return {"style": "lenet", "layers": layers, "options": {"lenet": opts}}


# --- the examples -------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_finite_inside_and_readable(name: str) -> None:
    drawing = draw(lenet(name))
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)


@pytest.mark.parametrize("name", EXAMPLES)
def test_one_layer_group_per_drawn_layer(name: str) -> None:
    spec = lenet(name)
    drawn = [i for i, layer in enumerate(spec["layers"]) if layer["type"] not in FOLDED]
    diagram = build(spec)
    groups = layer_groups(diagram.drawing)
    assert [int(dict(g.data)["layer"]) for g in groups] == drawn
    root = parse_svg(diagram.svg)
    svg_groups = svg_layer_groups(root)
    assert len(svg_groups) == len(drawn)
    assert [int(g.get("data-layer") or -1) for g in svg_groups] == drawn


@pytest.mark.parametrize("name", EXAMPLES)
def test_layers_run_left_to_right_without_overlap(name: str) -> None:
    groups = layer_groups(draw(lenet(name)))
    boxes = [box_of(g) for g in groups]
    for a, b in pairwise(boxes):
        assert a.x1 < b.x0, (a, b)


@pytest.mark.parametrize("name", EXAMPLES)
def test_shapes_share_one_centre_line(name: str) -> None:
    groups = layer_groups(draw(lenet(name)))
    centres = [(box_of(g).y0 + box_of(g).y1) / 2 for g in groups]
    assert max(centres) - min(centres) < 1.5


def test_lenet5_labels_and_captions() -> None:
    drawing = draw(lenet())
    labels = [t.text for t in texts_in(drawing, "labels")]
    for expected in ("1@32×32", "6@28×28", "6@14×14", "16@10×10", "16@5×5", "120", "84", "10"):
        assert expected in labels
    assert "Input" in labels and "Output" in labels
    captions = [t.text for t in texts_in(drawing, "captions")]
    assert (
        captions
        == ["Convolution 5×5", "Avg-pool 2×2", "Convolution 5×5", "Avg-pool 2×2"] + ["Dense"] * 3
    )
    svg = svg_texts(parse_svg(build(lenet()).svg))
    assert "6@28×28" in svg and "Convolution 5×5" in svg


def test_layer_label_sits_above_its_shape_label() -> None:
    drawing = draw(lenet())
    for group in groups_of(drawing, "label"):
        lines = [p for p in walk(group) if isinstance(p, Text)]
        if len(lines) == 2:
            shape_label, name = lines
            assert name.y < shape_label.y
            assert box_of(name).y1 <= box_of(shape_label).y0
            assert {name.text, shape_label.text} & {"Input", "Output"}


def test_labels_above_shapes_and_captions_below() -> None:
    drawing = draw(lenet("alexnet"))
    shapes = [box_of(g) for g in layer_groups(drawing)]
    top = min(b.y0 for b in shapes)
    bottom = max(b.y1 for b in shapes)
    by_row = {dict(g.data)["layer"]: box_of(g) for g in layer_groups(drawing)}
    for group in groups_of(drawing, "label"):
        shape = by_row[dict(group.data)["layer"]]
        assert box_of(group).y1 <= shape.y0
    caption_boxes = [box_of(t) for t in texts_in(drawing, "captions")]
    assert caption_boxes and all(b.y0 > bottom for b in caption_boxes)
    assert top < bottom


def test_pass_through_layers_fold_into_captions() -> None:
    drawing = draw(lenet("alexnet"))
    captions = [t.text for t in texts_in(drawing, "captions")]
    assert captions[0] == "Convolution 11×11 /4 + LRN"
    assert "Dense + Dropout 0.5" in captions
    assert captions[-1] == "Dense + Softmax"
    assert "Flatten + Dropout 0.5" in [
        t.text for t in texts_in(draw(lenet("mnist_cnn")), "captions")
    ]
    data = [dict(g.data) for g in groups_of(drawing, "caption")]
    assert data[0]["names"].split() == ["conv1", "norm1"]


def test_captions_centre_under_their_gaps() -> None:
    drawing = draw(lenet())
    groups = layer_groups(drawing)
    for group, cap in zip(groups[1:], groups_of(drawing, "caption"), strict=True):
        assert dict(cap.data)["layer"] == dict(group.data)["layer"]
        t = next(p for p in walk(cap) if isinstance(p, Text))
        assert t.anchor == "middle"
        i = groups.index(group)
        prev, this = box_of(groups[i - 1]), box_of(group)
        assert prev.x0 < t.x < this.x0


# --- maps, kernels, bars ----------------------------------------------------------------------


def test_maps_capped_by_max_maps_and_alternate_fills() -> None:
    drawing = draw(lenet("vgg16"))
    for group in layer_groups(drawing):
        if "conv" in group.classes or "pool" in group.classes:
            assert len(maps(group)) == 8
    small = draw(lenet(max_maps=4))
    counts = [len(maps(g)) for g in layer_groups(small)]
    assert counts[:5] == [1, 4, 4, 4, 4]
    full = draw(lenet())
    conv1 = layer_groups(full)[1]
    assert len(maps(conv1)) == 6
    fills = [r.fill for r in maps(conv1)]
    assert fills[-1] == "#e0e0e0"
    assert all(a != b for a, b in pairwise(fills))


def test_stack_maps_step_up_and_right() -> None:
    conv1 = layer_groups(draw(lenet(map_spacing=9)))[1]
    rects = maps(conv1)
    for back, nearer in pairwise(rects):
        assert back.x - nearer.x == pytest.approx(9)
        assert nearer.y - back.y == pytest.approx(9)


def test_layer_color_overrides_fill() -> None:
    spec = lenet()
    spec["layers"][1]["color"] = "tomato"
    drawing = draw(spec)
    conv1 = layer_groups(drawing)[1]
    assert {r.fill for r in maps(conv1)} == {"tomato"}
    assert "tomato" not in {r.fill for r in maps(layer_groups(drawing)[2])}
    dense = copy.deepcopy(spec)
    dense["layers"][5]["color"] = "#123456"
    bar = next(p for p in walk(layer_groups(draw(dense))[5]) if isinstance(p, Polygon))
    assert bar.fill == "#123456"


def test_kernel_sits_inside_front_map_and_projects_to_next_front_map() -> None:
    drawing = draw(lenet())
    groups = layer_groups(drawing)
    lines = [p for p in walk(groups_of(drawing, "projections")[0]) if isinstance(p, Line)]
    assert len(lines) == 2 * 4  # input->conv1, conv1->pool1, pool1->conv2, conv2->pool2
    for i, (group, nxt) in enumerate(pairwise(groups[:5])):
        (kernel,) = kernels(group)
        face = rect_box(front(group))
        assert face.contains(rect_box(kernel))
        target = rect_box(front(nxt))
        for line in lines[2 * i : 2 * i + 2]:
            assert rect_box(kernel).contains(Box(line.x1, line.y1, line.x1, line.y1))
            assert target.contains(Box(line.x2, line.y2, line.x2, line.y2))
    assert not kernels(groups[4])  # pool2 feeds a dense layer: no kernel


def test_kernel_size_follows_next_layer_kernel() -> None:
    groups = layer_groups(draw(lenet()))
    conv_kernel = kernels(groups[0])[0]  # 5x5 conv on the input
    pool_kernel = kernels(groups[1])[0]  # 2x2 pool on conv1
    assert conv_kernel.width == pytest.approx(scale_size(5, "sqrt", 14.0, 3.0, 220.0))
    assert pool_kernel.width < conv_kernel.width


def test_show_kernels_off_removes_kernels_and_projections() -> None:
    drawing = draw(lenet(show_kernels=False))
    assert not groups_of(drawing, "projections")
    assert all(not kernels(g) for g in layer_groups(drawing))


def test_dense_bars_slant_up_right_and_grow_with_units() -> None:
    groups = layer_groups(draw(lenet("vgg16")))
    bars = [next(p for p in walk(g) if isinstance(p, Polygon)) for g in groups[-4:]]
    heights = [box_of(b).height for b in bars]
    for bar in bars:
        (x0, y0), _, _, (x3, y3) = bar.points
        assert x3 > x0 and y3 < y0  # the upper end is to the right
    assert all(math.isfinite(h) and 16 <= h <= 181 for h in heights)
    lenet5 = layer_groups(draw(lenet()))
    small = [box_of(next(p for p in walk(g) if isinstance(p, Polygon))).height for g in lenet5[5:]]
    assert small[0] > small[1] > small[2]


def test_dense_bars_connect_to_the_previous_layer() -> None:
    drawing = draw(lenet())
    (connections,) = groups_of(drawing, "connections")
    lines = [p for p in walk(connections) if isinstance(p, Line)]
    assert len(lines) == 2 * 3
    groups = layer_groups(drawing)
    for i in range(3):
        prev, bar = box_of(groups[4 + i]), box_of(groups[5 + i])
        for line in lines[2 * i : 2 * i + 2]:
            assert line.x1 == pytest.approx(prev.x1, abs=1.0) or prev.x0 < line.x1 < prev.x1
            assert bar.x0 - 0.5 <= line.x2 <= bar.x1 + 0.5


@pytest.mark.parametrize("scale", ["linear", "sqrt", "log"])
def test_scaling_modes_keep_big_and_tiny_maps_in_bounds(scale: str) -> None:
    spec = {
        "style": "lenet",
        "layers": [
            {"type": "input", "height": 224, "width": 224, "channels": 3},
            {"type": "conv", "filters": 64, "kernel": 7, "stride": 2, "padding": 3},
            {"type": "pool", "kernel": 3, "stride": 2, "padding": 1},
            {"type": "pool", "global": True, "mode": "avg"},
            {"type": "dense", "units": 1000},
        ],
        "options": {"lenet": {"scale": scale, "scale_factor": 3 if scale == "linear" else 14}},
    }
    drawing = draw(spec)
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)
    sides = [front(g).width for g in layer_groups(drawing)[:4]]
    assert all(12 <= s <= 220 for s in sides)
    assert sides[0] >= sides[1] >= sides[2] > sides[3] >= 12  # 224, 112, 56, 1


# --- captions -------------------------------------------------------------------------------


@pytest.mark.parametrize("stagger", [True, False])
def test_crowded_captions_never_overlap(stagger: bool) -> None:
    drawing = draw(narrow(stagger))
    assert_no_text_overlap(drawing)
    assert_finite_and_inside(drawing)
    captions = texts_in(drawing, "captions")
    assert len(captions) == 7
    lines = {round(t.y, 2) for t in captions}
    assert len(lines) == (2 if stagger else 1)


def test_staggering_keeps_crowded_layers_compact() -> None:
    staggered, spread = draw(narrow(True)), draw(narrow(False))
    assert staggered.viewbox.width < spread.viewbox.width * 0.75


def test_spread_layers_keep_even_gaps() -> None:
    groups = layer_groups(draw(narrow(False)))
    gaps = [box_of(b).x0 - box_of(a).x1 for a, b in pairwise(groups[1:-1])]
    assert max(gaps) - min(gaps) < 1.0


def test_long_labels_push_layers_apart() -> None:
    spec = lenet()
    spec["layers"][1]["label"] = "A rather long description of the first convolution"
    spec["layers"][2]["label"] = "Another long description, of the pooling"
    drawing = draw(spec)
    assert_no_text_overlap(drawing)
    assert_finite_and_inside(drawing)


@pytest.mark.parametrize(
    "options",
    [
        {"show_labels": False},
        {"show_captions": False},
        {"font_size": 20},
        {"layer_spacing": 0, "map_spacing": 1},
        {"border_width": 0, "opacity": 0.5},
    ],
)
def test_option_variants_stay_clean(options: dict[str, Any]) -> None:
    spec = lenet("alexnet")
    if "font_size" in options:
        spec["options"]["font_size"] = options.pop("font_size")
    spec["options"]["lenet"].update(options)
    drawing = draw(spec)
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)
    assert_no_text_overlap(drawing)
    if options.get("show_labels") is False:
        assert not groups_of(drawing, "labels")
    if options.get("show_captions") is False:
        assert not groups_of(drawing, "captions")


# --- determinism, speed, pixels ---------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_same_spec_same_bytes(name: str) -> None:
    assert build(lenet(name)).svg == build(lenet(name)).svg


@pytest.mark.parametrize("seed", [None, 7])
def test_later_edits_never_move_earlier_kernels(seed: int | None) -> None:
    spec = lenet()
    if seed is not None:
        spec["options"]["seed"] = seed
    edited = copy.deepcopy(spec)
    edited["layers"][3]["filters"] = 20  # conv2
    edited["layers"][6]["units"] = 100
    before = [kernels(g) for g in layer_groups(draw(spec))[:3]]
    after = [kernels(g) for g in layer_groups(draw(edited))[:3]]
    assert before == after and all(before)


def test_kernel_positions_vary_between_layers() -> None:
    groups = layer_groups(draw(lenet()))
    spots = set()
    for g in groups[:4]:
        face, (k,) = front(g), kernels(g)
        spots.add((round((k.x - face.x) / face.width, 2), round((k.y - face.y) / face.height, 2)))
    assert len(spots) == 4


def test_layout_is_fast() -> None:
    spec = lenet("vgg16")
    assert build(spec).svg
    start = time.perf_counter()
    sizes = [len(build(spec).svg) for _ in range(5)]
    assert (time.perf_counter() - start) / 5 < 0.05
    assert len(set(sizes)) == 1


def test_many_layers_stay_clean() -> None:
    layers: list[dict[str, Any]] = [{"type": "input", "height": 64, "width": 64, "channels": 3}]
    layers += [{"type": "conv", "filters": 8 * (i + 1), "kernel": 3, "padding": "same"}
               for i in range(40)]  # fmt: skip
    layers += [{"type": "flatten"}, {"type": "dense", "units": 10}]
    drawing = draw({"style": "lenet", "layers": layers})
    assert len(layer_groups(drawing)) == 43
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)


def test_png_is_not_blank() -> None:
    diagram = build(lenet())
    assert_png_not_blank(diagram.png(scale=1, background="white"))
    labels = {t.text for t in texts(diagram.drawing)}
    assert "LeNet-5" in labels


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_specs("lenet"))
def test_random_chains_keep_labels_apart(spec: dict[str, Any]) -> None:
    drawing = draw(spec)
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)
    boxes = [box_of(g) for g in layer_groups(drawing)]
    assert all(a.x1 < b.x0 for a, b in pairwise(boxes))


# --- cost annotations -------------------------------------------------------------------------


def annotated(name: str = "lenet5", *wanted: str, **options: Any) -> Drawing:
    spec = lenet(name, **options)
    spec["options"]["annotations"] = list(wanted or ("shape", "params", "macs"))
    return draw(spec)


def test_annotations_list_shape_parameters_and_macs_under_each_layer() -> None:
    drawing = annotated()
    notes = groups_of(drawing, "annotation")
    layers = layer_groups(drawing)
    assert [dict(n.data)["layer"] for n in notes] == [dict(g.data)["layer"] for g in layers]
    lines = [[t.text for t in walk(n) if isinstance(t, Text)] for n in notes]
    assert lines[0] == ["32×32×1"]  # the input has no parameters or MACs
    assert lines[1] == ["28×28×6", "156 params", "117.6k MACs"]
    assert lines[5] == ["120", "48.1k params", "48k MACs"]
    for note, layer in zip(notes, layers, strict=True):
        shape, text = box_of(layer), box_of(note)
        assert text.y0 > shape.y1  # under the layer's shape
        assert shape.x0 - text.width / 2 <= (text.x0 + text.x1) / 2 <= shape.x1
        for t in walk(note):
            assert isinstance(t, Text) and t.size < 12 and t.fill != "#000000"
    lowest = max(box_of(n).y1 for n in notes)
    assert all(box_of(t).y0 > lowest for t in texts_in(drawing, "captions"))
    assert_no_text_overlap(drawing)
    assert_finite_and_inside(drawing)


def test_annotations_follow_the_order_asked_for_and_add_folded_layers() -> None:
    lines = [[t.text for t in walk(n) if isinstance(t, Text)]
             for n in groups_of(annotated("lenet5", "macs", "shape"), "annotation")]  # fmt: skip
    assert lines[1] == ["117.6k MACs", "28×28×6"]
    alexnet = build(lenet("alexnet"))
    conv1 = alexnet.network.layers[1]
    folded = alexnet.network.layers[2]
    assert folded.type == "norm"
    notes = groups_of(annotated("alexnet", "params"), "annotation")
    (note,) = [n for n in notes if dict(n.data)["layer"] == "1"]
    text = next(t.text for t in walk(note) if isinstance(t, Text))
    assert text == f"{fmt_count(conv1.params + folded.params)} params"


@pytest.mark.parametrize("name", EXAMPLES)
def test_annotations_never_overlap_anything(name: str) -> None:
    drawing = annotated(name)
    assert_no_text_overlap(drawing)
    assert_finite_and_inside(drawing)
    shapes = [box_of(g) for g in layer_groups(drawing)]
    for note in groups_of(drawing, "annotation"):
        assert not any(box_of(note).overlaps(s) for s in shapes)
    cones = [p for g in groups_of(drawing, "projections") for p in walk(g) if isinstance(p, Line)]
    boxes = [box_of(t) for t in texts(drawing)]
    for line in cones:
        for i in range(1, 20):
            x = line.x1 + (line.x2 - line.x1) * i / 20
            y = line.y1 + (line.y2 - line.y1) * i / 20
            assert not any(b.x0 + 0.5 < x < b.x1 - 0.5 and b.y0 + 0.5 < y < b.y1 - 0.5
                           for b in boxes)  # fmt: skip


def test_crowded_annotations_push_layers_apart() -> None:
    spec = narrow(False, show_captions=False, show_labels=False)
    plain = draw(spec)
    spec["options"]["annotations"] = ["shape", "params", "macs"]
    wide = draw(spec)
    assert wide.viewbox.width > plain.viewbox.width
    assert_no_text_overlap(wide)
    notes = [box_of(n) for n in groups_of(wide, "annotation")]
    assert all(b.x0 - a.x1 >= 2.0 for a, b in pairwise(notes))
