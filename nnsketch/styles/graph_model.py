"""What the graph style draws: one box per kept layer, and the edges between boxes.

Two options change which layers get a box of their own. `collapse_repeats` keeps
the first copy of every repeat block with more than one copy; edges into or out
of later copies move to the matching layer of the first copy, and the edges that
chain one copy to the next disappear. `fold_inplace` then folds activation, norm
and dropout layers into the layer they follow when that layer feeds nothing else
(Caffe's in-place layers, as Netscope draws them); the consumers of a folded
layer take their input from its host. Every edge goes forward in the network's
topological order, so the result is always a DAG, and no edge is listed twice.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..analysis import LayerInfo, Network

FOLDABLE = frozenset({"activation", "norm", "dropout"})


@dataclass(frozen=True, slots=True)
class Item:
    """One drawn box: its layer, the layers folded into it, its collapsed block."""

    info: LayerInfo
    folded: tuple[LayerInfo, ...] = ()
    block: int = -1

    @property
    def params(self) -> int:
        return self.info.params + sum(f.params for f in self.folded)

    @property
    def macs(self) -> int:
        return self.info.macs + sum(f.macs for f in self.folded)

    @property
    def output(self) -> LayerInfo:
        """The layer whose output leaves the box (the last folded one, or the host)."""
        return self.folded[-1] if self.folded else self.info


@dataclass(frozen=True, slots=True)
class Block:
    """A collapsed repeat block: its name, number of copies and boxes."""

    name: str
    count: int
    items: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class View:
    """The boxes in layer order, the edges between them (item indices), the blocks."""

    items: tuple[Item, ...]
    edges: tuple[tuple[int, int], ...]
    blocks: tuple[Block, ...]


def _topological_positions(net: Network) -> list[int]:
    """Each layer's place in a topological order (ties broken by index)."""
    n = len(net.layers)
    pending = [len(set(info.inputs)) for info in net.layers]
    consumers: list[list[int]] = [[] for _ in range(n)]
    for info in net.layers:
        for src in set(info.inputs):
            consumers[src].append(info.index)
    ready = [i for i in range(n) if pending[i] == 0]
    heapq.heapify(ready)
    place = [0] * n
    k = 0
    while ready:
        i = heapq.heappop(ready)
        place[i] = k
        k += 1
        for dst in consumers[i]:
            pending[dst] -= 1
            if pending[dst] == 0:
                heapq.heappush(ready, dst)
    return place


def _collapse(net: Network) -> tuple[list[int], dict[str, int]]:
    """Representative layer of each layer, and the copy count of each collapsed block."""
    counts: dict[str, int] = {}
    for info in net.layers:
        if info.group is not None:
            counts[info.group] = max(counts.get(info.group, 0), info.copy)
    counts = {g: c for g, c in counts.items() if c > 1}
    first: dict[tuple[str, int], list[int]] = {}
    for info in net.layers:
        if info.group in counts:
            first.setdefault((info.group, info.copy), []).append(info.index)
    rep = list(range(len(net.layers)))
    for (group, copy), members in first.items():
        if copy > 1:
            base = first.get((group, 1), [])
            for local, i in enumerate(members):
                if local < len(base):
                    rep[i] = base[local]
    return rep, counts


def _block(info: LayerInfo, counts: dict[str, int]) -> str | None:
    return info.group if info.group in counts else None


def build_view(net: Network, collapse: bool, fold: bool) -> View:
    """The boxes and edges to draw under the collapse and fold options."""
    layers = net.layers
    place = _topological_positions(net)
    rep, counts = _collapse(net) if collapse else (list(range(len(layers))), {})
    kept = [info.index for info in layers if rep[info.index] == info.index]
    edges: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for info in layers:
        for src in info.inputs:
            a, b = rep[src], rep[info.index]
            s, t = layers[src], info
            chaining = s.group is not None and s.group == t.group and s.copy != t.copy
            if chaining and s.group in counts:
                continue
            if a == b or place[a] >= place[b] or (a, b) in seen:
                continue
            seen.add((a, b))
            edges.append((a, b))
    host = {i: i for i in kept}
    folded: dict[int, list[LayerInfo]] = {i: [] for i in kept}
    if fold:
        ins: dict[int, list[int]] = {i: [] for i in kept}
        outs: dict[int, list[int]] = {i: [] for i in kept}
        for a, b in edges:
            ins[b].append(a)
            outs[a].append(b)
        for i in sorted(kept, key=lambda k: place[k]):
            info = layers[i]
            if info.type not in FOLDABLE or len(ins[i]) != 1:
                continue
            h = ins[i][0]
            if outs[h] != [i] or _block(layers[h], counts) != _block(info, counts):
                continue
            host[i] = host[h]
            folded[host[i]].append(info)
    hosts = [i for i in kept if host[i] == i]
    item_of = {layer: k for k, layer in enumerate(hosts)}
    block_ids = {g: k for k, g in enumerate(counts)}
    items = tuple(
        Item(layers[i], tuple(folded[i]), block_ids.get(layers[i].group or "", -1)) for i in hosts
    )
    view_edges: list[tuple[int, int]] = []
    seen.clear()
    for a, b in edges:
        e = (item_of[host[a]], item_of[host[b]])
        if e[0] != e[1] and e not in seen:
            seen.add(e)
            view_edges.append(e)
    blocks = tuple(
        Block(g, c, tuple(k for k, it in enumerate(items) if it.block == block_ids[g]))
        for g, c in counts.items()
    )
    return View(items, tuple(view_edges), blocks)
