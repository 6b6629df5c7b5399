"""Shared checks of the graph style tests: finding boxes and edges in a drawing, and
every invariant the layout promises (no overlaps, edges clear of boxes, ports on
borders, ranks in order, legend, determinism)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from nnsketch import analyze, build, load_spec
from nnsketch.layers import LAYER_TYPES
from nnsketch.primitives import Box, Drawing, Group, Node, Path, Point, Rect, Text, text_box, walk
from nnsketch.render import Diagram
from nnsketch.styles.graph import TIP, place
from nnsketch.styles.graph_model import FOLDABLE
from tests.checks import assert_finite_and_inside, layer_groups


def graph(spec: dict[str, Any], **options: Any) -> dict[str, Any]:
    """The spec in the graph style with these graph options (on top of its own)."""
    data = json.loads(json.dumps(spec))
    data["style"] = "graph"
    opts = data.setdefault("options", {})
    opts["graph"] = {**opts.get("graph", {}), **options}
    return data


def groups_of(drawing: Drawing, cls: str) -> list[Group]:
    found: list[Group] = []

    def visit(node: Node) -> None:
        if isinstance(node, Group):
            if cls in node.classes:
                found.append(node)
            for child in node.children:
                visit(child)

    for child in drawing.children:
        visit(child)
    return found


def box_of(group: Group) -> Box:
    rect = group.children[0]
    assert isinstance(rect, Rect)
    return Box(rect.x, rect.y, rect.x + rect.width, rect.y + rect.height)


def boxes(drawing: Drawing) -> dict[str, Box]:
    """Layer name -> its box rectangle."""
    return {dict(g.data)["name"]: box_of(g) for g in layer_groups(drawing)}


def edges(drawing: Drawing) -> list[tuple[str, str, Path]]:
    out = []
    for g in groups_of(drawing, "edge"):
        data = dict(g.data)
        (path,) = g.children
        assert isinstance(path, Path)
        out.append((data["from"], data["to"], path))
    return out


def sample(path: Path) -> Iterator[Point]:
    """Points along the path, at most about 3 px apart."""
    x, y = path.commands[0][1]
    yield x, y
    for op, args in path.commands[1:]:
        if op == "L":
            x1, y1 = args
            n = max(2, int(math.hypot(x1 - x, y1 - y) / 3) + 1)
            for i in range(1, n + 1):
                t = i / n
                yield x + (x1 - x) * t, y + (y1 - y) * t
            x, y = x1, y1
        elif op == "C":
            ax, ay, bx, by, x1, y1 = args
            hull = math.hypot(ax - x, ay - y) + math.hypot(bx - ax, by - ay)
            hull += math.hypot(x1 - bx, y1 - by)
            n = max(4, int(hull / 3) + 1)
            for i in range(1, n + 1):
                t = i / n
                s = 1 - t
                yield (s**3 * x + 3 * s * s * t * ax + 3 * s * t * t * bx + t**3 * x1,
                       s**3 * y + 3 * s * s * t * ay + 3 * s * t * t * by + t**3 * y1)  # fmt: skip
            x, y = x1, y1


def strictly_inside(p: Point, b: Box, margin: float = 0.5) -> bool:
    return b.x0 + margin < p[0] < b.x1 - margin and b.y0 + margin < p[1] < b.y1 - margin


def distance(p: Point, b: Box) -> float:
    dx = max(b.x0 - p[0], 0.0, p[0] - b.x1)
    dy = max(b.y0 - p[1], 0.0, p[1] - b.y1)
    return math.hypot(dx, dy)


class Grid:
    """Boxes bucketed in square cells, so point-in-box checks stay fast on big graphs."""

    def __init__(self, items: list[tuple[str, Box]], cell: float = 64.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[str, Box]]] = {}
        for name, b in items:
            for i in range(int(b.x0 // cell), int(b.x1 // cell) + 1):
                for j in range(int(b.y0 // cell), int(b.y1 // cell) + 1):
                    self.cells.setdefault((i, j), []).append((name, b))

    def near(self, p: Point) -> list[tuple[str, Box]]:
        return self.cells.get((int(p[0] // self.cell), int(p[1] // self.cell)), [])


def assert_graph_invariants(diagram: Diagram) -> None:
    """Everything the graph style promises about one drawing."""
    drawing = diagram.drawing
    opts = diagram.spec.options.graph
    assert_finite_and_inside(drawing)
    found = boxes(drawing)
    groups = layer_groups(drawing)
    assert len(found) == len(groups), "two boxes for one layer"
    items = sorted(found.items(), key=lambda kv: (kv[1].x0, kv[1].y0))
    for i, (a, ba) in enumerate(items):  # boxes never overlap (sorted sweep along x)
        for b, bb in items[i + 1 :]:
            if bb.x0 >= ba.x1:
                break
            assert not ba.overlaps(bb), f"boxes {a} and {b} overlap"
    grid = Grid(items)
    for g in groups:  # a box's text stays in its box; no other text or mark touches a box
        own = box_of(g)
        for prim in walk(g):
            if isinstance(prim, Text):
                assert own.contains(text_box(prim), 0.01), (prim.text, own)
    for cls in ("legend", "repeat", "title"):
        for g in groups_of(drawing, cls):
            for prim in walk(g):
                b = text_box(prim) if isinstance(prim, Text) else None
                if isinstance(prim, Rect) and cls != "repeat":
                    b = Box(prim.x, prim.y, prim.x + prim.width, prim.y + prim.height)
                if isinstance(prim, Rect) and cls == "repeat" and prim.dash is None:
                    b = Box(prim.x, prim.y, prim.x + prim.width, prim.y + prim.height)
                if b is not None:
                    for name, box in items:
                        assert not b.overlaps(box), f"{cls} element overlaps box {name}"
    tb = opts.direction == "TB"
    for src, dst, path in edges(drawing):
        a, b = found[src], found[dst]
        if tb:
            assert b.y0 > a.y1, f"edge {src} -> {dst} does not go down"
        else:
            assert b.x0 > a.x1, f"edge {src} -> {dst} does not go right"
        points = list(sample(path))
        assert distance(points[0], a) < 0.01 and not strictly_inside(points[0], a, 0.01)
        assert abs(distance(points[-1], b) - TIP) < 0.01, (src, dst, points[-1], b)
        for p in points:
            for name, box in grid.near(p):
                assert not strictly_inside(p, box), f"edge {src} -> {dst} passes through {name}"
    assert diagram.svg == build(diagram.spec).svg, "output is not deterministic"
    present = {g.classes[1] for g in groups}
    legends = groups_of(drawing, "legend")
    if opts.show_legend:
        (legend,) = legends
        listed = [p.text for p in walk(legend) if isinstance(p, Text)]
        assert listed == [t for t in LAYER_TYPES if t in present]
    else:
        assert not legends


def expected_edges(spec: dict[str, Any]) -> set[tuple[str, str]]:
    net = analyze(load_spec(spec))
    return {(net.layers[s].name, net.layers[t].name) for s, t in net.edges}


def assert_frames_hold_their_blocks(spec: dict[str, Any]) -> None:
    """Every box of a collapsed block lies inside its frame; no other box touches it."""
    placed, _ = place(build(spec).network)
    for b, rows in enumerate(placed.frames):
        assert rows
        for k, item in enumerate(placed.view.items):
            box = placed.rects[k]
            if item.block == b:
                assert any(row.contains(box) for row in rows), item.info.name
            else:
                assert not any(row.overlaps(box) for row in rows), item.info.name
        badge = placed.badges[b]
        assert any(row.contains(badge) for row in rows)


def fold_count(spec: dict[str, Any]) -> int:
    """Layers that fold: activation/norm/dropout after a layer that feeds only them."""
    net = analyze(load_spec(spec))
    consumers = Counter(s for s, _ in net.edges)
    return sum(
        1
        for info in net.layers
        if info.type in FOLDABLE and len(info.inputs) == 1 and consumers[info.inputs[0]] == 1
    )
