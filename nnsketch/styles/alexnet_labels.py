"""Labels of the alexnet style: sizes along the edges they measure, captions by the blocks.

Labels are placed after every face, on screen, greedily in chain order: each
tries a few spots beside its edge (middle first) and takes the first that keeps
clear of every block's picture and every label placed so far, preferring spots
that also miss the kernel pyramids. A size label with no free spot is dropped
(with `dimension_labels: changes` a size equal to the previous block's is not
repeated at all); captions never drop, they move further out until free.
Skip connections and junction circles are kept clear like blocks. A junction's
glyph is its caption; it gets a text caption only when its layer has a label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice

from ..analysis import LayerInfo
from ..layers import ConvLayer, DenseLayer, PoolLayer
from ..options.alexnet import AlexnetOptions
from ..primitives import Box, Point, Run, Text, text_box
from ..text import ASCENT, DESCENT, text_width
from .alexnet_scene import Block
from .common import TIMES, annotation_lines
from .projection import box_hits_polygon
from .spatial import BoxGrid

DIMENSION_SCALE = 0.85
"""Size labels are this fraction of the font size; captions use the full size."""
LABEL_GAP = 0.4
"""Clear space kept between two labels, in font sizes, so neighbours never read as one."""
LEADING = 0.12
"""Extra space between the lines of a caption, in font sizes."""
NEAR = 21
"""Caption spots tried first with pyramids and arrows kept clear (3 rows and the sides)."""
ALONG = (0.5, 0.35, 0.65, 0.2, 0.8)
"""Where along an edge a size label may sit, in order of preference."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A block as drawn: its outline on screen and the outline edges labels may follow."""

    block: Block
    outline: tuple[Point, ...]
    edges: tuple[tuple[int, Point, Point], ...]
    """(world axis the edge runs along, screen start, screen end)."""

    @property
    def box(self) -> Box:
        return _extent(self.outline)

    @property
    def centre(self) -> Point:
        n = len(self.outline)
        return (sum(p[0] for p in self.outline) / n, sum(p[1] for p in self.outline) / n)


def short_caption(info: LayerInfo) -> str:
    """Compact caption under a block, e.g. 'conv 11×11 /4' or 'max-pool 3×3 /2'."""
    if info.layer.label:
        return info.layer.label
    layer = info.layer
    if isinstance(layer, ConvLayer):
        kh, kw = layer.kernel
        return f"conv {kh}{TIMES}{kw}" + _stride(layer.stride, (1, 1))
    if isinstance(layer, PoolLayer):
        name = "max-pool" if layer.mode == "max" else "avg-pool"
        if layer.global_:
            return f"global {name}"
        kh, kw = layer.kernel
        return f"{name} {kh}{TIMES}{kw}" + _stride(layer.stride or layer.kernel, layer.kernel)
    if isinstance(layer, DenseLayer):
        return "dense"
    return info.type


def _stride(stride: tuple[int, int], usual: tuple[int, int]) -> str:
    if stride == usual:
        return ""
    return f" /{stride[0]}" if stride[0] == stride[1] else f" /{stride[0]}{TIMES}{stride[1]}"


class _Placer:
    """Free-space bookkeeping for one layout call (never outlives it)."""

    def __init__(
        self, hard: list[tuple[Point, ...]], soft: list[tuple[Point, ...]], spacing: float
    ) -> None:
        self.spacing = spacing
        self.hard: BoxGrid[tuple[Point, ...]] = BoxGrid()
        self.soft: BoxGrid[tuple[Point, ...]] = BoxGrid()
        for polygon in hard:
            self.hard.add(_extent(polygon), polygon)
        for polygon in soft:
            self.soft.add(_extent(polygon), polygon)
        self.taken: list[Box] = []
        self._taken: BoxGrid[None] = BoxGrid()
        self.texts: list[Text] = []

    def free(self, box: Box, strict: bool) -> bool:
        if any(box.overlaps(t, self.spacing) for t, _ in self._taken.near(box, self.spacing)):
            return False
        if any(
            b.overlaps(box, 1.0) and box_hits_polygon(box, p, 1.0)
            for b, p in self.hard.near(box, 1.0)
        ):
            return False
        return not (
            strict
            and any(b.overlaps(box) and box_hits_polygon(box, p) for b, p in self.soft.near(box))
        )

    def _take(self, box: Box) -> None:
        self.taken.append(box)
        self._taken.add(box, None)

    def claim(self, text: Text, strict: bool = False) -> bool:
        """Take the label's spot if it is free."""
        box = text_box(text)
        if not self.free(box, strict):
            return False
        self._take(box)
        self.texts.append(text)
        return True

    def claim_all(self, texts: list[Text], strict: bool = False) -> bool:
        """Take every label's spot if all of them are free (a caption and its lines)."""
        boxes = [text_box(t) for t in texts]
        if not all(self.free(b, strict) for b in boxes):
            return False
        for b in boxes:
            self._take(b)
        self.texts.extend(texts)
        return True

    def place(self, value: str, size: float, centres: Iterable[Point]) -> Text | None:
        """Put `value` at the first free centre (missing the pyramids if possible)."""
        options = [_centred(value, size, c) for c in centres]
        for strict in (True, False):
            for text in options:
                if self.claim(text, strict):
                    return text
        return None


def _extent(polygon: tuple[Point, ...]) -> Box:
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _centred(value: str, size: float, centre: Point) -> Text:
    """Horizontal label whose box is centred on `centre`."""
    return Text(centre[0], centre[1] + (ASCENT - DESCENT) / 2 * size, (Run(value),), size=size)


def _beside(
    edge: tuple[Point, Point], inside: Point, w: float, h: float, pad: float
) -> Iterator[Point]:
    """Centres of a w x h label just outside `edge`, at several places along it."""
    (ax, ay), (bx, by) = edge
    length = math.hypot(bx - ax, by - ay)
    if length < 1e-9:
        nx, ny = 0.0, 1.0
    else:
        nx, ny = (by - ay) / length, -(bx - ax) / length
    mx, my = (ax + bx) / 2, (ay + by) / 2
    if nx * (mx - inside[0]) + ny * (my - inside[1]) < 0:
        nx, ny = -nx, -ny
    reach = pad + abs(nx) * w / 2 + abs(ny) * h / 2
    for t in ALONG:
        px, py = ax + t * (bx - ax), ay + t * (by - ay)
        yield (px + nx * reach, py + ny * reach)


def _edge_centres(pic: Picture, axis: int, value: str, size: float, below: bool) -> list[Point]:
    """Candidate centres beside the picture's outline edges along `axis`, best first."""
    w, h = text_width(value, size), size * (ASCENT + DESCENT)
    edges = [(a, b) for ax, a, b in pic.edges if ax == axis]
    if axis == 1:
        edges.sort(key=lambda e: (e[0][0] + e[1][0]) / 2)
    else:
        edges.sort(key=lambda e: (e[0][1] + e[1][1]) / 2, reverse=below)
    inside = pic.centre
    return [c for e in edges for c in _beside(e, inside, w, h, size * 0.3)]


def _bar_centres(pic: Picture, value: str, size: float) -> list[Point]:
    """Above the bar first (where nothing else goes), then beside its long edges."""
    box = pic.box
    w, h = text_width(value, size), size * (ASCENT + DESCENT)
    cx, top = (box.x0 + box.x1) / 2, box.y0 - size * 0.3 - h / 2
    above = [(cx, top), (cx - w / 2, top), (cx + w / 2, top), (cx, top - h)]
    return above + _edge_centres(pic, 1, value, size, True)


def size_labels(
    pictures: list[Picture],
    soft: list[tuple[Point, ...]],
    opts: AlexnetOptions,
    font_size: float,
    lines: list[tuple[Point, ...]] | None = None,
) -> tuple[list[Text], _Placer, list[int]]:
    """Height, width and channel labels of every block that has room for them.

    `lines` are more shapes to keep clear of (skip legs, corners, arrowheads).
    Also returns, per block, how many labels were placed before its own, so its
    caption can go beyond them.
    """
    hard = [p.outline for p in pictures] + list(lines or [])
    placer = _Placer(hard, soft, font_size * LABEL_GAP)
    firsts = [0] * len(pictures)
    if not opts.show_dimensions:
        return [], placer, firsts
    size = font_size * DIMENSION_SCALE
    below = opts.elevation >= 0
    last: dict[int, int | None] = {0: None, 1: None, 2: None}
    for k, pic in enumerate(pictures):
        firsts[k] = len(placer.taken)
        out = pic.block.info.output
        if pic.block.junction:
            continue  # the tensor around it shows the sizes
        if pic.block.bar:
            value = str(out.channels)
            placer.place(value, size, _bar_centres(pic, value, size))
            last = {0: None, 1: None, 2: None}
            continue
        for axis, n in ((1, out.height), (2, out.width), (0, out.channels)):
            if n is None or (opts.dimension_labels == "changes" and last[axis] == n):
                continue
            value = str(n)
            if placer.place(value, size, _edge_centres(pic, axis, value, size, below)):
                last[axis] = n
    return list(placer.texts), placer, firsts


def _caption_centres(
    box: Box, edge: float, w: float, h: float, font_size: float, sign: float
) -> Iterator[Point]:
    """Centres for a w x h caption: below (or above) the block first, shifted sideways
    before a new row; then beside it, for views that stack blocks vertically; then
    ever further out."""
    step = font_size * (ASCENT + DESCENT + 0.25)
    start = edge + sign * (font_size * 0.4 + h / 2)
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    reach = 0.4 * w
    shifts = (0.0, reach / 2, -reach / 2, reach, -reach)
    for row in range(3):
        yield from ((cx + dx, start + sign * row * step) for dx in shifts)
    side = font_size * 0.6 + w / 2
    for dy in (0.0, -step, step):
        yield (box.x1 + side, cy + dy)
        yield (box.x0 - side, cy + dy)
    for row in range(3, 200):
        yield from ((cx + dx, start + sign * row * step) for dx in shifts)


def _stacked(lines: list[tuple[str, float]], centre: Point) -> list[Text]:
    """Centred lines (value, size) whose joint box is centred on `centre`."""
    heights = [size * (ASCENT + DESCENT + LEADING) for _, size in lines]
    y = centre[1] - sum(heights) / 2
    out: list[Text] = []
    for (value, size), h in zip(lines, heights, strict=True):
        out.append(_centred(value, size, (centre[0], y + h / 2)))
        y += h
    return out


def captions(
    pictures: list[Picture],
    placer: _Placer,
    firsts: list[int],
    opts: AlexnetOptions,
    annotations: list[str] | tuple[str, ...],
    font_size: float,
) -> list[Text]:
    """Per block its caption and cost lines, below (or above) it and its size labels,
    moved out until free; they never drop."""
    out: list[Text] = []
    sign = 1.0 if opts.label_position == "below" else -1.0
    own = [*firsts[1:], len(placer.taken)]
    small = font_size * DIMENSION_SCALE
    for k, pic in enumerate(pictures):
        info = pic.block.info
        if pic.block.junction and not (info.layer.label and opts.show_labels):
            continue
        lines = [(short_caption(info), font_size)] if opts.show_labels else []
        if not pic.block.junction:
            lines += [(v, small) for v in annotation_lines(info, annotations)]
        if not lines:
            continue
        box = pic.box
        edge = box.y1 if sign > 0 else box.y0
        for b in placer.taken[firsts[k] : own[k]]:  # its own size labels
            edge = max(edge, b.y1) if sign > 0 else min(edge, b.y0)
        w = max(text_width(v, size) for v, size in lines)
        h = sum(size * (ASCENT + DESCENT + LEADING) for _, size in lines)
        spots = _caption_centres(box, edge, w, h, font_size, sign)
        near = list(islice(spots, NEAR))
        tries = chain(((c, True) for c in near), ((c, False) for c in near),
                      ((c, False) for c in spots))  # fmt: skip
        for centre, strict in tries:
            texts = _stacked(lines, centre)
            if placer.claim_all(texts, strict):
                out.extend(texts)
                break
    return out
