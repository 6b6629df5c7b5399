"""Which layer feeds which: resolve `inputs` names and order the graph.

A layer without `inputs` takes the previous layer in the list (input layers take
none). Names may point anywhere in the list; the order used for inference is a
topological one, and a cycle or an unknown name is a located `SpecError` that names
the offending layers.
"""

from __future__ import annotations

import heapq

from .errors import Issue, SpecError
from .layers import InputLayer
from .spec import Spec


def default_names(spec: Spec) -> list[str]:
    """Each layer's name: its own, or type + counter (conv1, conv2, ...) avoiding clashes."""
    taken = {layer.name for layer in spec.layers if layer.name}
    counts: dict[str, int] = {}
    names: list[str] = []
    for layer in spec.layers:
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


def resolve_inputs(spec: Spec, names: list[str]) -> list[tuple[int, ...]]:
    """For each layer, the indices of the layers feeding it."""
    index = {name: i for i, name in enumerate(names)}
    issues: list[Issue] = []
    result: list[tuple[int, ...]] = []
    for i, layer in enumerate(spec.layers):
        if isinstance(layer, InputLayer):
            if layer.inputs:
                issues.append(Issue(f"layers[{i}].inputs", "an input layer takes no inputs"))
            result.append(())
            continue
        if layer.inputs is None:
            result.append((i - 1,) if i > 0 else ())
            continue
        found: list[int] = []
        for j, name in enumerate(layer.inputs):
            if name not in index:
                known = ", ".join(n for n in names[:i][-8:]) or "none"
                issues.append(
                    Issue(
                        f"layers[{i}].inputs[{j}]",
                        f"no layer named {name!r}; layers before this one: {known}",
                    )
                )
            elif index[name] == i:
                issues.append(Issue(f"layers[{i}].inputs[{j}]", f"{name!r} cannot feed itself"))
            elif index[name] in found:
                issues.append(Issue(f"layers[{i}].inputs[{j}]", f"{name!r} is listed twice"))
            else:
                found.append(index[name])
        result.append(tuple(found))
    if issues:
        raise SpecError(issues)
    return result


def topological_order(inputs: list[tuple[int, ...]], names: list[str]) -> list[int]:
    """Layer indices with every layer after its inputs; list order breaks ties."""
    n = len(inputs)
    pending = [len(set(srcs)) for srcs in inputs]
    consumers: list[list[int]] = [[] for _ in range(n)]
    for dst, srcs in enumerate(inputs):
        for src in set(srcs):
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
        stuck = [i for i in range(n) if pending[i] > 0]
        cycle = _find_cycle(inputs, set(stuck))
        path = " -> ".join(names[i] for i in cycle)
        raise SpecError.at(
            f"layers[{cycle[0]}].inputs",
            f"the inputs form a cycle: {path}; a layer cannot depend on its own output",
        )
    return order


def _find_cycle(inputs: list[tuple[int, ...]], stuck: set[int]) -> list[int]:
    """One cycle among the stuck layers, as a closed path of indices."""
    start = min(stuck)
    seen: dict[int, int] = {}
    path: list[int] = []
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(src for src in inputs[node] if src in stuck)
    cycle = path[seen[node] :]
    cycle.reverse()  # producer -> consumer order reads naturally
    return [*cycle, cycle[0]]
