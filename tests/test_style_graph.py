"""The graph style on the examples: invariants, structure, options, pixels."""

from __future__ import annotations

import pytest

from nnsketch import analyze, build, load_spec
from nnsketch.primitives import Box, Point, Rect, Text, walk
from nnsketch.styles.graph import place
from tests.checks import (
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    parse_svg,
    png_pixels,
    svg_layer_groups,
)
from tests.conftest import EXAMPLES, load
from tests.graph_support import (
    assert_frames_hold_their_blocks,
    assert_graph_invariants,
    boxes,
    edges,
    expected_edges,
    fold_count,
    graph,
    groups_of,
)

EXAMPLE_NAMES = [p.stem for p in EXAMPLES]
SHOWCASE = ("resnet18", "inception_module", "densenet_block", "unet", "resnet_block", "alexnet")
SVG = "{http://www.w3.org/2000/svg}"


# ---- the examples


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_every_example_keeps_the_invariants(name: str, direction: str) -> None:
    spec = graph(load(name), direction=direction, fold_inplace=False, collapse_repeats=False)
    diagram = build(spec)
    assert_graph_invariants(diagram)
    assert_no_text_overlap(diagram.drawing)
    net = diagram.network
    assert len(layer_groups(diagram.drawing)) == len(net.layers)
    assert {(s, t) for s, t, _ in edges(diagram.drawing)} == expected_edges(spec)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_folded_and_collapsed_keeps_the_invariants(name: str) -> None:
    diagram = build(graph(load(name), fold_inplace=True, collapse_repeats=True, show_costs=True))
    assert_graph_invariants(diagram)
    assert_no_text_overlap(diagram.drawing)


@pytest.mark.parametrize("name", SHOWCASE)
def test_svg_has_one_group_per_box_and_one_path_per_edge(name: str) -> None:
    diagram = build(graph(load(name)))
    placed, _ = place(diagram.network)
    root = parse_svg(diagram.svg)
    assert len(svg_layer_groups(root)) == len(placed.view.items)
    edge_groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edge_groups) == len(placed.view.edges)
    for g in edge_groups:
        (path,) = g.iter(f"{SVG}path")
        assert path.get("marker-end", "").startswith("url(#nn")
        assert g.get("data-from") and g.get("data-to")
    assert [g.get("class") for g in root.iter(f"{SVG}g")].count("edges") == 1


@pytest.mark.parametrize(
    ("name", "params"),
    [("resnet18", 11_689_512), ("inception_module", 676_848), ("densenet_block", 235_072),
     ("unet", 1_919_457), ("resnet_block", 148_618)],
)  # fmt: skip
def test_example_parameter_totals(name: str, params: int) -> None:
    assert analyze(load_spec(load(name))).total_params == params


def test_example_output_shapes() -> None:
    def last(name: str) -> str:
        return str(analyze(load_spec(load(name))).layers[-1].output)

    assert last("resnet18") == "1000"
    assert last("inception_module") == "14×14×480"
    assert last("densenet_block") == "28×28×96"
    assert last("unet") == "128×128×1"


def test_layouts_of_the_branching_examples_have_no_crossings() -> None:
    for name in ("resnet18", "inception_module", "unet", "resnet_block", "alexnet"):
        placed, _ = place(build(graph(load(name))).network)
        assert placed.lay.crossings == 0, name
    placed, _ = place(build(graph(load("densenet_block"))).network)
    assert placed.lay.crossings <= 6


def test_the_main_chain_stays_straight() -> None:
    diagram = build(graph(load("resnet18"), fold_inplace=False))
    centres = {name: (b.x0 + b.x1) / 2 for name, b in boxes(diagram.drawing).items()}
    spine = {round(x, 2) for name, x in centres.items() if "downsample" not in name}
    assert len(spine) == 1, "every layer off the projection shortcuts shares one centre line"
    side = {round(x, 2) for name, x in centres.items() if "downsample" in name}
    assert side and min(side) > max(spine)


def test_a_fan_out_is_centred_over_its_branches() -> None:
    found = boxes(build(graph(load("inception_module"))).drawing)

    def centre(name: str) -> float:
        return (found[name].x0 + found[name].x1) / 2

    for block, src in (("inception_3a", "pool2.3x3_s2"), ("inception_3b", "inception_3a.output")):
        heads = [centre(f"{block}.{b}") for b in ("1x1", "3x3_reduce", "5x5_reduce", "pool")]
        spread = max(heads) - min(heads)
        assert abs(centre(src) - sum(heads) / 4) < 0.1 * spread
        assert abs(centre(f"{block}.output") - sum(heads) / 4) < 0.1 * spread
        assert heads == sorted(heads)


def test_edges_into_one_box_arrive_at_distinct_ports() -> None:
    drawing = build(graph(load("densenet_block"))).drawing
    ends: dict[str, list[Point]] = {}
    for _, dst, path in edges(drawing):
        ends.setdefault(dst, []).append(path.commands[-1][1][-2:])  # type: ignore[arg-type]
    for dst, points in ends.items():
        assert len(set(points)) == len(points), dst
    assert max(len(p) for p in ends.values()) == 5  # the last concat takes five inputs


# ---- options


def test_collapse_draws_a_repeat_block_once_with_a_badge() -> None:
    spec = graph(load("resnet_block"), collapse_repeats=True)
    full = build(graph(load("resnet_block"))).drawing
    drawing = build(spec).drawing
    assert len(layer_groups(full)) == 17
    assert len(layer_groups(drawing)) == 17 - 7
    (frame,) = groups_of(drawing, "repeat")
    assert [p.text for p in walk(frame) if isinstance(p, Text)] == ["stage1 ×2"]
    names = {dict(g.data)["name"] for g in layer_groups(drawing)}
    assert not any(n.startswith("stage1.2.") for n in names)
    got = {(s, t) for s, t, _ in edges(drawing)}
    assert ("x", "stage1.1.conv_a") in got and ("x", "stage1.1.sum") in got
    assert ("stage1.1.out", "pool1") in got
    assert ("stage1.1.out", "stage1.1.conv_a") not in got
    texts = [p.text for g in layer_groups(drawing) for p in walk(g) if isinstance(p, Text)]
    assert "conv_a" in texts and "stage1.1.conv_a" not in texts
    assert_frames_hold_their_blocks(spec)


def test_a_frame_never_encloses_a_layer_outside_its_block() -> None:
    spec = {"style": "graph", "layers": [
        {"type": "input", "units": 8, "name": "x"},
        {"type": "dense", "units": 8, "name": "pre"},
        {"type": "repeat", "name": "blk", "count": 3, "layers": [
            {"type": "dense", "units": 8, "name": "a"},
            {"type": "norm", "name": "n"},
            {"type": "add", "inputs": ["n", "pre"], "name": "s"},
            {"type": "activation", "name": "r"},
            {"type": "add", "inputs": ["r", "@input"], "name": "t"},
        ]},
        {"type": "add", "inputs": ["blk", "blk.1.a"], "name": "post"},
        {"type": "dense", "units": 8, "inputs": ["blk.1.s"], "name": "aux"},
    ], "options": {"graph": {"fold_inplace": True, "collapse_repeats": True}}}  # fmt: skip
    diagram = build(spec)
    assert_graph_invariants(diagram)
    assert_frames_hold_their_blocks(spec)
    placed, _ = place(diagram.network)
    assert len(placed.frames[0]) > 1, "the frame hugs the block around the outside layer"
    names = {dict(g.data)["name"] for g in layer_groups(diagram.drawing)}
    assert names == {"x", "pre", "blk.1.a", "blk.1.n", "blk.1.s", "blk.1.r", "blk.1.t", "post",
                     "aux"}  # fmt: skip


@pytest.mark.parametrize("name", SHOWCASE)
def test_fold_inplace_removes_exactly_the_in_place_layers(name: str) -> None:
    spec = graph(load(name), fold_inplace=True)
    drawing = build(spec).drawing
    total = len(analyze(load_spec(spec)).layers)
    folded = fold_count(spec)
    assert len(layer_groups(drawing)) == total - folded
    assert fold_count(graph(load(name))) == folded


def test_fold_lists_the_folded_layers_in_the_host_box() -> None:
    drawing = build(graph(load("resnet18"), fold_inplace=True)).drawing
    host = next(g for g in layer_groups(drawing) if dict(g.data)["name"] == "conv1")
    assert [p.text for p in walk(host) if isinstance(p, Text)] == [
        "conv1", "conv 7×7, 64, /2", "+ BN, ReLU", "112×112×64",
    ]  # fmt: skip
    names = set(boxes(drawing))
    assert "bn1" not in names and "relu" not in names
    assert ("conv1", "maxpool") in {(s, t) for s, t, _ in edges(drawing)}


def test_show_costs_writes_params_and_macs() -> None:
    drawing = build(graph(load("resnet18"), fold_inplace=False, show_costs=True)).drawing
    conv1 = next(g for g in layer_groups(drawing) if dict(g.data)["name"] == "conv1")
    assert "9,408 params · 118M MACs" in [p.text for p in walk(conv1) if isinstance(p, Text)]
    plain = build(graph(load("resnet18"), fold_inplace=False)).drawing
    conv1 = next(g for g in layer_groups(plain) if dict(g.data)["name"] == "conv1")
    assert not any("params" in p.text for p in walk(conv1) if isinstance(p, Text))


def test_legend_can_be_hidden_and_follows_the_direction() -> None:
    spec = graph(load("inception_module"), show_legend=False)
    assert not groups_of(build(spec).drawing, "legend")
    for direction in ("TB", "LR"):
        drawing = build(graph(load("inception_module"), direction=direction)).drawing
        (legend,) = groups_of(drawing, "legend")
        labels = [p for p in walk(legend) if isinstance(p, Text)]
        assert [t.text for t in labels] == ["input", "conv", "pool", "norm", "concat"]
        graph_box = Box(
            min(b.x0 for b in boxes(drawing).values()), min(b.y0 for b in boxes(drawing).values()),
            max(b.x1 for b in boxes(drawing).values()), max(b.y1 for b in boxes(drawing).values()),
        )  # fmt: skip
        if direction == "TB":
            assert len({t.x for t in labels}) == 1 and min(t.x for t in labels) > graph_box.x1
        else:
            assert len({t.y for t in labels}) == 1 and min(t.y for t in labels) > graph_box.y1


def test_layer_colour_overrides_the_palette() -> None:
    spec = graph(load("resnet_block"))
    spec["layers"][0]["color"] = "tomato"
    found = next(g for g in layer_groups(build(spec).drawing) if dict(g.data)["name"] == "x")
    assert isinstance(found.children[0], Rect) and found.children[0].fill == "tomato"


@pytest.mark.parametrize("name", SHOWCASE)
def test_png_shows_boxes_and_edges(name: str) -> None:
    png = build(graph(load(name))).png(scale=1, background="white")
    assert_png_not_blank(png)
    _, _, colors = png_pixels(png)
    assert colors > 20
