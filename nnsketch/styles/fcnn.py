"""The fcnn style: neurons as circles in columns, edges between neighbouring columns.

Every layer with an output is a column of `output.size` units (conv and pool
outputs count as vectors, so any spec draws); pass-through layers (dropout,
activation, norm, softmax) fold into the column before them and show as notes
under its label; cost annotations (options.annotations) follow the label in
small grey lines, or sit under the columns when the labels are above them. Big
layers are elided to their first and last nodes around an ellipsis. Layout
works in (u, v): u along the layers, v along a layer's nodes,
columns centred on v = 0; the direction option maps (u, v) to (x, y) at the end.
The work is bounded up front: nodes and edges to draw are counted before any
geometry is made, and `LimitError` names the limit that would be exceeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from ..analysis import LayerInfo, Network
from ..errors import Issue, LimitError
from ..layers import ConvLayer, DenseLayer, InputLayer
from ..limits import LIMITS
from ..options import FcnnOptions
from ..primitives import Circle, Drawing, Group, Node, Point, Run, Text
from . import fcnn_labels as labels
from .common import annotation_lines, finish, layer_group, layer_rng
from .fcnn_edges import pair_paths

ToXY = Callable[[float, float], Point]
PASS_THROUGH = frozenset({"dropout", "activation", "norm", "softmax"})
BIAS_GAP = 0.35
"""Extra space between a bias unit and its column, in node pitches."""


@dataclass(frozen=True, slots=True)
class Column:
    """One drawn layer and the pass-through layers folded into it."""

    info: LayerInfo
    folded: tuple[LayerInfo, ...] = ()

    @property
    def units(self) -> int:
        return self.info.output.size

    @property
    def cost(self) -> LayerInfo:
        """The layer with the parameters and MACs of its folded layers added in."""
        layers = (self.info, *self.folded)
        return replace(self.info, output=layers[-1].output, params=sum(i.params for i in layers),
                       macs=sum(i.macs for i in layers))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Placed:
    """A column's nodes along v: drawn unit positions, ellipsis and bias unit."""

    col: Column
    nodes: tuple[float, ...]
    gap: float | None
    bias: float | None
    lo: float
    hi: float


def columns(net: Network) -> list[Column]:
    """Columns in order; a pass-through layer with nothing before it stands alone."""
    cols: list[Column] = []
    for info in net.layers:
        if info.type in PASS_THROUGH and cols:
            cols[-1] = replace(cols[-1], folded=(*cols[-1].folded, info))
        else:
            cols.append(Column(info))
    return cols


def split(units: int, opts: FcnnOptions) -> tuple[int, int]:
    """(head, tail) nodes drawn; tail 0 means the column is drawn in full."""
    if not opts.elide or units <= opts.max_nodes:
        return units, 0
    return (opts.max_nodes + 1) // 2, opts.max_nodes // 2


def has_bias(cols: list[Column], k: int, opts: FcnnOptions) -> bool:
    """A bias unit feeds the next column when that layer has a bias."""
    if not opts.show_bias or k + 1 >= len(cols):
        return False
    return bool(getattr(cols[k + 1].info.layer, "bias", False))


def _size_loc(info: LayerInfo) -> str:
    layer = info.layer
    if isinstance(layer, DenseLayer) or (isinstance(layer, InputLayer) and layer.units):
        return f"{info.loc}.units"
    if isinstance(layer, ConvLayer):
        return f"{info.loc}.filters"
    return info.loc


def check_limits(cols: list[Column], opts: FcnnOptions) -> None:
    """Refuse before drawing when nodes or edges would exceed the limits."""
    counts = [sum(split(c.units, opts)) for c in cols]
    bias = [int(has_bias(cols, k, opts)) for k in range(len(cols))]
    fix = (
        "lower options.fcnn.max_nodes or draw fewer layers"
        if opts.elide
        else "turn on options.fcnn.elide or use fewer units"
    )
    nodes = sum(counts) + sum(bias)
    if nodes > LIMITS.max_nodes_drawn:
        big = max(range(len(cols)), key=lambda k: counts[k])
        loc = "options.fcnn.max_nodes" if opts.elide else _size_loc(cols[big].info)
        msg = (f"the diagram would draw {nodes:,} nodes, more than {LIMITS.max_nodes_drawn:,} "
               f"(max_nodes_drawn); {fix}")  # fmt: skip
        raise LimitError([Issue(loc, msg)])
    pairs = [(counts[k] + bias[k]) * counts[k + 1] for k in range(len(cols) - 1)]
    edges = sum(pairs)
    if edges > LIMITS.max_edges_drawn:
        k = max(range(len(pairs)), key=lambda j: pairs[j])
        big = k if counts[k] >= counts[k + 1] else k + 1
        loc = "options.fcnn.max_nodes" if opts.elide else _size_loc(cols[big].info)
        msg = (f"the diagram would draw {edges:,} edges, more than {LIMITS.max_edges_drawn:,} "
               f"(max_edges_drawn); {fix}")  # fmt: skip
        raise LimitError([Issue(loc, msg)])


def place_column(col: Column, bias: bool, opts: FcnnOptions) -> Placed:
    """Node positions along v, centred on 0; the bias unit sits before the first node."""
    head, tail = split(col.units, opts)
    slots = head + (tail + 1 if tail else 0)
    pitch = opts.node_diameter + opts.node_spacing
    at = [(k - (slots - 1) / 2) * pitch for k in range(slots)]
    nodes = tuple(at[:head] + at[head + 1 :]) if tail else tuple(at)
    gap = at[head] if tail else None
    bias_v = at[0] - pitch * (1 + BIAS_GAP) if bias else None
    r = opts.node_diameter / 2 + opts.node_stroke_width / 2
    lo = (bias_v if bias_v is not None else at[0]) - r
    return Placed(col, nodes, gap, bias_v, lo, at[-1] + r)


def _roles(n: int) -> list[str]:
    if n == 1:
        return ["Input layer"]
    return ["Input layer"] + ["Hidden layer"] * (n - 2) + ["Output layer"]


def _pitches(blocks: list[labels.Block], opts: FcnnOptions, gap: float) -> list[float]:
    """Distance between neighbouring columns: the option, widened so nothing collides."""
    d = opts.node_diameter + opts.node_stroke_width
    out: list[float] = []
    for a, b in pairwise(blocks):
        if opts.direction == "horizontal":
            need = (labels.block_width(a) + labels.block_width(b)) / 2 + gap
        else:
            need = (labels.block_height(a) + labels.block_height(b)) / 2 + gap
        out.append(max(opts.layer_spacing, d + max(8.0, d / 2), need))
    return out


def _node_group(p: Placed, u: float, opts: FcnnOptions, to_xy: ToXY) -> list[Node]:
    """The column's circles, its ellipsis dots and its bias unit, as subgroups."""
    r = opts.node_diameter / 2
    stroke = opts.node_stroke if opts.node_stroke_width > 0 else None
    fill = p.col.info.layer.color or opts.node_fill
    circles = tuple(
        Circle(*to_xy(u, v), r, fill=fill, stroke=stroke, stroke_width=opts.node_stroke_width)
        for v in p.nodes
    )
    out: list[Node] = [Group(circles, classes=("nodes",))]
    if p.gap is not None:
        pitch = opts.node_diameter + opts.node_spacing
        dot = max(0.8, min(3.0, opts.node_diameter * 0.08))
        step = min(pitch * 0.28, dot * 4.5)
        dots = tuple(
            Circle(*to_xy(u, p.gap + k * step), dot, fill=opts.node_stroke) for k in (-1, 0, 1)
        )
        out.append(Group(dots, classes=("ellipsis",)))
    if p.bias is not None:
        x, y = to_xy(u, p.bias)
        dash = f"{max(1.0, 3 * opts.node_stroke_width):g} {max(1.0, 2 * opts.node_stroke_width):g}"
        parts: list[Node] = [
            Circle(
                x,
                y,
                r,
                fill=opts.bias_fill,
                stroke=opts.node_stroke,
                stroke_width=max(opts.node_stroke_width, 0.5),
                dash=dash,
            )
        ]
        size = opts.node_diameter * 0.45
        if opts.bias_label != "none" and size >= 5:
            parts.append(
                Text(x, y + size * 0.3, (Run(opts.bias_label),), size=size, fill="#333333")
            )
        out.append(Group(tuple(parts), classes=("bias",)))
    return out


def _label_texts(
    blocks: list[labels.Block], placed: list[Placed], us: list[float], opts: FcnnOptions,
    gap: float, to_xy: ToXY,
) -> list[list[Text]]:  # fmt: skip
    """Label lines of every column: one row below/above the columns, or beside the rows."""
    lo = min(p.lo for p in placed)
    hi = max(p.hi for p in placed)
    bottom = opts.label_position == "bottom"
    out: list[list[Text]] = []
    for block, u in zip(blocks, us, strict=True):
        h = labels.block_height(block)
        if opts.direction == "horizontal":
            x, _ = to_xy(u, 0.0)
            top = hi + gap if bottom else lo - gap - h
            out.append(labels.place(block, x, top, "middle"))
        else:
            x, y = to_xy(u, hi + gap if bottom else lo - gap)
            out.append(labels.place(block, x, y - h / 2, "start" if bottom else "end"))
    return out


def layout(net: Network) -> Drawing:
    """Columns of neurons with their edges, labels and bias units."""
    spec = net.spec
    opts = spec.options.fcnn
    size = spec.options.font_size
    cols = columns(net)
    check_limits(cols, opts)
    placed = [place_column(c, has_bias(cols, k, opts), opts) for k, c in enumerate(cols)]

    def to_xy(u: float, v: float) -> Point:
        return (u, v) if opts.direction == "horizontal" else (v, u)

    gap = max(12.0, size * 1.25)
    horizontal = opts.direction == "horizontal"
    wrap = max(opts.layer_spacing - gap, size * 6) if horizontal else max(180.0, size * 12)
    blocks: list[labels.Block] = [() for _ in cols]
    if opts.show_labels:
        roles = _roles(len(cols))
        split = opts.show_dimensions and not all(
            labels.fits_one_line(c.info, role, size, wrap)
            for c, role in zip(cols, roles, strict=True)
        )
        blocks = [
            labels.column_label(
                c.info, role, c.folded, size, wrap, opts.show_dimensions, opts.show_notes, split
            )
            for c, role in zip(cols, roles, strict=True)
        ]
    wanted = list(spec.options.annotations)
    costs = [labels.cost_block(annotation_lines(c.cost, wanted), size, wrap) for c in cols]
    apart = horizontal and opts.label_position == "top"
    joined = blocks if apart else [b + n for b, n in zip(blocks, costs, strict=True)]
    widest = [
        b if labels.block_width(b) >= labels.block_width(n) else n
        for b, n in zip(joined, costs, strict=True)
    ]
    us = [0.0]
    for pitch in _pitches(widest if apart else joined, opts, gap):
        us.append(us[-1] + pitch)

    rim = opts.node_diameter / 2 + opts.node_stroke_width / 2
    content: list[Group] = []
    for k in range(len(cols) - 1):
        src, dst = placed[k], placed[k + 1]
        rng = layer_rng(spec, dst.col.info, "fcnn-edges")
        paths = pair_paths(
            src.nodes, src.bias, dst.nodes, us[k], us[k + 1], rim, opts, rng, not horizontal
        )
        info = dst.col.info
        content.append(
            Group(
                tuple(paths),
                id=f"edges-{info.name}",
                classes=("edges",),
                data=(("layer", str(info.index)), ("from", str(src.col.info.index))),
            )
        )
    texts = _label_texts(joined, placed, us, opts, gap, to_xy)
    hi = max(p.hi for p in placed)
    under = [labels.place(n, to_xy(u, 0.0)[0], hi + gap, "middle") if apart else []
             for n, u in zip(costs, us, strict=True)]  # fmt: skip
    for p, u, lines, block, extra in zip(placed, us, texts, blocks, under, strict=True):
        children = _node_group(p, u, opts, to_xy)
        notes = extra or lines[len(block) :]
        if lines[: len(block)]:
            children.append(Group(tuple(lines[: len(block)]), classes=("label",)))
        if notes:
            children.append(Group(tuple(notes), classes=("annotation",)))
        group = layer_group(p.col.info, children, extra_class="column")
        if p.col.folded:
            folded = ",".join(str(f.index) for f in p.col.folded)
            group = replace(group, data=(*group.data, ("folded", folded)))
        content.append(group)
    return finish(net, content)
