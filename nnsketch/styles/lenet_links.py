"""What the lenet style draws between neighbouring layers, and where each drawn layer sits.

Kernels with their projection cones join a stack to the next one it feeds;
funnel lines join a layer to a dense bar; arrows join a layer to a merge symbol
and step between the levels of the U layout. A cone or a step that would run
through a label, a cost annotation or a caption is left out (a step tries a few
endpoints first), so lines never cross text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import Network
from ..options import LenetOptions
from ..primitives import Box, Line, Node, Rect, Text
from .common import layer_rng
from .lenet_merge import Joined, Junction, Shape, body_at, link_ends
from .lenet_merge import shape_box as _shape_box
from .lenet_parts import Item, Stack, has_kernel, kernel_rect, silhouette


@dataclass(frozen=True, slots=True)
class Placed:
    """One drawn layer with its position, labels and notes (relative to x, y) and caption."""

    item: Item
    shape: Shape
    x: float
    y: float
    labels: tuple[Text, ...]
    notes: tuple[Text, ...]
    own: tuple[list[Box], list[Box]]
    """Boxes of the labels and of the notes, relative like them."""
    caption: Text | None

    @property
    def placed_labels(self) -> tuple[Text, ...]:
        return tuple(_shifted(t, self.x, self.y) for t in self.labels)

    @property
    def placed_notes(self) -> tuple[Text, ...]:
        return tuple(_shifted(t, self.x, self.y) for t in self.notes)

    @property
    def box(self) -> Box:
        return _shape_box(self.shape, self.x, self.y)

    @property
    def text_boxes(self) -> list[Box]:
        return [moved(b, self.x, self.y) for part in self.own for b in part]

    @property
    def note_bottom(self) -> float | None:
        return max((b.y1 + self.y for b in self.own[1]), default=None)


def _shifted(t: Text, dx: float, dy: float = 0.0) -> Text:
    return Text(t.x + dx, t.y + dy, t.runs, t.size, t.anchor, t.fill, t.bold, t.rotate)


def moved(b: Box, dx: float, dy: float) -> Box:
    return Box(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)


def kernel_cone(net: Network, p: Placed, nxt: Placed) -> tuple[Rect, list[Node]] | None:
    """Kernel rectangle on `p`'s front map and the projection to `nxt`'s front map."""
    opts = net.spec.options.lenet
    kernel = nxt.item.info.kernel
    body, bx = body_at(p.shape, p.x)
    if not (isinstance(body, Stack) and isinstance(nxt.shape, Stack)) or kernel is None:
        return None
    if not has_kernel(nxt.item.info) or not p.item.feeds(nxt.item.info):
        return None
    rng = layer_rng(net.spec, p.item.info, "kernel")
    rel = (rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85))
    front = body.front(bx, p.y)
    k = kernel_rect(front, kernel, rel, opts)
    width = max(0.5, opts.border_width)
    rect = Rect(k.x0, k.y0, k.width, k.height, fill="none", stroke=opts.kernel_color,
                stroke_width=width, opacity=opts.kernel_opacity)  # fmt: skip
    target = nxt.shape.front(nxt.x, nxt.y)
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


def funnel(p: Placed, nxt: Placed, opts: LenetOptions) -> list[Node]:
    """Two lines bounding the funnel from a layer into a dense bar (and out of one)."""
    body, bx = body_at(p.shape, p.x)
    if body is None or isinstance(nxt.shape, Junction | Joined):
        return []
    ends = zip(body.exits(bx, p.y), nxt.shape.entries(nxt.x, nxt.y), strict=True)
    width = max(0.4, opts.border_width * 0.6)
    return [Line(a[0], a[1], b[0], b[1], stroke=opts.stroke, stroke_width=width,
                 opacity=opts.kernel_opacity) for a, b in ends]  # fmt: skip


def merge_arrow(p: Placed, nxt: Placed, opts: LenetOptions) -> Line:
    """The arrow into (or out of) a merge symbol along the centre line."""
    a, b = link_ends(p.shape, p.x, p.y, nxt.shape, nxt.x, nxt.y)
    return Line(a[0], a[1], b[0], b[1], stroke=opts.stroke,
                stroke_width=max(0.6, opts.border_width * 0.8), arrow=True)  # fmt: skip


def level_step(p: Placed, nxt: Placed, opts: LenetOptions, text: list[Box]) -> list[Line]:
    """An arrow between levels of the U layout, the first of a few that crosses no text.

    Down: from the lower right of the stack to the next front map's top left.
    Up: from the back map's top right to the next front map's foot or middle.
    A merge circle at either end is left or entered at its rim.
    """
    middle = link_ends(p.shape, p.x, p.y, nxt.shape, nxt.x, nxt.y)
    body, bx = body_at(p.shape, p.x)
    if body is None or isinstance(p.shape, Junction):
        upper = lower = middle[0]
    else:
        upper, lower = body.exits(bx, p.y)
    if isinstance(nxt.shape, Junction | Joined):
        r = nxt.shape.r if isinstance(nxt.shape, Junction) else nxt.shape.junction.r
        top, foot = (nxt.x + r, nxt.y - r), (nxt.x + r, nxt.y + r)
    else:
        top, foot = nxt.shape.entries(nxt.x, nxt.y)
    if nxt.y > p.y:
        tries = [(lower, top), (middle[0], top), (upper, top), middle]
    else:
        tries = [(upper, foot), (upper, middle[1]), middle]
    width = max(0.6, opts.border_width * 0.8)
    for a, b in tries:
        line = Line(a[0], a[1], b[0], b[1], stroke=opts.stroke, stroke_width=width, arrow=True)
        if not through_text([line], text):
            return [line]
    return []


def through_text(nodes: list[Node], boxes: list[Box]) -> bool:
    """True when one of the lines passes through a text's box."""
    for ln in nodes:
        if not isinstance(ln, Line):
            continue
        x0, x1 = min(ln.x1, ln.x2), max(ln.x1, ln.x2)
        y0, y1 = min(ln.y1, ln.y2), max(ln.y1, ln.y2)
        for b in boxes:
            if b.x0 < x1 and x0 < b.x1 and b.y0 < y1 and y0 < b.y1 and _clips(ln, b):
                return True
    return False


def _clips(line: Line, box: Box) -> bool:
    """Liang-Barsky: does the segment enter the box (shrunk by half a unit)?"""
    x0, y0, dx, dy = line.x1, line.y1, line.x2 - line.x1, line.y2 - line.y1
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x0 - 0.5), (dx, box.x1 - 0.5 - x0),
                 (-dy, y0 - box.y0 - 0.5), (dy, box.y1 - 0.5 - y0)):  # fmt: skip
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True
