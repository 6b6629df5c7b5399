"""The SVG writer: structure, number format, escaping, ids and determinism."""

from __future__ import annotations

import pytest

from nnsketch import build
from nnsketch.primitives import Box, Circle, Drawing, Group, Line, Path, Polygon, Rect, Run, Text
from nnsketch.svg import num, write_svg
from tests.checks import SVG_NS, parse_svg, svg_layer_groups, svg_texts
from tests.conftest import load


def drawing(*children, prefix: str = "nnabc") -> Drawing:
    return Drawing(
        children=tuple(children), viewbox=Box(-10, -10, 110, 60), title="T <&>", desc="d",
        id_prefix=prefix, font_family="DejaVu Sans, sans-serif",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (1.5, "1.5"), (1.234567, "1.23"), (-0.001, "0"), (2.999, "3"), (-3.5, "-3.5")],
)
def test_number_format(value: float, text: str) -> None:
    assert num(value) == text


def test_root_has_viewbox_size_font_title() -> None:
    root = parse_svg(write_svg(drawing(Rect(0, 0, 10, 10, fill="red"))))
    assert root.get("viewBox") == "-10 -10 120 70"
    assert (root.get("width"), root.get("height")) == ("120", "70")
    assert root.get("font-family") == "DejaVu Sans, sans-serif"
    assert root.find(f"{SVG_NS}title").text == "T <&>"


def test_every_primitive_is_written() -> None:
    g = Group(
        (
            Rect(0, 0, 10, 5, fill="#fff", stroke="#000", rx=2),
            Circle(5, 5, 3, fill="blue", opacity=0.5),
            Line(0, 0, 10, 10, arrow=True, stroke="#123456"),
            Polygon(((0, 0), (5, 5), (0, 5)), fill="green"),
            Path((("M", (0, 0)), ("L", (1, 1)), ("M", (2, 2)), ("C", (3, 3, 4, 4, 5, 5)))),
            Text(1, 2, (Run("R"), Run("128", sup=True))),
        ),
        id="layer-a", classes=("layer", "conv"), title="tip", data=(("layer", "0"),),
    )  # fmt: skip
    root = parse_svg(write_svg(drawing(g)))
    layer = svg_layer_groups(root)[0]
    assert layer.get("id") == "nnabc-layer-a"
    assert layer.get("class") == "layer conv"
    assert layer.get("data-layer") == "0"
    assert layer.find(f"{SVG_NS}title").text == "tip"
    for tag in ("rect", "circle", "line", "polygon", "path", "text"):
        assert layer.find(f"{SVG_NS}{tag}") is not None, tag
    assert layer.find(f"{SVG_NS}path").get("d") == "M0 0 L1 1 M2 2 C3 3 4 4 5 5"
    assert layer.find(f"{SVG_NS}rect").get("height") == "5"
    sup = layer.find(f"{SVG_NS}text")[1]
    assert sup.text == "128" and float(sup.get("dy")) < 0
    marker = root.find(f"{SVG_NS}defs/{SVG_NS}marker")
    assert marker.get("id") == "nnabc-arrow1"
    assert layer.find(f"{SVG_NS}line").get("marker-end") == "url(#nnabc-arrow1)"


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", "\" onload=\"alert(1)", "]]><x/>", "&amp; &#60;", "\u202eevil",
     "<img src=x onerror=alert(1)>", "&lt;"],
)  # fmt: skip
def test_user_text_stays_text(hostile: str) -> None:
    spec = load("lenet5")
    spec["title"] = hostile
    spec["layers"][1]["label"] = hostile
    svg = build(spec).svg
    root = parse_svg(svg)
    assert hostile in svg_texts(root) or hostile in [root.find(f"{SVG_NS}title").text]
    assert root.find(f"{SVG_NS}title").text == hostile
    for el in root.iter():
        assert el.tag.split("}")[1] not in ("script", "foreignObject", "image", "img")
        assert not any(k.lower().startswith("on") for k in el.attrib)


def test_no_external_references() -> None:
    for name in ("lenet5", "alexnet", "mlp"):
        svg = build(load(name)).svg
        assert (
            "href" not in svg
            and "<script" not in svg
            and "http://"
            not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
            .replace('"http://www.w3.org/2001/xml-events"', "")
            .replace('"http://www.w3.org/1999/xlink"', "")
        )


def test_same_spec_same_bytes() -> None:
    for name in ("lenet5", "alexnet", "mlp", "vgg16"):
        assert build(load(name)).svg == build(load(name)).svg


def test_ids_are_prefixed_per_diagram() -> None:
    a, b = load("lenet5"), load("lenet5")
    b["title"] = "Other"
    ids_a = {el.get("id") for el in parse_svg(build(a).svg).iter() if el.get("id")}
    ids_b = {el.get("id") for el in parse_svg(build(b).svg).iter() if el.get("id")}
    assert ids_a and ids_b and not ids_a & ids_b
    assert len({i.split("-")[0] for i in ids_a}) == 1
