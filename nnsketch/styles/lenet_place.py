"""Horizontal placement of the lenet style: each layer's x and each caption's line.

Items go left to right. The gap before each is the least that keeps it
`spacing` from the previous shape and every box of it (shape, labels, cost
annotations, the columns reserved for skip connections) clear of the recent
items' boxes. Captions sit centred under the gap between the lower parts of two
shapes; crowded captions move to a second line before the layers spread out.
Boxes are relative to the item's x; their y is absolute, so items at different
heights (the U layout) only push each other apart where they really meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..primitives import Box

WINDOW = 12
"""Earlier layers checked for collisions when placing one (labels rarely reach further)."""


class Sized(Protocol):
    @property
    def width(self) -> float: ...

    @property
    def foot(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Placement:
    """Left edge of every item, and centre and line (0 or 1) of the caption before it."""

    xs: tuple[float, ...]
    centres: tuple[float, ...]
    lines: tuple[int, ...]


def _least_x(xs: list[float], boxes: Sequence[Sequence[Box]], new: Sequence[Box], floor: float,
             pad: float) -> float:  # fmt: skip
    """Least x at or after `floor` where `new` clears the recent layers' boxes."""
    x = floor
    for j in range(max(0, len(xs) - WINDOW), len(xs)):
        for a in boxes[j]:
            for r in new:
                if a.y0 < r.y1 + pad and r.y0 < a.y1 + pad:
                    x = max(x, xs[j] + a.x1 + pad - r.x0)
    return x


def _level(gaps: list[float], weights: list[float], need: float) -> float:
    """Least L with sum(w * max(g, L)) >= need: raise the smallest gaps first, evenly."""
    pairs = sorted(zip(gaps, weights, strict=True))
    rest = sum(g * w for g, w in pairs)
    low = 0.0
    level = pairs[-1][0]
    for i, (g, w) in enumerate(pairs):
        rest -= g * w
        low += w
        level = (need - rest) / low
        if i + 1 == len(pairs) or level <= pairs[i + 1][0]:
            break
    return level


class _Row:
    """Gaps and caption lines, chosen left to right (see `place`)."""

    def __init__(self, shapes: Sequence[Sized]) -> None:
        self.shapes = shapes
        self.gaps: list[float] = []
        self.xs: list[float] = []

    def add(self, gap: float) -> None:
        k = len(self.xs)
        self.gaps.append(gap)
        self.xs.append(0.0 if k == 0 else self.xs[k - 1] + self.shapes[k - 1].foot + gap)

    def center(self, k: int) -> float:
        """Caption centre of gap k: the middle between shape k-1's foot and shape k."""
        return self.xs[k] - self.gaps[k] / 2

    def widen(self, j: int, k: int, need: float, apply: bool) -> float:
        """Raise gaps j..k evenly until captions j and k are `need` apart; the growth."""
        span = range(j, k + 1)
        weights = [0.5 if i in (j, k) else 1.0 for i in span]
        feet = sum(self.shapes[i].foot for i in range(j, k))
        old = [self.gaps[i] for i in span]
        level = _level(old, weights, need - feet)
        new = [max(g, level) for g in old]
        if apply:
            for i, g in zip(span, new, strict=True):
                self.gaps[i] = g
            for i in range(max(1, j), k + 1):
                self.xs[i] = self.xs[i - 1] + self.shapes[i - 1].foot + self.gaps[i]
        return sum(new) - sum(old)


def place(shapes: Sequence[Sized], boxes: Sequence[Sequence[Box]], spacing: Sequence[float],
          halves: Sequence[float], size: float, stagger: bool) -> Placement:  # fmt: skip
    """Choose each shape's x and each caption's line, left to right.

    Gap k runs from shape k-1's foot to shape k; its caption (half-width
    `halves[k]`, 0 for none) sits in the middle. A gap first gets the least room
    that keeps boxes apart. When a caption would touch the one before it on its
    line (index j), the gaps j..k are raised evenly (smallest first) just enough,
    which spaces crowded layers evenly; raising a gap only moves later things
    right, so no earlier check is undone.
    """
    pad = size * 0.6
    row = _Row(shapes)
    lines: list[int] = [0] * len(shapes)
    last: list[int | None] = [None, None]
    for k in range(len(shapes)):
        if k == 0:
            row.add(0.0)
            continue
        foot = row.xs[k - 1] + shapes[k - 1].foot
        floor = row.xs[k - 1] + shapes[k - 1].width + spacing[k]
        row.add(_least_x(row.xs, boxes, boxes[k], floor, pad) - foot)
        if not halves[k]:
            continue
        growth: list[float] = []
        for j in last:
            if j is None:
                growth.append(0.0)
                continue
            need = halves[j] + size + halves[k]
            growth.append(row.widen(j, k, need, False) if row.center(k) - row.center(j) < need
                          else 0.0)  # fmt: skip
        if growth[0] <= 0 or not stagger:
            line = 0
        elif growth[1] <= 0:
            line = 1
        else:
            line = 0 if growth[0] <= growth[1] else 1
        j = last[line]
        if j is not None and growth[line] > 0:
            row.widen(j, k, halves[j] + size + halves[k], True)
        lines[k] = line
        last[line] = k
    centres = tuple(row.center(k) if k else 0.0 for k in range(len(shapes)))
    return Placement(tuple(row.xs), centres, tuple(lines))
