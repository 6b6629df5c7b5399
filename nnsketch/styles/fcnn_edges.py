"""Edges of the fcnn style: every edge between two layers in a few `Path`s.

Coordinates are (u, v): u runs along the layers, v along the nodes of a layer;
the vertical direction swaps them on the page. Edges start and end on
the circles' rims (radius plus half the stroke), so arrowheads stay visible.
SVG markers mark only the last vertex of a path, so arrowheads are drawn as
filled triangles, one extra path per bucket. Weight-scaled edges are bucketed by
sign and |weight| (at most 2 x 4 = 8 buckets per pair of layers).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ..options import FcnnOptions
from ..primitives import Path, PathCommand

LEVELS = 4
"""Magnitude buckets of weight-scaled edges."""


@dataclass(frozen=True, slots=True)
class Bucket:
    """Paint shared by the edges of one path."""

    color: str
    width: float
    opacity: float

    @property
    def head(self) -> tuple[float, float]:
        """Arrowhead length and half-width: readable at thin widths, not huge at thick."""
        length = 4.0 + 3.0 * self.width
        return length, length * 0.4


def weights(rng: random.Random, n: int) -> list[float]:
    """n weights in [-1, 1]: mostly small, a few strong, like a trained layer."""
    return [max(-1.0, min(1.0, rng.gauss(0.0, 0.45))) for _ in range(n)]


def _buckets(
    opts: FcnnOptions, ws: Sequence[float] | None, n: int
) -> tuple[list[int], list[Bucket]]:
    """Bucket index of each edge and the bucket paints (weak ones first)."""
    if ws is None:
        return [0] * n, [Bucket(opts.edge_color, opts.edge_width, opts.edge_opacity)]
    levels = LEVELS if (opts.weight_width or opts.weight_opacity) else 1
    signs = 2 if opts.weight_color else 1
    keys: list[int] = []
    for w in ws:
        level = min(levels - 1, int(abs(w) * levels))
        sign = 1 if (w >= 0 or signs == 1) else 0
        keys.append(level * 2 + sign)
    paints: list[Bucket] = []
    for key in range(levels * 2):
        level, sign = divmod(key, 2)
        m = (level + 1) / levels
        color = opts.edge_color
        if opts.weight_color:
            color = opts.positive_color if sign else opts.negative_color
        width = opts.edge_width * (0.3 + 2.2 * m) if opts.weight_width else opts.edge_width
        opacity = opts.edge_opacity * (0.2 + 0.8 * m) if opts.weight_opacity else opts.edge_opacity
        paints.append(Bucket(color, width, opacity))
    return keys, paints


def pair_paths(
    sources: Sequence[float],
    bias: float | None,
    targets: Sequence[float],
    u0: float,
    u1: float,
    rim: float,
    opts: FcnnOptions,
    rng: random.Random,
    swap: bool,
) -> list[Path]:
    """Edge paths from every drawn source (and the bias unit) to every drawn target.

    `swap` maps (u, v) to (v, u) for the vertical direction. The loop is written
    flat because a pair of unelided layers can hold 10^5 edges.
    """
    starts = list(sources) + ([bias] if bias is not None else [])
    n = len(starts) * len(targets)
    weighted = opts.weight_width or opts.weight_opacity or opts.weight_color
    keys, paints = _buckets(opts, weights(rng, n) if weighted else None, n)
    lines: list[list[PathCommand]] = [[] for _ in paints]
    heads: list[list[PathCommand]] = [[] for _ in paints]
    room = max(0.0, (u1 - u0) - 2 * rim)
    sizes = [
        (min(p.head[0], 0.45 * room), p.head[1] * min(1.0, 0.45 * room / p.head[0]))
        if opts.arrowheads
        else (0.0, 0.0)
        for p in paints
    ]
    bezier = opts.edge_shape == "bezier"
    du = u1 - u0
    k = 0
    for v0 in starts:
        for v1 in targets:
            key = keys[k]
            k += 1
            head, half = sizes[key]
            if bezier:
                ux, uy = 1.0, 0.0
                tip = (u1 - rim, v1)
                end_u = tip[0] - head
                mid = (u0 + rim + end_u) / 2
                pts = (u0 + rim, v0, mid, v0, mid, v1, end_u, v1)
            else:
                dv = v1 - v0
                length = math.hypot(du, dv)
                ux, uy = du / length, dv / length
                tip = (u1 - rim * ux, v1 - rim * uy)
                pts = (u0 + rim * ux, v0 + rim * uy, tip[0] - head * ux, tip[1] - head * uy)
            if swap:
                pts = tuple(pts[i ^ 1] for i in range(len(pts)))
            out = lines[key]
            out.append(("M", pts[:2]))
            out.append(("C" if bezier else "L", pts[2:]))
            if head:
                bu, bv = tip[0] - head * ux, tip[1] - head * uy
                tri = (
                    tip[0],
                    tip[1],
                    bu - half * uy,
                    bv + half * ux,
                    bu + half * uy,
                    bv - half * ux,
                )
                if swap:
                    tri = tuple(tri[i ^ 1] for i in range(6))
                heads[key] += [("M", tri[:2]), ("L", tri[2:4]), ("L", tri[4:]), ("Z", ())]
    paths: list[Path] = []
    for paint, cmds, tris in zip(paints, lines, heads, strict=True):
        if not cmds:
            continue
        paths.append(Path(tuple(cmds), stroke=paint.color, stroke_width=paint.width,
                          opacity=paint.opacity))  # fmt: skip
        if tris:
            paths.append(Path(tuple(tris), stroke=None, fill=paint.color, opacity=paint.opacity))
    return paths
