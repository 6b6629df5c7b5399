"""The floor for SVG writing: the same primitives written by f-strings and one join.

It writes the elements `nnsketch.svg.write_svg` writes (same tags, attributes and
number format), with no element objects in between, so the render benchmark can
say what svgwrite costs over the least any Python writer must spend. It is a
yardstick only: `render.py` checks that both writers give the same elements.
"""

from __future__ import annotations

from nnsketch.primitives import (
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
)

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _paint(
    fill: str | None, stroke: str | None, width: float, opacity: float, dash: str | None = None
) -> str:
    out = f' fill="{fill}"' if fill is not None else ""
    if stroke:
        out += f' stroke="{stroke}" stroke-width="{_num(width)}"'
        if dash:
            out += f' stroke-dasharray="{dash}"'
    if opacity < 1:
        out += f' opacity="{_num(opacity)}"'
    return out


class _Writer:
    def __init__(self, drawing: Drawing) -> None:
        self.prefix = drawing.id_prefix
        self.markers: dict[str, str] = {}
        self.out: list[str] = []

    def marker(self, color: str) -> str:
        if color not in self.markers:
            self.markers[color] = f"{self.prefix}-arrow{len(self.markers) + 1}"
        return self.markers[color]

    def node(self, n: Node) -> None:
        out = self.out
        if isinstance(n, Group):
            attrs = f' id="{self.prefix}-{n.id}"' if n.id else ""
            if n.classes:
                attrs += f' class="{" ".join(n.classes)}"'
            for key, value in n.data:
                attrs += f' data-{key}="{value.translate(_ESCAPES)}"'
            out.append(f"<g{attrs}>")
            if n.title:
                out.append(f"<title>{n.title.translate(_ESCAPES)}</title>")
            for child in n.children:
                self.node(child)
            out.append("</g>")
        elif isinstance(n, Rect):
            rx = f' rx="{_num(n.rx)}"' if n.rx else ""
            out.append(
                f'<rect x="{_num(n.x)}" y="{_num(n.y)}" width="{_num(n.width)}" '
                f'height="{_num(n.height)}"{rx}'
                f"{_paint(n.fill, n.stroke, n.stroke_width, n.opacity, n.dash)}/>"
            )
        elif isinstance(n, Circle):
            out.append(
                f'<circle cx="{_num(n.cx)}" cy="{_num(n.cy)}" r="{_num(n.r)}"'
                f"{_paint(n.fill, n.stroke, n.stroke_width, n.opacity, n.dash)}/>"
            )
        elif isinstance(n, Line):
            arrow = f' marker-end="url(#{self.marker(n.stroke)})"' if n.arrow else ""
            out.append(
                f'<line x1="{_num(n.x1)}" y1="{_num(n.y1)}" x2="{_num(n.x2)}" y2="{_num(n.y2)}"'
                f"{_paint(None, n.stroke, n.stroke_width, n.opacity, n.dash)}{arrow}/>"
            )
        elif isinstance(n, Polygon):
            pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in n.points)
            out.append(
                f'<polygon points="{pts}"{_paint(n.fill, n.stroke, n.stroke_width, n.opacity)}/>'
            )
        elif isinstance(n, Path):
            d = " ".join(cmd + " ".join(_num(v) for v in args) for cmd, args in n.commands)
            arrow = f' marker-end="url(#{self.marker(n.stroke)})"' if n.arrow and n.stroke else ""
            out.append(
                f'<path d="{d}"'
                f"{_paint(n.fill, n.stroke, n.stroke_width, n.opacity, n.dash)}{arrow}/>"
            )
        else:
            self.text(n)

    def text(self, n: Text) -> None:
        attrs = f'x="{_num(n.x)}" y="{_num(n.y)}" font-size="{_num(n.size)}"'
        if n.anchor != "start":
            attrs += f' text-anchor="{n.anchor}"'
        if n.bold:
            attrs += ' font-weight="bold"'
        if n.fill != "#000000":
            attrs += f' fill="{n.fill}"'
        if n.rotate:
            attrs += f' transform="rotate({_num(n.rotate)} {_num(n.x)} {_num(n.y)})"'
        if len(n.runs) == 1 and not n.runs[0].sup:
            self.out.append(f"<text {attrs}>{n.runs[0].text.translate(_ESCAPES)}</text>")
            return
        parts = [f"<text {attrs}>"]
        raised = False
        for run in n.runs:
            span = ""
            if run.sup != raised:
                rise = n.size * SUP_RISE
                span += f' dy="{_num(-rise if run.sup else rise)}"'
                raised = run.sup
            if run.sup:
                span += f' font-size="{_num(n.size * SUP_SCALE)}"'
            parts.append(f"<tspan{span}>{run.text.translate(_ESCAPES)}</tspan>")
        parts.append("</text>")
        self.out.append("".join(parts))


def write_svg_join(drawing: Drawing) -> str:
    """`write_svg`'s document, written with f-strings and one `str.join`."""
    w = _Writer(drawing)
    for child in drawing.children:
        w.node(child)
    vb = drawing.viewbox
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_num(vb.width)}" '
        f'height="{_num(vb.height)}" '
        f'viewBox="{_num(vb.x0)} {_num(vb.y0)} {_num(vb.width)} {_num(vb.height)}" '
        f'font-family="{drawing.font_family.translate(_ESCAPES)}">',
        "<defs>",
    ]
    for color, mid in w.markers.items():
        head.append(
            f'<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
            f'markerHeight="6" orient="auto-start-reverse">'
            f'<path d="M0 0L10 5L0 10z" fill="{color}"/></marker>'
        )
    head.append("</defs>")
    head.append(f"<title>{(drawing.title or 'Neural network diagram').translate(_ESCAPES)}</title>")
    if drawing.desc:
        head.append(f"<desc>{drawing.desc.translate(_ESCAPES)}</desc>")
    if drawing.background:
        head.append(
            f'<rect x="{_num(vb.x0)}" y="{_num(vb.y0)}" width="{_num(vb.width)}" '
            f'height="{_num(vb.height)}" fill="{drawing.background}"/>'
        )
    return "".join(head) + "".join(w.out) + "</svg>\n"
