"""Ranks and orders for the graph style: the first phases of a layered (Sugiyama) layout.

Nodes 0..n-1 are the drawn boxes; edges point from producer to consumer and form a
DAG. Ranks come from the longest path from the sources; a second input and the
layers only it feeds sit just above where they join the rest. An edge spanning k
ranks gets k - 1 virtual nodes, one per rank it passes, so its route runs through a
channel reserved for it.

An edge is *main* for its source when it starts the unique longest path leaving
the source, and main for its target when it ends the unique longest path arriving
there (path lengths count boxes). Main edges make the main chain: the placement
keeps it straight, and a fan-out with no main edge stays centred over its branches.

The order within each rank starts from a depth-first walk that follows a node's
main edge first, so the main chain comes first and skip connections fan out to one
side, nested ones outside the inner ones. When that order has crossings, barycenter
sweeps alternate down and up, each followed by adjacent swaps, and the order with
the fewest crossings wins. Ties keep the current order, so the result is
deterministic.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

MAX_SWEEPS = 24
PATIENCE = 4


@dataclass(frozen=True, slots=True)
class Layered:
    """Ranks (virtual nodes included), the order in each rank and each edge's chain."""

    n_real: int
    rank: tuple[int, ...]
    layers: tuple[tuple[int, ...], ...]
    chains: tuple[tuple[int, ...], ...]
    main_out: tuple[bool, ...]
    main_in: tuple[bool, ...]
    crossings: int

    @property
    def size(self) -> int:
        return len(self.rank)


def _adjacency(n: int, edges: list[tuple[int, int]]) -> tuple[list[list[int]], list[list[int]]]:
    """Edge ids leaving and entering each node, in edge order."""
    outs: list[list[int]] = [[] for _ in range(n)]
    ins: list[list[int]] = [[] for _ in range(n)]
    for e, (s, t) in enumerate(edges):
        outs[s].append(e)
        ins[t].append(e)
    return outs, ins


def topological(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Nodes with every edge going forward; lower index first among ready nodes."""
    outs, ins = _adjacency(n, edges)
    pending = [len(ins[v]) for v in range(n)]
    ready = [v for v in range(n) if not pending[v]]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for e in outs[v]:
            t = edges[e][1]
            pending[t] -= 1
            if not pending[t]:
                heapq.heappush(ready, t)
    if len(order) != n:
        raise ValueError("the graph has a cycle")
    return order


def main_flags(n: int, edges: list[tuple[int, int]]) -> tuple[list[bool], list[bool]]:
    """(main for the source, main for the target) of every edge."""
    outs, ins = _adjacency(n, edges)
    order = topological(n, edges)
    down = [1] * n
    up = [1] * n
    for v in order:
        for e in ins[v]:
            down[v] = max(down[v], down[edges[e][0]] + 1)
    for v in reversed(order):
        for e in outs[v]:
            up[v] = max(up[v], up[edges[e][1]] + 1)
    length = [down[s] + up[t] for s, t in edges]

    def unique_best(ids: list[int], flags: list[bool]) -> None:
        if ids:
            best = max(length[e] for e in ids)
            winners = [e for e in ids if length[e] == best]
            if len(winners) == 1:
                flags[winners[0]] = True

    main_out = [False] * len(edges)
    main_in = [False] * len(edges)
    for v in range(n):
        unique_best(outs[v], main_out)
        unique_best(ins[v], main_in)
    return main_out, main_in


def ranks(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Longest path from the sources. A second input, and what only it feeds, moves down
    to sit just above where it joins the rest (the main source starts the longest path)."""
    outs, ins = _adjacency(n, edges)
    order = topological(n, edges)
    rank = [0] * n
    for v in order:
        for e in ins[v]:
            rank[v] = max(rank[v], rank[edges[e][0]] + 1)
    up = [1] * n
    for v in reversed(order):
        for e in outs[v]:
            up[v] = max(up[v], up[edges[e][1]] + 1)
    sources = [v for v in range(n) if not ins[v]]
    main = max(sources, key=lambda v: (up[v], -v), default=-1)
    side = [False] * n
    for v in order:
        side[v] = v != main if not ins[v] else all(side[edges[e][0]] for e in ins[v])
    for v in reversed(order):
        if side[v] and outs[v]:
            rank[v] = min(rank[edges[e][1]] for e in outs[v]) - 1
    return rank


def _initial_order(
    n: int,
    edges: list[tuple[int, int]],
    chains: list[tuple[int, ...]],
    rank: list[int],
    main_out: list[bool],
    nranks: int,
) -> list[list[int]]:
    """Depth-first from the sources in index order, main edges first."""
    outs, ins = _adjacency(n, edges)
    for v in range(n):
        outs[v].sort(key=lambda e: (not main_out[e], edges[e][1], e))
    layers: list[list[int]] = [[] for _ in range(nranks)]
    seen = [False] * n
    for root in [v for v in range(n) if not ins[v]] + list(range(n)):
        if seen[root]:
            continue
        seen[root] = True
        layers[rank[root]].append(root)
        stack = [(root, iter(outs[root]))]
        while stack:
            e = next(stack[-1][1], None)
            if e is None:
                stack.pop()
                continue
            chain = chains[e]
            for x in chain[1:-1]:
                layers[rank[x]].append(x)
            t = chain[-1]
            if not seen[t]:
                seen[t] = True
                layers[rank[t]].append(t)
                stack.append((t, iter(outs[t])))
    return layers


def _inversions(values: list[int], size: int) -> int:
    """Pairs i < j with values[i] > values[j] (Fenwick tree over positions)."""
    tree = [0] * (size + 1)
    count = 0
    for seen_so_far, v in enumerate(values):
        i = v + 1
        below = 0
        while i > 0:
            below += tree[i]
            i -= i & -i
        count += seen_so_far - below
        i = v + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def crossings(layers: list[list[int]], chains: Sequence[tuple[int, ...]], size: int) -> int:
    """Edge crossings of an order (each edge given as its chain of nodes)."""
    down: list[list[int]] = [[] for _ in range(size)]
    for chain in chains:
        for a, b in pairwise(chain):
            down[a].append(b)
    return _crossings(layers, down, _positions(layers, size))


def _crossings(layers: list[list[int]], down: list[list[int]], pos: list[int]) -> int:
    """Edge crossings between all pairs of neighbouring ranks."""
    total = 0
    for r in range(len(layers) - 1):
        pairs = sorted((pos[u], pos[v]) for u in layers[r] for v in down[u])
        total += _inversions([b for _, b in pairs], len(layers[r + 1]))
    return total


def _barycenter(layer: list[int], nbrs: list[list[int]], pos: list[int]) -> list[int]:
    """Nodes with neighbours sorted by their mean position; the others keep their slots."""
    keyed = sorted(
        (sum(pos[u] for u in nbrs[v]) / len(nbrs[v]), i, v) for i, v in enumerate(layer) if nbrs[v]
    )
    movable = iter(v for _, _, v in keyed)
    return [v if not nbrs[v] else next(movable) for v in layer]


def _pair_crossings(a: int, b: int, nbrs: list[list[int]], pos: list[int]) -> int:
    return sum(1 for x in nbrs[a] for y in nbrs[b] if pos[x] > pos[y])


def _transpose(layers: list[list[int]], up: list[list[int]], down: list[list[int]],
               pos: list[int]) -> None:  # fmt: skip
    """Swap neighbours in a rank while that removes crossings (a few passes at most)."""
    for _ in range(4):
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                a, b = layer[i], layer[i + 1]
                now = _pair_crossings(a, b, up, pos) + _pair_crossings(a, b, down, pos)
                swapped = _pair_crossings(b, a, up, pos) + _pair_crossings(b, a, down, pos)
                if swapped < now:
                    layer[i], layer[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    improved = True
        if not improved:
            return


def _positions(layers: list[list[int]], size: int) -> list[int]:
    pos = [0] * size
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    return pos


def layer_graph(n: int, edges: list[tuple[int, int]]) -> Layered:
    """Ranks, virtual nodes and a low-crossing order for a DAG of n boxes."""
    rank = ranks(n, edges)
    main_out, main_in = main_flags(n, edges)
    chains: list[tuple[int, ...]] = []
    for s, t in edges:
        chain = [s]
        for r in range(rank[s] + 1, rank[t]):
            chain.append(len(rank))
            rank.append(r)
        chains.append((*chain, t))
    size = len(rank)
    nranks = max(rank, default=-1) + 1
    up: list[list[int]] = [[] for _ in range(size)]
    down: list[list[int]] = [[] for _ in range(size)]
    for chain in chains:
        for a, b in pairwise(chain):
            down[a].append(b)
            up[b].append(a)
    layers = _initial_order(n, edges, chains, rank, main_out, nranks)
    pos = _positions(layers, size)
    best = [list(layer) for layer in layers]
    best_count = _crossings(layers, down, pos)
    stale = 0
    for sweep in range(MAX_SWEEPS):
        if best_count == 0 or stale >= PATIENCE:
            break
        if sweep % 2 == 0:
            for r in range(1, nranks):
                layers[r] = _barycenter(layers[r], up, pos)
                _update(pos, layers[r])
        else:
            for r in range(nranks - 2, -1, -1):
                layers[r] = _barycenter(layers[r], down, pos)
                _update(pos, layers[r])
        _transpose(layers, up, down, pos)
        count = _crossings(layers, down, pos)
        if count < best_count:
            best, best_count, stale = [list(layer) for layer in layers], count, 0
        else:
            stale += 1
    return Layered(
        n, tuple(rank), tuple(tuple(layer) for layer in best), tuple(chains),
        tuple(main_out), tuple(main_in), best_count,
    )  # fmt: skip


def _update(pos: list[int], layer: list[int]) -> None:
    for i, v in enumerate(layer):
        pos[v] = i
