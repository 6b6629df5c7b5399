"""The alexnet style: tensors as shaded 3D blocks joined by kernel pyramids (NN-SVG's look).

Painter's algorithm, exact for boxes strung along one axis: every block and every
gap between two blocks is an item with an x-interval; items are drawn from the
farthest to the nearest (orthographic: by the depth of their centres along the
view direction; perspective: by how far their interval lies from the camera's x,
which the planes between neighbours make exact). Each block draws only the faces
turned to the camera. A kernel window lies inside its block, so only its end on
the block's visible chain face shows: that patch is drawn right after the block.
Seen from the output end (negative azimuth, the default) the windows show on the
faces toward the next block and the pyramids run into it; seen from the input end
the pyramids end on the next block's visible face. Labels come last, so no face
ever covers one.

Merges are junctions: a circle with the merge's glyph, in a slot of the chain
(drawn in painter's order like a block). Skip connections (`alexnet_skips`)
are drawn after every block and gap, so nothing hides them, and before the
labels, which keep clear of them.

Output groups: one layer group per block (its faces, shading overlays and one
outline path) or junction (class `junction`: circle and glyph; a merge that
also has a block keeps its layer group for the block), one `kernels` group per
conv/pool gap (window patch and pyramid) or `connections` group (arrow), in
painter's order, then `skips` (one `skip` group per skip, with `from`/`to`
names), then `labels` holding the `dimensions` and `captions` groups.
"""

from __future__ import annotations

import dataclasses
import math

from ..analysis import Network
from ..options.alexnet import AlexnetOptions
from ..primitives import (
    Circle,
    Drawing,
    Group,
    Line,
    Node,
    Path,
    PathCommand,
    Point,
    Polygon,
    Run,
    Text,
)
from ..text import ASCENT, DESCENT
from .alexnet_labels import Picture, captions, short_caption, size_labels
from .alexnet_scene import Block, Gap, Scene, arrow_ends, build_scene, junction_circle
from .alexnet_skips import Route, obstacles, route_skips, skip_group
from .common import finish, layer_group
from .projection import Camera, Cuboid, View, convex_hull, view

Item = tuple[str, int]
"""('block', i) or ('gap', i): one thing the painter's algorithm orders."""


def _shade(axis: int, sign: int, strength: float) -> tuple[str, float] | None:
    """Overlay that lights the top and darkens sides and bottom, for any CSS fill."""
    if strength <= 0:
        return None
    if axis == 1:
        return ("#ffffff", 0.9 * strength) if sign > 0 else ("#000000", 0.4 * strength)
    if axis == 2:
        return ("#000000", 0.24 * strength)
    return None


def _polygon_path(polys: list[tuple[Point, ...]]) -> tuple[PathCommand, ...]:
    cmds: list[PathCommand] = []
    for pts in polys:
        cmds.append(("M", pts[0]))
        cmds.extend(("L", p) for p in pts[1:])
        cmds.append(("Z", ()))
    return tuple(cmds)


GLYPH_SCALE = {"||": 1.4}
"""Glyph size as a share of the circle's radius (default 1.5): the glyph's box stays
inside the circle, clear of skips that end on its rim."""
RING = 16
"""Sides of the polygon that stands in for a junction's circle where labels are placed."""


def _junction_nodes(block: Block, camera: Camera, opts: AlexnetOptions) -> list[Node]:
    (cx, cy), r = junction_circle(block, camera, opts.merge_radius)
    assert block.symbol is not None
    size = r * GLYPH_SCALE.get(block.symbol, 1.5)
    glyph = Text(cx, cy + (ASCENT - DESCENT) / 2 * size, (Run(block.symbol),), size=size,
                 fill=opts.stroke)  # fmt: skip
    ring = Circle(cx, cy, r, fill=opts.merge_fill, stroke=opts.stroke,
                  stroke_width=max(0.8, opts.stroke_width))  # fmt: skip
    return [ring, glyph]


def _ring(block: Block, camera: Camera, opts: AlexnetOptions) -> tuple[Point, ...]:
    """A polygon around the junction's circle (labels and lanes keep clear of it)."""
    (cx, cy), r = junction_circle(block, camera, opts.merge_radius)
    r = (r + max(0.8, opts.stroke_width) / 2) / math.cos(math.pi / RING)
    return tuple(
        (cx + r * math.cos(2 * math.pi * k / RING), cy + r * math.sin(2 * math.pi * k / RING))
        for k in range(RING)
    )


def _block_nodes(block: Block, seen: View, opts: AlexnetOptions) -> list[Node]:
    fill = block.info.layer.color or (opts.dense_fill if block.bar else opts.fill)
    nodes: list[Node] = []
    outlines: list[tuple[Point, ...]] = []
    for axis, sign in seen.faces:
        pts = seen.face(axis, sign)
        nodes.append(Polygon(pts, fill=fill, opacity=opts.opacity))
        shade = _shade(axis, sign, opts.shading)
        if shade:
            nodes.append(Polygon(pts, fill=shade[0], opacity=shade[1] * opts.opacity))
        outlines.append(pts)
    if outlines and opts.stroke_width > 0:
        nodes.append(
            Path(_polygon_path(outlines), stroke=opts.stroke, stroke_width=opts.stroke_width)
        )
    return nodes


def _patch(gap: Gap, seen: View, camera: Camera, opts: AlexnetOptions) -> list[Node]:
    """The kernel window's end on the block's visible chain face (nothing if edge-on)."""
    if gap.kernel is None or gap.kernel.whole:
        return []  # a window over the whole map is the face itself: the pyramid says it
    for sign in (1, -1):
        if (0, sign) in seen.faces:
            pts = tuple(camera.project(c) for c in gap.kernel.box.face(0, sign).corners)
            return [
                Polygon(
                    pts,
                    fill=opts.kernel_color,
                    stroke=opts.stroke,
                    stroke_width=opts.stroke_width * 0.6,
                    opacity=opts.kernel_opacity,
                )
            ]
    return []


def _pyramid_points(
    kernel_box: Cuboid, apex: tuple[float, float, float], camera: Camera
) -> tuple[tuple[Point, ...], Point]:
    base = tuple(camera.project(c) for c in kernel_box.face(0, 1).corners)
    return base, camera.project(apex)


def _gap_nodes(gap: Gap, scene: Scene, opts: AlexnetOptions) -> list[Node]:
    camera = scene.camera
    if gap.kernel is not None:
        base, tip = _pyramid_points(gap.kernel.box, gap.kernel.apex, camera)
        sides = [(base[i], base[(i + 1) % 4], tip) for i in range(4)]
        fill = Path(
            _polygon_path(sides), stroke=None, fill=opts.pyramid_color, opacity=opts.pyramid_opacity
        )
        lines: list[PathCommand] = []
        for p in base:
            lines += [("M", p), ("L", tip)]
        edges = Path(
            tuple(lines),
            stroke=opts.pyramid_color,
            stroke_width=max(0.5, opts.stroke_width * 0.8),
            opacity=min(1.0, 0.55 + opts.pyramid_opacity),
        )
        return [fill, edges]
    if gap.arrow is not None:
        ends = arrow_ends(scene, gap, opts.merge_radius)
        if ends is None:
            return []
        (x1, y1), (x2, y2) = ends
        return [
            Line(
                x1,
                y1,
                x2,
                y2,
                stroke=opts.stroke,
                stroke_width=max(0.8, opts.stroke_width),
                arrow=True,
            )
        ]
    return []


def draw_order(scene: Scene) -> list[Item]:
    """Blocks and gaps from the farthest to the nearest (see the module docstring)."""
    cam, blocks = scene.camera, scene.blocks
    items: list[tuple[Item, float, float]] = []
    for i, b in enumerate(blocks):
        items.append((("block", i), b.box.lo[0], b.box.hi[0]))
        if i + 1 < len(blocks):
            items.append((("gap", i), b.box.hi[0], blocks[i + 1].box.lo[0]))
    if cam.perspective:
        cx = cam.position[0]

        def key(it: tuple[Item, float, float]) -> float:
            _, lo, hi = it
            return -max(lo - cx, cx - hi, 0.0)
    else:

        def key(it: tuple[Item, float, float]) -> float:
            _, lo, hi = it
            return cam.depth(((lo + hi) / 2, 0.0, 0.0))

    return [it[0] for it in sorted(items, key=key)]


def _tooltip(group: Group, block: Block) -> Group:
    if not block.folded:
        return group
    then = ", ".join(f"{f.name} ({short_caption(f)})" for f in block.folded)
    return dataclasses.replace(group, title=f"{group.title}; then {then}")


def layout(net: Network) -> Drawing:
    """Blocks far to near with their kernels between, then every label."""
    opts = net.spec.options.alexnet
    scene = build_scene(net)
    cam = scene.camera
    views = [view(cam, b.box) for b in scene.blocks]
    order = draw_order(scene)
    groups: list[Group] = []
    carried: dict[int, list[Node]] = {}
    for pos, (kind, i) in enumerate(order):
        if kind == "block":
            block = scene.blocks[i]
            if block.junction:
                groups.append(_junction_group(block, _junction_nodes(block, cam, opts)))
            else:
                nodes = _block_nodes(block, views[i], opts)
                groups.append(
                    _tooltip(layer_group(block.info, nodes, "bar" if block.bar else None), block)
                )
            if i < len(scene.gaps):
                patch = _patch(scene.gaps[i], views[i], cam, opts)
                nxt = order[pos + 1] if pos + 1 < len(order) else None
                if patch and nxt == ("gap", i):
                    carried[i] = patch
                elif patch:
                    groups.append(_gap_group(scene.gaps[i], block, patch))
            continue
        gap = scene.gaps[i]
        children = carried.pop(i, []) + _gap_nodes(gap, scene, opts)
        if children:
            groups.append(_gap_group(gap, scene.blocks[i], children))
    pictures = [
        Picture(b, _ring(b, cam, opts), ())
        if b.junction
        else Picture(b, v.outline(), v.silhouette())
        for b, v in zip(scene.blocks, views, strict=True)
    ]
    soft = [_gap_outline(g, cam) for g in scene.gaps if g.kernel or g.arrow]
    routes: list[Route] = []
    if opts.show_skips:
        # Skips run on the side away from the captions, except in a U: there they run
        # above each level, between the levels, as long skips do in U-Net figures.
        u_shaped = any(b.level for b in scene.blocks)
        side = -1 if opts.label_position == "above" and not u_shaped else 1
        routes = route_skips(scene, views, [p.outline for p in pictures], soft, opts, side)
        skips = skip_group(routes, scene, opts)
        if skips is not None:
            groups.append(skips)
    size = net.spec.options.font_size
    dims, placer, firsts = size_labels(pictures, soft, opts, size, obstacles(routes, opts))
    caps = captions(pictures, placer, firsts, opts, net.spec.options.annotations, size)
    labels: list[Node] = []
    if dims:
        labels.append(Group(tuple(dims), classes=("dimensions",)))
    if caps:
        labels.append(Group(tuple(caps), classes=("captions",)))
    if labels:
        groups.append(Group(tuple(labels), classes=("labels",)))
    return finish(net, groups)


def _gap_outline(gap: Gap, camera: Camera) -> tuple[Point, ...]:
    """Screen outline of a pyramid or arrow, which size labels avoid when they can."""
    if gap.kernel is not None:
        base, tip = _pyramid_points(gap.kernel.box, gap.kernel.apex, camera)
        return convex_hull([*base, tip])
    assert gap.arrow is not None
    return tuple(camera.project(p) for p in gap.arrow)


def _junction_group(block: Block, nodes: list[Node]) -> Group:
    """A merge's circle: its layer group, unless the merge also has a block."""
    if block.own_group:
        return _tooltip(layer_group(block.info, nodes, "junction"), block)
    info = block.info
    return Group(
        tuple(nodes),
        classes=("junction", info.type),
        title=f"{info.name} ({info.type})",
        data=(("layer", str(info.row)), ("name", info.name)),
    )


def _gap_group(gap: Gap, src: Block, children: list[Node]) -> Group:
    kind = "kernels" if gap.kernel is not None else "connections"
    data = (
        ("layer", str(gap.consumer.row)),
        ("name", gap.consumer.name),
        ("from", src.info.name),
    )
    return Group(tuple(children), classes=(kind,), data=data)
