"""Assertions shared by the style, writer and API tests: geometry invariants,
parsed SVG structure and PNG pixels."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from dataclasses import fields

from nnsketch.primitives import Box, Drawing, Group, Node, Text, bounds, text_box, walk

SVG_NS = "{http://www.w3.org/2000/svg}"


def numbers(node: Node) -> list[float]:
    """Every coordinate-like number in a primitive."""
    out: list[float] = []
    for f in fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
        elif f.name == "points":
            out.extend(c for p in value for c in p)
        elif f.name == "commands":
            out.extend(v for _, args in value for v in args)
    return out


def assert_finite_and_inside(drawing: Drawing) -> None:
    """Every number finite, every primitive (text included) inside the viewBox."""
    vb = drawing.viewbox
    assert all(math.isfinite(v) for v in (vb.x0, vb.y0, vb.x1, vb.y1))
    assert vb.width > 0 and vb.height > 0
    for child in drawing.children:
        for prim in walk(child):
            assert all(math.isfinite(v) for v in numbers(prim)), prim
            box = bounds(prim)
            assert box is not None
            assert vb.contains(box, tolerance=0.5), (prim, box, vb)


def layer_groups(drawing: Drawing) -> list[Group]:
    """Groups with class 'layer', in drawing order, found at any depth."""
    found: list[Group] = []

    def visit(node: Node) -> None:
        if isinstance(node, Group):
            if "layer" in node.classes:
                found.append(node)
            for child in node.children:
                visit(child)

    for child in drawing.children:
        visit(child)
    return found


def layer_index(group: Group) -> int:
    return int(dict(group.data)["layer"])


def texts(drawing: Drawing) -> list[Text]:
    return [p for c in drawing.children for p in walk(c) if isinstance(p, Text)]


def assert_no_text_overlap(drawing: Drawing, gap: float = 0.0) -> None:
    """No two labels share area (labels are the things people read)."""
    boxes = [(t, text_box(t)) for t in texts(drawing) if t.text.strip()]
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1 :]:
            assert not a.overlaps(b, gap), f"labels overlap: {ta.text!r} and {tb.text!r}"


def union_box(nodes: list[Node]) -> Box | None:
    box: Box | None = None
    for n in nodes:
        b = bounds(n)
        if b is not None:
            box = b if box is None else box.union(b)
    return box


def parse_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    return root


def svg_layer_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG_NS}g") if "layer" in (g.get("class") or "").split()]


def svg_texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def png_pixels(data: bytes) -> tuple[int, int, int]:
    """(width, height, number of distinct colors) of a PNG; asserts the signature."""
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as img:
        rgba = img.convert("RGBA")
        colors = rgba.getcolors(maxcolors=1 << 20) or []
        return rgba.width, rgba.height, len(colors)


def assert_png_not_blank(data: bytes) -> None:
    w, h, ncolors = png_pixels(data)
    assert w > 10 and h > 10
    assert ncolors > 2, "the PNG is blank"
