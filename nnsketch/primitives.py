"""Drawing primitives: what every style produces and the SVG writer consumes.

Coordinates are SVG user units (px at scale 1), x to the right, y downwards.
All primitives are frozen: layout builds them once and nothing mutates them.
`bounds()` gives the box a primitive covers, used to fit the viewBox and to test
that nothing overlaps or falls outside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Union

from .text import ASCENT, DESCENT, text_width

Point = tuple[float, float]
Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True, slots=True)
class Box:
    """Axis-aligned box from (x0, y0) to (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0),
            max(self.x1, other.x1), max(self.y1, other.y1),
        )  # fmt: skip

    def pad(self, margin: float) -> Box:
        return Box(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """True when the boxes share area (touching edges do not count)."""
        return (
            self.x0 < other.x1 + gap
            and other.x0 < self.x1 + gap
            and self.y0 < other.y1 + gap
            and other.y0 < self.y1 + gap
        )

    def contains(self, other: Box, tolerance: float = 0.01) -> bool:
        return (
            other.x0 >= self.x0 - tolerance
            and other.y0 >= self.y0 - tolerance
            and other.x1 <= self.x1 + tolerance
            and other.y1 <= self.y1 + tolerance
        )


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str = "none"
    stroke: str | None = None
    stroke_width: float = 1.0
    opacity: float = 1.0
    rx: float = 0.0
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str = "none"
    stroke: str | None = None
    stroke_width: float = 1.0
    opacity: float = 1.0
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#000000"
    stroke_width: float = 1.0
    opacity: float = 1.0
    dash: str | None = None
    arrow: bool = False


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[Point, ...]
    fill: str = "none"
    stroke: str | None = None
    stroke_width: float = 1.0
    opacity: float = 1.0


PathCommand = tuple[str, tuple[float, ...]]
"""("M", (x, y)), ("L", (x, y)), ("C", (x1, y1, x2, y2, x, y)) or ("Z", ())."""


@dataclass(frozen=True, slots=True)
class Path:
    """Many subpaths in one element: edges between two layers are one Path."""

    commands: tuple[PathCommand, ...]
    stroke: str | None = "#000000"
    stroke_width: float = 1.0
    opacity: float = 1.0
    fill: str = "none"
    dash: str | None = None
    arrow: bool = False


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of a text label; superscript runs are raised and smaller."""

    text: str
    sup: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    """A label at baseline point (x, y), optionally rotated about that point."""

    x: float
    y: float
    runs: tuple[Run, ...]
    size: float = 12.0
    anchor: Anchor = "middle"
    fill: str = "#000000"
    bold: bool = False
    rotate: float = 0.0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def width(self) -> float:
        return sum(
            text_width(r.text, self.size * (SUP_SCALE if r.sup else 1.0), self.bold)
            for r in self.runs
        )


SUP_SCALE = 0.7
"""Superscript runs use this fraction of the font size and rise by SUP_RISE of it."""
SUP_RISE = 0.4


def text(x: float, y: float, value: str, **kwargs: object) -> Text:
    """Shorthand for a single-run Text."""
    return Text(x, y, (Run(value),), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Group:
    """A named group: one per layer (id, classes) and one per kind of content."""

    children: tuple[Node, ...]
    id: str | None = None
    classes: tuple[str, ...] = ()
    title: str | None = None
    data: tuple[tuple[str, str], ...] = field(default=())


Node = Union[Rect, Circle, Line, Polygon, Path, Text, Group]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Drawing:
    """A finished diagram: primitives plus the viewBox that fits them."""

    children: tuple[Node, ...]
    viewbox: Box
    title: str
    desc: str
    id_prefix: str
    font_family: str
    background: str | None = None


def text_box(t: Text) -> Box:
    """Conservative extent of a label, including rotation about its anchor."""
    w = t.width
    x0 = {"start": 0.0, "middle": -w / 2, "end": -w}[t.anchor]
    has_sup = any(r.sup for r in t.runs)
    top = -t.size * (ASCENT + (SUP_RISE if has_sup else 0.0))
    bottom = t.size * DESCENT
    corners = ((x0, top), (x0 + w, top), (x0, bottom), (x0 + w, bottom))
    if t.rotate:
        a = math.radians(t.rotate)
        ca, sa = math.cos(a), math.sin(a)
        corners = tuple((cx * ca - cy * sa, cx * sa + cy * ca) for cx, cy in corners)
    xs = [t.x + cx for cx, _ in corners]
    ys = [t.y + cy for _, cy in corners]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _points_box(points: list[Point] | tuple[Point, ...], pad: float) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Box(min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def bounds(node: Node) -> Box | None:
    """Box covered by a primitive (strokes included); None for an empty group."""
    if isinstance(node, Rect):
        h = node.stroke_width / 2 if node.stroke else 0.0
        return Box(node.x - h, node.y - h, node.x + node.width + h, node.y + node.height + h)
    if isinstance(node, Circle):
        r = node.r + (node.stroke_width / 2 if node.stroke else 0.0)
        return Box(node.cx - r, node.cy - r, node.cx + r, node.cy + r)
    if isinstance(node, Line):
        pad = node.stroke_width / 2 + (node.stroke_width * 3 if node.arrow else 0.0)
        return _points_box(((node.x1, node.y1), (node.x2, node.y2)), pad)
    if isinstance(node, Polygon):
        return _points_box(node.points, node.stroke_width / 2 if node.stroke else 0.0)
    if isinstance(node, Path):
        pts = [(args[i], args[i + 1]) for _, args in node.commands for i in range(0, len(args), 2)]
        if not pts:
            return None
        pad = node.stroke_width / 2 + (node.stroke_width * 3 if node.arrow else 0.0)
        return _points_box(pts, pad)
    if isinstance(node, Text):
        return text_box(node)
    box: Box | None = None
    for child in node.children:
        b = bounds(child)
        if b is not None:
            box = b if box is None else box.union(b)
    return box


def walk(node: Node) -> Iterator[Node]:
    """Every primitive under `node` (groups excluded), in drawing order."""
    if isinstance(node, Group):
        for child in node.children:
            yield from walk(child)
    else:
        yield node
