"""Levels of the alexnet style's U layout: which drawn tensors sit how far down.

An encoder-decoder halves its maps on the way down and doubles them on the way
up, so the resampling steps say the level. Walking the chain, a map that is
smaller than the map before it by a factor of 2**k (rounded; factors under
sqrt(2) count as none) goes k levels down, a larger one k levels up. 'Valid'
convolutions that trim a few pixels and crops keep their level, so an original
U-Net (572, 570, 568, 284, ...) lines its decoder up with its encoder. Vectors
(and anything without a map) keep the level before them. The top level is 0.

A network whose maps never grow back after their smallest size is not a U:
`levels` returns None and the style stays flat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

REGROW = math.sqrt(2.0)
"""Maps must grow back by at least this factor after the smallest to make a U."""


def levels(sizes: Sequence[int | None]) -> list[int] | None:
    """Level per drawn element (0 on top) from its map size, or None if not a U.

    `sizes` holds each element's larger map side, None for vectors and sizeless items.
    """
    known = [(i, s) for i, s in enumerate(sizes) if s is not None and s > 0]
    if len(known) < 3:
        return None
    smallest = min(s for _, s in known)
    bottom = next(i for i, s in known if s == smallest)
    if not any(i > bottom and s >= smallest * REGROW * (1 - 1e-9) for i, s in known):
        return None
    walk: list[int] = []
    level, last = 0, None
    for s in sizes:
        if s is not None and s > 0:
            if last is not None:
                level += round(math.log2(last / s))
            last = s
        walk.append(level)
    top = min(walk)
    return [w - top for w in walk]
