"""Collapsed repeat blocks in the graph style: who belongs to a block, its badge, its frame.

A collapsed block is drawn as its first copy inside a dashed frame with a "name ×N"
badge. So that neither overlaps anything, both get room in the layout itself:
the badge is a node of its own, placed in the block's first rank right after the
block's last node there, and every node knows its block, so the spacing between a
member and a non-member includes the frame's padding. A long edge's virtual nodes
belong to a block when the edge starts or ends in it and they lie in its ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..primitives import Box, PathCommand
from .graph_layering import Layered, crossings
from .graph_model import View

BOX, VIRTUAL, BADGE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Nodes:
    """The layering with badge nodes added, each node's kind and its block (or -1)."""

    lay: Layered
    kind: tuple[int, ...]
    member: tuple[int, ...]

    @property
    def badges(self) -> list[int]:
        return [v for v, k in enumerate(self.kind) if k == BADGE]


def _spans(lay: Layered, member: list[int]) -> dict[int, tuple[int, int]]:
    """First and last rank of every block's boxes."""
    span: dict[int, tuple[int, int]] = {}
    for i in range(lay.n_real):
        b, r = member[i], lay.rank[i]
        if b >= 0:
            lo, hi = span.get(b, (r, r))
            span[b] = (min(lo, r), max(hi, r))
    return span


def _contiguous(layers: list[list[int]], member: list[int], blocks: list[int]) -> bool:
    """Move non-members that sit between a block's nodes in a rank to just after them, so
    a frame hugging the block never encloses a stranger; True when anything moved."""
    moved = False
    for layer in layers:
        for b in blocks:
            at = [i for i, v in enumerate(layer) if member[v] == b]
            if at and at[-1] - at[0] + 1 != len(at):
                inner = layer[at[0] : at[-1] + 1]
                layer[at[0] : at[-1] + 1] = [v for v in inner if member[v] == b] + [
                    v for v in inner if member[v] != b
                ]
                moved = True
    return moved


def with_badges(lay: Layered, view: View) -> Nodes:
    """Mark block members, keep each block's nodes together in every rank and add one badge
    node per collapsed block."""
    kind = [BOX] * lay.n_real + [VIRTUAL] * (lay.size - lay.n_real)
    member = [view.items[i].block for i in range(lay.n_real)] + [-1] * (lay.size - lay.n_real)
    if not view.blocks:
        return Nodes(lay, tuple(kind), tuple(member))
    span = _spans(lay, member)
    for chain in lay.chains:
        ends = sorted({member[chain[0]], member[chain[-1]]} - {-1})
        for v in chain[1:-1]:
            member[v] = next((b for b in ends if span[b][0] <= lay.rank[v] <= span[b][1]), -1)
    rank = list(lay.rank)
    layers = [list(layer) for layer in lay.layers]
    count = lay.crossings
    if _contiguous(layers, member, sorted(span)):
        count = crossings(layers, lay.chains, lay.size)
    for b in sorted(span):
        first = layers[span[b][0]]
        at = max(i for i, v in enumerate(first) if member[v] == b)
        first.insert(at + 1, len(rank))
        rank.append(span[b][0])
        kind.append(BADGE)
        member.append(b)
    out = replace(
        lay, rank=tuple(rank), layers=tuple(tuple(layer) for layer in layers), crossings=count
    )
    return Nodes(out, tuple(kind), tuple(member))


def outlines(nodes: Nodes, cross: Sequence[float], size: Sequence[float],
             bands: Sequence[tuple[float, float]], pad: float,
             pad_along: float) -> list[tuple[Box, ...]]:  # fmt: skip
    """Each block's frame in (cross, along) axes: one rectangle around the whole block when
    no other box falls inside it, else one row per rank that spans the block's nodes in
    that rank plus `pad` and reaches halfway into the gaps between the block's ranks
    (`pad_along` into the gaps before and after it), so the rows join into one outline."""
    lay = nodes.lay
    out: list[tuple[Box, ...]] = []
    for b, (r0, r1) in sorted(_spans(lay, list(nodes.member)).items()):
        rows: list[Box] = []
        for r in range(r0, r1 + 1):
            ids = [v for v in lay.layers[r] if nodes.member[v] == b]
            if ids:
                c0 = min(cross[v] - size[v] / 2 for v in ids) - pad
                c1 = max(cross[v] + size[v] / 2 for v in ids) + pad
            else:
                c0, c1 = rows[-1].x0, rows[-1].x1
            a0 = bands[r][0] - (pad_along if r == r0 else (bands[r][0] - bands[r - 1][1]) / 2)
            a1 = bands[r][1] + (pad_along if r == r1 else (bands[r + 1][0] - bands[r][1]) / 2)
            rows.append(Box(c0, a0, c1, a1))
        whole = Box(min(r.x0 for r in rows), rows[0].y0, max(r.x1 for r in rows), rows[-1].y1)
        strangers = (
            v
            for r in range(r0, r1 + 1)
            for v in lay.layers[r]
            if nodes.member[v] != b and nodes.kind[v] != VIRTUAL
        )
        clear = all(
            cross[v] + size[v] / 2 <= whole.x0 or cross[v] - size[v] / 2 >= whole.x1
            for v in strangers
        )
        out.append((whole,) if clear else tuple(rows))
    return out


def outline_path(rows: Sequence[Box], radius: float) -> tuple[PathCommand, ...]:
    """A closed path around stacked rows (x across, y along), with rounded corners."""
    points: list[tuple[float, float]] = []
    for row in rows:
        points += [(row.x1, row.y0), (row.x1, row.y1)]
    for row in reversed(rows):
        points += [(row.x0, row.y1), (row.x0, row.y0)]
    corners: list[tuple[float, float]] = []
    for p in points:  # drop repeated points and the middle of straight runs
        if corners and abs(p[0] - corners[-1][0]) < 1e-6 and abs(p[1] - corners[-1][1]) < 1e-6:
            continue
        if len(corners) >= 2 and _collinear(corners[-2], corners[-1], p):
            corners[-1] = p
            continue
        corners.append(p)
    while len(corners) > 3 and _collinear(corners[-2], corners[-1], corners[0]):
        corners.pop()
    commands: list[PathCommand] = []
    n = len(corners)
    for i, p in enumerate(corners):
        prev, nxt = corners[i - 1], corners[(i + 1) % n]
        r_in = min(radius, _dist(prev, p) / 2)
        r_out = min(radius, _dist(p, nxt) / 2)
        a = _toward(p, prev, r_in)
        b = _toward(p, nxt, r_out)
        commands.append(("M" if i == 0 else "L", a))
        commands.append(("C", (*p, *p, *b)))
    commands.append(("Z", ()))
    return tuple(commands)


def _dist(p: tuple[float, float], q: tuple[float, float]) -> float:
    return abs(p[0] - q[0]) + abs(p[1] - q[1])


def _toward(p: tuple[float, float], q: tuple[float, float], d: float) -> tuple[float, float]:
    length = _dist(p, q) or 1.0
    return p[0] + (q[0] - p[0]) * d / length, p[1] + (q[1] - p[1]) * d / length


def _collinear(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> bool:
    return (abs(a[0] - b[0]) < 1e-6 and abs(b[0] - c[0]) < 1e-6) or (
        abs(a[1] - b[1]) < 1e-6 and abs(b[1] - c[1]) < 1e-6
    )
