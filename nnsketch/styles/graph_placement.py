"""Coordinates for the graph style: where each node sits across its rank, and where ranks sit.

Works in abstract axes: *cross* runs along a rank (x when drawing top to bottom),
*along* runs from rank to rank. Nodes are centred at their cross coordinate; two
neighbours in a rank keep at least half of each one's cross size plus a gap apart.

Cross coordinates follow Brandes and Köpf (2001): nodes are aligned into vertical
blocks, blocks are compacted against each other, and four variants (aligning up
or down, compacting left or right) are balanced by averaging the middle two. Two
changes make network diagrams read well: the main chain and the inner segments of
long edges are aligned first and the same way in every variant, so they stay
straight; the other nodes align with their median neighbours as in the paper,
which centres a fan-out over its branches. If balancing ever breaks a spacing,
the narrowest single variant is used instead. Linear in the number of nodes and
edges, apart from the small sorted lists that check alignments for crossings.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Sequence
from itertools import pairwise

from .graph_layering import Layered

Sep = Callable[[int, int], float]


def _fixed_alignment(lay: Layered, pos: list[int]) -> tuple[list[int], list[int]]:
    """(node above, node below) each node is aligned with in every variant, or -1."""
    candidates: list[tuple[int, int, int, int, int, int]] = []
    for e, chain in enumerate(lay.chains):
        last = len(chain) - 1
        for i, (a, b) in enumerate(pairwise(chain)):
            a_real, b_real = i == 0, i + 1 == last
            if a_real and b_real:
                ok, priority = lay.main_out[e] and lay.main_in[e], 0
            elif not a_real and not b_real:
                ok, priority = True, 1
            else:
                ok, priority = (lay.main_out[e] if a_real else lay.main_in[e]), 2
            if ok:
                candidates.append((priority, lay.rank[a], pos[a], pos[b], a, b))
    candidates.sort()
    above = [-1] * lay.size
    below = [-1] * lay.size
    taken: dict[int, list[tuple[int, int]]] = {}
    for _, r, pa, pb, a, b in candidates:
        if below[a] != -1 or above[b] != -1:
            continue
        if _crosses(taken.setdefault(r, []), pa, pb):
            continue
        bisect.insort(taken[r], (pa, pb))
        below[a], above[b] = b, a
    return above, below


def _crosses(accepted: list[tuple[int, int]], pa: int, pb: int) -> bool:
    """Would the segment (pa -> pb) cross one of the accepted, sorted by pa?"""
    i = bisect.bisect(accepted, (pa, pb))
    if i > 0 and accepted[i - 1][1] >= pb:
        return True
    return i < len(accepted) and accepted[i][1] <= pb


def _variant(lay: Layered, up: list[list[int]], down: list[list[int]], fixed: tuple[list[int],
             list[int]], sep: Sep, downward: bool, leftward: bool) -> list[float]:  # fmt: skip
    """One Brandes-Köpf layout: align (up or down), then compact (left or right)."""
    layers = [list(layer) for layer in lay.layers]
    if not leftward:
        layers = [layer[::-1] for layer in layers]
    pos = [0] * lay.size
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    sweep = layers if downward else layers[::-1]
    nbrs = up if downward else down
    prev_link, next_link = (list(fixed[0]), list(fixed[1])) if downward else (
        list(fixed[1]), list(fixed[0]))  # fmt: skip
    for k in range(1, len(sweep)):
        accepted = sorted((pos[prev_link[v]], pos[v]) for v in sweep[k] if prev_link[v] != -1)
        for v in sweep[k]:
            if prev_link[v] != -1 or not nbrs[v]:
                continue
            ns = sorted(nbrs[v], key=pos.__getitem__)
            d = len(ns)
            for m in sorted({(d - 1) // 2, d // 2}):
                u = ns[m]
                if (
                    prev_link[v] == -1
                    and next_link[u] == -1
                    and not _crosses(accepted, pos[u], pos[v])
                ):
                    bisect.insort(accepted, (pos[u], pos[v]))
                    prev_link[v], next_link[u] = u, v
    root = list(range(lay.size))
    for layer in sweep:
        for v in layer:
            if prev_link[v] != -1:
                root[v] = root[prev_link[v]]
    succ: dict[int, dict[int, float]] = {}
    pred: dict[int, dict[int, float]] = {}
    for layer in layers:
        for a, b in pairwise(layer):
            ra, rb = root[a], root[b]
            gap = sep(a, b)
            if succ.setdefault(ra, {}).get(rb, -1.0) < gap:
                succ[ra][rb] = gap
                pred.setdefault(rb, {})[ra] = gap
    roots = sorted({root[v] for layer in layers for v in layer})
    pending = {r: len(pred.get(r, {})) for r in roots}
    ready = [r for r in roots if not pending[r]]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        r = heapq.heappop(ready)
        order.append(r)
        for s in succ.get(r, {}):
            pending[s] -= 1
            if not pending[s]:
                heapq.heappush(ready, s)
    if len(order) != len(roots):
        raise ValueError("block constraints form a cycle")
    xs: dict[int, float] = {}
    for r in order:
        xs[r] = max((xs[p] + g for p, g in pred.get(r, {}).items()), default=0.0)
    for r in reversed(order):
        if succ.get(r):
            xs[r] = max(xs[r], min(xs[s] - g for s, g in succ[r].items()))
    sign = 1.0 if leftward else -1.0
    return [sign * xs[root[v]] for v in range(lay.size)]


def _feasible(lay: Layered, x: Sequence[float], sep: Sep) -> bool:
    return all(x[b] - x[a] >= sep(a, b) - 1e-6 for layer in lay.layers for a, b in pairwise(layer))


def cross_positions(lay: Layered, size: Sequence[float], sep: Sep) -> list[float]:
    """Centre of every node across its rank; the leftmost extent is 0."""
    pos = [0] * lay.size
    for layer in lay.layers:
        for i, v in enumerate(layer):
            pos[v] = i
    up: list[list[int]] = [[] for _ in range(lay.size)]
    down: list[list[int]] = [[] for _ in range(lay.size)]
    for chain in lay.chains:
        for a, b in pairwise(chain):
            down[a].append(b)
            up[b].append(a)
    fixed = _fixed_alignment(lay, pos)
    try:
        variants = [
            _variant(lay, up, down, fixed, sep, downward, leftward)
            for downward in (True, False)
            for leftward in (True, False)
        ]
    except ValueError:
        loose = ([-1] * lay.size, [-1] * lay.size)
        variants = [
            _variant(lay, up, down, loose, sep, downward, leftward)
            for downward in (True, False)
            for leftward in (True, False)
        ]
    nodes = [v for layer in lay.layers for v in layer]
    if not nodes:
        return [0.0] * lay.size

    def extent(x: list[float]) -> tuple[float, float]:
        return min(x[v] - size[v] / 2 for v in nodes), max(x[v] + size[v] / 2 for v in nodes)

    spans = [extent(x) for x in variants]
    best = min(range(4), key=lambda i: (spans[i][1] - spans[i][0], i))
    lo, hi = spans[best]
    shifted = []
    for i, x in enumerate(variants):
        delta = lo - spans[i][0] if i % 2 == 0 else hi - spans[i][1]
        shifted.append([c + delta for c in x])
    balanced = [0.0] * lay.size
    for v in nodes:
        four = sorted(x[v] for x in shifted)
        balanced[v] = (four[1] + four[2]) / 2
    result = balanced if _feasible(lay, balanced, sep) else shifted[best]
    left = extent(result)[0]
    return [c - left for c in result]


def rank_bands(lay: Layered, thickness: Sequence[float], cross: Sequence[float],
               base_gap: float, max_gap: float) -> list[tuple[float, float]]:  # fmt: skip
    """(start, end) of every rank along the flow: as thick as its thickest node, and
    the gap after it grows with how far its edges travel across (so curves stay gentle)."""
    nranks = len(lay.layers)
    reach = [0.0] * nranks
    for chain in lay.chains:
        for a, b in pairwise(chain):
            r = lay.rank[a]
            reach[r] = max(reach[r], abs(cross[a] - cross[b]))
    bands: list[tuple[float, float]] = []
    start = 0.0
    for r, layer in enumerate(lay.layers):
        thick = max((thickness[v] for v in layer), default=0.0)
        bands.append((start, start + thick))
        start += thick + min(max_gap, max(base_gap, 0.3 * reach[r]))
    return bands
