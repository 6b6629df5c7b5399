"""The lenet style on branching networks: skip lines, merge symbols, the U layout."""

from __future__ import annotations

import json
import math
import time
from itertools import combinations, pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsketch.primitives import (
    Box,
    Circle,
    Drawing,
    Group,
    Line,
    Node,
    Path,
    Point,
    Polygon,
    Rect,
    Text,
    text_box,
    walk,
)
from nnsketch.render import build
from tests.checks import (
    assert_finite_and_inside,
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    parse_svg,
    texts,
)
from tests.conftest import ROOT

Segment = tuple[Point, Point]


def small_unet() -> dict[str, Any]:
    """64x64x1 in, conv/conv/pool x 3, bottleneck, deconv + concat + convs x 3, 1x1 out."""
    layers: list[dict[str, Any]] = [{"type": "input", "height": 64, "width": 64, "channels": 1}]
    for lvl, f in enumerate((16, 32, 64), start=1):
        layers += [
            {"type": "conv", "filters": f, "kernel": 3, "padding": "same", "name": f"e{lvl}a"},
            {"type": "conv", "filters": f, "kernel": 3, "padding": "same", "name": f"e{lvl}b"},
            {"type": "pool", "kernel": 2, "name": f"p{lvl}"},
        ]
    layers += [
        {"type": "conv", "filters": 128, "kernel": 3, "padding": "same", "name": "mid_a"},
        {"type": "conv", "filters": 128, "kernel": 3, "padding": "same", "name": "mid_b"},
    ]
    for lvl, f in zip((3, 2, 1), (64, 32, 16), strict=True):
        layers += [
            {"type": "deconv", "filters": f, "name": f"u{lvl}"},
            {"type": "concat", "inputs": [f"e{lvl}b", f"u{lvl}"], "name": f"c{lvl}"},
            {"type": "conv", "filters": f, "kernel": 3, "padding": "same", "name": f"d{lvl}a"},
            {"type": "conv", "filters": f, "kernel": 3, "padding": "same", "name": f"d{lvl}b"},
        ]
    layers.append({"type": "conv", "filters": 2, "kernel": 1, "name": "out"})
    return {"style": "lenet", "title": "Small U-Net", "layers": layers}


def gated() -> dict[str, Any]:
    """A gate (multiply), a residual add and a layer whose input is written after it."""
    return {
        "style": "lenet",
        "layers": [
            {"type": "input", "height": 32, "width": 32, "channels": 8, "name": "x"},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "f"},
            {"type": "conv", "filters": 8, "kernel": 1, "name": "g", "inputs": ["late"]},
            {"type": "activation", "function": "sigmoid", "name": "gs"},
            {"type": "multiply", "inputs": ["f", "gs"], "name": "gate"},
            {"type": "conv", "filters": 8, "kernel": 1, "name": "late", "inputs": ["x"]},
            {"type": "add", "inputs": ["gate", "x"], "name": "sum"},
            {"type": "pool", "global": True},
            {"type": "dense", "units": 4},
        ],
    }


def example(name: str, **lenet: Any) -> dict[str, Any]:
    """An example drawn in the lenet style (built-in specs for the names below)."""
    if name == "small_unet":
        data = small_unet()
    elif name == "gated":
        data = gated()
    else:
        data = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    data["style"] = "lenet"
    data.setdefault("options", {})
    data["options"]["lenet"] = {**data["options"].get("lenet", {}), **lenet}
    return data


BRANCHING = ("resnet_block", "unet", "inception_module", "densenet_block", "resnet18")
CASES: list[tuple[str, dict[str, Any]]] = [
    *((n, {}) for n in BRANCHING),
    ("unet", {"layout": "u"}),
    ("small_unet", {}),
    ("small_unet", {"layout": "u"}),
    ("gated", {}),
]
IDS = [f"{n}-{o.get('layout', 'flat')}" for n, o in CASES]
SKIPS = {"resnet_block": 2, "unet": 3, "inception_module": 12, "densenet_block": 10,
         "resnet18": 11, "small_unet": 3, "gated": 5}  # fmt: skip


def draw(name: str, **lenet: Any) -> Drawing:
    return build(example(name, **lenet)).drawing


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


def skip_path(group: Group) -> Path:
    (path,) = [c for c in group.children if isinstance(c, Path)]
    return path


def bezier(p: tuple[float, ...], t: float) -> Point:
    x0, y0, x1, y1, x2, y2, x3, y3 = p
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )


def samples(path: Path, step: float = 1.5) -> list[Point]:
    """Points along the path every `step` units (curves at 16 points)."""
    out: list[Point] = []
    pos: Point = (0.0, 0.0)
    for cmd, args in path.commands:
        if cmd == "M":
            pos = (args[0], args[1])
            out.append(pos)
        elif cmd == "L":
            end = (args[0], args[1])
            n = max(1, math.ceil(math.dist(pos, end) / step))
            out += [(pos[0] + (end[0] - pos[0]) * i / n, pos[1] + (end[1] - pos[1]) * i / n)
                    for i in range(1, n + 1)]  # fmt: skip
            pos = end
        elif cmd == "C":
            ctrl = (*pos, *args)
            out += [bezier(ctrl, i / 16) for i in range(1, 17)]
            pos = (args[4], args[5])
    return out


def straight(path: Path) -> list[Segment]:
    """The straight segments of a path."""
    out: list[Segment] = []
    pos: Point = (0.0, 0.0)
    for cmd, args in path.commands:
        end = (args[-2], args[-1])
        if cmd == "L":
            out.append((pos, end))
        pos = end
    return out


def solids(group: Group) -> list[Node]:
    """The filled shapes of a layer: feature maps, bars and merge circles."""
    return [p for p in walk(group) if (isinstance(p, Rect) and p.fill != "none")
            or isinstance(p, Polygon | Circle)]  # fmt: skip


def _seg_dist(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    along = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length if length else 0.0
    t = max(0.0, min(1.0, along))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _corners(r: Rect) -> list[Point]:
    return [(r.x, r.y), (r.x + r.width, r.y), (r.x + r.width, r.y + r.height),
            (r.x, r.y + r.height)]  # fmt: skip


def _in_polygon(p: Point, pts: list[Point]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        if (y0 > p[1]) != (y1 > p[1]) and p[0] < x0 + (p[1] - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def depth_inside(prim: Node, p: Point) -> float:
    """How far `p` lies inside a filled shape (negative outside, 0 on its outline)."""
    if isinstance(prim, Circle):
        return prim.r - math.dist(p, (prim.cx, prim.cy))
    pts = _corners(prim) if isinstance(prim, Rect) else list(prim.points)  # type: ignore[union-attr]
    edge = min(_seg_dist(p, a, b) for a, b in zip(pts, pts[1:] + pts[:1], strict=True))
    return edge if _in_polygon(p, pts) else -edge


def by_name(drawing: Drawing) -> dict[str, Group]:
    return {dict(g.data)["name"]: g for g in layer_groups(drawing)}


def link_lines(drawing: Drawing) -> list[Line]:
    return [p for g in groups_of(drawing, "links") for p in walk(g) if isinstance(p, Line)]


def crosses(a: Segment, b: Segment) -> bool:
    """True when two axis-aligned segments cross at a point inside both."""
    ay0, ay1, by0, by1 = a[0][1], a[1][1], b[0][1], b[1][1]
    if (abs(ay0 - ay1) < 1e-6) == (abs(by0 - by1) < 1e-6):
        return False
    h, v = (a, b) if abs(ay0 - ay1) < 1e-6 else (b, a)
    (hx0, hy), (hx1, _) = h
    (vx, vy0), (_, vy1) = v
    return (min(hx0, hx1) + 0.5 < vx < max(hx0, hx1) - 0.5
            and min(vy0, vy1) + 0.5 < hy < max(vy0, vy1) - 0.5)  # fmt: skip


# --- every skip: from its source, into its target, around everything else ---------------


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_every_skip_leaves_its_source_and_arrives_at_its_target(name: str, opts: dict) -> None:
    drawing = draw(name, **opts)
    layers = by_name(drawing)
    skips = groups_of(drawing, "skip")
    assert len(skips) == SKIPS[name]
    links = link_lines(drawing)
    for group in skips:
        data = dict(group.data)
        path = skip_path(group)
        assert path.arrow
        points = samples(path)
        start, end = points[0], points[-1]
        src, dst = layers[data["from"]], layers[data["to"]]
        on_target = max(depth_inside(s, end) for s in solids(dst))
        assert abs(on_target) < 0.6, (data, end)
        dots = [c for c in group.children if isinstance(c, Circle)]
        if dots:  # a tap on the line leaving a merge symbol
            assert (dots[0].cx, dots[0].cy) == pytest.approx(start)
            (ring,) = [c for c in solids(src) if isinstance(c, Circle)]
            line = next(ln for ln in links if abs(depth_inside(ring, (ln.x1, ln.y1))) < 0.6)
            assert _seg_dist(start, (line.x1, line.y1), (line.x2, line.y2)) < 0.01
        else:
            assert abs(max(depth_inside(s, start) for s in solids(src))) < 0.6, (data, start)
        (last,) = straight(path)[-1:]
        assert math.dist(*last) >= 6.0, "the arrowhead needs a straight end"


def assert_clear(drawing: Drawing, group: Group) -> None:
    """No point of the skip (but its ends) inside a shape or a text of the drawing."""
    shapes = [(_solid_box(s), s) for g in layer_groups(drawing) for s in solids(g)]
    boxes = [text_box(t) for t in texts(drawing) if t.text.strip()]
    points = samples(skip_path(group))
    ends = (points[0], points[-1])
    for p in points:
        if min(math.dist(p, e) for e in ends) < 1.5:
            continue
        for box, s in shapes:
            if box.x0 < p[0] < box.x1 and box.y0 < p[1] < box.y1:
                assert depth_inside(s, p) < 0.3, (dict(group.data), p, s)
        for b in boxes:
            assert not (b.x0 + 0.3 < p[0] < b.x1 - 0.3 and b.y0 + 0.3 < p[1] < b.y1 - 0.3), (
                dict(group.data), p, b)  # fmt: skip


def assert_lines_clear_of_text(drawing: Drawing) -> None:
    """Kernel cones and the arrows of merges and level steps never run through text."""
    boxes = [text_box(t) for t in texts(drawing) if t.text.strip()]
    lines = [p for cls in ("links", "projections") for g in groups_of(drawing, cls)
             for p in walk(g) if isinstance(p, Line)]  # fmt: skip
    for ln in lines:
        for i in range(1, 40):
            x, y = ln.x1 + (ln.x2 - ln.x1) * i / 40, ln.y1 + (ln.y2 - ln.y1) * i / 40
            assert not any(b.x0 + 0.5 < x < b.x1 - 0.5 and b.y0 + 0.5 < y < b.y1 - 0.5
                           for b in boxes), (ln, (x, y))  # fmt: skip


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_links_and_cones_never_cross_text(name: str, opts: dict) -> None:
    data = example(name, **opts)
    data["options"]["annotations"] = ["shape", "params", "macs"]
    assert_lines_clear_of_text(build(data).drawing)
    assert_lines_clear_of_text(build(example(name, **opts)).drawing)


@pytest.mark.parametrize("name", ["unet", "small_unet"])
def test_u_layout_steps_between_levels_with_arrows(name: str) -> None:
    diagram = build(example(name, layout="u"))
    centre = _centres(diagram.drawing)
    groups = layer_groups(diagram.drawing)
    names = [dict(g.data)["name"] for g in groups]
    arrows = link_lines(diagram.drawing)
    steps = [(a, b) for a, b in pairwise(names) if abs(centre[a] - centre[b]) > 1]
    assert steps
    for a, b in steps:
        ga, gb = groups[names.index(a)], groups[names.index(b)]
        ba, bb = _box(ga), _box(gb)
        assert ba is not None and bb is not None
        hits = [ln for ln in arrows if ba.x0 <= ln.x1 <= ba.x1 + 1 and bb.x0 - 1 <= ln.x2 <= bb.x1]
        assert len(hits) <= 1 and all(ln.arrow for ln in hits)
        assert not [p for p in walk(ga) if isinstance(p, Rect) and p.fill == "none"]  # no cone
    assert sum(1 for ln in arrows if abs(ln.y1 - ln.y2) > 1) == len(steps)


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_skips_never_cross_shapes_labels_or_captions(name: str, opts: dict) -> None:
    data = example(name, **opts)
    data["options"]["annotations"] = ["shape", "params"]
    drawing = build(data).drawing
    for group in groups_of(drawing, "skip"):
        assert_clear(drawing, group)


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_parallel_skips_never_overlap(name: str, opts: dict) -> None:
    paths = [straight(skip_path(g)) for g in groups_of(draw(name, **opts), "skip")]
    for a, b in combinations(paths, 2):
        for (p0, p1), (q0, q1) in ((s, t) for s in a for t in b):
            if abs(p0[1] - p1[1]) < 1e-6 and abs(q0[1] - q1[1]) < 1e-6 and abs(p0[1] - q0[1]) < 1:
                lo, hi = (
                    max(min(p0[0], p1[0]), min(q0[0], q1[0])),
                    min(max(p0[0], p1[0]), max(q0[0], q1[0])),
                )
                assert hi - lo < 1.0, ("horizontal overlap", p0, p1, q0, q1)  # fmt: skip
            if abs(p0[0] - p1[0]) < 1e-6 and abs(q0[0] - q1[0]) < 1e-6 and abs(p0[0] - q0[0]) < 1:
                lo, hi = (
                    max(min(p0[1], p1[1]), min(q0[1], q1[1])),
                    min(max(p0[1], p1[1]), max(q0[1], q1[1])),
                )
                assert hi - lo < 1.0, ("vertical overlap", p0, p1, q0, q1)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "opts"),
    [("resnet_block", {}), ("unet", {}), ("unet", {"layout": "u"}), ("small_unet", {}),
     ("inception_module", {}), ("gated", {})],
)  # fmt: skip
def test_skips_that_can_avoid_each_other_never_cross(name: str, opts: dict) -> None:
    """Nested and disjoint skips share a side; interleaved ones go to opposite sides."""
    paths = [straight(skip_path(g)) for g in groups_of(draw(name, **opts), "skip")]
    for a, b in combinations(paths, 2):
        assert not any(crosses(s, t) for s in a for t in b)


def test_inception_branches_above_and_module_outputs_below() -> None:
    drawing = draw("inception_module")
    layers = by_name(drawing)
    middle = {n: (bb.y0 + bb.y1) / 2 for n, g in layers.items() if (bb := _box(g))}
    for group in groups_of(drawing, "skip"):
        data = dict(group.data)
        lane = min(p[1] for p in samples(skip_path(group)))
        deepest = max(p[1] for p in samples(skip_path(group)))
        if data["to"].endswith("output"):
            assert deepest > middle[data["to"]], data  # into the concat from below
        else:
            assert lane < middle[data["to"]], data  # out of the module input from above


def _box(group: Group) -> Box | None:
    boxes = [b for s in solids(group) if (b := _solid_box(s))]
    if not boxes:
        return None
    out = boxes[0]
    for b in boxes[1:]:
        out = out.union(b)
    return out


def _solid_box(s: Node) -> Box:
    if isinstance(s, Circle):
        return Box(s.cx - s.r, s.cy - s.r, s.cx + s.r, s.cy + s.r)
    pts = _corners(s) if isinstance(s, Rect) else list(s.points)  # type: ignore[union-attr]
    return Box(min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts),
               max(p[1] for p in pts))  # fmt: skip


def test_layers_fed_by_an_earlier_layer_get_no_kernel_from_their_neighbour() -> None:
    """An inception branch is fed by the module input: only its skip leads into it."""
    drawing = draw("inception_module")
    layers = by_name(drawing)
    targets = {dict(g.data)["to"] for g in groups_of(drawing, "skip")}
    branch = layers["inception_3a.3x3_reduce"]
    assert "inception_3a.3x3_reduce" in targets
    before = layer_groups(drawing)[layer_groups(drawing).index(branch) - 1]
    assert not [p for p in walk(before) if isinstance(p, Rect) and p.fill == "none"]


# --- merge symbols --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*BRANCHING, "small_unet", "gated"])
def test_merges_draw_a_circled_symbol(name: str) -> None:
    diagram = build(example(name))
    merges = [i for i in diagram.network.layers if i.is_merge]
    groups = {
        dict(g.data)["name"]: g for g in layer_groups(diagram.drawing) if "merge" in g.classes
    }
    assert sorted(groups) == sorted(i.name for i in merges)
    for info in merges:
        group = groups[info.name]
        assert info.type in group.classes
        (ring,) = [c for c in group.children if isinstance(c, Circle)]
        glyph = [ln for ln in group.children if isinstance(ln, Line) and not ln.arrow]
        assert len(glyph) == 2
        for ln in glyph:
            assert math.dist((ln.x1, ln.y1), (ring.cx, ring.cy)) < ring.r
            assert math.dist((ln.x2, ln.y2), (ring.cx, ring.cy)) < ring.r
        flat = [abs(ln.y1 - ln.y2) < 1e-6 for ln in glyph]
        upright = [abs(ln.x1 - ln.x2) < 1e-6 for ln in glyph]
        if info.type == "add":
            assert sorted(flat) == [False, True] and sorted(upright) == [False, True]
        elif info.type == "concat":
            assert all(upright)
        else:
            assert not any(flat) and not any(upright)
        maps = [r for r in group.children if isinstance(r, Rect)]
        assert bool(maps) == (info.type == "concat")  # a concat also draws the stack it makes
        if maps:
            assert min(r.x for r in maps) > ring.cx + ring.r
    root = parse_svg(diagram.svg)
    circles = [c for g in root.iter("{http://www.w3.org/2000/svg}g")
               if "merge" in (g.get("class") or "").split()
               for c in g.iter("{http://www.w3.org/2000/svg}circle")]  # fmt: skip
    assert len(circles) == len(merges)


def test_residual_add_sits_between_stacks_with_arrows_and_keeps_its_caption() -> None:
    drawing = draw("resnet_block")
    captions = [t.text for g in groups_of(drawing, "captions") for t in walk(g)
                if isinstance(t, Text)]  # fmt: skip
    assert captions.count("Add + ReLU") == 2
    adds = [g for g in layer_groups(drawing) if "add" in g.classes]
    rings = [c for g in adds for c in g.children if isinstance(c, Circle)]
    labels = [t for g in groups_of(drawing, "labels") for t in walk(g) if isinstance(t, Text)]
    for ring in rings:  # a bare symbol needs no shape label: it keeps its input's shape
        assert not [t for t in labels if text_box(t).x0 <= ring.cx <= text_box(t).x1]
    arrows = link_lines(drawing)
    assert len(arrows) == 4 and all(ln.arrow for ln in arrows)  # into and out of each add
    for g in adds:
        (ring,) = [c for c in g.children if isinstance(c, Circle)]
        touching = [ln for ln in arrows if abs(ln.y1 - ring.cy) < 1e-6]
        assert any(abs(ln.x2 - (ring.cx - ring.r)) < 0.01 for ln in touching)
        assert any(abs(ln.x1 - (ring.cx + ring.r)) < 0.01 for ln in touching)


def test_merge_circles_grow_for_many_arrivals_on_one_side() -> None:
    drawing = draw("densenet_block")
    rings = [c for g in layer_groups(drawing) if "merge" in g.classes for c in g.children
             if isinstance(c, Circle)]  # fmt: skip
    assert min(r.r for r in rings) == pytest.approx(8.0)
    assert all(r.r < 30 for r in rings)


# --- the U layout ---------------------------------------------------------------------------


def _centres(drawing: Drawing) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, g in by_name(drawing).items():
        rings = [c for c in solids(g) if isinstance(c, Circle)]
        if rings:
            out[name] = rings[0].cy
        else:
            b = _box(g)
            assert b is not None
            out[name] = (b.y0 + b.y1) / 2
    return out


@pytest.mark.parametrize("name", ["unet", "small_unet"])
def test_u_layout_descends_to_the_bottleneck_and_climbs_back(name: str) -> None:
    diagram = build(example(name, layout="u"))
    drawing = diagram.drawing
    centre = _centres(drawing)
    infos = {i.name: i for i in diagram.network.layers}
    spatial = [n for n in centre if infos[n].output.height]
    smallest = min(infos[n].output.height or 0 for n in spatial)
    lowest = max(centre[n] for n in spatial)
    bottleneck = [n for n in spatial if infos[n].output.height == smallest]
    assert all(centre[n] == pytest.approx(lowest) for n in bottleneck)
    for a, b in combinations(spatial, 2):  # one level per size, smaller maps lower
        ha, hb = infos[a].output.height or 0, infos[b].output.height or 0
        if ha == hb:
            assert centre[a] == pytest.approx(centre[b], abs=1e-6), (a, b)
        else:
            assert (centre[a] > centre[b]) == (ha < hb), (a, b)
    lanes: list[tuple[float, float]] = []
    for group in groups_of(drawing, "skip"):
        data = dict(group.data)
        assert centre[data["from"]] == pytest.approx(centre[data["to"]])  # mirrored levels
        horizontal = [s for s in straight(skip_path(group)) if abs(s[0][1] - s[1][1]) < 1e-6]
        (lane,) = [s for s in horizontal if abs(s[0][0] - s[1][0]) > 50]
        lanes.append((centre[data["from"]], lane[0][1]))
    lanes.sort()
    assert [y for _, y in lanes] == sorted(y for _, y in lanes)  # deeper levels, lower lanes
    for (c0, y0), (c1, _) in pairwise(lanes):
        assert c0 < y0 + 200 and y0 < c1  # each lane runs between its level and the next


@pytest.mark.parametrize("name", ["unet", "small_unet"])
def test_u_layout_keeps_left_to_right_order_without_overlap(name: str) -> None:
    """A step down may start under the stack above it, but shapes never meet."""
    boxes = [b for g in layer_groups(draw(name, layout="u")) if (b := _box(g))]
    assert all(a.x0 < b.x0 for a, b in pairwise(boxes))
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b, 4.0)
    tucked = [(a, b) for a, b in pairwise(boxes) if b.x0 < a.x1]
    assert tucked and all(b.y0 > a.y1 for a, b in tucked)


@pytest.mark.parametrize("name", ["vgg16", "lenet5", "resnet_block", "inception_module"])
def test_u_layout_of_a_network_that_never_grows_back_is_flat(name: str) -> None:
    data = example(name, layout="u")
    u = build(data).drawing
    data["options"]["lenet"]["layout"] = "flat"
    flat = build(data).drawing
    assert u.children == flat.children and u.viewbox == flat.viewbox


def test_flat_unet_keeps_one_centre_line_and_nests_its_skips() -> None:
    drawing = draw("unet")
    centre = _centres(drawing)
    assert max(centre.values()) - min(centre.values()) < 1e-6
    spans = []
    for group in groups_of(drawing, "skip"):
        pts = samples(skip_path(group))
        spans.append((min(p[0] for p in pts), max(p[0] for p in pts), min(p[1] for p in pts)))
    spans.sort()
    for (x0, x1, y), (u0, u1, v) in pairwise(spans):
        assert x0 < u0 and u1 < x1 and y < v  # outer skips run above inner ones


# --- the whole drawing --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_finite_inside_readable_and_deterministic(name: str, opts: dict) -> None:
    data = example(name, **opts)
    diagram = build(data)
    assert_finite_and_inside(diagram.drawing)
    assert_no_text_overlap(diagram.drawing)
    assert diagram.svg == build(example(name, **opts)).svg


@pytest.mark.parametrize(("name", "opts"), CASES, ids=IDS)
def test_branching_layouts_are_fast(name: str, opts: dict) -> None:
    data = example(name, **opts)
    runs = []
    for _ in range(5):  # the best of a few runs, so a busy machine does not fail it
        start = time.perf_counter()
        assert build(data).svg
        runs.append(time.perf_counter() - start)
    assert min(runs) < 0.05


def test_u_layout_png_is_not_blank() -> None:
    assert_png_not_blank(
        build(example("small_unet", layout="u")).png(scale=0.5, background="white")
    )


def test_skip_options() -> None:
    drawing = draw("resnet_block", show_skips=False)
    assert not groups_of(drawing, "skip")
    assert groups_of(drawing, "merge")
    square = draw("resnet_block", skip_radius=0, skip_color="#ff0000", skip_width=2)
    for group in groups_of(square, "skip"):
        path = skip_path(group)
        assert {c for c, _ in path.commands} == {"M", "L"}
        assert path.stroke == "#ff0000" and path.stroke_width == 2
    rounded = draw("resnet_block")
    assert all("C" in {c for c, _ in skip_path(g).commands} for g in groups_of(rounded, "skip"))
    big = draw("resnet_block", merge_radius=20)
    assert {c.r for g in groups_of(big, "merge") for c in g.children
            if isinstance(c, Circle)} == {20}  # fmt: skip


def test_svg_groups_name_both_ends_of_every_skip() -> None:
    diagram = build(example("unet"))
    root = parse_svg(diagram.svg)
    skips = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
             if "skip" in (g.get("class") or "").split()]  # fmt: skip
    pairs = {(g.get("data-from"), g.get("data-to")) for g in skips}
    assert pairs == {("enc1_conv2", "skip1"), ("enc2_conv2", "skip2"), ("enc3_conv2", "skip3")}
    for g in skips:
        path = g.find("{http://www.w3.org/2000/svg}path")
        assert path is not None and (path.get("marker-end") or "").startswith("url(#")


# --- random branching networks --------------------------------------------------------------


@st.composite
def branching_specs(draw_: st.DrawFn) -> dict[str, Any]:
    """Conv stacks that pool and upsample, with adds and concats to random earlier layers.

    Some layers get long labels, which crowd the edges skip lines attach to.
    """
    size = draw_(st.sampled_from([8, 16, 32, 64]))
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": size, "width": size, "channels": 4, "name": "l0"}
    ]
    shape = {"l0": (4, size)}
    labels = st.one_of(st.none(), st.sampled_from(["x", "A long description of a layer"]))
    for i in range(1, draw_(st.integers(2, 16))):
        names = list(shape)
        kind = draw_(st.sampled_from(["conv", "conv", "add", "concat", "norm", "pool",
                                      "upsample", "dense"]))  # fmt: skip
        src = draw_(st.sampled_from(names))
        c, hw = shape[src]
        layer: dict[str, Any] = {"name": f"l{i}", "inputs": [src]}
        if kind == "conv":
            f = draw_(st.sampled_from([4, 8, 16]))
            layer.update(type="conv", filters=f, kernel=3, padding="same")
            shape[f"l{i}"] = (f, hw)
        elif kind == "pool" and hw >= 2:
            layer.update(type="pool", kernel=2)
            shape[f"l{i}"] = (c, hw // 2)
        elif kind == "upsample" and hw <= 64:
            layer.update(type="upsample", scale=2)
            shape[f"l{i}"] = (c, hw * 2)
        elif kind == "norm":
            layer = {"type": "norm", "name": f"l{i}"}
            shape[f"l{i}"] = shape[names[-1]]
        elif kind in ("add", "concat"):
            pool = [
                n for n in names if shape[n][1] == hw and (kind == "concat" or shape[n] == (c, hw))
            ]
            others = draw_(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
            ins = list(dict.fromkeys([src, *others]))
            if len(ins) < 2:
                continue
            layer.update(type=kind, inputs=ins)
            shape[f"l{i}"] = (sum(shape[n][0] for n in ins) if kind == "concat" else c, hw)
        else:
            break
        label = draw_(labels)
        if label:
            layer["label"] = label
        layers.append(layer)
    if draw_(st.booleans()):
        layers += [{"type": "pool", "global": True}, {"type": "dense", "units": 10}]
    options: dict[str, Any] = {"lenet": {"layout": draw_(st.sampled_from(["flat", "u"]))}}
    if draw_(st.booleans()):
        options["annotations"] = ["shape", "params", "macs"]
    return {"style": "lenet", "layers": layers, "options": options}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(branching_specs())
def test_random_branching_networks_stay_clean(spec: dict[str, Any]) -> None:
    diagram = build(spec)
    drawing = diagram.drawing
    assert_finite_and_inside(drawing)
    assert_no_text_overlap(drawing)
    layers = by_name(drawing)
    for group in groups_of(drawing, "skip"):
        data = dict(group.data)
        points = samples(skip_path(group))
        assert abs(max(depth_inside(s, points[-1]) for s in solids(layers[data["to"]]))) < 0.6
        assert_clear(drawing, group)
    assert_lines_clear_of_text(drawing)


# --- bounds ------------------------------------------------------------------------------------


def dense_spec(n: int) -> dict[str, Any]:
    """Every concat takes every earlier conv: n (n + 1) / 2 skips."""
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": 8, "width": 8, "channels": 4, "name": "x"}
    ]
    feats = ["x"]
    for i in range(1, n + 1):
        layers.append({"type": "conv", "filters": 4, "kernel": 3, "padding": "same",
                       "name": f"c{i}", "inputs": ["x" if i == 1 else f"k{i - 1}"]})  # fmt: skip
        layers.append({"type": "concat", "inputs": [*feats, f"c{i}"], "name": f"k{i}"})
        feats.append(f"c{i}")
    return {"style": "lenet", "layers": layers}


def test_too_many_skips_are_refused_quickly_with_the_limit_name() -> None:
    from nnsketch.errors import LimitError
    from nnsketch.limits import LIMITS

    start = time.perf_counter()
    with pytest.raises(LimitError) as err:
        build(dense_spec(45))
    assert time.perf_counter() - start < 2.0
    (issue,) = err.value.issues
    assert issue.loc == "options.lenet.show_skips"
    assert "max_skips_drawn" in issue.msg and f"{LIMITS.max_skips_drawn:,}" in issue.msg
    spec = dense_spec(45)
    spec["options"] = {"lenet": {"show_skips": False}}
    assert not groups_of(build(spec).drawing, "skip")


def test_many_skips_lay_out_in_bounded_time() -> None:
    spec = dense_spec(44)  # 990 skips, just under the limit
    start = time.perf_counter()
    drawing = build(spec).drawing
    assert time.perf_counter() - start < 3.0
    assert len(groups_of(drawing, "skip")) == 990
    assert_finite_and_inside(drawing)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=40))
def test_interleaving_sweep_matches_the_definition(pairs: list[tuple[int, int]]) -> None:
    from nnsketch.styles.lenet_skips import Skip, _interleaving, interleave

    skips = [Skip(a, b, a, b) for a, b in pairs if abs(a - b) > 1]
    near = _interleaving(skips)
    for i, a in enumerate(skips):
        assert near[i] == {j for j, b in enumerate(skips) if j != i and interleave(a, b)}
