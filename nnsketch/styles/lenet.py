"""The lenet style: stacks of 2D feature maps and slanted dense bars (NN-SVG's LeNet look).

Every shape is centred on its level's line (y = 0 unless the U layout lowers
it) and placed left to right (`lenet_place`). Labels sit above the shapes, cost
annotations under them; captions sit below, centred under the gap between the
lower parts of two shapes, on a common line (flat) or just under their gap (U).
The kernel of a conv/pool layer sits on the previous stack's front map at a
position seeded by that stack's own settings, so an edit to a later layer never
moves it. Merges draw as circled symbols (`lenet_merge`); edges between layers
that are not neighbours draw as routed skip lines (`lenet_skips`).
"""

from __future__ import annotations

from dataclasses import replace

from ..analysis import Network
from ..errors import Issue, LimitError
from ..limits import LIMITS
from ..options import LenetOptions
from ..primitives import Box, Circle, Drawing, Group, Node, Path, Text, text_box
from ..text import ASCENT, DESCENT
from .common import annotation_lines, finish, layer_group, plain, shape_text
from .lenet_levels import levels, offsets
from .lenet_links import Placed, funnel, kernel_cone, level_step, merge_arrow, moved, through_text
from .lenet_merge import RIM_SHARE, Joined, Junction, Shape, body_at, has_circle, item_shape
from .lenet_merge import shape_box as _shape_box
from .lenet_parts import Bar, Item, item_caption, plan
from .lenet_place import place
from .lenet_routes import lanes, polyline, rounded
from .lenet_skips import BIG, Geometry, Graph, Port, Skip, assign_sides, graph, plan_ports

NOTE_SCALE = 0.8
NOTE_FILL = "#666666"


def _labels(item: Item, shape: Shape, size: float, opts: LenetOptions) -> tuple[Text, ...]:
    """Shape label ('6@28×28', '120') above the shape, the layer's own label above that.

    A bare merge symbol shows only a label the layer was given.
    """
    if not opts.show_labels:
        return ()
    cx = shape.top_center(0.0)
    base = -shape.height / 2 - size * 0.55
    name = item.info.layer.label
    lines: list[Text] = []
    shape_label = shape_text(item.info)
    if not isinstance(shape, Junction):
        lines.append(plain(cx, base, shape_label, size))
    if name and name.strip() and name != shape_label:
        lines.append(plain(cx, base - size * 1.25 * len(lines), name, size))
    return tuple(lines)


def _notes(item: Item, shape: Shape, size: float, wanted: list[str]) -> tuple[Text, ...]:
    """Cost annotations (shape, parameters, MACs of the layer and its folded ones) underneath."""
    if not wanted:
        return ()
    layers = item.layers
    info = replace(item.info, output=layers[-1].output, params=sum(i.params for i in layers),
                   macs=sum(i.macs for i in layers))  # fmt: skip
    small = size * NOTE_SCALE
    cx = shape.bottom_center(0.0)
    y = shape.height / 2 + small * 0.35
    out: list[Text] = []
    for line in annotation_lines(info, wanted):
        y += small * ASCENT
        out.append(plain(cx, y, line, small, fill=NOTE_FILL))
        y += small * (DESCENT + 0.15)
    return tuple(out)


def _fills(p: Placed, opts: LenetOptions) -> tuple[str, str]:
    color = p.item.info.layer.color
    return (color, color) if color else (opts.fill_a, opts.fill_b)


def _radii(items: list[Item], skips: tuple[Skip, ...], above: tuple[bool, ...],
           opts: LenetOptions, gap: float) -> list[float]:  # fmt: skip
    """Merge circles grow when more skips arrive on one side than their rim can hold."""
    arriving: dict[tuple[int, bool], int] = {}
    for s, a in zip(skips, above, strict=True):
        arriving[(s.dst, a)] = arriving.get((s.dst, a), 0) + 1
    out: list[float] = []
    for k in range(len(items)):
        most = max(arriving.get((k, True), 0), arriving.get((k, False), 0))
        out.append(max(opts.merge_radius, ((most - 1) * gap + 2.0) / (2 * RIM_SHARE)))
    return out


def _text_boxes(texts: tuple[Text, ...]) -> list[Box]:
    return [text_box(t) for t in texts]


def _shift(b: Box, dy: float) -> Box:
    return Box(b.x0, b.y0 + dy, b.x1, b.y1 + dy)


def layout(net: Network) -> Drawing:
    """Stacks and bars left to right, kernels, links, skips, labels above, captions below."""
    opts = net.spec.options.lenet
    size = net.spec.options.font_size
    wanted = list(net.spec.options.annotations)
    items = plan(net)
    g = graph(net, items)
    skips = g.skips if opts.show_skips else ()
    if len(skips) > LIMITS.max_skips_drawn:
        msg = (f"the diagram would draw {len(skips):,} skip connections, more than "
               f"{LIMITS.max_skips_drawn:,} (max_skips_drawn); set options.lenet.show_skips "
               "to false or draw fewer layers")  # fmt: skip
        raise LimitError([Issue("options.lenet.show_skips", msg)])
    level = levels([item.info for item in items], g) if opts.layout == "u" else None
    above = assign_sides(skips, below=level is None)
    geo = Geometry(gap=max(7.0, opts.skip_width * 5 + 2), clear=max(4.0, size * 0.45),
                   side=max(6.0, size * 0.6), rise=opts.skip_radius + opts.skip_width * 6 + 4,
                   radius=opts.skip_radius)  # fmt: skip
    radii = _radii(items, skips, above, opts, geo.gap)
    shapes = [item_shape(item, opts, r) for item, r in zip(items, radii, strict=True)]
    labels = [_labels(item, shape, size, opts) for item, shape in zip(items, shapes, strict=True)]
    notes = [_notes(item, shape, size, wanted) for item, shape in zip(items, shapes, strict=True)]
    own = [(_text_boxes(lab), _text_boxes(nt)) for lab, nt in zip(labels, notes, strict=True)]
    ports, reserve = plan_ports(shapes, own, skips, above, geo)
    body = [[_shape_box(s, 0.0, 0.0), *lab, *nt] for s, (lab, nt) in zip(shapes, own, strict=True)]
    room = size * 2.6 if opts.show_captions else size
    dys = offsets(level, body, skips, room, geo.gap) if level else [0.0] * len(items)
    boxes = [[_shift(b, dy) for b in bs + rs]
             for bs, rs, dy in zip(body, reserve, dys, strict=True)]  # fmt: skip
    texts = [item_caption(item, first=k == 0) if opts.show_captions else ""
             for k, item in enumerate(items)]  # fmt: skip
    halves = [plain(0, 0, t, size).width / 2 for t in texts]
    spacing = [
        opts.layer_spacing / 2
        if k and (has_circle(shapes[k]) or isinstance(shapes[k - 1], Junction))
        else opts.layer_spacing
        for k in range(len(items))
    ]
    for k in range(1, len(items) if level else 0):
        if level and level[k] > level[k - 1]:  # a step down may tuck under the stack above
            spacing[k] = shapes[k - 1].foot - shapes[k - 1].width + opts.layer_spacing / 2
    where = place(shapes, boxes, spacing, halves, size, opts.stagger_captions and level is None)
    placed = [
        Placed(items[k], shapes[k], where.xs[k], dys[k], labels[k], notes[k], own[k], None)
        for k in range(len(items))
    ]
    abs_ports: list[tuple[Port, Port]] = []
    for (s, t), sk in zip(ports, skips, strict=True):
        a, b = placed[sk.src], placed[sk.dst]
        abs_ports.append((s.moved(a.x, a.y), t.moved(b.x, b.y)))
    obstacles = [p.box for p in placed]
    words = [b for p in placed for b in p.text_boxes]
    obstacles += words
    heights = lanes(skips, abs_ports, above, obstacles, geo, sides=(False,))
    columns = [moved(b, p.x, p.y) for p, rs in zip(placed, reserve, strict=True)
               for b in rs if b.y1 < BIG / 2]  # fmt: skip
    captions = _captions(placed, texts, where.centres, where.lines, heights,
                         obstacles + columns, size, level)  # fmt: skip
    placed = [replace(p, caption=c) for p, c in zip(placed, captions, strict=True)]
    words += [text_box(c) for c in captions if c is not None]
    obstacles += words[len(words) - sum(c is not None for c in captions) :]
    heights = lanes(skips, abs_ports, above, obstacles, geo, sides=(True,), known=heights)
    return _assemble(net, placed, g, skips, abs_ports, heights, words)


def _captions(placed: list[Placed], texts: list[str], centres: tuple[float, ...],
              lines: tuple[int, ...], heights: list[float | None], obstacles: list[Box],
              size: float, level: list[int] | None) -> list[Text | None]:  # fmt: skip
    """Caption texts on common lines under everything (flat) or under their gap (U).

    In the U layout a caption hangs under the lower side of its gap (the start of
    an upsampling, the end of a pooling), and drops below anything it would touch.
    """
    depth = max(level) + 1 if level else 1
    bottom = [-1e9] * depth
    for k, p in enumerate(placed):
        v = level[k] if level else 0
        ends = [p.y + p.shape.height / 2 + size * 1.9]
        if p.note_bottom is not None:
            ends.append(p.note_bottom + size * 1.3)
        bottom[v] = max([bottom[v], *ends])
    if level is None:
        bottom[0] = max([bottom[0]] + [h + size * 1.6 for h in heights if h is not None])
    out: list[Text | None] = []
    for k, text in enumerate(texts):
        if not text:
            out.append(None)
            continue
        line = bottom[max(level[k - 1], level[k]) if level else 0] + size * 1.3 * lines[k]
        cap = plain(centres[k], line, text, size)
        if level is not None:
            for _ in range(len(obstacles)):
                tb = text_box(cap)
                hit = [b for b in obstacles if b.overlaps(tb, size * 0.3)]
                if not hit:
                    break
                cap = replace(cap, y=max(b.y1 for b in hit) + size * 1.1)
        out.append(cap)
    return out


def _skip_nodes(p: Placed, q: Placed, sk: Skip, ends: tuple[Port, Port], lane: float,
                tapped: bool, opts: LenetOptions) -> Group:  # fmt: skip
    """One skip: its path (arrowhead at the target) and the dot where it taps a line."""
    pts = polyline(ends[0], ends[1], lane, tapped)
    tail = opts.skip_width * 6 + 2
    path = Path(rounded(pts, opts.skip_radius, tail), stroke=opts.skip_color,
                stroke_width=opts.skip_width, arrow=True)  # fmt: skip
    children: list[Node] = [path]
    if ends[0].tap and tapped:
        children.append(Circle(pts[0][0], pts[0][1], max(1.6, opts.skip_width * 1.5),
                               fill=opts.skip_color))  # fmt: skip
    data = (("from", p.item.info.name), ("to", q.item.info.name),
            ("source", str(sk.src_layer)), ("target", str(sk.dst_layer)))  # fmt: skip
    return Group(tuple(children), classes=("skip",), data=data)


def _assemble(net: Network, placed: list[Placed], g: Graph, skips: tuple[Skip, ...],
              ports: list[tuple[Port, Port]], heights: list[float | None],
              text: list[Box]) -> Drawing:  # fmt: skip
    opts = net.spec.options.lenet
    layers: list[Group] = []
    projections: list[Node] = []
    connections: list[Node] = []
    links: list[Node] = []
    for i, p in enumerate(placed):
        body = p.shape.nodes(p.x, p.y, _fills(p, opts), opts)
        nxt = placed[i + 1] if i + 1 < len(placed) else None
        if nxt is not None and p.item.feeds(nxt.item.info):
            step = abs(p.y - nxt.y) > 1e-6
            kernel = kernel_cone(net, p, nxt) if opts.show_kernels and not step else None
            if kernel is not None and through_text(kernel[1], text):
                kernel = None  # a cone past cost annotations would cross them
            if kernel is not None:
                body.append(kernel[0])
                projections.extend(kernel[1])
            elif step:
                links.extend(level_step(p, nxt, opts, text))
            elif has_circle(nxt.shape) or isinstance(p.shape, Junction):
                links.append(merge_arrow(p, nxt, opts))
            elif opts.show_connections and (
                isinstance(nxt.shape, Bar) or isinstance(body_at(p.shape, p.x)[0], Bar)
            ):
                connections.extend(funnel(p, nxt, opts))  # fmt: skip
        extra = "merge" if isinstance(p.shape, Junction | Joined) else None
        layers.append(layer_group(p.item.info, body, extra_class=extra))
    groups = list(layers)
    if connections:
        groups.append(Group(tuple(connections), classes=("connections",)))
    if projections:
        groups.append(Group(tuple(projections), classes=("projections",)))
    if links:
        groups.append(Group(tuple(links), classes=("links",)))
    drawn: list[Group] = []
    for sk, ends, lane in zip(skips, ports, heights, strict=True):
        assert lane is not None
        k = sk.src
        tapped = (k + 1 in g.links) if ends[0].col >= ends[0].attach[0] else (k in g.links)
        drawn.append(_skip_nodes(placed[sk.src], placed[sk.dst], sk, ends, lane, tapped, opts))
    if drawn:
        groups.append(Group(tuple(drawn), classes=("skips",)))
    label_groups = [
        Group(p.placed_labels, classes=("label",), data=(("layer", str(p.item.info.row)),))
        for p in placed
        if p.labels
    ]
    if label_groups:
        groups.append(Group(tuple(label_groups), classes=("labels",)))
    note_groups = [
        Group(p.placed_notes, classes=("annotation",), data=(("layer", str(p.item.info.row)),))
        for p in placed
        if p.notes
    ]
    if note_groups:
        groups.append(Group(tuple(note_groups), classes=("annotations",)))
    captions = [
        Group((p.caption,), classes=("caption",), data=_caption_data(p))
        for p in placed
        if p.caption is not None
    ]
    if captions:
        groups.append(Group(tuple(captions), classes=("captions",)))
    return finish(net, groups)


def _caption_data(p: Placed) -> tuple[tuple[str, str], ...]:
    """The drawn layer's spec row, plus the names of every layer the caption describes."""
    names = [p.item.info.name] + [f.name for f in p.item.folded]
    return (("layer", str(p.item.info.row)), ("names", " ".join(names)))
