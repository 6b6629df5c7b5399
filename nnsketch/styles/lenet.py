"""The lenet style: stacks of 2D feature maps and slanted dense bars (NN-SVG's LeNet look).

Every shape is centred on the line y = 0 and placed left to right. The gap before
each shape is the least that keeps shapes `layer_spacing` apart, labels (above
the shapes) clear of each other and of neighbouring shapes, and operation
captions apart. Captions sit on a common line below the drawing, centred under
the gap between the lower parts of two shapes, where the eye meets them; crowded
captions move to a second line before the layers spread out. The kernel of a
conv/pool layer sits on the previous stack's front map at a position seeded by
that stack's own settings, so an edit to a later layer never moves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import Network
from ..options import LenetOptions
from ..primitives import Box, Drawing, Group, Line, Node, Rect, Text, text_box
from .common import finish, layer_group, layer_rng, plain, shape_text
from .lenet_parts import (
    Bar,
    Item,
    Shape,
    Stack,
    has_kernel,
    item_caption,
    kernel_rect,
    plan,
    shape_of,
    silhouette,
)

WINDOW = 12
"""Earlier layers checked for collisions when placing one (labels rarely reach further)."""


@dataclass(frozen=True, slots=True)
class _Placed:
    """One drawn layer with its position, labels (relative to x) and caption."""

    item: Item
    shape: Shape
    x: float
    labels: tuple[Text, ...]
    caption: Text | None

    @property
    def placed_labels(self) -> tuple[Text, ...]:
        return tuple(_shifted(t, self.x) for t in self.labels)


def _labels(item: Item, shape: Shape, size: float, opts: LenetOptions) -> tuple[Text, ...]:
    """Shape label ('6@28×28', '120') above the shape, the layer's own label above that."""
    if not opts.show_labels:
        return ()
    cx = shape.top_center(0.0)
    base = -shape.height / 2 - size * 0.55
    shape_label = shape_text(item.info)
    lines = [plain(cx, base, shape_label, size)]
    name = item.info.layer.label
    if name and name.strip() and name != shape_label:
        lines.append(plain(cx, base - size * 1.25, name, size))
    return tuple(lines)


def _shifted(t: Text, dx: float) -> Text:
    return Text(t.x + dx, t.y, t.runs, t.size, t.anchor, t.fill, t.bold, t.rotate)


def _rel_boxes(shape: Shape, labels: tuple[Text, ...]) -> list[Box]:
    boxes = [Box(0.0, -shape.height / 2, shape.width, shape.height / 2)]
    boxes.extend(text_box(t) for t in labels)
    return boxes


def _least_x(xs: list[float], boxes: list[list[Box]], new: list[Box], floor: float,
             pad: float) -> float:  # fmt: skip
    """Least x at or after `floor` where `new` clears the recent layers' shapes and labels."""
    x = floor
    for j in range(max(0, len(xs) - WINDOW), len(xs)):
        for a in boxes[j]:
            for r in new:
                if a.y0 < r.y1 + pad and r.y0 < a.y1 + pad:
                    x = max(x, xs[j] + a.x1 + pad - r.x0)
    return x


def _level(gaps: list[float], weights: list[float], need: float) -> float:
    """Least L with sum(w * max(g, L)) >= need: raise the smallest gaps first, evenly."""
    pairs = sorted(zip(gaps, weights, strict=True))
    rest = sum(g * w for g, w in pairs)
    low = 0.0
    level = pairs[-1][0]
    for i, (g, w) in enumerate(pairs):
        rest -= g * w
        low += w
        level = (need - rest) / low
        if i + 1 == len(pairs) or level <= pairs[i + 1][0]:
            break
    return level


class _Row:
    """Gaps and caption lines, chosen left to right (see `_place`)."""

    def __init__(self, shapes: list[Shape]) -> None:
        self.shapes = shapes
        self.gaps: list[float] = []
        self.xs: list[float] = []

    def add(self, gap: float) -> None:
        k = len(self.xs)
        self.gaps.append(gap)
        self.xs.append(0.0 if k == 0 else self.xs[k - 1] + self.shapes[k - 1].foot + gap)

    def center(self, k: int) -> float:
        """Caption centre of gap k: the middle between shape k-1's foot and shape k."""
        return self.xs[k] - self.gaps[k] / 2

    def widen(self, j: int, k: int, need: float, apply: bool) -> float:
        """Raise gaps j..k evenly until captions j and k are `need` apart; the growth."""
        span = range(j, k + 1)
        weights = [0.5 if i in (j, k) else 1.0 for i in span]
        feet = sum(self.shapes[i].foot for i in range(j, k))
        old = [self.gaps[i] for i in span]
        level = _level(old, weights, need - feet)
        new = [max(g, level) for g in old]
        if apply:
            for i, g in zip(span, new, strict=True):
                self.gaps[i] = g
            for i in range(max(1, j), k + 1):
                self.xs[i] = self.xs[i - 1] + self.shapes[i - 1].foot + self.gaps[i]
        return sum(new) - sum(old)


def _place(net: Network, items: list[Item], shapes: list[Shape]) -> list[_Placed]:
    """Choose each shape's x and each caption's line, left to right.

    Gap k runs from shape k-1's foot to shape k; its caption sits in the middle.
    A gap first gets the least room that keeps shapes and labels apart. When a
    caption would touch the one before it on its line (index j), the gaps j..k are
    raised evenly (smallest first) just enough, which spaces crowded layers evenly;
    raising a gap only moves later things right, so no earlier check is undone.
    """
    opts = net.spec.options.lenet
    size = net.spec.options.font_size
    pad = size * 0.6
    labels = [_labels(item, shape, size, opts) for item, shape in zip(items, shapes, strict=True)]
    boxes = [_rel_boxes(shape, lab) for shape, lab in zip(shapes, labels, strict=True)]
    texts = [
        item_caption(item, first=k == 0) if opts.show_captions else ""
        for k, item in enumerate(items)
    ]
    halves = [plain(0, 0, t, size).width / 2 for t in texts]
    row = _Row(shapes)
    lines: list[int] = [0] * len(items)
    last: list[int | None] = [None, None]
    for k in range(len(shapes)):
        if k == 0:
            row.add(0.0)
            continue
        foot = row.xs[k - 1] + shapes[k - 1].foot
        floor = row.xs[k - 1] + shapes[k - 1].width + opts.layer_spacing
        row.add(_least_x(row.xs, boxes, boxes[k], floor, pad) - foot)
        if not texts[k]:
            continue
        growth: list[float] = []
        for j in last:
            if j is None:
                growth.append(0.0)
                continue
            need = halves[j] + size + halves[k]
            growth.append(row.widen(j, k, need, False) if row.center(k) - row.center(j) < need
                          else 0.0)  # fmt: skip
        if growth[0] <= 0 or not opts.stagger_captions:
            line = 0
        elif growth[1] <= 0:
            line = 1
        else:
            line = 0 if growth[0] <= growth[1] else 1
        j = last[line]
        if j is not None and growth[line] > 0:
            row.widen(j, k, halves[j] + size + halves[k], True)
        lines[k] = line
        last[line] = k
    bottom = max(s.height / 2 for s in shapes)
    baselines = (bottom + size * 1.9, bottom + size * 3.2)
    return [
        _Placed(items[k], shapes[k], row.xs[k], labels[k],
                plain(row.center(k), baselines[lines[k]], texts[k], size) if texts[k] else None)
        for k in range(len(items))
    ]  # fmt: skip


def _fills(p: _Placed, opts: LenetOptions) -> tuple[str, str]:
    color = p.item.info.layer.color
    return (color, color) if color else (opts.fill_a, opts.fill_b)


def _kernel(net: Network, p: _Placed, nxt: _Placed) -> tuple[Rect, list[Node]] | None:
    """Kernel rectangle on `p`'s front map and the projection to `nxt`'s front map."""
    opts = net.spec.options.lenet
    kernel = nxt.item.info.kernel
    if not (isinstance(p.shape, Stack) and isinstance(nxt.shape, Stack)) or kernel is None:
        return None
    if not has_kernel(nxt.item.info) or not p.item.feeds(nxt.item.info):
        return None
    rng = layer_rng(net.spec, p.item.info, "kernel")
    rel = (rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85))
    front = p.shape.front(p.x, 0.0)
    k = kernel_rect(front, kernel, rel, opts)
    width = max(0.5, opts.border_width)
    rect = Rect(k.x0, k.y0, k.width, k.height, fill="none", stroke=opts.kernel_color,
                stroke_width=width, opacity=opts.kernel_opacity)  # fmt: skip
    target = nxt.shape.front(nxt.x, 0.0)
    dot = max(2.5, width * 2.5)
    tx = target.x0 + dot / 2 + rel[0] * (target.width - dot)
    ty = target.y0 + dot / 2 + rel[1] * (target.height - dot)
    line_width = max(0.4, opts.border_width * 0.6)
    nodes: list[Node] = [
        Line(c[0], c[1], tx, ty, stroke=opts.kernel_color, stroke_width=line_width,
             opacity=opts.kernel_opacity)
        for c in silhouette(k, (tx, ty))
    ]  # fmt: skip
    nodes.append(Rect(tx - dot / 2, ty - dot / 2, dot, dot, fill=opts.kernel_color,
                      opacity=opts.kernel_opacity))  # fmt: skip
    return rect, nodes


def _connections(p: _Placed, nxt: _Placed, opts: LenetOptions) -> list[Node]:
    """Two lines bounding the funnel from a layer into a dense bar (and out of one)."""
    ends = zip(p.shape.exits(p.x, 0.0), nxt.shape.entries(nxt.x, 0.0), strict=True)
    width = max(0.4, opts.border_width * 0.6)
    return [Line(a[0], a[1], b[0], b[1], stroke=opts.stroke, stroke_width=width,
                 opacity=opts.kernel_opacity) for a, b in ends]  # fmt: skip


def layout(net: Network) -> Drawing:
    """Stacks and bars left to right, kernels and connections, labels above, captions below."""
    opts = net.spec.options.lenet
    items = plan(net)
    shapes = [shape_of(item.info, opts) for item in items]
    placed = _place(net, items, shapes)
    layers: list[Group] = []
    projections: list[Node] = []
    connections: list[Node] = []
    for i, p in enumerate(placed):
        body: list[Node]
        if isinstance(p.shape, Stack):
            body = list(p.shape.rects(p.x, 0.0, _fills(p, opts), opts))
        else:
            body = [p.shape.polygon(p.x, 0.0, _fills(p, opts)[0], opts)]
        nxt = placed[i + 1] if i + 1 < len(placed) else None
        if nxt is not None:
            kernel = _kernel(net, p, nxt) if opts.show_kernels else None
            if kernel is not None:
                body.append(kernel[0])
                projections.extend(kernel[1])
            elif (
                opts.show_connections
                and (isinstance(nxt.shape, Bar) or isinstance(p.shape, Bar))
                and p.item.feeds(nxt.item.info)
            ):
                connections.extend(_connections(p, nxt, opts))
        layers.append(layer_group(p.item.info, body))
    groups = list(layers)
    if connections:
        groups.append(Group(tuple(connections), classes=("connections",)))
    if projections:
        groups.append(Group(tuple(projections), classes=("projections",)))
    labels = [
        Group(p.placed_labels, classes=("label",), data=(("layer", str(p.item.info.row)),))
        for p in placed
        if p.labels
    ]
    if labels:
        groups.append(Group(tuple(labels), classes=("labels",)))
    captions = [
        Group((p.caption,), classes=("caption",), data=_caption_data(p))
        for p in placed
        if p.caption is not None
    ]
    if captions:
        groups.append(Group(tuple(captions), classes=("captions",)))
    return finish(net, groups)


def _caption_data(p: _Placed) -> tuple[tuple[str, str], ...]:
    """The drawn layer's spec row, plus the names of every layer the caption describes."""
    names = [p.item.info.name] + [f.name for f in p.item.folded]
    return (("layer", str(p.item.info.row)), ("names", " ".join(names)))
