"""A uniform-grid index of boxes, so "what is near this label?" costs O(neighbours).

Label placement asks, for every candidate spot, whether anything already placed is
in the way. Scanning every placed box makes long networks quadratic; the grid
returns only the boxes in the cells a query touches. Results come back in insertion
order, so layouts stay deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Generic, TypeVar

from ..primitives import Box

T = TypeVar("T")

_MAX_CELLS = 4096
"""A box covering more cells than this is kept in a short list checked on every query."""


class BoxGrid(Generic[T]):
    """Boxes (with a payload) bucketed by the grid cells they cover."""

    def __init__(self, cell: float = 64.0) -> None:
        self.cell = cell
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._big: list[int] = []
        self._items: list[tuple[Box, T]] = []

    def _span(self, box: Box, gap: float) -> tuple[range, range]:
        c = self.cell
        xs = range(math.floor((box.x0 - gap) / c), math.floor((box.x1 + gap) / c) + 1)
        ys = range(math.floor((box.y0 - gap) / c), math.floor((box.y1 + gap) / c) + 1)
        return xs, ys

    def add(self, box: Box, item: T) -> None:
        index = len(self._items)
        self._items.append((box, item))
        xs, ys = self._span(box, 0.0)
        if len(xs) * len(ys) > _MAX_CELLS:
            self._big.append(index)
            return
        for cx in xs:
            for cy in ys:
                self._cells.setdefault((cx, cy), []).append(index)

    def near(self, box: Box, gap: float = 0.0) -> Iterator[tuple[Box, T]]:
        """Every stored box that may lie within `gap` of `box` (a superset, in order)."""
        xs, ys = self._span(box, gap)
        found: set[int] = set(self._big)
        if len(xs) * len(ys) > _MAX_CELLS:
            found.update(range(len(self._items)))
        else:
            for cx in xs:
                for cy in ys:
                    found.update(self._cells.get((cx, cy), ()))
        for index in sorted(found):
            yield self._items[index]

    def __len__(self) -> int:
        return len(self._items)
