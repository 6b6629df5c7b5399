"""The alexnet style's 3D scene: which layers get blocks, their sizes and places.

Each drawn tensor is a cuboid centred on its level's axis: its thickness along x
measures channels, y the height and z the width (world units are px before
projection). Vectors are thin bars whose length measures the units. Layers that
take the block before them and only pass it on or reshape it (dropout,
activation, norm, softmax, flatten) fold into that block. A merge (add,
multiply, concat) is a junction: a circled symbol on the chain, in a slot of its
own; when its output differs from the tensor before it (a concat's channels),
the merged tensor follows as a block too.

The style draws one chain in spec order. Neighbours are joined when one feeds
the next: conv and pool transitions by a kernel window through the earlier block
and the point it maps to on the next, others by an arrow. Every other edge is a
skip connection (`alexnet_skips`). The flat layout keeps every axis at y = 0;
the U layout (`alexnet_levels`) moves smaller maps down, level by level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis import LayerInfo, Network
from ..layers import ConvLayer, PoolLayer
from ..options.alexnet import AlexnetOptions
from ..primitives import Point
from .alexnet_levels import levels as u_levels
from .common import TIMES, layer_rng, scale_size
from .projection import Camera, Cuboid, Vec3, ray_exit, view

FOLDED_TYPES = frozenset({"dropout", "activation", "norm", "softmax", "flatten"})
"""Layers that never get a block of their own when they follow one."""
GLYPHS = {"add": "+", "multiply": TIMES, "concat": "||"}
"""The symbol in a merge's circle (also written to the SVG as text)."""
JUNCTION_SPACING = 0.6
"""Gaps into a junction are this share of layer_spacing (the circle is small; the gap out
keeps the full spacing, room for skips that leave from its arrow)."""


@dataclass(frozen=True, slots=True)
class Element:
    """One drawn thing before placement: a block (symbol None) or a merge's junction."""

    host: LayerInfo
    folded: tuple[LayerInfo, ...]
    symbol: str | None = None

    @property
    def last(self) -> LayerInfo:
        return self.folded[-1] if self.folded else self.host


@dataclass(frozen=True, slots=True)
class Block:
    """One drawn tensor (the layer that makes it and the pass-through layers after it),
    or a junction: a merge drawn as a circled `symbol` whose box is the sphere's cube."""

    info: LayerInfo
    folded: tuple[LayerInfo, ...]
    box: Cuboid
    symbol: str | None = None
    level: int = 0
    own_group: bool = True
    """False for a junction whose merge also has a block: that block is the layer's group."""

    @property
    def junction(self) -> bool:
        return self.symbol is not None

    @property
    def bar(self) -> bool:
        return self.symbol is None and not self.info.output.spatial

    @property
    def axis_y(self) -> float:
        """Height of the block's axis (its level's)."""
        return (self.box.lo[1] + self.box.hi[1]) / 2


@dataclass(frozen=True, slots=True)
class Kernel:
    """A kernel window through the earlier block and the output point it maps to."""

    box: Cuboid
    apex: Vec3
    whole: bool = False
    """True for global pooling: the window is the whole map."""


@dataclass(frozen=True, slots=True)
class Gap:
    """What joins block `index` to block `index + 1`: a kernel pyramid or an arrow."""

    index: int
    consumer: LayerInfo
    kernel: Kernel | None
    arrow: tuple[Vec3, Vec3] | None


@dataclass(frozen=True, slots=True)
class Scene:
    blocks: tuple[Block, ...]
    gaps: tuple[Gap, ...]
    camera: Camera
    edges: frozenset[tuple[int, int]]
    """(source, target) element indices of every drawn connection, chain links included."""


def _sized(info: LayerInfo) -> bool:
    layer = info.layer
    return layer.height is not None or layer.width is not None or layer.depth is not None


def _folds(info: LayerInfo, host: LayerInfo, folded: list[LayerInfo]) -> bool:
    if _sized(info) or info.type not in FOLDED_TYPES:
        return False
    mine = {host.index, *(f.index for f in folded)}
    return any(i in mine for i in info.inputs)


def group_layers(net: Network) -> list[Element]:
    """The drawn elements in chain order: blocks with their folded layers, and junctions."""
    groups: list[tuple[LayerInfo, list[LayerInfo], str | None]] = []
    for info in net.layers:
        if info.is_merge:
            before = groups[-1] if groups else None
            groups.append((info, [], GLYPHS.get(info.type, "+")))
            kept = before is not None and (before[1] or [before[0]])[-1].output == info.output
            if _sized(info) or not kept:
                groups.append((info, [], None))  # the merged tensor has a new shape
        elif groups and _folds(info, groups[-1][0], groups[-1][1]):
            groups[-1][1].append(info)
        else:
            groups.append((info, [], None))
    return [Element(host, tuple(folded), symbol) for host, folded, symbol in groups]


def owners(elements: list[Element] | tuple[Block, ...]) -> tuple[dict[int, int], dict[int, int]]:
    """Per layer index, the element that takes its inputs and the one that shows its output.

    They differ only for a merge with a block: its junction takes, its block shows.
    """
    takes: dict[int, int] = {}
    shows: dict[int, int] = {}
    for e, item in enumerate(elements):
        host = item.host if isinstance(item, Element) else item.info
        for info in (host, *item.folded):
            takes.setdefault(info.index, e)
            shows[info.index] = e
    return takes, shows


def element_edges(net: Network, elements: list[Element]) -> frozenset[tuple[int, int]]:
    """(source, target) element pairs of every connection between different elements."""
    takes, shows = owners(elements)
    pairs = {(shows[s], takes[d]) for s, d in net.edges}
    pairs |= {(e, e + 1) for e in range(len(elements) - 1)
              if elements[e].symbol and elements[e + 1].host is elements[e].host}  # fmt: skip
    return frozenset((a, b) for a, b in pairs if a != b)


def block_size(info: LayerInfo, opts: AlexnetOptions, junction: bool = False) -> Vec3:
    """(thickness, height, width) in px: scaled per axis, never below min_size.

    A junction's circle is the picture of a sphere of radius merge_radius: its cube.
    """
    if junction:
        d = 2 * opts.merge_radius
        return (d, d, d)
    out = info.output
    lo, hi = opts.min_size, opts.max_size
    if out.height is None or out.width is None:
        t = max(lo, min(hi, opts.dense_thickness))
        return (t, scale_size(out.channels, opts.dense_scale, opts.dense_factor, lo, hi), t)
    return (
        scale_size(out.channels, opts.depth_scale, opts.depth_factor, lo, hi),
        scale_size(out.height, opts.spatial_scale, opts.spatial_factor, lo, hi),
        scale_size(out.width, opts.spatial_scale, opts.spatial_factor, lo, hi),
    )


def _gap_length(
    opts: AlexnetOptions,
    camera: Camera,
    a: Vec3,
    b: Vec3,
    dy: float = 0.0,
    spacing: float | None = None,
) -> float:
    """Gap along the chain: the spacing, widened so the two pictures stay apart.

    `a` and `b` are (thickness, height, width); `b`'s axis lies `dy` above `a`'s.
    The pictures are hexagons with edges along the projected world axes, so they
    separate (if at all) along the normal of the projected y or z axis; take
    whichever needs the shorter gap, with half the spacing as clear screen space.
    Perspective uses the same angles.
    """
    spacing = opts.layer_spacing if spacing is None else spacing
    if not opts.separate:
        return spacing
    axes = [camera.project(v) for v in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))]
    chain = axes[0]
    best = math.inf
    for ax, ay in axes[1:]:
        norm = math.hypot(ax, ay)
        if norm < 1e-9:
            continue
        for n in ((ay / norm, -ax / norm), (-ay / norm, ax / norm)):
            along = n[0] * chain[0] + n[1] * chain[1]
            if along < 1e-6:
                continue
            reach = sum(
                abs(n[0] * axis[0] + n[1] * axis[1]) * (a[k] + b[k]) / 2
                for k, axis in enumerate(axes)
            )
            lift = dy * (n[0] * axes[1][0] + n[1] * axes[1][1])
            best = min(best, (reach + 0.5 * spacing - lift) / along - (a[0] + b[0]) / 2)
    return max(spacing, best) if math.isfinite(best) else spacing


def _kernel(net: Network, src: Block, dst: Block, consumer: LayerInfo) -> Kernel | None:
    layer = consumer.layer
    if not isinstance(layer, ConvLayer | PoolLayer) or src.bar or dst.bar:
        return None
    if src.junction or dst.junction:
        return None
    shape = consumer.input if consumer.input and consumer.input.spatial else src.info.output
    in_h, in_w = shape.height or 1, shape.width or 1
    whole = isinstance(layer, PoolLayer) and layer.global_
    if whole:
        kh, kw = in_h, in_w
    else:
        kh, kw = layer.kernel
    (x0, y0, z0), (x1, y1, z1) = src.box.lo, src.box.hi
    face_h, face_w = y1 - y0, z1 - z0
    inset_h, inset_w = min(2.0, face_h * 0.1), min(2.0, face_w * 0.1)

    def side(face: float, inset: float, k: int, n: int) -> float:
        room = face - 2 * inset
        return min(room, max(min(4.0, room), face * min(k, n) / n))

    sh, sw = side(face_h, inset_h, kh, in_h), side(face_w, inset_w, kw, in_w)
    rng = layer_rng(net.spec, consumer, "kernel")
    u, v = rng.random(), rng.random()
    ky = y0 + inset_h + u * (face_h - 2 * inset_h - sh)
    kz = z0 + inset_w + v * (face_w - 2 * inset_w - sw)
    box = Cuboid((x0, ky, kz), (x1, ky + sh, kz + sw))
    # The window's centre maps to the same relative place on the next block.
    fy = (ky + sh / 2 - y0) / face_h
    fz = (kz + sw / 2 - z0) / face_w
    (dx0, dy0, dz0), (_, dy1, dz1) = dst.box.lo, dst.box.hi
    apex = (dx0, dy0 + fy * (dy1 - dy0), dz0 + fz * (dz1 - dz0))
    return Kernel(box, apex, whole)


def _camera(opts: AlexnetOptions, blocks: list[Block]) -> Camera:
    lo = tuple(min(b.box.lo[i] for b in blocks) for i in range(3))
    hi = tuple(max(b.box.hi[i] for b in blocks) for i in range(3))
    target = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2)
    radius = math.dist(lo, hi) / 2
    perspective = opts.projection == "perspective"
    distance = max(opts.camera_distance, 1.25 * radius + 1.0) if perspective else 1.0
    return Camera(opts.azimuth, opts.elevation, perspective, distance, target)


def _map_side(info: LayerInfo) -> int | None:
    out = info.output
    return max(out.height, out.width) if out.height and out.width else None


def _levels(opts: AlexnetOptions, elements: list[Element]) -> list[int]:
    """Level per element: all 0 when flat or when the network is no U."""
    found = u_levels([_map_side(e.host) for e in elements]) if opts.layout == "u" else None
    return found or [0] * len(elements)


def _axis_heights(opts: AlexnetOptions, levels: list[int], sizes: list[Vec3]) -> list[float]:
    """Axis height per element: each level sits below the one above it by both
    levels' half heights plus level_spacing, so levels never overlap."""
    tallest: dict[int, float] = {}
    for level, (_, h, _) in zip(levels, sizes, strict=True):
        tallest[level] = max(tallest.get(level, 0.0), h)
    axis = {0: 0.0}
    for level in range(1, max(levels, default=0) + 1):
        above = tallest.get(level - 1, 0.0) / 2 + tallest.get(level, 0.0) / 2
        axis[level] = axis[level - 1] - above - opts.level_spacing
    return [axis[level] for level in levels]


def _arrow(src: Block, dst: Block, opts: AlexnetOptions) -> tuple[Vec3, Vec3]:
    """From the earlier element's chain face (or centre) toward the next one.

    Between levels the arrow joins the two chain faces' centres; `arrow_ends`
    trims it to the blocks' outlines on screen.
    """
    start = src.box.centre if src.junction else (src.box.hi[0], src.axis_y, 0.0)
    if dst.junction:
        return start, dst.box.centre
    end = dst.box.lo[0]
    if not src.junction and src.axis_y != dst.axis_y:
        return start, (end, dst.axis_y, 0.0)
    a = math.radians(opts.azimuth)
    # Stop short of the next block by its overhang, so its faces never hide the tip.
    overhang = abs(math.tan(a)) * (dst.box.hi[2] - dst.box.lo[2]) / 2 + 2.0
    stop = max(start[0] + (end - start[0]) * 0.5, end - overhang)
    return start, (stop, dst.axis_y, 0.0)


def build_scene(net: Network) -> Scene:
    """Blocks and junctions placed along the chain, the gaps between them, the camera."""
    opts = net.spec.options.alexnet
    angles = Camera(opts.azimuth, opts.elevation)
    elements = group_layers(net)
    sizes = [block_size(e.host, opts, e.symbol is not None) for e in elements]
    levels = _levels(opts, elements)
    heights = _axis_heights(opts, levels, sizes)
    blocks: list[Block] = []
    x = 0.0
    for k, (e, size) in enumerate(zip(elements, sizes, strict=True)):
        t, h, w = size
        if k:
            near = e.symbol is not None
            spacing = opts.layer_spacing * (JUNCTION_SPACING if near else 1.0)
            x += _gap_length(opts, angles, sizes[k - 1], size, heights[k] - heights[k - 1],
                             spacing)  # fmt: skip
        y = heights[k]
        box = Cuboid((x, y - h / 2, -w / 2), (x + t, y + h / 2, w / 2))
        own = not (e.symbol and k + 1 < len(elements) and elements[k + 1].host is e.host)
        blocks.append(Block(e.host, e.folded, box, e.symbol, levels[k], own))
        x += t
    edges = element_edges(net, elements)
    gaps: list[Gap] = []
    for i in range(len(blocks) - 1):
        src, dst = blocks[i], blocks[i + 1]
        if (i, i + 1) not in edges:
            gaps.append(Gap(i, dst.info, None, None))
            continue
        kernel = _kernel(net, src, dst, dst.info)
        arrow = None
        if kernel is not None and not opts.show_kernels:
            kernel = None
        elif kernel is None:
            arrow = _arrow(src, dst, opts)
        gaps.append(Gap(i, dst.info, kernel, arrow))
    return Scene(tuple(blocks), tuple(gaps), _camera(opts, blocks), edges)


def junction_circle(block: Block, camera: Camera, radius: float) -> tuple[Point, float]:
    """Screen centre and radius of a junction's circle (a sphere: round from every side)."""
    c = block.box.centre
    centre = camera.project(c)
    edge = camera.project((c[0] + camera.right[0], c[1] + camera.right[1], c[2] + camera.right[2]))
    return centre, radius * math.hypot(edge[0] - centre[0], edge[1] - centre[1])


def arrow_ends(scene: Scene, gap: Gap, radius: float) -> tuple[Point, Point] | None:
    """Screen ends of a gap's arrow: off a junction's circle, and between levels off
    both blocks' outlines (the arrow would cross their faces); None if too short."""
    assert gap.arrow is not None
    cam = scene.camera
    src, dst = scene.blocks[gap.index], scene.blocks[gap.index + 1]
    a, b = cam.project(gap.arrow[0]), cam.project(gap.arrow[1])
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    if length < 1e-9:
        return None
    d = ((b[0] - a[0]) / length, (b[1] - a[1]) / length)
    back = (-d[0], -d[1])
    between = not src.junction and not dst.junction and src.axis_y != dst.axis_y
    if src.junction:
        a = _step(a, d, junction_circle(src, cam, radius)[1] + 1.5)
    elif between:
        a = _step(ray_exit(view(cam, src.box).outline(), a, d), d, 2.0)
    if dst.junction:
        b = _step(b, back, junction_circle(dst, cam, radius)[1] + 1.0)
    elif between:
        b = _step(ray_exit(view(cam, dst.box).outline(), b, back), back, 2.0)
    if (b[0] - a[0]) * d[0] + (b[1] - a[1]) * d[1] < 4.0:
        return None
    return a, b


def _step(p: Point, d: Point, dist: float) -> Point:
    return (p[0] + d[0] * dist, p[1] + d[1] * dist)
