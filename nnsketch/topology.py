"""Which layer feeds which: expand repeat blocks, resolve `inputs`, order the graph.

The spec's list becomes a flat list of `Node`s: repeat blocks are copied `count`
times (copies named ``<block>.<k>.<layer>``). A layer without `inputs` takes the
previous node (input layers take none). Names may point anywhere; inference runs in
a topological order, and a cycle or an unknown name is a located `SpecError` that
names the offending layers.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

from .errors import Issue, LimitError, SpecError
from .layers import InputLayer, Layer, RepeatLayer
from .limits import LIMITS
from .spec import Spec

BLOCK_INPUT = "@input"


@dataclass(frozen=True, slots=True)
class Node:
    """One layer after expansion: where it came from and what feeds it."""

    layer: Layer
    name: str
    loc: str
    row: int
    inputs: tuple[int, ...]
    group: str | None = None
    copy: int = 0


def _names_for(layers: list[Any]) -> list[str]:
    """Each layer's name: its own, or type + counter (conv1, conv2, ...) avoiding clashes."""
    taken = {layer.name for layer in layers if layer.name}
    counts: dict[str, int] = {}
    names: list[str] = []
    for layer in layers:
        if layer.name:
            names.append(layer.name)
            continue
        n = counts.get(layer.type, 0)
        while True:
            n += 1
            candidate = f"{layer.type}{n}"
            if candidate not in taken:
                break
        counts[layer.type] = n
        taken.add(candidate)
        names.append(candidate)
    return names


def default_names(spec: Spec) -> list[str]:
    """Names of the spec's top-level layers (repeat blocks included)."""
    return _names_for(spec.layers)


@dataclass
class _Pending:
    layer: Layer
    name: str
    loc: str
    row: int
    refs: list[tuple[str, str]]  # (name to look up, loc of the reference)
    group: str | None
    copy: int


def _expand(spec: Spec) -> tuple[list[_Pending], dict[str, str]]:
    """Flatten repeat blocks; return pending nodes and block-name aliases."""
    top_names = default_names(spec)
    total = sum(
        layer.count * len(layer.layers) if isinstance(layer, RepeatLayer) else 1
        for layer in spec.layers
    )
    if total > LIMITS.max_layers:
        raise LimitError(
            [Issue("layers", f"the repeat blocks expand to {total:,} layers, more than "
                   f"{LIMITS.max_layers:,} (max_layers); lower a count")]
        )  # fmt: skip
    out: list[_Pending] = []
    aliases: dict[str, str] = {}
    prev: str | None = None
    for row, layer in enumerate(spec.layers):
        loc = f"layers[{row}]"
        if not isinstance(layer, RepeatLayer):
            if isinstance(layer, InputLayer):
                refs = [(n, f"{loc}.inputs[{j}]") for j, n in enumerate(layer.inputs or [])]
            elif layer.inputs is None:
                refs = [(prev, f"{loc}.inputs")] if prev else []
            else:
                refs = [(n, f"{loc}.inputs[{j}]") for j, n in enumerate(layer.inputs)]
            out.append(_Pending(layer, top_names[row], loc, row, refs, None, 0))
            prev = top_names[row]
            continue
        group = top_names[row]
        local = _names_for(layer.layers)
        block_input = prev
        for k in range(1, layer.count + 1):
            full = {n: f"{group}.{k}.{n}" for n in local}
            for j, inner in enumerate(layer.layers):
                iloc = f"{loc}.layers[{j}]"
                if inner.inputs is None:
                    src = prev if j > 0 else block_input
                    refs = [(src, f"{iloc}.inputs")] if src else []
                else:
                    refs = []
                    for m, ref in enumerate(inner.inputs):
                        target = block_input if ref == BLOCK_INPUT else full.get(ref, ref)
                        refs.append((target or BLOCK_INPUT, f"{iloc}.inputs[{m}]"))
                out.append(_Pending(inner, full[local[j]], iloc, row, refs, group, k))
                prev = full[local[j]]
            block_input = prev
        aliases[group] = prev or group
    return out, aliases


def expand(spec: Spec) -> list[Node]:
    """The flat, resolved node list; raises SpecError at unknown or self references."""
    pending, aliases = _expand(spec)
    index: dict[str, int] = {}
    issues: list[Issue] = []
    for i, p in enumerate(pending):
        if p.name in index or p.name in aliases:
            issues.append(Issue(f"{p.loc}.name", f"name {p.name!r} is used twice"))
        index[p.name] = i
    nodes: list[Node] = []
    for i, p in enumerate(pending):
        found: list[int] = []
        if isinstance(p.layer, InputLayer) and p.refs:
            issues.append(Issue(f"{p.loc}.inputs", "an input layer takes no inputs"))
        for ref, where in p.refs if not isinstance(p.layer, InputLayer) else []:
            target = aliases.get(ref, ref)
            if target not in index:
                known = ", ".join(q.name for q in pending[:i][-8:]) or "none"
                hint = ("; '@input' only works inside a repeat block" if ref == BLOCK_INPUT
                        else f"; layers before this one: {known}")  # fmt: skip
                issues.append(Issue(where, f"no layer named {ref!r}{hint}"))
            elif index[target] == i:
                issues.append(Issue(where, f"{ref!r} cannot feed itself"))
            elif index[target] in found:
                issues.append(Issue(where, f"{ref!r} is listed twice"))
            else:
                found.append(index[target])
        nodes.append(Node(p.layer, p.name, p.loc, p.row, tuple(found), p.group, p.copy))
    if issues:
        raise SpecError(issues)
    return nodes


def topological_order(nodes: list[Node]) -> list[int]:
    """Node indices with every node after its inputs; list order breaks ties."""
    n = len(nodes)
    pending = [len(set(node.inputs)) for node in nodes]
    consumers: list[list[int]] = [[] for _ in range(n)]
    for dst, node in enumerate(nodes):
        for src in set(node.inputs):
            consumers[src].append(dst)
    ready = [i for i in range(n) if pending[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for dst in consumers[i]:
            pending[dst] -= 1
            if pending[dst] == 0:
                heapq.heappush(ready, dst)
    if len(order) < n:
        stuck = {i for i in range(n) if pending[i] > 0}
        cycle = _find_cycle(nodes, stuck)
        path = " -> ".join(nodes[i].name for i in cycle)
        raise SpecError.at(
            f"{nodes[cycle[0]].loc}.inputs",
            f"the inputs form a cycle: {path}; a layer cannot depend on its own output",
        )
    return order


def _find_cycle(nodes: list[Node], stuck: set[int]) -> list[int]:
    """One cycle among the stuck nodes, as a closed path of indices."""
    seen: dict[int, int] = {}
    path: list[int] = []
    node = min(stuck)
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(src for src in nodes[node].inputs if src in stuck)
    cycle = path[seen[node] :]
    cycle.reverse()  # producer -> consumer order reads naturally
    return [*cycle, cycle[0]]
