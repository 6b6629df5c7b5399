"""The graph style: a layered DAG of layer boxes with routed edges (Netscope done properly).

Pipeline: `graph_model` decides which layers get a box (folding and collapsing),
`graph_boxes` measures each box's text, `graph_layering` ranks and orders the
boxes (virtual nodes for long edges), `graph_placement` gives coordinates and
`graph_routing` draws edges through the reserved channels. Those work in abstract
axes (*cross* along a rank, *along* from rank to rank); this module maps them to
x and y for the chosen direction (TB: cross = x; LR: cross = y) and adds repeat
block frames, their ×N badges and the legend beside the graph, where nothing is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis import Network
from ..options import GraphOptions
from ..primitives import Box, Drawing, Group, Node, Path, PathCommand, bounds
from . import graph_boxes as boxes
from .common import finish
from .graph_blocks import VIRTUAL, Nodes, outline_path, outlines, with_badges
from .graph_layering import Layered, layer_graph
from .graph_model import Block, View, build_view
from .graph_placement import cross_positions, rank_bands
from .graph_routing import Frame, ports, routes

EDGE_COLOR = "#555555"
EDGE_WIDTH = 1.25
TIP = 0.6 * EDGE_WIDTH
"""How far the arrowhead's point reaches past the path's end (the marker's refX)."""
MIN_RANK_GAP = 16.0
"""Room for an arrowhead (about 7.5 px) and a visible stretch of its edge at any font size."""


@dataclass(frozen=True, slots=True)
class Placed:
    """The laid-out graph in x/y: box rectangles, edge paths, badges and block frames
    (the rows a frame covers, one per rank, and its outline)."""

    view: View
    lay: Layered
    rects: tuple[Box, ...]
    paths: tuple[tuple[PathCommand, ...], ...]
    frames: tuple[tuple[Box, ...], ...]
    outlines: tuple[tuple[PathCommand, ...], ...]
    badges: tuple[Box, ...]


def badge_text(block: Block) -> str:
    return f"{block.name} {boxes.TIMES}{block.count}"


def _display_name(view: View, k: int) -> str:
    """A collapsed block's boxes drop the 'block.1.' prefix the copies share."""
    info = view.items[k].info
    if view.items[k].block >= 0 and info.group:
        prefix = f"{info.group}.{info.copy}."
        if info.name.startswith(prefix):
            return info.name[len(prefix) :]
    return info.name


def _separation(nodes: Nodes, size: list[float], opts: GraphOptions, font: float, tb: bool,
                pad: float) -> Callable[[int, int], float]:  # fmt: skip
    """Least distance between the centres of two neighbours in a rank."""
    box_gap = opts.node_gap * font * (1.0 if tb else 0.6)
    mixed = max(0.8 * font, box_gap * 0.7)
    channel = 0.8 * font
    kind, member = nodes.kind, nodes.member

    def sep(a: int, b: int) -> float:
        virtual = (kind[a] == VIRTUAL) + (kind[b] == VIRTUAL)
        gap = (box_gap, mixed, channel)[virtual]
        if member[a] != member[b]:
            gap += pad * (member[a] >= 0) + pad * (member[b] >= 0)
        return (size[a] + size[b]) / 2 + gap

    return sep


def _badges_beside_blocks(nodes: Nodes, x: list[float], sep: Callable[[int, int], float]) -> None:
    """Move each badge next to its block's node when its right neighbour leaves room."""
    lay = nodes.lay
    for v in nodes.badges:
        layer = lay.layers[lay.rank[v]]
        i = layer.index(v)
        want = x[layer[i - 1]] + sep(layer[i - 1], v)
        if i + 1 == len(layer) or want + sep(v, layer[i + 1]) <= x[layer[i + 1]]:
            x[v] = want


def place(net: Network) -> tuple[Placed, list[list[boxes.Row]]]:
    """Lay out the graph: which boxes, their text, positions and edge routes."""
    opts = net.spec.options
    g = opts.graph
    font = opts.font_size
    tb = g.direction == "TB"
    view = build_view(net, g.collapse_repeats, g.fold_inplace)
    contents = [
        boxes.rows(item, font, g.show_shapes, g.show_costs, _display_name(view, k))
        for k, item in enumerate(view.items)
    ]
    nodes = with_badges(layer_graph(len(view.items), list(view.edges)), view)
    lay = nodes.lay
    dims = [boxes.measure(c, font) for c in contents]
    dims += [(0.0, 0.0)] * (lay.size - lay.n_real - len(nodes.badges))
    dims += [boxes.badge_size(badge_text(view.blocks[nodes.member[v]]), font)
             for v in nodes.badges]  # fmt: skip
    cross = [w if tb else h for w, h in dims]
    along = [h if tb else w for w, h in dims]
    pad = 0.8 * font
    sep = _separation(nodes, cross, g, font, tb, pad)
    x = cross_positions(lay, cross, sep)
    _badges_beside_blocks(nodes, x, sep)
    gap = max(g.rank_gap * font, MIN_RANK_GAP)
    bands = rank_bands(lay, along, x, gap, 3 * gap)
    frame = Frame(x, cross, along, bands)
    out_port, in_port = ports(lay, frame, boxes.RADIUS + 2.0, 1.2 * font)
    paths = routes(lay, frame, out_port, in_port, TIP)

    def rect(v: int) -> Box:
        mid = sum(bands[lay.rank[v]]) / 2
        c0, c1 = x[v] - cross[v] / 2, x[v] + cross[v] / 2
        a0, a1 = mid - along[v] / 2, mid + along[v] / 2
        return Box(c0, a0, c1, a1) if tb else Box(a0, c0, a1, c1)

    def to_xy(cmds: tuple[PathCommand, ...]) -> tuple[PathCommand, ...]:
        if tb:
            return cmds
        return tuple(
            (op, tuple(v for i in range(0, len(args), 2) for v in (args[i + 1], args[i])))
            for op, args in cmds
        )

    rows = outlines(nodes, x, cross, bands, pad, min(0.5 * font, gap / 3))
    placed = Placed(
        view, lay, tuple(rect(v) for v in range(lay.n_real)), tuple(to_xy(p) for p in paths),
        tuple(tuple(r if tb else Box(r.y0, r.x0, r.y1, r.x1) for r in block) for block in rows),
        tuple(to_xy(outline_path(block, 8.0)) for block in rows),
        tuple(rect(v) for v in nodes.badges),
    )  # fmt: skip
    return placed, contents


def _legend(placed: Placed, edges: Group, opts: GraphOptions, font: float) -> Group:
    """The legend beside everything drawn: right of it (TB) or below it (LR). Text never
    leaves its box, so boxes, frames, badges and edges give the extent."""
    extent = placed.rects[0]
    rows = (row for block in placed.frames for row in block)
    for b in (*placed.rects, *placed.badges, *rows, bounds(edges)):
        if b is not None:
            extent = extent.union(b)
    types = {item.info.type for item in placed.view.items}
    if opts.direction == "TB":
        return boxes.legend(types, extent.x1 + 2 * font, extent.y0, font, across=False)
    return boxes.legend(types, extent.x0, extent.y1 + 1.5 * font, font, across=True)


def layout(net: Network) -> Drawing:
    """Repeat frames, edges, boxes and the legend, framed by `finish`."""
    opts = net.spec.options
    font = opts.font_size
    placed, contents = place(net)
    view = placed.view
    content: list[Group] = []
    for b, block in enumerate(view.blocks):
        parts: list[Node] = [Path(placed.outlines[b], stroke="#999999", fill="#f4f4f4",
                                  dash="5 3")]  # fmt: skip
        badge = placed.badges[b]
        parts.extend(boxes.draw_badge(badge_text(block), badge.x0, badge.y0, font))
        content.append(Group(tuple(parts), id=f"block-{block.name}", classes=("repeat",)))
    names = [item.info.name for item in view.items]
    edges = tuple(
        Group((Path(cmds, stroke=EDGE_COLOR, stroke_width=EDGE_WIDTH, arrow=True),),
              classes=("edge",), data=(("from", names[s]), ("to", names[t])))
        for (s, t), cmds in zip(view.edges, placed.paths, strict=True)
    )  # fmt: skip
    edge_group = Group(edges, classes=("edges",))
    content.append(edge_group)
    for k, item in enumerate(view.items):
        r = placed.rects[k]
        content.append(boxes.draw_box(item, contents[k], r.x0, r.y0, r.width, r.height, font))
    if opts.graph.show_legend and view.items:
        content.append(_legend(placed, edge_group, opts.graph, font))
    return finish(net, content)
