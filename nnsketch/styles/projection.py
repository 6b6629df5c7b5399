"""3D camera math for block diagrams: projection, cuboid faces, culling, 2D hulls.

World coordinates: x runs along the chain (input to output), y up, z toward the
viewer of the side view. Screen coordinates are SVG user units: x to the right,
y downwards; the camera's target projects to the origin.

The camera turns about the vertical axis by `azimuth` degrees from the side view
(negative turns it toward the output end, so faces pointing at later layers show)
and rises by `elevation` degrees (positive looks down onto the tops). Orthographic
projection keeps parallel edges parallel; perspective divides by the distance in
front of a camera placed `distance` units from the target.

A convex body shows the camera only faces whose outward normal points toward the
camera; those never overlap each other, so culling the rest is all the hidden-
surface removal one cuboid needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..primitives import Box, Point

Vec3 = tuple[float, float, float]
EPS = 1e-9
"""Faces seen exactly edge-on count as hidden (they would draw as lines)."""


def add(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def mul(a: Vec3, k: float) -> Vec3:
    return (a[0] * k, a[1] * k, a[2] * k)


def dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


@dataclass(frozen=True, slots=True)
class Camera:
    """Where the scene is seen from; `project` maps world points to the screen."""

    azimuth: float = -30.0
    elevation: float = 20.0
    perspective: bool = False
    distance: float = 1500.0
    target: Vec3 = (0.0, 0.0, 0.0)
    eye: Vec3 = field(init=False, repr=False, compare=False)
    """Unit vector from the target toward the camera."""
    right: Vec3 = field(init=False, repr=False, compare=False)
    """Unit vector that projects to screen right (always horizontal)."""
    up: Vec3 = field(init=False, repr=False, compare=False)
    """Unit vector that projects to screen up."""
    position: Vec3 = field(init=False, repr=False, compare=False)
    """The perspective camera's place (the orthographic one is at infinity)."""

    def __post_init__(self) -> None:
        # Derived once: project() runs for every corner of every box.
        a, e = math.radians(self.azimuth), math.radians(self.elevation)
        eye = (-math.cos(e) * math.sin(a), math.sin(e), math.cos(e) * math.cos(a))
        right = (math.cos(a), 0.0, math.sin(a))
        object.__setattr__(self, "eye", eye)
        object.__setattr__(self, "right", right)
        object.__setattr__(self, "up", cross(eye, right))
        object.__setattr__(self, "position", add(self.target, mul(eye, self.distance)))

    def project(self, p: Vec3) -> Point:
        """Screen point of world point `p`."""
        if self.perspective:
            v = sub(p, self.position)
            ahead = max(-dot(v, self.eye), EPS)
            f = self.distance / ahead
        else:
            v = sub(p, self.target)
            f = 1.0
        return (dot(v, self.right) * f, -dot(v, self.up) * f)

    def depth(self, p: Vec3) -> float:
        """Nearness of `p` along the view direction: larger is closer to the camera."""
        if self.perspective:
            return dot(sub(p, self.position), self.eye)
        return dot(p, self.eye)

    def faces_camera(self, point: Vec3, normal: Vec3) -> bool:
        """True when a face through `point` with outward `normal` is seen from the front."""
        if self.perspective:
            return dot(normal, sub(self.position, point)) > EPS
        return dot(normal, self.eye) > EPS


def _corner_index(sx: int, sy: int, sz: int) -> int:
    """Position of a corner in `Cuboid.corners()`: low/high end per axis as bits."""
    return (sx > 0) * 4 + (sy > 0) * 2 + (sz > 0)


def _signs(axis: int, s: int, u: int, su: int, v: int, sv: int) -> tuple[int, int, int]:
    out = [0, 0, 0]
    out[axis], out[u], out[v] = s, su, sv
    return (out[0], out[1], out[2])


def _face_table() -> dict[tuple[int, int], tuple[int, int, int, int]]:
    table: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for axis in range(3):
        u, v = [a for a in range(3) if a != axis]
        for sign in (-1, 1):
            ring = ((-1, -1), (1, -1), (1, 1), (-1, 1))
            i0, i1, i2, i3 = (_corner_index(*_signs(axis, sign, u, su, v, sv)) for su, sv in ring)
            table[(axis, sign)] = (i0, i1, i2, i3)
    return table


def _edge_table() -> tuple[tuple[int, int, int, tuple[tuple[int, int], tuple[int, int]]], ...]:
    rows = []
    for axis in range(3):
        u, v = [a for a in range(3) if a != axis]
        for su in (-1, 1):
            for sv in (-1, 1):
                a = _corner_index(*_signs(axis, -1, u, su, v, sv))
                b = _corner_index(*_signs(axis, 1, u, su, v, sv))
                rows.append((axis, a, b, ((u, su), (v, sv))))
    return tuple(rows)


FACES = _face_table()
"""(axis, sign) -> the face's corner indices, in order around it."""
EDGES = _edge_table()
"""(axis, start corner, end corner, the two (axis, sign) faces meeting there) per edge."""


@dataclass(frozen=True, slots=True)
class Face:
    """One side of a cuboid: the axis it is perpendicular to and which end (+1/-1)."""

    axis: int
    sign: int
    corners: tuple[Vec3, Vec3, Vec3, Vec3]

    @property
    def normal(self) -> Vec3:
        n = [0.0, 0.0, 0.0]
        n[self.axis] = float(self.sign)
        return (n[0], n[1], n[2])

    @property
    def centre(self) -> Vec3:
        c = self.corners
        return mul(add(add(c[0], c[1]), add(c[2], c[3])), 0.25)


@dataclass(frozen=True, slots=True)
class Edge:
    """A cuboid edge running along `axis`, between the faces `sides` touch."""

    axis: int
    a: Vec3
    b: Vec3
    sides: tuple[tuple[int, int], tuple[int, int]]
    """(axis, sign) of the two faces that meet at this edge."""


@dataclass(frozen=True, slots=True)
class Cuboid:
    """An axis-aligned box in world units."""

    lo: Vec3
    hi: Vec3

    @property
    def centre(self) -> Vec3:
        return mul(add(self.lo, self.hi), 0.5)

    @property
    def size(self) -> Vec3:
        return sub(self.hi, self.lo)

    def corner(self, sx: int, sy: int, sz: int) -> Vec3:
        """Corner at the low (-1) or high (+1) end of each axis."""
        pick = (self.lo, self.hi)
        return (pick[sx > 0][0], pick[sy > 0][1], pick[sz > 0][2])

    def corners(self) -> tuple[Vec3, ...]:
        (x0, y0, z0), (x1, y1, z1) = self.lo, self.hi
        return tuple((x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1))

    def face_centre(self, axis: int, sign: int) -> Vec3:
        c = list(self.centre)
        c[axis] = (self.hi if sign > 0 else self.lo)[axis]
        return (c[0], c[1], c[2])

    def face(self, axis: int, sign: int) -> Face:
        """The face at the `sign` end of `axis`, corners in order around it."""
        cs = self.corners()
        i0, i1, i2, i3 = FACES[(axis, sign)]
        return Face(axis, sign, (cs[i0], cs[i1], cs[i2], cs[i3]))

    def faces(self) -> tuple[Face, ...]:
        return tuple(self.face(axis, sign) for axis, sign in FACES)

    def edges(self) -> tuple[Edge, ...]:
        cs = self.corners()
        return tuple(Edge(axis, cs[a], cs[b], sides) for axis, a, b, sides in EDGES)


def _seen(camera: Camera, box: Cuboid) -> tuple[tuple[int, int], ...]:
    out = []
    for axis, sign in FACES:
        normal = [0.0, 0.0, 0.0]
        normal[axis] = float(sign)
        if camera.faces_camera(box.face_centre(axis, sign), (normal[0], normal[1], normal[2])):
            out.append((axis, sign))
    return tuple(out)


def visible_faces(camera: Camera, box: Cuboid) -> tuple[Face, ...]:
    """The faces of `box` the camera sees (at most three), in axis order."""
    return tuple(box.face(axis, sign) for axis, sign in _seen(camera, box))


def silhouette_edges(camera: Camera, box: Cuboid) -> tuple[Edge, ...]:
    """Edges between a visible and a hidden face: the outline of the box's picture."""
    seen = set(_seen(camera, box))
    return tuple(e for e in box.edges() if (e.sides[0] in seen) != (e.sides[1] in seen))


@dataclass(frozen=True, slots=True)
class View:
    """One cuboid as the camera sees it, projected once for everything drawn from it."""

    corners: tuple[Point, ...]
    """Screen points of the corners, in `Cuboid.corners()` order."""
    faces: tuple[tuple[int, int], ...]
    """(axis, sign) of the visible faces, in axis order."""

    def face(self, axis: int, sign: int) -> tuple[Point, Point, Point, Point]:
        i0, i1, i2, i3 = FACES[(axis, sign)]
        cs = self.corners
        return (cs[i0], cs[i1], cs[i2], cs[i3])

    def outline(self) -> tuple[Point, ...]:
        return convex_hull(self.corners)

    def silhouette(self) -> tuple[tuple[int, Point, Point], ...]:
        """(axis, start, end) of the outline edges: between a visible and a hidden face."""
        seen = set(self.faces)
        cs = self.corners
        return tuple(
            (axis, cs[a], cs[b]) for axis, a, b, (f, g) in EDGES if (f in seen) != (g in seen)
        )


def view(camera: Camera, box: Cuboid) -> View:
    """Project `box` once: its corners on screen and which faces show."""
    return View(tuple(camera.project(c) for c in box.corners()), _seen(camera, box))


def convex_hull(points: list[Point] | tuple[Point, ...]) -> tuple[Point, ...]:
    """Counter-clockwise (in y-down screen terms: clockwise) hull, monotone chain."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return tuple(pts)

    def turn(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return tuple(lower[:-1] + upper[:-1])


def box_hits_polygon(box: Box, polygon: tuple[Point, ...], gap: float = 0.0) -> bool:
    """True when a screen box (grown by `gap`) and a convex polygon share area.

    Separating-axis test: they are apart when some box axis or polygon edge normal
    separates their projections.
    """
    if not polygon:
        return False
    x0, y0, x1, y1 = box.x0 - gap, box.y0 - gap, box.x1 + gap, box.y1 + gap
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    if max(xs) <= x0 or min(xs) >= x1 or max(ys) <= y0 or min(ys) >= y1:
        return False
    rect = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    n = len(polygon)
    for i in range(n):
        (ax, ay), (bx, by) = polygon[i], polygon[(i + 1) % n]
        nx, ny = by - ay, ax - bx
        if nx == 0 and ny == 0:
            continue
        pa = [nx * px + ny * py for px, py in polygon]
        pb = [nx * px + ny * py for px, py in rect]
        if max(pa) <= min(pb) or max(pb) <= min(pa):
            return False
    return True


def ray_exit(polygon: tuple[Point, ...], p: Point, d: Point) -> Point:
    """Where the ray from `p` along `d` last leaves the convex `polygon` (`p` if never)."""
    best = 0.0
    n = len(polygon)
    for i in range(n):
        (ax, ay), (bx, by) = polygon[i], polygon[(i + 1) % n]
        ex, ey = bx - ax, by - ay
        den = d[0] * ey - d[1] * ex
        if abs(den) < 1e-12:
            continue
        wx, wy = ax - p[0], ay - p[1]
        t = (wx * ey - wy * ex) / den
        s = (wx * d[1] - wy * d[0]) / den
        if -1e-9 <= s <= 1 + 1e-9:
            best = max(best, t)
    return (p[0] + best * d[0], p[1] + best * d[1])
