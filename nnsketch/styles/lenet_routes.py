"""Lanes and paths of the lenet style's skip connections, once every item is placed.

`lanes` stacks the horizontal parts: shorter skips first, nearest the row,
longer ones outside them, each clear of every obstacle in its span (shapes,
labels, annotations, captions) and of the lanes already placed over it.
`polyline` and `rounded` turn a skip's two ports and its lane into an
orthogonal path with quarter-circle corners whose last segment stays straight
for the arrowhead (SVG markers orient by the last segment).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..primitives import Box, PathCommand, Point
from .lenet_skips import Geometry, Port, Skip

KAPPA = 0.5523
"""Cubic Bézier handle length of a quarter circle, as a share of the radius."""


def lanes(skips: Sequence[Skip], ends: Sequence[tuple[Port, Port]], above: Sequence[bool],
          obstacles: Sequence[Box], g: Geometry, sides: tuple[bool, ...] = (True, False),
          known: Sequence[float | None] | None = None) -> list[float | None]:  # fmt: skip
    """Height of each skip's horizontal part on the given sides (None elsewhere).

    Shorter skips go first, nearest the row; each lane clears every obstacle in
    its span by `g.clear` and every lane already placed over its span by `g.gap`.
    """
    out: list[float | None] = list(known) if known is not None else [None] * len(skips)
    order = sorted(range(len(skips)), key=lambda i: (skips[i].length, skips[i].lo, i))
    spans = [(min(s.col, t.col), max(s.col, t.col)) for s, t in ends]
    placed: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    for i in order:
        lane = out[i]
        if lane is not None:
            placed[above[i]].append((spans[i][0] - g.gap, spans[i][1] + g.gap, lane))
    for i in order:
        up = above[i]
        if up not in sides or out[i] is not None:
            continue
        s, t = ends[i]
        x0, x1 = spans[i]
        if up:
            y = min(s.attach[1], t.attach[1]) - g.rise
            y = min([y] + [b.y0 - g.clear for b in obstacles if b.x0 < x1 + 1 and b.x1 > x0 - 1])
            y = min([y] + [ly - g.gap for a0, a1, ly in placed[up] if a0 < x1 and a1 > x0])
        else:
            y = max(s.attach[1], t.attach[1]) + g.rise
            y = max([y] + [b.y1 + g.clear for b in obstacles if b.x0 < x1 + 1 and b.x1 > x0 - 1])
            y = max([y] + [ly + g.gap for a0, a1, ly in placed[up] if a0 < x1 and a1 > x0])
        out[i] = y
        placed[up].append((x0 - g.gap, x1 + g.gap, y))
    return out


def polyline(src: Port, dst: Port, lane: float, tapped: bool) -> list[Point]:
    """The corner points of a skip: out of the source, along the lane, into the target."""
    pts: list[Point] = []
    if src.tap and tapped:
        pts.append((src.col, src.attach[1]))
    else:
        pts.append(src.attach)
        if abs(src.col - src.attach[0]) > 1e-6:
            pts.append((src.col, src.attach[1]))
    pts += [(src.col, lane), (dst.col, lane)]
    if abs(dst.col - dst.attach[0]) > 1e-6:
        pts.append((dst.col, dst.attach[1]))
    pts.append(dst.attach)
    clean: list[Point] = []
    for p in pts:
        if clean and math.dist(clean[-1], p) < 1e-6:
            continue
        if len(clean) >= 2 and _collinear(clean[-2], clean[-1], p):
            clean[-1] = p
            continue
        clean.append(p)
    return clean


def _collinear(a: Point, b: Point, c: Point) -> bool:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) < 1e-6


def rounded(points: Sequence[Point], radius: float, tail: float) -> tuple[PathCommand, ...]:
    """Path commands through `points` with quarter-circle corners of up to `radius`.

    The last segment keeps at least `tail` straight, so the arrowhead sits on it.
    """
    cmds: list[PathCommand] = [("M", points[0])]
    n = len(points)
    for i in range(1, n - 1):
        (ax, ay), (bx, by), (cx, cy) = points[i - 1], points[i], points[i + 1]
        lin, lout = math.dist((ax, ay), (bx, by)), math.dist((bx, by), (cx, cy))
        room_in = lin if i == 1 else lin / 2
        room_out = max(0.0, lout - tail) if i == n - 2 else lout / 2
        r = min(radius, room_in, room_out)
        if r <= 0.5:
            cmds.append(("L", (bx, by)))
            continue
        ux, uy = (bx - ax) / lin, (by - ay) / lin
        vx, vy = (cx - bx) / lout, (cy - by) / lout
        p0 = (bx - r * ux, by - r * uy)
        p3 = (bx + r * vx, by + r * vy)
        k = KAPPA * r
        cmds.append(("L", p0))
        cmds.append(("C", (p0[0] + k * ux, p0[1] + k * uy, p3[0] - k * vx, p3[1] - k * vy, *p3)))
    cmds.append(("L", points[-1]))
    return tuple(cmds)
