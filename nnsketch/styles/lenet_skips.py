"""Skip connections of the lenet style: which edges skip, which side, where they attach.

The style draws items in a row. An edge from item a to item a + 1 is the chain
(kernels, links); every other edge is a skip, drawn as an orthogonal line with
rounded corners that leaves its source, runs in a lane above the row (or below
it) and enters its target with an arrowhead.

Planning happens in two steps. Before items are placed, `assign_sides` puts
each skip above or below the row and `plan_ports` gives it, at both ends, a
`Port` relative to its item: a point where the line touches the shape and the x
of the vertical part. Ports sit on the top (or
bottom) edge clear of the item's own text, or, when that edge is too crowded, in
columns beside the item. Their vertical lines are reserved as boxes, so the
placement keeps every other item's shapes and text out of them. After
placement, `lenet_routes` stacks the horizontal parts in lanes and draws them.

Two skips cross only when their spans interleave; such pairs go to opposite
sides. At an item, ends whose other end is to the left come first (shortest
first), then those going right (longest first): nested lines never cross.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ..analysis import Network
from ..primitives import Box, Point
from .lenet_merge import Joined, Junction, Shape, in_span, out_span
from .lenet_parts import Item, Span

BIG = 1e6
"""Reserved columns reach this far up (down): nothing else may enter them."""


@dataclass(frozen=True, slots=True)
class Skip:
    """An edge between two items that are not neighbours (item and layer indices)."""

    src: int
    dst: int
    src_layer: int
    dst_layer: int

    @property
    def lo(self) -> int:
        return min(self.src, self.dst)

    @property
    def hi(self) -> int:
        return max(self.src, self.dst)

    @property
    def length(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True, slots=True)
class Graph:
    """Which item draws each layer, which neighbours are linked, and the skips."""

    owner: tuple[int, ...]
    links: frozenset[int]
    skips: tuple[Skip, ...]


def graph(net: Network, items: Sequence[Item]) -> Graph:
    """Sort the network's edges into chain links (item k-1 -> k) and skips."""
    owner = [0] * len(net.layers)
    for k, item in enumerate(items):
        for info in item.layers:
            owner[info.index] = k
    links: set[int] = set()
    found: dict[tuple[int, int], Skip] = {}
    for src, dst in net.edges:
        a, b = owner[src], owner[dst]
        if a == b:
            continue
        if b == a + 1:
            links.add(b)
        elif (a, b) not in found:
            found[(a, b)] = Skip(a, b, src, dst)
    skips = sorted(found.values(), key=lambda s: (s.lo, s.hi, s.src))
    return Graph(tuple(owner), frozenset(links), tuple(skips))


def interleave(a: Skip, b: Skip) -> bool:
    """True when the spans cross: drawn on one side, their lines would have to cross."""
    return a.lo < b.lo < a.hi < b.hi or b.lo < a.lo < b.hi < a.hi


def assign_sides(skips: Sequence[Skip], below: bool) -> tuple[bool, ...]:
    """True for skips drawn above the row; interleaving ones go below when allowed.

    Skips whose spans interleave must take opposite sides, so each group of
    such skips is two-coloured, the larger part (or the part holding the first,
    longest skip) above. A group that cannot be two-coloured takes, skip by
    skip, the side where it crosses fewer lines already placed.
    """
    n = len(skips)
    above = [True] * n
    if not below:
        return tuple(above)
    near = _interleaving(skips)
    order = sorted(range(n), key=lambda i: (skips[i].lo, -skips[i].length, i))
    seen: set[int] = set()
    for root in order:
        if root in seen:
            continue
        side = {root: True}
        queue = [root]
        ok = True
        for i in queue:
            for j in near[i]:
                if j not in side:
                    side[j] = not side[i]
                    queue.append(j)
                elif side[j] == side[i]:
                    ok = False
        seen.update(side)
        group = [i for i in order if i in side]
        if ok:
            flip = sum(side.values()) * 2 < len(group)
            for i in group:
                above[i] = side[i] != flip
            continue
        done: set[int] = set()
        for i in group:
            placed = [above[j] for j in near[i] if j in done]
            above[i] = placed.count(True) <= placed.count(False)
            done.add(i)
    return tuple(above)


def _interleaving(skips: Sequence[Skip]) -> list[set[int]]:
    """For each skip, the skips whose spans interleave with its span (a sweep by start)."""
    lo = [s.lo for s in skips]
    hi = [s.hi for s in skips]
    order = sorted(range(len(skips)), key=lambda i: lo[i])
    starts = [lo[i] for i in order]
    near: list[set[int]] = [set() for _ in skips]
    for i in range(len(skips)):
        # j starts strictly inside i's span and ends strictly after it
        for j in order[bisect_right(starts, lo[i]) : bisect_left(starts, hi[i])]:
            if hi[j] > hi[i]:
                near[i].add(j)
                near[j].add(i)
    return near


@dataclass(frozen=True, slots=True)
class Port:
    """One end of a skip: `attach` on the shape, the vertical part at x = `col`.

    A tap port starts on the line that leaves a junction (at x = col) when that
    line is drawn, else at `attach` on the circle's rim.
    """

    attach: Point
    col: float
    tap: bool = False

    def moved(self, dx: float, dy: float) -> Port:
        return Port((self.attach[0] + dx, self.attach[1] + dy), self.col + dx, self.tap)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Spacing of skip lines, in user units."""

    gap: float
    """Between neighbouring parallel lines."""
    clear: float
    """Between a lane and the things it passes over."""
    side: float
    """Between an item's outline and its first side column."""
    rise: float
    """Least vertical run at an end: room for a corner and the arrowhead."""
    radius: float
    """Corner radius (0: sharp corners)."""


@dataclass(frozen=True, slots=True)
class _End:
    skip: int
    source: bool
    other: int
    length: int

    @property
    def left(self) -> bool:
        """True when the other end is to the left."""
        return self.other < 0


def _ordered(ends: list[_End]) -> tuple[list[_End], list[_End]]:
    """Ends whose other end is left (shortest first), and going right (longest first)."""
    left = sorted((e for e in ends if e.left), key=lambda e: (e.length, e.skip))
    right = sorted((e for e in ends if not e.left), key=lambda e: (-e.length, e.skip))
    return left, right


def _free(span: Span, blocked: Sequence[Box], inset: float,
          pad: float) -> list[tuple[float, float]]:  # fmt: skip
    """Parts of a span not under (over) the item's own text."""
    parts = [(span.x0 + inset, span.x1 - inset)]
    for b in blocked:
        nxt: list[tuple[float, float]] = []
        for a0, a1 in parts:
            if b.x1 + pad <= a0 or b.x0 - pad >= a1:
                nxt.append((a0, a1))
                continue
            if b.x0 - pad > a0:
                nxt.append((a0, b.x0 - pad))
            if b.x1 + pad < a1:
                nxt.append((b.x1 + pad, a1))
        parts = nxt
    return [p for p in parts if p[1] >= p[0]]


def _fit(parts: list[tuple[float, float]], n_left: int, n_right: int,
         gap: float) -> tuple[list[float], list[float]] | None:  # fmt: skip
    """Positions for the left ends from the left and the right ends from the right."""
    if not parts:
        return None if n_left or n_right else ([], [])
    lefts: list[float] = []
    i, x = 0, parts[0][0]
    while len(lefts) < n_left:
        if i >= len(parts):
            return None
        x = max(x, parts[i][0])
        if x <= parts[i][1]:
            lefts.append(x)
            x += gap
        else:
            i += 1
    rights: list[float] = []
    i, x = len(parts) - 1, parts[-1][1]
    while len(rights) < n_right:
        if i < 0:
            return None
        x = min(x, parts[i][1])
        if x >= parts[i][0]:
            rights.append(x)
            x -= gap
        else:
            i -= 1
    rights.reverse()
    if lefts and rights and lefts[-1] + gap > rights[0] + 1e-9:
        return None
    return lefts, rights


def _columns(shape: Shape, blocked: Sequence[Box], left: list[_End], right: list[_End],
             top: bool, h: float, g: Geometry) -> list[tuple[_End, Port]]:  # fmt: skip
    """Ends in columns beside the item, entering (leaving) its outline sideways.

    `h` is the half-height of the part they attach to (a merge circle or the body).
    """
    lo = min([0.0] + [b.x0 for b in blocked]) - g.side
    hi = max([shape.width] + [b.x1 for b in blocked]) + g.side
    inset = min(h * 0.5, max(2.0, g.gap * 0.5))

    def height(rank: int) -> float:
        y = -h + inset + rank * g.gap
        y = min(y, h - 1.0)
        return y if top else -y

    out: list[tuple[_End, Port]] = []
    n = len(left)
    for j, e in enumerate(left):
        y = height(n - 1 - j)
        x = shape.left_at(0.0, 0.0, y)
        out.append((e, Port((0.0 if x is None else x, y), lo - (n - 1 - j) * g.gap)))
    for j, e in enumerate(right):
        y = height(j)
        x = shape.right_at(0.0, 0.0, y)
        out.append((e, Port((shape.width if x is None else x, y), hi + j * g.gap)))
    return out


def _taps(shape: Junction, blocked: Sequence[Box], left: list[_End], right: list[_End],
          g: Geometry) -> list[tuple[_End, Port]]:  # fmt: skip
    """Skips leaving a junction rise from taps on the line beside it (right: its output)."""
    r = shape.r
    out: list[tuple[_End, Port]] = []
    start = max([2 * r + g.side] + [b.x1 + g.side for b in blocked])
    for j, e in enumerate(right):
        out.append((e, Port((2 * r, 0.0), start + j * g.gap, tap=True)))
    end = min([-g.side] + [b.x0 - g.side for b in blocked])
    n = len(left)
    for j, e in enumerate(left):
        out.append((e, Port((0.0, 0.0), end - (n - 1 - j) * g.gap, tap=True)))
    return out


def _region(shape: Shape, source: bool, top: bool) -> Span | None:
    """The edge where ends of this role attach; None means junction taps."""
    if isinstance(shape, Junction | Joined) and not source:
        return in_span(shape, 0.0, 0.0, top)
    return out_span(shape, 0.0, 0.0, top)


def plan_ports(shapes: Sequence[Shape], blocked: Sequence[tuple[list[Box], list[Box]]],
               skips: Sequence[Skip], above: Sequence[bool],
               g: Geometry) -> tuple[list[tuple[Port, Port]], list[list[Box]]]:  # fmt: skip
    """Ports of every skip (source, target) relative to their items, and the reserved boxes.

    `blocked[k]` holds item k's own text above and below its shape, which
    vertical lines must not cross.
    """
    ports: dict[tuple[int, bool], Port] = {}
    reserve: list[list[Box]] = [[] for _ in shapes]
    at: dict[tuple[int, bool], list[_End]] = {}
    for i, s in enumerate(skips):
        at.setdefault((s.src, above[i]), []).append(_End(i, True, s.dst - s.src, s.length))
        at.setdefault((s.dst, above[i]), []).append(_End(i, False, s.src - s.dst, s.length))
    for k, shape in enumerate(shapes):
        for top in (True, False):
            ends = at.get((k, top), [])
            if not ends:
                continue
            text = blocked[k][0 if top else 1]
            roles = (True, False) if isinstance(shape, Junction | Joined) else (None,)
            for role in roles:
                group = [e for e in ends if role is None or e.source == role]
                if not group:
                    continue
                left, right = _ordered(group)
                span = _region(shape, bool(role), top)
                if span is None:
                    assert isinstance(shape, Junction)
                    placed = _taps(shape, text, left, right, g)
                else:
                    inset = 0.5 if span.circle else min(5.0, (span.x1 - span.x0) / 4)
                    fit = _fit(_free(span, text, inset, g.gap * 0.75), len(left), len(right),
                               g.gap)  # fmt: skip
                    if fit is None:
                        half = span.circle[2] if span.circle else shape.height / 2
                        placed = _columns(shape, text, left, right, top, half, g)
                    else:
                        xs = fit[0] + fit[1]
                        placed = [(e, Port((x, span.at(x)), x))
                                  for e, x in zip(left + right, xs, strict=True)]  # fmt: skip
                for e, port in placed:
                    ports[(e.skip, e.source)] = port
                reserve[k].extend(_reserved([port for _, port in placed], top))
    pairs = [(ports[(i, True)], ports[(i, False)]) for i in range(len(skips))]
    return pairs, reserve


def _reserved(ports: list[Port], top: bool) -> list[Box]:
    """The columns the ports' vertical lines run in, and their stubs to the outline.

    Neighbouring lines are a few units apart, too close for anything between
    them, so one box covers them all (which keeps the placement fast).
    """
    w = 1.5
    x0 = min(p.col for p in ports) - w
    x1 = max(p.col for p in ports) + w
    if top:
        out = [Box(x0, -BIG, x1, max(p.attach[1] for p in ports))]
    else:
        out = [Box(x0, min(p.attach[1] for p in ports), x1, BIG)]
    stubs = [p for p in ports if abs(p.col - p.attach[0]) > 1e-6]
    if stubs:
        out.append(
            Box(
                min(min(p.attach[0], p.col) for p in stubs),
                min(p.attach[1] for p in stubs) - w,
                max(max(p.attach[0], p.col) for p in stubs),
                max(p.attach[1] for p in stubs) + w,
            )
        )
    return out
