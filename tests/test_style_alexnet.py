"""The alexnet style: camera math, painter's order, kernels, labels and the examples."""

from __future__ import annotations

import math
from typing import Any

import pytest

import nnsketch
from nnsketch.analysis import analyze
from nnsketch.primitives import (
    Box,
    Drawing,
    Group,
    Node,
    Path,
    Polygon,
    Text,
    bounds,
    text_box,
    walk,
)
from nnsketch.spec import load_spec
from nnsketch.styles.alexnet_scene import FOLDED_TYPES, Scene, build_scene, group_layers
from nnsketch.styles.projection import (
    Camera,
    Cuboid,
    box_hits_polygon,
    convex_hull,
    silhouette_edges,
    view,
    visible_faces,
)
from tests.checks import (
    assert_finite_and_inside,
    assert_no_text_overlap,
    assert_png_not_blank,
    layer_groups,
    layer_index,
    parse_svg,
    svg_layer_groups,
    svg_texts,
    texts,
)
from tests.conftest import load

EXAMPLES = ("alexnet", "vgg16", "lenet5", "mnist_cnn")
VIEWS: tuple[dict[str, Any], ...] = (
    {},
    {"azimuth": 35, "elevation": 25},
    {"azimuth": -60, "elevation": 40},
    {"azimuth": -30, "elevation": -20},
    {"azimuth": 10, "elevation": -45},
    {"azimuth": 0, "elevation": 0},
    {"azimuth": -89, "elevation": 89},
    {"azimuth": 89, "elevation": -89},
    {"projection": "perspective"},
    {"projection": "perspective", "azimuth": 30, "camera_distance": 100},
    {"separate": False, "layer_spacing": 0},
    {"separate": False, "layer_spacing": 10, "azimuth": -70, "projection": "perspective"},
)


def spec_of(name: str, **alexnet: Any) -> dict[str, Any]:
    spec = load(name)
    spec["style"] = "alexnet"
    spec["options"] = {**spec.get("options", {}), "alexnet": alexnet}
    return spec


def drawing(spec: dict[str, Any]) -> Drawing:
    return nnsketch.build(spec).drawing


def scene_of(spec: dict[str, Any]) -> Scene:
    return build_scene(analyze(load_spec(spec)))


def flat(d: Drawing) -> list[tuple[Node, Group | None]]:
    """Every primitive in drawing order with the layer group it belongs to."""
    out: list[tuple[Node, Group | None]] = []

    def visit(node: Node, owner: Group | None) -> None:
        if isinstance(node, Group):
            own = node if "layer" in node.classes else owner
            for child in node.children:
                visit(child, own)
        else:
            out.append((node, owner))

    for child in d.children:
        visit(child, None)
    return out


def name_of(group: Group) -> str:
    return dict(group.data)["name"]


def top_groups(d: Drawing, cls: str) -> list[tuple[int, Group]]:
    return [(i, g) for i, g in enumerate(d.children) if isinstance(g, Group) and cls in g.classes]


def outline(group: Group) -> tuple[tuple[float, float], ...]:
    pts = [p for n in walk(group) if isinstance(n, Polygon) for p in n.points]
    return convex_hull(pts)


# --- projection -------------------------------------------------------------------------


def test_orthographic_side_view_drops_depth() -> None:
    cam = Camera(0, 0)
    assert cam.project((1, 2, 3)) == pytest.approx((1, -2))
    assert cam.project((0, 0, 0)) == pytest.approx((0, 0))


def test_orthographic_known_points() -> None:
    end_on = Camera(-90, 0)  # looking down the chain from its output end
    assert end_on.project((1, 2, 3)) == pytest.approx((-3, -2))
    top = Camera(0, 90)  # looking straight down: nearer z is lower on screen
    assert top.project((1, 2, 3)) == pytest.approx((1, 3))
    cam = Camera(-30, 20)
    a, e = math.radians(30), math.radians(20)
    assert cam.project((1, 0, 0)) == pytest.approx((math.cos(a), math.sin(e) * math.sin(a)))
    assert cam.project((0, 1, 0)) == pytest.approx((0, -math.cos(e)))


def test_orthographic_projection_is_linear_and_orthonormal() -> None:
    cam = Camera(-37, 23, target=(5, -2, 1))
    for u, v in ((cam.right, cam.up), (cam.right, cam.eye), (cam.up, cam.eye)):
        assert sum(a * b for a, b in zip(u, v, strict=True)) == pytest.approx(0, abs=1e-12)
    for u in (cam.right, cam.up, cam.eye):
        assert math.hypot(*u) == pytest.approx(1)
    p, q = (3.0, 4.0, -2.0), (-1.0, 0.5, 7.0)
    mid = tuple((a + b) / 2 for a, b in zip(p, q, strict=True))
    pp, qq, mm = cam.project(p), cam.project(q), cam.project(mid)  # type: ignore[arg-type]
    assert mm == pytest.approx(((pp[0] + qq[0]) / 2, (pp[1] + qq[1]) / 2))
    assert cam.project(cam.target) == pytest.approx((0, 0))


def test_perspective_shrinks_with_distance() -> None:
    cam = Camera(0, 0, perspective=True, distance=100)
    near = cam.project((10, 0, 50))
    far = cam.project((10, 0, -50))
    assert near[0] == pytest.approx(20) and far[0] == pytest.approx(10 * 100 / 150)


BOX = Cuboid((-10, -20, -30), (15, 25, 35))


@pytest.mark.parametrize("az", [-80, -45, -30, -5, 5, 30, 60, 85])
@pytest.mark.parametrize("el", [-70, -20, -3, 3, 20, 75])
def test_culling_shows_three_faces_that_flip_with_the_angles(az: float, el: float) -> None:
    faces = {(f.axis, f.sign) for f in visible_faces(Camera(az, el), BOX)}
    assert len(faces) == 3
    assert (0, 1 if az < 0 else -1) in faces  # negative azimuth looks from the output end
    assert (1, 1 if el > 0 else -1) in faces
    assert (2, 1) in faces
    assert len(silhouette_edges(Camera(az, el), BOX)) == 6  # the outline is a hexagon


def test_culling_edge_on_faces_are_hidden() -> None:
    assert {(f.axis, f.sign) for f in visible_faces(Camera(-30, 0), BOX)} == {(0, 1), (2, 1)}
    assert {(f.axis, f.sign) for f in visible_faces(Camera(0, 0), BOX)} == {(2, 1)}


def test_perspective_culling_depends_on_where_the_box_is() -> None:
    cam = Camera(0, 10, perspective=True, distance=500)
    left = Cuboid((-300, -10, -10), (-280, 10, 10))
    right = Cuboid((280, -10, -10), (300, 10, 10))
    assert (0, 1) in {(f.axis, f.sign) for f in visible_faces(cam, left)}
    assert (0, -1) in {(f.axis, f.sign) for f in visible_faces(cam, right)}


def test_view_matches_the_3d_helpers() -> None:
    cam = Camera(-30, 20)
    v = view(cam, BOX)
    assert set(v.faces) == {(f.axis, f.sign) for f in visible_faces(cam, BOX)}
    for f in visible_faces(cam, BOX):
        assert v.face(f.axis, f.sign) == tuple(cam.project(c) for c in f.corners)
    assert len(v.outline()) == 6
    assert len(v.silhouette()) == 6


def test_hull_and_box_polygon_intersection() -> None:
    square = convex_hull([(0, 0), (10, 0), (10, 10), (0, 10), (5, 5)])
    assert len(square) == 4
    diamond = ((5.0, 0.0), (10.0, 5.0), (5.0, 10.0), (0.0, 5.0))
    assert box_hits_polygon(Box(4, 4, 6, 6), diamond)
    assert not box_hits_polygon(Box(0, 0, 2, 2), diamond)  # in the corner the diamond cuts off
    assert not box_hits_polygon(Box(11, 0, 20, 10), diamond)
    assert box_hits_polygon(Box(9, 4, 20, 6), diamond)


# --- scene and painter's order ---------------------------------------------------------


@pytest.mark.parametrize("view_opts", VIEWS)
def test_farther_blocks_are_drawn_first(view_opts: dict[str, Any]) -> None:
    spec = spec_of("alexnet", **view_opts)
    scene = scene_of(spec)
    cam = scene.camera
    by_index = {b.info.name: b for b in scene.blocks}
    prims = flat(drawing(spec))
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for pos, (_, owner) in enumerate(prims):
        if owner is not None:
            k = name_of(owner)
            first.setdefault(k, pos)
            last[k] = pos
    assert sorted(first) == sorted(by_index)
    for a in by_index:
        for b in by_index:
            if last[a] >= first[b]:
                continue  # a is drawn entirely before b: b must not be farther
            ba, bb = by_index[a].box, by_index[b].box
            if cam.perspective:
                cx = cam.position[0]

                def gap(box: Cuboid, cx: float = cx) -> float:
                    return max(box.lo[0] - cx, cx - box.hi[0], 0.0)

                assert gap(ba) >= gap(bb), (a, b)
            else:
                assert cam.depth(ba.centre) <= cam.depth(bb.centre) + 1e-9, (a, b)


@pytest.mark.parametrize("view_opts", [{}, {"azimuth": 40}, {"projection": "perspective"}])
def test_kernels_sit_between_their_blocks_in_drawing_order(view_opts: dict[str, Any]) -> None:
    spec = spec_of("alexnet", **view_opts)
    d = drawing(spec)
    layers = {
        name_of(g): i
        for i, g in enumerate(d.children)
        if isinstance(g, Group) and "layer" in g.classes
    }
    kernels = top_groups(d, "kernels")
    assert kernels
    scene = scene_of(spec)
    cam = scene.camera
    for pos, g in kernels:
        data = dict(g.data)
        src, dst = layers[data["from"]], layers[data["name"]]
        pyramid = any(isinstance(n, Path) and n.fill != "none" for n in walk(g))
        if pyramid:  # the pyramid fills the gap: after the farther block, before the nearer
            assert min(src, dst) < pos < max(src, dst)
        else:  # a lone patch lies on its block's face: right after that block
            assert pos == src + 1
    if not cam.perspective:
        far_first = cam.eye[0] > 0  # camera at the output end: earlier blocks are farther
        order = [layer_index(g) for g in layer_groups(d)]
        assert order == sorted(order, reverse=not far_first)


def test_kernel_windows_and_apexes_lie_on_their_blocks() -> None:
    scene = scene_of(spec_of("alexnet"))
    kernels = [g for g in scene.gaps if g.kernel is not None]
    assert len(kernels) == 8  # every conv and pool transition
    for gap in kernels:
        assert gap.kernel is not None
        src, dst = scene.blocks[gap.index], scene.blocks[gap.index + 1]
        k = gap.kernel.box
        assert k.lo[0] == src.box.lo[0] and k.hi[0] == src.box.hi[0]  # through all channels
        for axis in (1, 2):
            assert src.box.lo[axis] < k.lo[axis] < k.hi[axis] < src.box.hi[axis]
        ax, ay, az = gap.kernel.apex
        assert ax == dst.box.lo[0]
        assert dst.box.lo[1] <= ay <= dst.box.hi[1] and dst.box.lo[2] <= az <= dst.box.hi[2]
    for gap in scene.gaps:
        if gap.kernel is None:
            assert gap.arrow is not None
            assert (
                scene.blocks[gap.index].box.hi[0]
                <= gap.arrow[1][0]
                <= scene.blocks[gap.index + 1].box.lo[0]
            )


def test_kernel_window_size_follows_the_kernel() -> None:
    scene = scene_of(spec_of("alexnet"))
    first = scene.gaps[0].kernel
    assert first is not None
    src = scene.blocks[0].box
    # 11x11 of 227 on a face of scale(227) px
    assert first.box.size[1] == pytest.approx(src.size[1] * 11 / 227)


def test_blocks_run_along_the_chain_with_spacing() -> None:
    spec = spec_of("alexnet")
    scene = scene_of(spec)
    opts = load_spec(spec).options.alexnet
    for a, b in zip(scene.blocks, scene.blocks[1:], strict=False):
        assert b.box.lo[0] - a.box.hi[0] >= opts.layer_spacing - 1e-9
        assert a.info.index < b.info.index


def test_pass_through_layers_fold_into_the_block_before() -> None:
    net = analyze(load_spec(spec_of("alexnet")))
    groups = group_layers(net)
    assert len(groups) == 12
    for group in groups:
        assert group.host.type not in FOLDED_TYPES or group.host.index == 0
        assert all(f.type in FOLDED_TYPES for f in group.folded)
        assert group.symbol is None
    d = drawing(spec_of("alexnet"))
    conv1 = next(g for g in layer_groups(d) if dict(g.data)["name"] == "conv1")
    assert conv1.title is not None and "norm1" in conv1.title


def test_a_pass_through_layer_with_a_size_gets_its_own_block() -> None:
    spec = {
        "style": "alexnet",
        "layers": [
            {"type": "input", "height": 32, "width": 32, "channels": 3},
            {"type": "conv", "filters": 8, "kernel": 3},
            {"type": "norm", "height": 10, "width": 10, "depth": 4},
        ],
    }
    assert len(layer_groups(drawing(spec))) == 3


# --- the examples ------------------------------------------------------------------------


BLOCKS = {"alexnet": 12, "vgg16": 22, "lenet5": 8, "mnist_cnn": 7}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_invariants(name: str) -> None:
    spec = spec_of(name)
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    groups = layer_groups(d)
    assert len(groups) == BLOCKS[name] == len(group_layers(analyze(load_spec(spec))))
    # along the chain: left to right in the default view
    xs = [(layer_index(g), bounds(g)) for g in groups]
    xs.sort()
    centres = [(b.x0 + b.x1) / 2 for _, b in xs if b is not None]
    assert centres == sorted(centres)
    # every block shows at most three faces (plus their shading and outline)
    for g in groups:
        faces = [
            n for n in g.children if isinstance(n, Polygon) and n.fill not in ("#ffffff", "#000000")
        ]
        assert 1 <= len(faces) <= 3
    root = parse_svg(nnsketch.build(spec).svg)
    assert len(svg_layer_groups(root)) == BLOCKS[name]


@pytest.mark.parametrize("name", EXAMPLES)
def test_blocks_never_cover_each_other(name: str) -> None:
    for view_opts in ({}, {"azimuth": -60, "elevation": 40}, {"azimuth": 30, "elevation": -25}):
        groups = layer_groups(drawing(spec_of(name, **view_opts)))
        hulls = [outline(g) for g in groups]
        for i, a in enumerate(hulls):
            for b in hulls[i + 1 :]:
                assert not _polygons_overlap(a, b)


def _polygons_overlap(
    a: tuple[tuple[float, float], ...], b: tuple[tuple[float, float], ...]
) -> bool:
    for poly in (a, b):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y2 - y1, x1 - x2
            pa = [nx * x + ny * y for x, y in a]
            pb = [nx * x + ny * y for x, y in b]
            if max(pa) <= min(pb) + 1e-6 or max(pb) <= min(pa) + 1e-6:
                return False
    return True


@pytest.mark.parametrize("view_opts", VIEWS)
@pytest.mark.parametrize("name", EXAMPLES)
def test_every_view_is_valid(name: str, view_opts: dict[str, Any]) -> None:
    d = drawing(spec_of(name, **view_opts))
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    assert len(layer_groups(d)) == BLOCKS[name]
    vb = d.viewbox
    assert vb.width < 20_000 and vb.height < 20_000


def test_alexnet_labels() -> None:
    d = drawing(spec_of("alexnet"))
    labels = top_groups(d, "labels")
    assert len(labels) == 1 and labels[0][0] == len(d.children) - 2  # after every face; title last
    words = [t.text for t in texts(d)]
    for size in ("227", "55", "27", "13", "6", "3", "96", "256", "384", "4096", "1000"):
        assert size in words, size
    for caption in ("input", "conv 11×11 /4", "max-pool 3×3 /2", "conv 5×5", "1000 classes"):
        assert caption in words, caption
    assert words.count("dense") == 2
    root = parse_svg(nnsketch.build(spec_of("alexnet")).svg)
    assert "conv 11×11 /4" in svg_texts(root)


def test_repeated_sizes_are_labelled_once() -> None:
    d = drawing(spec_of("vgg16"))
    words = [t.text for t in texts(d) if t.text.isdigit()]
    assert words.count("224") == 2  # height and width of the input only
    everything = drawing(spec_of("vgg16", dimension_labels="all"))
    assert_no_text_overlap(everything)
    assert len(texts(everything)) >= len(texts(d))


def test_crowded_thin_blocks_keep_labels_apart() -> None:
    layers: list[dict[str, Any]] = [{"type": "input", "height": 9, "width": 7, "channels": 1}]
    for i in range(24):
        layers.append({"type": "conv", "filters": 1 + i % 3, "kernel": 1, "label": f"c{i}"})
    spec = {
        "style": "alexnet",
        "layers": layers,
        "options": {"alexnet": {"layer_spacing": 0, "depth_factor": 1, "min_size": 1,
                                "dimension_labels": "all"}},
    }  # fmt: skip
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d, gap=1.0)
    captions = [t.text for t in texts(d) if t.text.startswith("c")]
    assert len(captions) == 24  # captions move out of the way; they are never dropped


def test_size_one_axes_stay_visible() -> None:
    spec = {
        "style": "alexnet",
        "layers": [
            {"type": "input", "height": 1, "width": 1, "channels": 1},
            {"type": "conv", "filters": 4096, "kernel": 1},
            {"type": "pool", "global": True},
            {"type": "dense", "units": 1},
        ],
    }
    d = drawing(spec)
    assert_finite_and_inside(d)
    min_size = load_spec(spec).options.alexnet.min_size
    for b in build_scene(analyze(load_spec(spec))).blocks:
        assert min(b.box.size) >= min_size
    for g in layer_groups(d):
        box = bounds(g)
        assert box is not None and box.width >= min_size and box.height >= min_size


def test_dense_bars_keep_big_and_small_layers_visible() -> None:
    scene = scene_of(spec_of("lenet5"))
    bars = [b for b in scene.blocks if b.bar]
    assert [b.info.output.channels for b in bars] == [120, 84, 10]
    lengths = [b.box.size[1] for b in bars]
    assert lengths == sorted(lengths, reverse=True)
    assert lengths[-1] > 3 * bars[-1].box.size[0]  # still a long bar at 10 units
    big = scene_of(spec_of("alexnet")).blocks[-2].box.size[1]  # 4096
    assert lengths[-1] * 1.5 < big < 300


def test_colors_shading_and_switches() -> None:
    spec = spec_of("mnist_cnn")
    spec["layers"][1]["color"] = "#123456"
    d = drawing(spec)
    conv = next(g for g in layer_groups(d) if layer_index(g) == 1)
    fills = [n.fill for n in conv.children if isinstance(n, Polygon)]
    assert fills.count("#123456") == 3
    assert "#ffffff" in fills and "#000000" in fills  # lit top, shaded side
    bare = drawing(
        spec_of("mnist_cnn", show_kernels=False, show_dimensions=False, show_labels=False)
    )
    assert not top_groups(bare, "kernels")
    assert not texts(bare) or all(t.text == "Keras MNIST CNN" for t in texts(bare))
    flat_d = drawing(spec_of("mnist_cnn", shading=0))
    assert not any(isinstance(n, Polygon) and n.fill == "#ffffff" for n in walk(flat_d.children[0]))


def test_caption_position_above() -> None:
    d = drawing(spec_of("mnist_cnn", label_position="above"))
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    captions = next(
        g for _, g in top_groups(d, "labels") for g in g.children if "captions" in g.classes
    )
    assert isinstance(captions, Group)
    blocks = [bounds(g) for g in layer_groups(d)]
    for text in captions.children:
        assert isinstance(text, Text)
        under = [b for b in blocks if b is not None and b.x0 <= text.x <= b.x1]
        assert under and all(text_box(text).y1 <= b.y0 for b in under), text.text


def test_deterministic_and_seeded_per_layer() -> None:
    spec = spec_of("alexnet")
    assert nnsketch.build(spec).svg == nnsketch.build(spec).svg
    other = spec_of("alexnet")
    other["layers"][-2]["label"] = "classes"  # an unrelated edit
    k1 = top_groups(drawing(spec), "kernels")[0][1]
    k2 = top_groups(drawing(other), "kernels")[0][1]
    assert k1 == k2
    seeded = spec_of("alexnet")
    seeded["options"]["seed"] = 7
    assert top_groups(drawing(seeded), "kernels")[0][1] != k1


def test_png_is_not_blank() -> None:
    assert_png_not_blank(nnsketch.build(spec_of("alexnet")).png(scale=1))


@pytest.mark.parametrize("view_opts", [{}, {"azimuth": 35}, {"azimuth": -60, "elevation": 40}])
@pytest.mark.parametrize("name", EXAMPLES)
def test_labels_never_cover_a_block(name: str, view_opts: dict[str, Any]) -> None:
    d = drawing(spec_of(name, **view_opts))
    hulls = [outline(g) for g in layer_groups(d)]
    for t in texts(d):
        box = text_box(t)
        assert not any(box_hits_polygon(box, h) for h in hulls), t.text


def test_annotations_go_under_each_caption() -> None:
    spec = spec_of("alexnet")
    spec["options"]["annotations"] = ["shape", "params", "macs"]
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    words = [t.text for t in texts(d)]
    assert "55×55×96" in words and "34.9k params" in words and "105.4M MACs" in words
    caption = next(t for t in texts(d) if t.text == "conv 11×11 /4")
    shape = next(t for t in texts(d) if t.text == "55×55×96")
    assert shape.y > caption.y and abs(shape.x - caption.x) < 1e-6
    only = spec_of("mnist_cnn", show_labels=False)
    only["options"]["annotations"] = ["params"]
    words = [t.text for t in texts(drawing(only))]
    assert "320 params" in words and "conv 3×3" not in words


def test_branching_networks_draw_their_chain() -> None:
    spec = load("resnet_block")
    spec["style"] = "alexnet"
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert_no_text_overlap(d)
    net = analyze(load_spec(spec))
    groups = group_layers(net)
    assert len(layer_groups(d)) == len(groups)  # every add is a junction of its own
    assert [g.host.type for g in groups if g.symbol] == ["add", "add"]
    folded = {f.type for g in groups for f in g.folded}
    assert "add" not in folded and "activation" in folded
    names = [name_of(g) for g in layer_groups(d)]
    assert len(names) == len(set(names))
    pool = next(g for g in scene_of(spec).gaps if g.consumer.type == "pool")
    assert pool.kernel is None and pool.arrow is not None  # it follows a junction


def test_blocks_that_do_not_take_the_previous_output_get_no_link() -> None:
    spec = {
        "style": "alexnet",
        "layers": [
            {"type": "input", "height": 16, "width": 16, "channels": 3, "name": "x"},
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "a"},
            {"type": "conv", "filters": 8, "kernel": 1, "inputs": ["x"], "name": "b"},
            {"type": "concat", "inputs": ["a", "b"], "name": "c"},
        ],
    }
    scene = scene_of(spec)
    assert [b.symbol for b in scene.blocks] == [None, None, None, "||", None]
    links = [(g.consumer.name, g.kernel is not None, g.arrow is not None) for g in scene.gaps]
    assert links == [("a", True, False), ("b", False, False), ("c", False, True),
                     ("c", False, True)]  # fmt: skip
    d = drawing(spec)
    assert_finite_and_inside(d)
    assert {name_of(g) for _, g in top_groups(d, "kernels")} == {"a"}
