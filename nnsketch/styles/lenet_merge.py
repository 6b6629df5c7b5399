"""Merge layers of the lenet style: a small circled symbol where streams join.

Add and multiply keep their input's shape, so the symbol is all they draw (a
`Junction`); a concat changes the channel count, so its symbol sits just before
the stack it produces (a `Joined`). Skip connections end on the symbol's rim;
skips that leave a junction rise from a tap on the line that leaves it, which
is how residual blocks are drawn in papers. Coordinates follow `lenet_parts`:
left edge `x`, centre line `cy`, y down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..analysis import LayerInfo
from ..options import LenetOptions
from ..primitives import Box, Circle, Line, Node, Point
from .lenet_parts import Bar, Item, Span, Stack, shape_of

GLYPHS = {"add": "+", "multiply": "×", "concat": "||"}
"""The symbol drawn in the circle of each merge type (also written to the SVG)."""

RIM_SHARE = 0.6
"""Skips may touch the circle within this share of the radius from its centre line."""


@dataclass(frozen=True, slots=True)
class Junction:
    """A circle of radius `r` with the merge's glyph drawn as strokes (font-independent)."""

    r: float
    kind: str

    @property
    def width(self) -> float:
        return 2 * self.r

    @property
    def height(self) -> float:
        return 2 * self.r

    @property
    def foot(self) -> float:
        return 2 * self.r

    @property
    def glyph(self) -> str:
        return GLYPHS.get(self.kind, "+")

    def top_center(self, x: float) -> float:
        return x + self.r

    def bottom_center(self, x: float) -> float:
        return x + self.r

    def nodes(self, x: float, cy: float, fills: tuple[str, str], opts: LenetOptions) -> list[Node]:
        """The circle and its glyph; the fill is white unless the layer has a color."""
        cx, r = x + self.r, self.r
        width = max(1.0, opts.border_width)
        fill = fills[0] if fills[0] != opts.fill_a else "#ffffff"
        out: list[Node] = [Circle(cx, cy, r, fill=fill, stroke=opts.stroke, stroke_width=width)]
        arm = r * 0.5
        if self.kind == "multiply":
            d = arm * 0.8
            ends = [(-d, -d, d, d), (-d, d, d, -d)]
        elif self.kind == "concat":
            g = r * 0.22
            ends = [(-g, -arm, -g, arm), (g, -arm, g, arm)]
        else:
            ends = [(-arm, 0.0, arm, 0.0), (0.0, -arm, 0.0, arm)]
        out += [
            Line(cx + a, cy + b, cx + c, cy + d, stroke=opts.stroke, stroke_width=width)
            for a, b, c, d in ends
        ]
        return out

    def box(self, x: float, cy: float) -> Box:
        return Box(x, cy - self.r, x + 2 * self.r, cy + self.r)

    def in_span(self, x: float, cy: float, top: bool) -> Span:
        """Where arriving skips touch: the part of the rim nearest the top (or bottom)."""
        cx = x + self.r
        half = self.r * RIM_SHARE
        return Span(cx - half, cx + half, cy + (-self.r if top else self.r), (cx, cy, self.r))

    def left_at(self, x: float, cy: float, y: float) -> float | None:
        dy = abs(y - cy)
        return x + self.r - math.sqrt(self.r**2 - dy**2) if dy <= self.r else None

    def right_at(self, x: float, cy: float, y: float) -> float | None:
        dy = abs(y - cy)
        return x + self.r + math.sqrt(self.r**2 - dy**2) if dy <= self.r else None


@dataclass(frozen=True, slots=True)
class Joined:
    """A junction, a short arrow, then the stack (or bar) the merge produces."""

    junction: Junction
    lead: float
    body: Stack | Bar

    @property
    def offset(self) -> float:
        """Where the body starts, from the shape's left edge."""
        return self.junction.width + self.lead

    @property
    def width(self) -> float:
        return self.offset + self.body.width

    @property
    def height(self) -> float:
        return max(self.junction.height, self.body.height)

    @property
    def foot(self) -> float:
        return self.offset + self.body.foot

    def top_center(self, x: float) -> float:
        return self.body.top_center(x + self.offset)

    def bottom_center(self, x: float) -> float:
        return x + self.offset + self.body.foot / 2

    def nodes(self, x: float, cy: float, fills: tuple[str, str], opts: LenetOptions) -> list[Node]:
        bx = x + self.offset
        out = self.junction.nodes(x, cy, fills, opts)
        end = self.body.left_at(bx, cy, cy)
        if end is not None:
            width = max(0.6, opts.border_width * 0.8)
            out.append(Line(x + self.junction.width, cy, end, cy, stroke=opts.stroke,
                            stroke_width=width, arrow=True))  # fmt: skip
        return out + self.body.nodes(bx, cy, fills, opts)

    def box(self, x: float, cy: float) -> Box:
        return Box(x, cy - self.height / 2, x + self.width, cy + self.height / 2)

    def in_span(self, x: float, cy: float, top: bool) -> Span:
        return self.junction.in_span(x, cy, top)

    def out_span(self, x: float, cy: float, top: bool) -> Span:
        bx = x + self.offset
        return self.body.top_span(bx, cy) if top else self.body.bottom_span(bx, cy)

    def left_at(self, x: float, cy: float, y: float) -> float | None:
        return self.junction.left_at(x, cy, y)

    def right_at(self, x: float, cy: float, y: float) -> float | None:
        return self.body.right_at(x + self.offset, cy, y)

    def front(self, x: float, cy: float) -> Box | None:
        return self.body.front(x + self.offset, cy) if isinstance(self.body, Stack) else None


Shape = Stack | Bar | Junction | Joined


def body_at(shape: Shape, x: float) -> tuple[Stack | Bar | None, float]:
    """The stack or bar a shape draws and its left edge (none for a bare junction)."""
    if isinstance(shape, Joined):
        return shape.body, x + shape.offset
    if isinstance(shape, Junction):
        return None, x
    return shape, x


def has_circle(shape: Shape) -> bool:
    """True when the shape is entered through a merge circle."""
    return isinstance(shape, Junction | Joined)


def item_shape(item: Item, opts: LenetOptions, r: float) -> Shape:
    """The drawn shape of an item: merges get a circle of radius `r`."""
    info: LayerInfo = item.info
    if not info.is_merge:
        return shape_of(info, opts)
    junction = Junction(r, info.type)
    if info.type != "concat":
        return junction
    return Joined(junction, max(10.0, opts.layer_spacing * 0.3), shape_of(info, opts))


def out_span(shape: Shape, x: float, cy: float, top: bool) -> Span | None:
    """Where departing skips leave a shape; None for a junction (they leave from a tap)."""
    if isinstance(shape, Junction):
        return None
    if isinstance(shape, Joined):
        return shape.out_span(x, cy, top)
    return shape.top_span(x, cy) if top else shape.bottom_span(x, cy)


def in_span(shape: Shape, x: float, cy: float, top: bool) -> Span:
    """Where arriving skips end."""
    if isinstance(shape, Junction | Joined):
        return shape.in_span(x, cy, top)
    return shape.top_span(x, cy) if top else shape.bottom_span(x, cy)


def shape_box(shape: Shape, x: float, cy: float) -> Box:
    if isinstance(shape, Junction | Joined):
        return shape.box(x, cy)
    return Box(x, cy - shape.height / 2, x + shape.width, cy + shape.height / 2)


def link_ends(a: Shape, ax: float, ay: float, b: Shape, bx: float,
              by: float) -> tuple[Point, Point]:  # fmt: skip
    """Where a straight link from shape a (centre line ay) to shape b (by) leaves and ends."""
    start = a.right_at(ax, ay, ay)
    end = b.left_at(bx, by, by)
    return (ax + a.width if start is None else start, ay), (bx if end is None else end, by)
