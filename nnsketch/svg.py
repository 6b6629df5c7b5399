"""The SVG writer: the only module that writes SVG (through svgwrite).

Numbers are written with at most two decimals and no trailing zeros, attributes
in a fixed order, ids prefixed by the drawing's `id_prefix`, so the same drawing
gives the same bytes and several diagrams can share one page. User text reaches
the file only as escaped character data or attribute values.
"""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree

import svgwrite
from svgwrite.base import BaseElement
from svgwrite.container import Group as SvgGroup

from .primitives import (
    SUP_RISE,
    SUP_SCALE,
    Circle,
    Drawing,
    Group,
    Line,
    Node,
    Path,
    Polygon,
    Rect,
    Text,
    walk,
)

_FACTORY = svgwrite.Drawing(profile="full", debug=False)


class _Element(BaseElement):
    """A plain element with exactly the attributes given, in the order given.

    svgwrite's shape helpers fill in their own defaults (``size=(1, 1)``) and
    number formats; this keeps attribute order and precision ours.
    """

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        super().__init__(factory=_FACTORY)  # shares one parameter set instead of one each
        self.elementname = tag
        self.attribs.update(attrs)


def num(value: float) -> str:
    """Fixed-precision number: at most 2 decimals, no trailing zeros, never '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _paint(attrs: dict[str, str], fill: str | None, stroke: str | None, width: float,
           opacity: float, dash: str | None = None) -> dict[str, str]:  # fmt: skip
    if fill is not None:
        attrs["fill"] = fill
    if stroke:
        attrs["stroke"] = stroke
        attrs["stroke-width"] = num(width)
        if dash:
            attrs["stroke-dasharray"] = dash
    if opacity < 1:
        attrs["opacity"] = num(opacity)
    return attrs


class _Writer:
    def __init__(self, drawing: Drawing) -> None:
        self.d = drawing
        self.prefix = drawing.id_prefix
        self.markers: dict[str, str] = {}
        self.dwg = svgwrite.Drawing(profile="full", debug=False)

    def marker_id(self, color: str) -> str:
        if color not in self.markers:
            self.markers[color] = f"{self.prefix}-arrow{len(self.markers) + 1}"
        return self.markers[color]

    def _element(self, node: Node) -> BaseElement:
        if isinstance(node, Rect):
            attrs = {"x": num(node.x), "y": num(node.y),
                     "width": num(node.width), "height": num(node.height)}  # fmt: skip
            if node.rx:
                attrs["rx"] = num(node.rx)
            _paint(attrs, node.fill, node.stroke, node.stroke_width, node.opacity, node.dash)
            return _Element("rect", attrs)
        if isinstance(node, Circle):
            attrs = {"cx": num(node.cx), "cy": num(node.cy), "r": num(node.r)}
            _paint(attrs, node.fill, node.stroke, node.stroke_width, node.opacity, node.dash)
            return _Element("circle", attrs)
        if isinstance(node, Line):
            attrs = {"x1": num(node.x1), "y1": num(node.y1),
                     "x2": num(node.x2), "y2": num(node.y2)}  # fmt: skip
            _paint(attrs, None, node.stroke, node.stroke_width, node.opacity, node.dash)
            if node.arrow:
                attrs["marker-end"] = f"url(#{self.marker_id(node.stroke)})"
            return _Element("line", attrs)
        if isinstance(node, Polygon):
            pts = " ".join(f"{num(x)},{num(y)}" for x, y in node.points)
            attrs = {"points": pts}
            _paint(attrs, node.fill, node.stroke, node.stroke_width, node.opacity)
            return _Element("polygon", attrs)
        if isinstance(node, Path):
            attrs = {"d": " ".join(
                cmd + " ".join(num(v) for v in args) for cmd, args in node.commands
            )}  # fmt: skip
            _paint(attrs, node.fill, node.stroke, node.stroke_width, node.opacity, node.dash)
            if node.arrow and node.stroke:
                attrs["marker-end"] = f"url(#{self.marker_id(node.stroke)})"
            return _Element("path", attrs)
        if isinstance(node, Text):
            return self._text(node)
        return self._group(node)

    def _text(self, node: Text) -> BaseElement:
        pivot = (node.x, node.y)
        if len(node.runs) > 1 and node.anchor != "start":
            # Renderers differ in how they anchor a text made of several tspans (cairosvg
            # anchors each tspan alone), so multi-run labels are placed from their start;
            # a rotation still turns about the original anchor point.
            shift = node.width / 2 if node.anchor == "middle" else node.width
            node = replace(node, x=node.x - shift, anchor="start")
        attrs: dict[str, object] = {"x": [num(node.x)], "y": [num(node.y)],
                                    "font-size": num(node.size)}  # fmt: skip
        if node.anchor != "start":
            attrs["text-anchor"] = node.anchor
        if node.bold:
            attrs["font-weight"] = "bold"
        if node.fill != "#000000":
            attrs["fill"] = node.fill
        if node.rotate:
            attrs["transform"] = f"rotate({num(node.rotate)} {num(pivot[0])} {num(pivot[1])})"
        if len(node.runs) == 1 and not node.runs[0].sup:
            return self.dwg.text(node.runs[0].text, **_kw(attrs))
        el = self.dwg.text("", **_kw(attrs))
        raised = False
        for run in node.runs:
            span_attrs: dict[str, object] = {}
            if run.sup != raised:
                rise = node.size * SUP_RISE
                span_attrs["dy"] = [num(-rise if run.sup else rise)]
                raised = run.sup
            if run.sup:
                span_attrs["font-size"] = num(node.size * SUP_SCALE)
            el.add(self.dwg.tspan(run.text, **_kw(span_attrs)))
        return el

    def _group(self, node: Group) -> SvgGroup:
        attrs: dict[str, str] = {}
        if node.id:
            attrs["id"] = f"{self.prefix}-{node.id}"
        if node.classes:
            attrs["class"] = " ".join(node.classes)
        for key, value in node.data:
            attrs[f"data-{key}"] = value
        g = self.dwg.g(**_kw(attrs))
        if node.title:
            g.add(svgwrite.base.Title(node.title))
        for child in node.children:
            g.add(self._element(child))
        return g

    def write(self) -> str:
        d, vb = self.d, self.d.viewbox
        root = self.dwg
        root.attribs.clear()
        root.attribs.update(
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "version": "1.1",
                "width": num(vb.width),
                "height": num(vb.height),
                "viewBox": f"{num(vb.x0)} {num(vb.y0)} {num(vb.width)} {num(vb.height)}",
                "font-family": d.font_family,
            }
        )
        root.add(svgwrite.base.Title(d.title or "Neural network diagram"))
        if d.desc:
            root.add(svgwrite.base.Desc(d.desc))
        body = [self._element(child) for child in d.children]
        if self.markers:
            for color, mid in self.markers.items():
                marker = root.marker(
                    id=mid, viewBox="0 0 10 10", refX="9", refY="5",
                    markerWidth="6", markerHeight="6", orient="auto-start-reverse",
                )  # fmt: skip
                marker.add(root.path(d="M0 0L10 5L0 10z", fill=color))
                root.defs.add(marker)
        if d.background:
            root.add(root.rect(insert=(num(vb.x0), num(vb.y0)), size=(num(vb.width),
                     num(vb.height)), fill=d.background))  # fmt: skip
        for el in body:
            root.add(el)
        # svgwrite's own tostring() round-trips through UTF-8 bytes for Python 2;
        # serializing its element tree straight to text gives the same markup faster.
        body_text = ElementTree.tostring(root.get_xml(), encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body_text + "\n"


def _kw(attrs: dict[str, object]) -> dict[str, object]:
    """svgwrite spells hyphenated attributes with underscores in keyword arguments."""
    return {k.replace("-", "_"): v for k, v in attrs.items()}


def write_svg(drawing: Drawing) -> str:
    """Serialize a drawing to a standalone SVG document."""
    return _Writer(drawing).write()


def count_elements(drawing: Drawing) -> int:
    """Number of primitives the writer will emit (groups excluded)."""
    return sum(1 for child in drawing.children for _ in walk(child))
