"""Skip connections of the alexnet style: which edges skip, where they attach, their lanes.

The chain joins neighbours; every other edge between two drawn elements is a
skip, drawn the way PlotNeuralNet's `to_skip` draws one: a line rises from the
top face of its source (or from the top of a junction's circle), runs in a lane
parallel to the chain above everything it passes, and comes down into the top
of its target, where an arrowhead ends it. With captions above the blocks the
lanes run below instead (`side` -1; a U keeps them above its levels) and
everything here is mirrored.

Routing happens on screen, on the projected scene. Rises run straight up the
screen, which is the picture of the world's vertical, so they stand on the top
faces like the blocks' own vertical edges; lanes are parallel to the chain's
picture. In an orthographic view that is exactly the picture of a 3D route.
(Views that look almost along the chain rise sideways instead, across it.)

Anchors: skips that leave a junction forward rise from a tap in the middle of
its outgoing arrow. Otherwise, at each element the skip ends are grouped by
role and by which way the other end lies, in the order (from the left, in),
(to the left, out), (to the right, out), (from the right, in), and each group
gets one point spread evenly across the top face (around the circle's top): a
fan-out shares its rise and a fan-in its arrowhead, and ends in different
groups never meet.

Lanes: every skip's lane clears the pictures of everything in its slab (the
screen strip between its two rises) by `clearance`. Skips are placed shortest
first; a skip is lifted above each shorter one nested inside it (so nested
lines never cross) and kept `skip_spacing` from any other whose span it
shares. Only skips whose spans interleave cross, at right angles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..options.alexnet import AlexnetOptions
from ..primitives import Group, Node, Path, PathCommand, Point
from .alexnet_scene import Scene, arrow_ends, junction_circle
from .projection import View, ray_exit

KAPPA = 0.5523
"""Cubic Bézier handle length of a quarter circle, as a share of the radius."""
SPREAD = 110.0
"""Degrees of a junction's rim, centred on its top, that skip ends share out."""
ARROW = 5.4
"""Arrowhead length behind the path's end, in stroke widths (the writer's marker)."""
TIP = 0.6
"""How far the arrowhead's tip reaches past the path's end, in stroke widths."""
TAP = 0.999
"""Place along the chain of a tap: just before the next element."""
SLOTS = ((-1, "in"), (-1, "out"), (1, "out"), (1, "in"))
"""Order of the end groups across an element, left to right."""

Polygon2 = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Skip:
    """An edge between two elements that are not neighbours (element indices)."""

    src: int
    dst: int


@dataclass(frozen=True, slots=True)
class Route:
    """A routed skip: source anchor, the two corners of its lane, target anchor."""

    skip: Skip
    points: tuple[Point, Point, Point, Point]
    offset: float
    """Height of its lane above the chain's picture, in px."""


@dataclass(frozen=True, slots=True)
class Frame:
    """Screen directions: `along` the chain, the `rise`, and the `normal` lanes are
    measured on (perpendicular to the chain, toward the rise)."""

    along: Point
    rise: Point
    normal: Point
    across: Point
    """Perpendicular to the rise, toward the chain's later end."""

    def offset(self, p: Point) -> float:
        return p[0] * self.normal[0] + p[1] * self.normal[1]

    def slab(self, p: Point) -> float:
        return p[0] * self.across[0] + p[1] * self.across[1]

    @property
    def climb(self) -> float:
        """How much offset one px of rise gains."""
        return self.offset(self.rise)


def find_skips(scene: Scene) -> list[Skip]:
    """Every connection between elements that are not neighbours, in a fixed order."""
    return [Skip(a, b) for a, b in sorted(scene.edges) if b != a + 1]


def frame(scene: Scene, side: int) -> Frame:
    """Routing directions for this camera; `side` +1 routes above, -1 below."""
    cam, blocks = scene.camera, scene.blocks
    x0, x1 = blocks[0].box.lo[0], blocks[-1].box.hi[0]
    (ax, ay), (bx, by) = cam.project((x0, 0.0, 0.0)), cam.project((max(x1, x0 + 1.0), 0.0, 0.0))
    length = math.hypot(bx - ax, by - ay)
    u = ((bx - ax) / length, (by - ay) / length) if length > 1e-9 else (1.0, 0.0)
    rise = (0.0, -float(side)) if abs(u[0]) >= 0.5 else (float(side), 0.0)
    n = (-u[1], u[0])
    if n[0] * rise[0] + n[1] * rise[1] < 0:
        n = (-n[0], -n[1])
    across = (-rise[1], rise[0])
    if across[0] * u[0] + across[1] * u[1] < 0:
        across = (-across[0], -across[1])
    return Frame(u, rise, n, across)


def _anchor_slots(skips: list[Skip], tapped: set[int]) -> dict[tuple[int, int, str], float]:
    """(element, direction, role) -> place across the element, in (0, 1).

    Skips in `tapped` leave from their source's arrow, not from the element.
    """
    groups: dict[int, set[tuple[int, str]]] = {}
    for i, s in enumerate(skips):
        way = 1 if s.dst > s.src else -1
        if i not in tapped:
            groups.setdefault(s.src, set()).add((way, "out"))
        groups.setdefault(s.dst, set()).add((-way, "in"))
    out: dict[tuple[int, int, str], float] = {}
    for e, present in groups.items():
        ordered = [slot for slot in SLOTS if slot in present]
        for i, (way, role) in enumerate(ordered):
            out[(e, way, role)] = (i + 1) / (len(ordered) + 1)
    return out


def _anchor(
    scene: Scene, views: list[View], outlines: list[Polygon2], e: int, place: float,
    fr: Frame, side: int, opts: AlexnetOptions,
) -> Point:  # fmt: skip
    """Screen point where a skip touches element `e`, `place` of the way across it."""
    block, cam = scene.blocks[e], scene.camera
    if block.junction:
        (cx, cy), r = junction_circle(block, cam, opts.merge_radius)
        a = math.radians((place - 0.5) * SPREAD)
        dx = math.sin(a) * fr.across[0] + math.cos(a) * fr.rise[0]
        dy = math.sin(a) * fr.across[1] + math.cos(a) * fr.rise[1]
        return (cx + r * dx, cy + r * dy)
    (x0, y0, _), (x1, y1, _) = block.box.lo, block.box.hi
    q = cam.project((x0 + place * (x1 - x0), y1 if side > 0 else y0, 0.0))
    if fr.rise[0] == 0.0 and (1, side) in views[e].faces:
        return q  # on the visible top (bottom) face, like a line standing on it
    return ray_exit(outlines[e], q, fr.rise)


def _tap(
    scene: Scene, s: Skip, fr: Frame, outlines: list[Polygon2], opts: AlexnetOptions
) -> Point | None:
    """A junction's skips onward leave from the middle of its outgoing arrow, the way
    residual stages are drawn, rather than crowd its circle next to the skip coming in
    (only where the rise from there is clear of the next element)."""
    if not scene.blocks[s.src].junction or s.src >= len(scene.gaps) or fr.rise[0] != 0.0:
        return None
    gap = scene.gaps[s.src]
    if gap.arrow is None:
        return None
    ends = arrow_ends(scene, gap, opts.merge_radius)
    if ends is None:
        return None
    (ax, ay), (bx, by) = ends
    tap = ((ax + bx) / 2, (ay + by) / 2)
    if ray_exit(outlines[s.src + 1], tap, fr.rise) != tap:
        return None
    return tap


def _clip(polygon: Polygon2, lo: float, hi: float, fr: Frame) -> list[Point]:
    """The part of a convex polygon inside the slab lo <= across-coordinate <= hi."""
    pts = list(polygon)
    for bound, sign in ((lo, 1.0), (hi, -1.0)):
        out: list[Point] = []
        n = len(pts)
        for i in range(n):
            p, q = pts[i], pts[(i + 1) % n]
            fp, fq = sign * (fr.slab(p) - bound), sign * (fr.slab(q) - bound)
            if fp >= 0:
                out.append(p)
            if (fp >= 0) != (fq >= 0):
                t = fp / (fp - fq)
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
        pts = out
        if not pts:
            break
    return pts


def clearance(opts: AlexnetOptions) -> float:
    """Room between a lane and what it passes: a corner plus an arrowhead at least."""
    return max(opts.skip_spacing, opts.skip_radius + ARROW * opts.skip_width + 3.0)


def route_skips(
    scene: Scene,
    views: list[View],
    outlines: list[Polygon2],
    soft: list[Polygon2],
    opts: AlexnetOptions,
    side: int,
) -> list[Route]:
    """Anchors and lanes of every skip (see the module docstring)."""
    skips = find_skips(scene)
    if not skips:
        return []
    fr = frame(scene, side)
    taps = [_tap(scene, s, fr, outlines, opts) if s.dst > s.src else None for s in skips]
    slots = _anchor_slots(skips, {i for i, t in enumerate(taps) if t is not None})
    ends: list[tuple[Point, Point, float, float]] = []
    for s, tap in zip(skips, taps, strict=True):
        way = 1 if s.dst > s.src else -1
        ft = slots[(s.dst, -way, "in")]
        b = _anchor(scene, views, outlines, s.dst, ft, fr, side, opts)
        if tap is not None:
            ends.append((tap, b, s.src + TAP, s.dst + ft))
            continue
        fs = slots[(s.src, way, "out")]
        a = _anchor(scene, views, outlines, s.src, fs, fr, side, opts)
        ends.append((a, b, s.src + fs, s.dst + ft))
    needs = _needs(ends, outlines + soft, fr, clearance(opts))
    lanes = _lanes([(min(e[2], e[3]), max(e[2], e[3])) for e in ends], needs, opts.skip_spacing)
    routes: list[Route] = []
    k = fr.climb
    for s, (a, b, _, _), o in zip(skips, ends, lanes, strict=True):
        ta, tb = (o - fr.offset(a)) / k, (o - fr.offset(b)) / k
        c1 = (a[0] + ta * fr.rise[0], a[1] + ta * fr.rise[1])
        c2 = (b[0] + tb * fr.rise[0], b[1] + tb * fr.rise[1])
        routes.append(Route(s, (a, c1, c2, b), o))
    return routes


def _needs(
    ends: list[tuple[Point, Point, float, float]],
    shapes: list[Polygon2],
    fr: Frame,
    room: float,
) -> list[float]:
    """Lowest lane per skip: `room` above everything in the strip between its rises."""
    spans = [(p, min(map(fr.slab, p)), max(map(fr.slab, p))) for p in shapes if p]
    needs: list[float] = []
    for a, b, _, _ in ends:
        lo, hi = sorted((fr.slab(a), fr.slab(b)))
        top = max(fr.offset(a), fr.offset(b))
        for poly, plo, phi in spans:
            if phi >= lo and plo <= hi:
                top = max([top, *map(fr.offset, _clip(poly, lo, hi, fr))])
        needs.append(top + room)
    return needs


def _lanes(spans: list[tuple[float, float]], needs: list[float], spacing: float) -> list[float]:
    """Lane offsets, shortest span first: above every shorter skip nested inside, and
    `spacing` from every skip whose span it shares."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i]))
    placed: list[tuple[float, float, float]] = []  # (lo, hi, offset)
    lanes = [0.0] * len(spans)
    for i in order:
        lo, hi = spans[i]
        shared = [(a, b, o) for a, b, o in placed if a <= hi + 1e-9 and lo <= b + 1e-9]
        o = max([needs[i]] + [q + spacing for a, b, q in shared if lo <= a and b <= hi])
        moved = True
        while moved:  # only ever moves up, past at most every shared lane
            moved = False
            for _, _, q in shared:
                if abs(o - q) < spacing - 1e-9:
                    o, moved = q + spacing, True
        placed.append((lo, hi, o))
        lanes[i] = o
    return lanes


def _towards(p: Point, q: Point, dist: float) -> Point:
    length = math.hypot(q[0] - p[0], q[1] - p[1])
    if length < 1e-12:
        return p
    t = dist / length
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _rounded(
    points: tuple[Point, ...], radius: float, last_straight: float
) -> tuple[PathCommand, ...]:
    """Polyline with its corners rounded (each radius fits half of both legs); the
    last leg keeps `last_straight` px straight so the arrowhead lies along it."""
    cmds: list[PathCommand] = [("M", points[0])]
    n = len(points)
    for i in range(1, n - 1):
        prev, corner, nxt = points[i - 1], points[i], points[i + 1]
        a = math.hypot(corner[0] - prev[0], corner[1] - prev[1])
        b = math.hypot(nxt[0] - corner[0], nxt[1] - corner[1])
        limit_b = b - last_straight if i == n - 2 else b / 2
        r = max(0.0, min(radius, a / 2, limit_b))
        if r < 0.5:
            cmds.append(("L", corner))
            continue
        p1, p2 = _towards(corner, prev, r), _towards(corner, nxt, r)
        h1 = (p1[0] + KAPPA * (corner[0] - p1[0]), p1[1] + KAPPA * (corner[1] - p1[1]))
        h2 = (p2[0] + KAPPA * (corner[0] - p2[0]), p2[1] + KAPPA * (corner[1] - p2[1]))
        cmds += [("L", p1), ("C", (*h1, *h2, *p2))]
    cmds.append(("L", points[-1]))
    return tuple(cmds)


def skip_group(routes: list[Route], scene: Scene, opts: AlexnetOptions) -> Group | None:
    """One `skip` group (with from/to names) per route, inside one `skips` group."""
    if not routes:
        return None
    arrow = (ARROW + 1.0) * opts.skip_width
    children: list[Node] = []
    for r in routes:
        path = Path(
            _rounded(r.points, opts.skip_radius, arrow),
            stroke=opts.skip_color,
            stroke_width=opts.skip_width,
            arrow=True,
        )
        src, dst = scene.blocks[r.skip.src].info, scene.blocks[r.skip.dst].info
        data = (("from", src.name), ("to", dst.name), ("layer", str(dst.row)))
        children.append(Group((path,), classes=("skip",), data=data))
    return Group(tuple(children), classes=("skips",))


def obstacles(routes: list[Route], opts: AlexnetOptions) -> list[Polygon2]:
    """What labels must keep clear of: each leg, each rounded corner, each arrowhead."""
    out: list[Polygon2] = []
    w = opts.skip_width
    for r in routes:
        a, c1, c2, b = r.points
        out += [(a, c1), (c1, c2), (c2, b)]
        for p, corner, q in ((a, c1, c2), (c1, c2, b)):
            out.append((_towards(corner, p, opts.skip_radius), corner,
                        _towards(corner, q, opts.skip_radius)))  # fmt: skip
        dx, dy = b[0] - c2[0], b[1] - c2[1]
        length = math.hypot(dx, dy) or 1.0
        dx, dy = dx / length, dy / length
        tip = (b[0] + TIP * w * dx, b[1] + TIP * w * dy)
        back = (b[0] - ARROW * w * dx, b[1] - ARROW * w * dy)
        half = 3.0 * w
        out.append((tip, (back[0] - dy * half, back[1] + dx * half),
                    (back[0] + dy * half, back[1] - dx * half)))  # fmt: skip
    return out
