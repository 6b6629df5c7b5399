"""Branching networks in the alexnet style: skip lines, merge junctions, the U layout."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnsketch
from nnsketch.analysis import analyze
from nnsketch.primitives import Box, Circle, Drawing, Group, Line, Path, Point, Text, text_box, walk
from nnsketch.spec import load_spec
from nnsketch.styles.alexnet_levels import levels
from nnsketch.styles.alexnet_scene import Scene, build_scene, junction_circle
from nnsketch.styles.projection import box_hits_polygon, view
from tests.checks import (
    assert_finite_and_inside,
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    parse_svg,
    texts,
)
from tests.conftest import load

BRANCHING = ("resnet_block", "unet", "inception_module", "densenet_block", "resnet18")
VIEWS: tuple[dict[str, Any], ...] = (
    {},
    {"azimuth": 35, "elevation": 25},
    {"azimuth": -30, "elevation": -20},
    {"azimuth": 0, "elevation": 0},
    {"azimuth": -89, "elevation": 89},
    {"azimuth": 89, "elevation": -89},
    {"azimuth": -70, "elevation": 50},
    {"projection": "perspective"},
    {"label_position": "above"},
)
SKIPS = {"resnet_block": 2, "unet": 3, "inception_module": 12, "densenet_block": 10}
"""Hand-counted skips: edges between elements that are not neighbours in the chain."""


def spec_of(name: str, **alexnet: Any) -> dict[str, Any]:
    spec = load(name)
    spec["style"] = "alexnet"
    spec["options"] = {**spec.get("options", {}), "alexnet": alexnet}
    return spec


def drawing(spec: dict[str, Any]) -> Drawing:
    return nnsketch.build(spec).drawing


def scene_of(spec: dict[str, Any]) -> Scene:
    return build_scene(analyze(load_spec(spec)))


def skips(d: Drawing) -> list[tuple[dict[str, str], Path]]:
    out: list[tuple[dict[str, str], Path]] = []
    for child in d.children:
        if isinstance(child, Group) and "skips" in child.classes:
            for g in child.children:
                assert isinstance(g, Group) and "skip" in g.classes
                (path,) = g.children
                assert isinstance(path, Path) and path.arrow
                out.append((dict(g.data), path))
    return out


def junctions(d: Drawing) -> list[Group]:
    found: list[Group] = []

    def visit(node: Any) -> None:
        if isinstance(node, Group):
            if "junction" in node.classes:
                found.append(node)
            for child in node.children:
                visit(child)

    for child in d.children:
        visit(child)
    return found


def sample(path: Path, step: float = 0.5) -> list[Point]:
    """Points along the path every `step` px or so (curves included)."""
    pts: list[Point] = []
    at: Point = (0.0, 0.0)
    for cmd, args in path.commands:
        if cmd == "M":
            at = (args[0], args[1])
            pts.append(at)
        elif cmd == "L":
            end = (args[0], args[1])
            n = max(1, math.ceil(math.dist(at, end) / step))
            pts += [(at[0] + (end[0] - at[0]) * k / n, at[1] + (end[1] - at[1]) * k / n)
                    for k in range(1, n + 1)]  # fmt: skip
            at = end
        elif cmd == "C":
            c1, c2, end = (args[0], args[1]), (args[2], args[3]), (args[4], args[5])
            n = 40
            for k in range(1, n + 1):
                t = k / n
                a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                pts.append((a * at[0] + b * c1[0] + c * c2[0] + e * end[0],
                            a * at[1] + b * c1[1] + c * c2[1] + e * end[1]))  # fmt: skip
            at = end
    return pts


def near_polygon(p: Point, polygon: tuple[Point, ...], tol: float = 0.75) -> bool:
    return box_hits_polygon(Box(p[0], p[1], p[0], p[1]), polygon, tol)


def element(scene: Scene, name: str, last: bool) -> int:
    found = [i for i, b in enumerate(scene.blocks) if b.info.name == name]
    return found[-1] if last else found[0]


def top_face(scene: Scene, e: int, sign: int = 1) -> tuple[Point, ...]:
    cam = scene.camera
    return tuple(cam.project(c) for c in scene.blocks[e].box.face(1, sign).corners)


def on_circle(p: Point, centre: Point, r: float, tol: float = 0.6) -> bool:
    return abs(math.dist(p, centre) - r) <= tol


def distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy)
                                                / length2))  # fmt: skip
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


# --- which edges skip, merges as junctions ------------------------------------------------


@pytest.mark.parametrize("name", list(SKIPS))
def test_every_non_chain_edge_is_one_skip(name: str) -> None:
    spec = spec_of(name)
    d = drawing(spec)
    found = skips(d)
    assert len(found) == SKIPS[name]
    scene = scene_of(spec)
    expected = {(scene.blocks[a].info.name, scene.blocks[b].info.name)
                for a, b in scene.edges if b != a + 1}  # fmt: skip
    assert {(data["from"], data["to"]) for data, _ in found} == expected
    root = parse_svg(nnsketch.build(spec).svg)
    svg_skips = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
                 if (g.get("class") or "").split() == ["skip"]]  # fmt: skip
    assert len(svg_skips) == SKIPS[name]
    assert all(g.find("{http://www.w3.org/2000/svg}path").get("marker-end") for g in svg_skips)


def test_resnet_skips_join_at_the_sums() -> None:
    d = drawing(spec_of("resnet_block"))
    pairs = [(data["from"], data["to"]) for data, _ in skips(d)]
    assert pairs == [("x", "stage1.1.sum"), ("stage1.1.sum", "stage1.2.sum")]


@pytest.mark.parametrize(
    ("merge", "glyph"), [("add", "+"), ("multiply", "\u00d7"), ("concat", "||")]
)
def test_merge_symbols_are_circled_glyphs(merge: str, glyph: str) -> None:
    spec = {
        "style": "alexnet",
        "layers": [
            {"type": "input", "height": 32, "width": 32, "channels": 8, "name": "x"},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "a"},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "b"},
            {"type": merge, "inputs": ["x", "b"], "name": "m"},
            {"type": "activation", "function": "relu", "name": "r"},
            {"type": "conv", "filters": 4, "kernel": 1, "name": "out"},
        ],
    }
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    (junction,) = junctions(d)
    circle, text = junction.children
    assert isinstance(circle, Circle) and isinstance(text, Text)
    assert text.text == glyph
    box = text_box(text)
    for x, y in ((box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)):
        assert math.dist((x, y), (circle.cx, circle.cy)) <= circle.r + 0.5  # glyph inside
    # add and multiply keep the shape: the junction is the layer's group; a concat
    # makes a new tensor, which gets its own block right after the junction
    is_layer = "layer" in junction.classes
    assert is_layer == (merge != "concat")
    names = [dict(g.data)["name"] for g in layer_groups(d)]
    assert names.count("m") == 1
    assert "then r (activation)" in (layer_groups(d)[names.index("m")].title or "")
    ((data, path),) = skips(d)
    assert (data["from"], data["to"]) == ("x", "m")
    end = sample(path)[-1]
    assert on_circle(end, (circle.cx, circle.cy), circle.r)


def test_show_skips_off_keeps_the_junctions() -> None:
    d = drawing(spec_of("resnet_block", show_skips=False))
    assert not skips(d)
    assert len(junctions(d)) == 2
    assert_finite_and_inside(d)


# --- where skips start, run and end ---------------------------------------------------------


def assert_skip_geometry(spec: dict[str, Any]) -> None:
    """Starts on the source's top, ends on the target's top (or circle), clear of labels."""
    d = drawing(spec)
    scene = scene_of(spec)
    opts = load_spec(spec).options.alexnet
    u_shaped = any(b.level for b in scene.blocks)
    side = -1 if opts.label_position == "above" and not u_shaped else 1
    cam = scene.camera
    connections = {
        dict(g.data)["from"]: g for g in d.children if isinstance(g, Group)
        and "connections" in g.classes
    }  # fmt: skip
    boxes = [(t.text, text_box(t)) for t in texts(d)]
    for data, path in skips(d):
        pts = sample(path)
        src = element(scene, data["from"], last=True)
        dst = element(scene, data["to"], last=False)
        start, end = pts[0], pts[-1]
        block = scene.blocks[src]
        if block.junction:
            centre, r = junction_circle(block, cam, opts.merge_radius)
            arrow = connections.get(block.info.name)
            taps = [n for n in walk(arrow) if isinstance(n, Line)] if arrow else []
            assert on_circle(start, centre, r) or any(
                distance_to_segment(start, (ln.x1, ln.y1), (ln.x2, ln.y2)) < 0.5 for ln in taps
            ), data
        else:
            outline = view(cam, block.box).outline()
            assert near_polygon(start, top_face(scene, src, side)) or near_polygon(start, outline)
        target = scene.blocks[dst]
        if target.junction:
            centre, r = junction_circle(target, cam, opts.merge_radius)
            assert on_circle(end, centre, r), data
        else:
            assert near_polygon(end, top_face(scene, dst, side)) or near_polygon(
                end, view(cam, target.box).outline()
            ), data
        for p in pts:
            for value, box in boxes:
                inside = box.x0 < p[0] < box.x1 and box.y0 < p[1] < box.y1
                assert not inside, f"skip {data} crosses label {value!r}"


@pytest.mark.parametrize("name", BRANCHING)
def test_skips_start_and_end_on_their_blocks_and_miss_every_label(name: str) -> None:
    assert_skip_geometry(spec_of(name))
    assert_skip_geometry(spec_of(name, layout="u"))


@pytest.mark.parametrize("view_opts", VIEWS)
def test_skip_geometry_in_every_view(view_opts: dict[str, Any]) -> None:
    assert_skip_geometry(spec_of("resnet_block", **view_opts))
    assert_skip_geometry(spec_of("unet", layout="u", **view_opts))


def test_skips_start_from_the_top_face_centre_line() -> None:
    spec = spec_of("resnet_block")
    scene = scene_of(spec)
    (data, path), _ = skips(drawing(spec))
    assert data["from"] == "x"
    box = scene.blocks[0].box
    mid = ((box.lo[0] + box.hi[0]) / 2, box.hi[1], 0.0)
    assert math.dist(sample(path)[0], scene.camera.project(mid)) < 1e-6
    first_leg = path.commands[1][1]
    assert first_leg[0] == pytest.approx(path.commands[0][1][0])  # rises straight up


def legs(path: Path) -> list[tuple[Point, Point]]:
    """The straight pieces of a skip path (its rounded corners are a few px each)."""
    out: list[tuple[Point, Point]] = []
    at: Point = (0.0, 0.0)
    for cmd, args in path.commands:
        end = (args[-2], args[-1]) if args else at
        if cmd == "L":
            out.append((at, end))
        at = end
    return out


def shared_length(a: tuple[Point, Point], b: tuple[Point, Point], tol: float = 1.5) -> float:
    """Length along which two segments run within `tol` of each other, side by side."""
    (ax, ay), (bx, by) = a
    length = math.hypot(bx - ax, by - ay)
    if length < 1e-9:
        return 0.0
    ux, uy = (bx - ax) / length, (by - ay) / length
    (cx, cy), (dx, dy) = b
    if abs((dx - cx) * uy - (dy - cy) * ux) > 0.1 * math.hypot(dx - cx, dy - cy):
        return 0.0  # not parallel: at most a crossing
    if abs((cx - ax) * uy - (cy - ay) * ux) > tol:
        return 0.0  # parallel but apart
    t0, t1 = sorted(((cx - ax) * ux + (cy - ay) * uy, (dx - ax) * ux + (dy - ay) * uy))
    return max(0.0, min(length, t1) - max(0.0, t0))


@pytest.mark.parametrize("name", ["unet", "inception_module", "densenet_block", "resnet_block"])
def test_skips_never_run_along_each_other(name: str) -> None:
    """Two skips may cross at right angles; they only share a line where they share an end
    (a fan-out's rise, a fan-in's drop)."""
    for spec in (spec_of(name), spec_of(name, layout="u")):
        found = [(data, legs(path)) for data, path in skips(drawing(spec))]
        for i, (da, pa) in enumerate(found):
            for db, pb in found[i + 1 :]:
                if da["from"] == db["from"] or da["to"] == db["to"]:
                    continue
                assert sum(shared_length(a, b) for a in pa for b in pb) < 0.5, (da, db)


def test_nested_skips_take_outer_lanes() -> None:
    spec = spec_of("unet")
    found = {data["to"]: sample(path) for data, path in skips(drawing(spec))}
    # the run of each skip is its topmost point near the middle of the chain
    cam = scene_of(spec).camera
    u = cam.project((1.0, 0.0, 0.0))
    o = cam.project((0.0, 0.0, 0.0))
    slope = (u[1] - o[1]) / (u[0] - o[0])

    def lane(points: list[Point]) -> float:
        return min(y - slope * x for x, y in points)  # height above the chain's slope

    inner, middle, outer = (lane(found[n]) for n in ("skip3", "skip2", "skip1"))
    spacing = load_spec(spec).options.alexnet.skip_spacing
    assert outer <= middle - spacing + 1e-6 and middle <= inner - spacing + 1e-6


def test_lanes_run_parallel_to_the_chain() -> None:
    for spec in (spec_of("unet"), spec_of("unet", layout="u")):
        cam = scene_of(spec).camera
        (ax, ay), (bx, by) = cam.project((1, 0, 0)), cam.project((0, 0, 0))
        ux, uy = ax - bx, ay - by
        for _, path in skips(drawing(spec)):
            legs = [args for cmd, args in path.commands if cmd == "L"]
            # M start, L (corner 1 start), C, L (run end), C, L target
            (x0, y0), (x1, y1) = path.commands[2][1][4:6], legs[1]
            assert abs((x1 - x0) * uy - (y1 - y0) * ux) < 1e-6 * math.hypot(x1 - x0, y1 - y0)


def test_labels_keep_clear_of_junctions_and_skips() -> None:
    for name in BRANCHING:
        d = drawing(spec_of(name))
        circles = [n for g in junctions(d) for n in g.children if isinstance(n, Circle)]
        glyphs = {id(n) for g in junctions(d) for n in g.children if isinstance(n, Text)}
        for t in texts(d):
            if id(t) in glyphs:
                continue
            box = text_box(t)
            for c in circles:
                nx = min(max(c.cx, box.x0), box.x1)
                ny = min(max(c.cy, box.y0), box.y1)
                assert math.dist((nx, ny), (c.cx, c.cy)) >= c.r, (name, t.text)


# --- the U layout ------------------------------------------------------------------------------


def test_u_layout_puts_the_bottleneck_lowest() -> None:
    spec = spec_of("unet", layout="u")
    scene = scene_of(spec)
    sides = [b.info.output.height for b in scene.blocks]
    depth = {128: 0, 64: 1, 32: 2, 16: 3}
    assert [b.level for b in scene.blocks] == [depth[s or 0] for s in sides]
    lowest = min(b.axis_y for b in scene.blocks)
    assert {b.info.output.height for b in scene.blocks if b.axis_y == lowest} == {16}
    # levels never overlap: each level's blocks lie wholly below the level above
    for level in range(1, 4):
        above = min(b.box.lo[1] for b in scene.blocks if b.level == level - 1)
        below = max(b.box.hi[1] for b in scene.blocks if b.level == level)
        assert below < above
    # seen from the side, the bottleneck is the lowest thing on the page
    side = drawing(spec_of("unet", layout="u", azimuth=0, elevation=15))
    groups = layer_groups(side)
    bottoms = {dict(g.data)["name"]: max(p[1] for n in walk(g) for p in points(n))
               for g in groups}  # fmt: skip
    lowest_name = max(bottoms, key=lambda k: bottoms[k])
    assert lowest_name.startswith(("pool3", "bottleneck"))


def points(node: Any) -> list[Point]:
    if isinstance(node, Circle):
        return [(node.cx, node.cy + node.r)]
    if hasattr(node, "points"):
        return list(node.points)
    return []


def test_u_layout_skips_stay_on_their_level() -> None:
    spec = spec_of("unet", layout="u")
    scene = scene_of(spec)
    for data, _ in skips(drawing(spec)):
        src = scene.blocks[element(scene, data["from"], last=True)]
        dst = scene.blocks[element(scene, data["to"], last=False)]
        assert src.level == dst.level and src.axis_y == dst.axis_y


def test_u_layout_arrows_between_levels_stay_off_the_faces() -> None:
    spec = spec_of("unet", layout="u")
    d = drawing(spec)
    scene = scene_of(spec)
    cam = scene.camera
    for g in d.children:
        if not (isinstance(g, Group) and "connections" in g.classes):
            continue
        name = dict(g.data)["name"]
        dst = element(scene, name, last=False)
        src, target = scene.blocks[dst - 1], scene.blocks[dst]
        if src.junction or target.junction or src.axis_y == target.axis_y:
            continue
        (line,) = [n for n in walk(g) if isinstance(n, Line)]
        for block in (src, target):
            outline = view(cam, block.box).outline()
            for t in (0.0, 0.5, 1.0):
                p = (line.x1 + t * (line.x2 - line.x1), line.y1 + t * (line.y2 - line.y1))
                assert not near_polygon(p, outline, -1.0)


def test_u_layout_leaves_other_networks_flat() -> None:
    for name in ("alexnet", "vgg16", "resnet_block", "inception_module"):
        flat, u = drawing(spec_of(name)), drawing(spec_of(name, layout="u"))
        assert flat.children == u.children and flat.viewbox == u.viewbox, name


def test_levels_from_map_sizes() -> None:
    assert levels([128, 128, 64, 32, 16, 32, 64, 128]) == [0, 0, 1, 2, 3, 2, 1, 0]
    # the original U-Net: valid convolutions trim each level a little
    sizes = [572, 570, 568, 284, 282, 280, 140, 138, 136, 68, 66, 64, 32, 30, 28,
             56, 54, 52, 104, 102, 100, 200, 198, 196, 392, 390, 388]  # fmt: skip
    assert levels(sizes) == [k for k in (0, 1, 2, 3, 4, 3, 2, 1, 0) for _ in range(3)]
    assert levels([224, 112, 56, 28, 14, 7]) is None  # never grows back: no U
    assert levels([64, None, 32, None, 64]) == [0, 0, 1, 1, 0]  # vectors keep the level
    assert levels([32, 32]) is None


# --- everything else still holds ------------------------------------------------------------


@pytest.mark.parametrize("layout", ["flat", "u"])
@pytest.mark.parametrize("view_opts", VIEWS)
@pytest.mark.parametrize("name", BRANCHING)
def test_branching_examples_are_valid(name: str, view_opts: dict[str, Any], layout: str) -> None:
    d = drawing(spec_of(name, layout=layout, **view_opts))
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    assert d.viewbox.width < 20_000 and d.viewbox.height < 20_000


def test_annotations_work_with_skips() -> None:
    spec = spec_of("resnet_block")
    spec["options"]["annotations"] = ["shape", "params", "macs"]
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    words = [t.text for t in texts(d)]
    assert words.count("56×56×64") >= 5 and "36.9k params" in words
    assert_skip_geometry(spec)
    u = spec_of("unet", layout="u")
    u["options"]["annotations"] = ["shape", "params"]
    assert_skip_geometry(u)
    assert_no_text_overlap(drawing(u))


def test_backward_edges_are_skips_too() -> None:
    spec = {
        "style": "alexnet",
        "layers": [
            {"type": "input", "height": 16, "width": 16, "channels": 3, "name": "x"},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "late",
             "inputs": ["early"]},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "early",
             "inputs": ["x"]},
        ],
    }  # fmt: skip
    d = drawing(spec)
    assert_finite_and_inside(d)
    pairs = sorted((data["from"], data["to"]) for data, _ in skips(d))
    assert pairs == [("early", "late"), ("x", "early")]
    assert_skip_geometry(spec)


def test_deterministic_and_fast() -> None:
    import time

    spec = spec_of("unet", layout="u")
    first = nnsketch.build(spec).svg
    assert nnsketch.build(spec).svg == first
    start = time.perf_counter()
    for _ in range(3):
        nnsketch.build(spec_of("densenet_block")).svg  # noqa: B018
    assert (time.perf_counter() - start) / 3 < 0.25


def test_png_of_a_u_net_is_not_blank() -> None:
    assert_png_not_blank(nnsketch.build(spec_of("unet", layout="u")).png(scale=0.5))


# --- random branching networks ----------------------------------------------------------------


@st.composite
def dag_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid random DAG: convs, pools, upsamples and merges of any earlier layers."""
    side = draw(st.sampled_from([8, 16, 32, 64]))
    shapes: list[tuple[int, int]] = [(side, draw(st.integers(1, 64)))]  # (map side, channels)
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": side, "width": side, "channels": shapes[0][1], "name": "l0"}
    ]
    for i in range(1, draw(st.integers(2, 14))):
        src = draw(st.integers(0, i - 1))
        s, c = shapes[src]
        kind = draw(st.sampled_from(["conv", "conv", "pool", "up", "add", "concat", "relu"]))
        same = [j for j in range(i) if shapes[j] == (s, c) and j != src]
        spatial = [j for j in range(i) if shapes[j][0] == s and j != src]
        layer: dict[str, Any]
        if kind == "pool" and s >= 2:
            layer, shape = {"type": "pool", "kernel": 2}, (s // 2, c)
        elif kind == "up" and s <= 64:
            layer, shape = {"type": "upsample", "scale": 2}, (s * 2, c)
        elif kind == "add" and same:
            other = draw(st.sampled_from(same))
            layer, shape = {"type": "add", "inputs": [f"l{src}", f"l{other}"]}, (s, c)
        elif kind == "concat" and spatial:
            other = draw(st.sampled_from(spatial))
            layer, shape = ({"type": "concat", "inputs": [f"l{src}", f"l{other}"]},
                            (s, c + shapes[other][1]))  # fmt: skip
        elif kind == "relu":
            layer, shape = {"type": "activation"}, (s, c)
        else:
            f = draw(st.integers(1, 64))
            layer, shape = {"type": "conv", "filters": f, "kernel": 3, "padding": "same"}, (s, f)
        layer.setdefault("inputs", [f"l{src}"])
        layer["name"] = f"l{i}"
        layers.append(layer)
        shapes.append(shape)
    alexnet = {
        "layout": draw(st.sampled_from(["flat", "u"])),
        "azimuth": draw(st.floats(-89, 89)),
        "elevation": draw(st.floats(-89, 89)),
        "projection": draw(st.sampled_from(["orthographic", "perspective"])),
        "label_position": draw(st.sampled_from(["below", "above"])),
    }
    return {"style": "alexnet", "layers": layers, "options": {"alexnet": alexnet}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_specs())
def test_random_branching_networks(spec: dict[str, Any]) -> None:
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    assert d.viewbox.width < 50_000 and d.viewbox.height < 50_000
    assert_skip_geometry(spec)
