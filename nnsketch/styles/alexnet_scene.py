"""The alexnet style's 3D scene: which layers get blocks, their sizes and places.

Each drawn tensor is a cuboid centred on the chain axis: its thickness along x
measures channels, y the height and z the width (world units are px before
projection). Vectors are thin bars whose length measures the units. Layers that
take the block before them and keep its shape or only reshape it (dropout,
activation, norm, softmax, flatten, and add/multiply of same-shaped inputs) fold
into that block. The style draws a chain in spec order: a block that does not
take the previous block's output gets no kernel or arrow from it (the graph style
draws branches). Conv and pool transitions carry a kernel window through the
earlier block and the point it maps to on the next; other transitions an arrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis import LayerInfo, Network
from ..layers import ConvLayer, PoolLayer
from ..options.alexnet import AlexnetOptions
from .common import layer_rng, scale_size
from .projection import Camera, Cuboid, Vec3

FOLDED_TYPES = frozenset({"dropout", "activation", "norm", "softmax", "flatten"})
"""Layers that never get a block of their own when they follow one."""
SAME_SHAPE_TYPES = frozenset({"add", "multiply"})
"""Layers that fold only when their output has the shape of the block they follow."""


@dataclass(frozen=True, slots=True)
class Block:
    """One drawn tensor: the layer that makes it and the pass-through layers after it."""

    info: LayerInfo
    folded: tuple[LayerInfo, ...]
    box: Cuboid

    @property
    def bar(self) -> bool:
        return not self.info.output.spatial

    def feeds(self, info: LayerInfo) -> bool:
        """True when `info` takes this block's output (its host's or a folded layer's)."""
        mine = {self.info.index, *(f.index for f in self.folded)}
        return any(i in mine for i in info.inputs)


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


def _folds(info: LayerInfo, host: LayerInfo, folded: list[LayerInfo]) -> bool:
    layer = info.layer
    if layer.height is not None or layer.width is not None or layer.depth is not None:
        return False
    mine = {host.index, *(f.index for f in folded)}
    if not info.inputs or not any(i in mine for i in info.inputs):
        return False
    if info.type in SAME_SHAPE_TYPES:
        return info.output == (folded[-1] if folded else host).output
    return info.type in FOLDED_TYPES


def group_layers(net: Network) -> list[tuple[LayerInfo, list[LayerInfo]]]:
    """(host, folded layers) per drawn block, in chain order."""
    groups: list[tuple[LayerInfo, list[LayerInfo]]] = []
    for info in net.layers:
        if groups and _folds(info, *groups[-1]):
            groups[-1][1].append(info)
        else:
            groups.append((info, []))
    return groups


def block_size(info: LayerInfo, opts: AlexnetOptions) -> Vec3:
    """(thickness, height, width) in px: scaled per axis, never below min_size."""
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


def _gap_length(opts: AlexnetOptions, camera: Camera, a: Vec3, b: Vec3) -> float:
    """Gap along the chain: layer_spacing, widened so the two pictures stay apart.

    `a` and `b` are (thickness, height, width). The pictures are hexagons with edges
    along the projected world axes, so they separate (if at all) along the normal
    of the projected y or z axis; take whichever needs the shorter gap, with half
    the spacing as clear screen space. Perspective uses the same angles.
    """
    if not opts.separate:
        return opts.layer_spacing
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
            best = min(best, (reach + 0.5 * opts.layer_spacing) / along - (a[0] + b[0]) / 2)
    return max(opts.layer_spacing, best) if math.isfinite(best) else opts.layer_spacing


def _kernel(net: Network, src: Block, dst: Block, consumer: LayerInfo) -> Kernel | None:
    layer = consumer.layer
    if not isinstance(layer, ConvLayer | PoolLayer) or src.bar or dst.bar:
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


def build_scene(net: Network) -> Scene:
    """Blocks placed along the chain, the gaps between them, and the camera."""
    opts = net.spec.options.alexnet
    angles = Camera(opts.azimuth, opts.elevation)
    blocks: list[Block] = []
    x = 0.0
    prev: Vec3 | None = None
    for host, folded in group_layers(net):
        size = block_size(host, opts)
        t, h, w = size
        if prev is not None:
            x += _gap_length(opts, angles, prev, size)
        box = Cuboid((x, -h / 2, -w / 2), (x + t, h / 2, w / 2))
        blocks.append(Block(host, tuple(folded), box))
        x += t
        prev = size
    gaps: list[Gap] = []
    for i in range(len(blocks) - 1):
        src, dst = blocks[i], blocks[i + 1]
        if not src.feeds(dst.info):
            gaps.append(Gap(i, dst.info, None, None))
            continue
        kernel = _kernel(net, src, dst, dst.info)
        arrow = None
        if kernel is not None and not opts.show_kernels:
            kernel = None
        elif kernel is None:
            a = math.radians(opts.azimuth)
            # Stop short of the next block by its overhang, so its faces never hide the tip.
            overhang = abs(math.tan(a)) * (dst.box.hi[2] - dst.box.lo[2]) / 2 + 2.0
            start, end = src.box.hi[0], dst.box.lo[0]
            stop = max(start + (end - start) * 0.5, end - overhang)
            arrow = ((start, 0.0, 0.0), (stop, 0.0, 0.0))
        gaps.append(Gap(i, dst.info, kernel, arrow))
    return Scene(tuple(blocks), tuple(gaps), _camera(opts, blocks))
