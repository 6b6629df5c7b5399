"""The U layout of the lenet style: encoder stages step down, decoder stages step up.

An item's level follows its spatial size: it sits on its input's level, one
level lower for every halving of the map side and one higher for every
doubling, so an encoder's stages descend, the bottleneck is lowest and each
decoder stage comes back to the level of the encoder stage of its size (where
the long skip joins it). Vectors and merges stay on their input's level. A
network that does not go down and come back up is not a U: it stays flat.

Levels become centre lines far enough apart that one level's shapes, cost
annotations and captions never reach the labels and skip lanes of the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..analysis import LayerInfo
from ..primitives import Box
from .lenet_skips import Graph, Skip


def _side(info: LayerInfo) -> float | None:
    out = info.output
    if out.height is None or out.width is None:
        return None
    return math.sqrt(max(1, out.height) * max(1, out.width))


def levels(infos: Sequence[LayerInfo], g: Graph) -> list[int] | None:
    """Level of each item (0 on top), or None when the sizes do not form a U."""
    n = len(infos)
    level = [0] * n
    for k in range(n):
        parent = _parent(k, infos, g)
        if parent is None:
            continue
        level[k] = level[parent]
        a, b = _side(infos[parent]), _side(infos[k])
        if a is not None and b is not None:
            level[k] += round(math.log2(a / b))
    low = min(level, default=0)
    level = [v - low for v in level]
    return level if _valley(level) else None


def _valley(level: Sequence[int]) -> bool:
    """True when some item lies deeper than an item before it and one after it."""
    before = [min(level[: k + 1]) for k in range(len(level))]
    after = [min(level[k:]) for k in range(len(level))]
    return any(before[k] < v > after[k] for k, v in enumerate(level))


def _parent(k: int, infos: Sequence[LayerInfo], g: Graph) -> int | None:
    """The item whose level an item starts from: the previous one if it feeds it."""
    if k in g.links:
        return k - 1
    owners = [g.owner[i] for i in infos[k].inputs if g.owner[i] < k]
    return owners[0] if owners else None


def offsets(level: Sequence[int], boxes: Sequence[Sequence[Box]], skips: Sequence[Skip],
            room: float, gap: float) -> list[float]:  # fmt: skip
    """Centre line of every item: each level below the one above it, bands apart.

    `boxes[k]` are item k's shape and text relative to its centre line; `room`
    is what a caption line under a level needs, `gap` the distance between lanes.
    """
    depth = max(level, default=0) + 1
    up = [0.0] * depth
    down = [0.0] * depth
    for k, v in enumerate(level):
        up[v] = max([up[v]] + [-b.y0 for b in boxes[k]])
        down[v] = max([down[v]] + [b.y1 for b in boxes[k]])
    lanes = [0] * depth
    for s in skips:
        lanes[min(level[s.src], level[s.dst])] += 1
    ys = [0.0] * depth
    for v in range(1, depth):
        ys[v] = ys[v - 1] + down[v - 1] + room + (lanes[v] + 1) * gap + up[v]
    return [ys[v] for v in level]
