"""Pieces of the lenet style: which layers get a shape, and the shapes themselves.

Coordinates are SVG user units, y down. A shape is placed by its left edge `x`
and the common centre line `cy` that every shape is centred on. Depth recedes up
and to the right at 45 degrees, so the front map of a stack is its lower-left one
and a dense bar rises from its lower-left end to its upper-right end.

Layers that keep their input's shape (norm, activation, dropout, softmax) get no
shape of their own: they fold into the caption of the layer they follow, which
is how NN-SVG-like figures in papers read ("Convolution 11×11 /4 + LRN"). Merge
layers (add, multiply, concat) always get an item of their own: a circled symbol
where the streams join (see `lenet_merge`), followed by a stack for a concat.

Besides drawing, every shape answers where lines may touch it: the spans of its
top and bottom edges (skip connections leave and enter there) and the x of its
left and right outline at a height (links and side entries end there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis import LayerInfo, Network
from ..layers import ActivationLayer, DropoutLayer, InputLayer, PoolLayer, SoftmaxLayer
from ..options import LenetOptions
from ..primitives import Box, Node, Point, Polygon, Rect
from .common import caption, scale_size

PASS_THROUGH = frozenset({"norm", "activation", "dropout", "softmax"})
"""Layer types that fold into the caption of the layer they follow when they keep its shape."""

KERNEL_TYPES = frozenset({"conv", "pool", "deconv"})
"""Layers whose kernel is drawn on the previous stack, with its projection."""

KERNEL_CAP = 0.45
"""Largest kernel side as a share of the map side, so the map still reads around it."""

ACTIVATIONS = {
    "relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "Leaky ReLU", "prelu": "PReLU",
    "elu": "ELU", "selu": "SELU", "gelu": "GELU", "silu": "SiLU", "swish": "Swish",
    "tanh": "tanh", "sigmoid": "Sigmoid", "softplus": "Softplus", "mish": "Mish",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Item:
    """One drawn layer and the pass-through layers folded into its caption."""

    info: LayerInfo
    folded: tuple[LayerInfo, ...] = ()

    @property
    def indices(self) -> frozenset[int]:
        return frozenset((self.info.index, *(f.index for f in self.folded)))

    def feeds(self, info: LayerInfo) -> bool:
        """True when `info` takes this item's output (drawn as the next in line)."""
        return any(i in self.indices for i in info.inputs)

    @property
    def layers(self) -> tuple[LayerInfo, ...]:
        return (self.info, *self.folded)


def plan(net: Network) -> list[Item]:
    """The layers that get a shape, in order; shape-keeping layers fold into the one they follow.

    Layers appear in spec order, and a layer folds only when its one input is the
    previous item's output and it keeps that shape. Merges never fold.
    """
    items: list[Item] = []
    for info in net.layers:
        last = items[-1] if items else None
        if (
            last is not None
            and info.type in PASS_THROUGH
            and info.output == last.info.output
            and len(info.inputs) == 1
            and last.feeds(info)
        ):
            items[-1] = Item(last.info, (*last.folded, info))
        else:
            items.append(Item(info))
    return items


def op_name(info: LayerInfo) -> str:
    """Short name of the operation a layer performs."""
    layer = info.layer
    if isinstance(layer, ActivationLayer):
        return ACTIVATIONS.get(layer.function.lower(), layer.function)
    if isinstance(layer, DropoutLayer):
        return f"Dropout {layer.rate:g}"
    if isinstance(layer, SoftmaxLayer):
        return "Softmax"
    return caption(info)


def item_caption(item: Item, first: bool) -> str:
    """Caption under the gap before `item`: its operation plus the folded ones."""
    if first or isinstance(item.info.layer, InputLayer):
        return ""
    return " + ".join(op_name(info) for info in (item.info, *item.folded))


def has_kernel(info: LayerInfo) -> bool:
    """Conv and (non-global) pool layers slide a kernel over the previous maps."""
    if info.type not in KERNEL_TYPES or info.kernel is None:
        return False
    return not (isinstance(info.layer, PoolLayer) and info.layer.global_)


@dataclass(frozen=True, slots=True)
class Span:
    """An edge from x0 to x1 where vertical lines may attach: straight at height y, or
    the near arc of `circle` (cx, cy, r) whose extreme point is at height y."""

    x0: float
    x1: float
    y: float
    circle: tuple[float, float, float] | None = None

    def at(self, px: float) -> float:
        """Height of the edge at x = px."""
        if self.circle is None:
            return self.y
        cx, cy, r = self.circle
        dy = math.sqrt(max(0.0, r * r - (px - cx) ** 2))
        return cy - dy if self.y < cy else cy + dy


@dataclass(frozen=True, slots=True)
class Stack:
    """`maps` feature maps of `map_w` x `map_h`, each `step` up-right of the one before."""

    maps: int
    map_w: float
    map_h: float
    step: float

    @property
    def width(self) -> float:
        return self.map_w + (self.maps - 1) * self.step

    @property
    def height(self) -> float:
        return self.map_h + (self.maps - 1) * self.step

    def front(self, x: float, cy: float) -> Box:
        """The front (lower-left, drawn last) map."""
        y1 = cy + self.height / 2
        return Box(x, y1 - self.map_h, x + self.map_w, y1)

    def rects(self, x: float, cy: float, fills: tuple[str, str], opts: LenetOptions) -> list[Rect]:
        """The maps from back to front; the front map takes the first fill."""
        f = self.front(x, cy)
        out: list[Rect] = []
        for depth in range(self.maps - 1, -1, -1):
            off = depth * self.step
            out.append(
                Rect(f.x0 + off, f.y0 - off, self.map_w, self.map_h, fill=fills[depth % 2],
                     stroke=opts.stroke if opts.border_width > 0 else None,
                     stroke_width=opts.border_width, opacity=opts.opacity)
            )  # fmt: skip
        return out

    def top_center(self, x: float) -> float:
        """Centre of the stack, where its label goes."""
        return x + self.width / 2

    @property
    def foot(self) -> float:
        """Width of the shape's lowest part (the front map), from its left edge."""
        return self.map_w

    def bottom_center(self, x: float) -> float:
        """Centre of the lowest part, where cost annotations go."""
        return x + self.map_w / 2

    def exits(self, x: float, cy: float) -> tuple[Point, Point]:
        """Upper and lower points where lines to the next layer leave."""
        f = self.front(x, cy)
        return (x + self.width, cy - self.height / 2), (f.x1, f.y1)

    def entries(self, x: float, cy: float) -> tuple[Point, Point]:
        """Upper and lower points where lines from the previous layer arrive."""
        f = self.front(x, cy)
        return (f.x0, f.y0), (f.x0, f.y1)

    def nodes(self, x: float, cy: float, fills: tuple[str, str], opts: LenetOptions) -> list[Node]:
        return list(self.rects(x, cy, fills, opts))

    def top_span(self, x: float, cy: float) -> Span:
        """The top edge of the back map."""
        return Span(x + self.width - self.map_w, x + self.width, cy - self.height / 2)

    def bottom_span(self, x: float, cy: float) -> Span:
        """The bottom edge of the front map."""
        return Span(x, x + self.map_w, cy + self.height / 2)

    def _depths(self, cy: float, y: float) -> range:
        """Depths of the maps whose height range holds `y`."""
        y1 = cy + self.height / 2
        lo = max(0, math.ceil((y1 - self.map_h - y) / self.step - 1e-9))
        hi = min(self.maps - 1, math.floor((y1 - y) / self.step + 1e-9))
        return range(lo, hi + 1)

    def left_at(self, x: float, cy: float, y: float) -> float | None:
        d = self._depths(cy, y)
        return x + d.start * self.step if d else None

    def right_at(self, x: float, cy: float, y: float) -> float | None:
        d = self._depths(cy, y)
        return x + self.map_w + d[-1] * self.step if d else None


@dataclass(frozen=True, slots=True)
class Bar:
    """A dense vector: a slanted bar `thick` wide rising `run` up and `run` right."""

    run: float
    thick: float

    @property
    def width(self) -> float:
        return self.run + self.thick

    @property
    def height(self) -> float:
        return self.run

    def polygon(self, x: float, cy: float, fill: str, opts: LenetOptions) -> Polygon:
        y1 = cy + self.run / 2
        y0 = y1 - self.run
        pts = ((x, y1), (x + self.thick, y1), (x + self.width, y0), (x + self.run, y0))
        return Polygon(pts, fill=fill, stroke=opts.stroke if opts.border_width > 0 else None,
                       stroke_width=opts.border_width, opacity=opts.opacity)  # fmt: skip

    def top_center(self, x: float) -> float:
        """Centre of the bar's upper end, where its label goes."""
        return x + self.run + self.thick / 2

    @property
    def foot(self) -> float:
        """Width of the bar's lower end, from its left edge."""
        return self.thick

    def bottom_center(self, x: float) -> float:
        return x + self.thick / 2

    def exits(self, x: float, cy: float) -> tuple[Point, Point]:
        return (x + self.width, cy - self.run / 2), (x + self.thick, cy + self.run / 2)

    def entries(self, x: float, cy: float) -> tuple[Point, Point]:
        return (x + self.run, cy - self.run / 2), (x, cy + self.run / 2)

    def nodes(self, x: float, cy: float, fills: tuple[str, str], opts: LenetOptions) -> list[Node]:
        return [self.polygon(x, cy, fills[0], opts)]

    def top_span(self, x: float, cy: float) -> Span:
        """The bar's upper end."""
        return Span(x + self.run, x + self.width, cy - self.run / 2)

    def bottom_span(self, x: float, cy: float) -> Span:
        """The bar's lower end."""
        return Span(x, x + self.thick, cy + self.run / 2)

    def left_at(self, x: float, cy: float, y: float) -> float | None:
        y1 = cy + self.run / 2
        return x + (y1 - y) if y1 - self.run <= y <= y1 else None

    def right_at(self, x: float, cy: float, y: float) -> float | None:
        y1 = cy + self.run / 2
        return x + self.thick + (y1 - y) if y1 - self.run <= y <= y1 else None


Body = Stack | Bar
"""What a layer draws: feature maps or a dense bar (merges add a circle, see `lenet_merge`)."""


def shape_of(info: LayerInfo, opts: LenetOptions) -> Body:
    """A stack for spatial outputs, a bar for vectors, sized by the options' scales."""
    out = info.output
    if out.height is not None and out.width is not None:
        side = (opts.scale, opts.scale_factor, opts.min_size, opts.max_size)
        return Stack(min(out.channels, opts.max_maps), scale_size(out.width, *side),
                     scale_size(out.height, *side), opts.map_spacing)  # fmt: skip
    run = scale_size(out.channels, opts.dense_scale, opts.dense_factor,
                     opts.dense_min_size, opts.dense_max_size)  # fmt: skip
    return Bar(run, opts.dense_width)


def kernel_rect(front: Box, kernel: tuple[int, int], rel: Point, opts: LenetOptions) -> Box:
    """The next layer's kernel on a front map: scaled like the maps, inside the map.

    `rel` in [0, 1]^2 places it within the room the map leaves, so it never pokes out.
    """
    kh, kw = kernel
    w = min(
        scale_size(kw, opts.scale, opts.scale_factor, 3.0, opts.max_size), front.width * KERNEL_CAP
    )
    h = min(
        scale_size(kh, opts.scale, opts.scale_factor, 3.0, opts.max_size), front.height * KERNEL_CAP
    )
    x = front.x0 + rel[0] * (front.width - w)
    y = front.y0 + rel[1] * (front.height - h)
    return Box(x, y, x + w, y + h)


def silhouette(box: Box, target: Point) -> tuple[Point, Point]:
    """The two corners of `box` whose lines to `target` (to its right) bound the cone."""
    corners = ((box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1))

    def angle(c: Point) -> float:
        return math.atan2(c[1] - target[1], target[0] - c[0])

    ordered = sorted(corners, key=angle)
    return ordered[0], ordered[-1]
