"""Tracing a PyTorch module into a list of `Op`s, without real compute.

The module is copied with every parameter and buffer replaced by a tensor on the
``meta`` device (the copy shares no storage and allocates none), and run on a
``meta`` input: shapes propagate, no arithmetic happens. First choice is
``torch.fx`` symbolic tracing plus shape propagation, which sees functional ops
(``x + identity``, ``torch.cat``) as nodes. Modules fx cannot trace (data-dependent
control flow) fall back to forward hooks on leaf modules plus a
`TorchFunctionMode` that records the functional ops called between them; tensors
are matched by identity, so in-place ops (``out += x``) re-point their tensor.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .common import Budget, ModelTooLarge

INPUT = "@input"


@dataclass(slots=True)
class Op:
    """One traced call: a leaf module or a function, its tensor ins and outs."""

    kind: str  # "input" | "module" | "function" | "method" | "const"
    target: Any  # the module, the function, or the method name
    name: str
    inputs: list[str]
    outputs: list[str]
    shapes: list[tuple[int, ...] | None] = field(default_factory=list)
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def meta_copy(torch: Any, model: Any) -> Any:
    """A deep copy of `model` whose parameters and buffers live on the meta device."""
    memo: dict[int, Any] = {}
    for p in model.parameters():
        memo[id(p)] = torch.nn.Parameter(
            torch.empty_like(p, device="meta"), requires_grad=p.requires_grad
        )
    for b in model.buffers():
        memo[id(b)] = torch.empty_like(b, device="meta")
    return copy.deepcopy(model, memo)


def _shape(value: Any) -> tuple[int, ...] | None:
    shape = getattr(value, "shape", None)
    return tuple(int(d) for d in shape) if shape is not None else None


def _nodes_in(value: Any, node_type: type) -> Iterator[Any]:
    if isinstance(value, node_type):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _nodes_in(v, node_type)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _nodes_in(v, node_type)


def fx_ops(torch: Any, meta: Any, x: Any, budget: Budget) -> list[Op]:
    """Symbolic trace + shape propagation on meta tensors; raises when fx cannot trace."""
    from torch.fx import Node, symbolic_trace
    from torch.fx.passes.shape_prop import ShapeProp

    gm = symbolic_trace(meta)
    budget.check_nodes(len(gm.graph.nodes), "traced operations")
    ShapeProp(gm).propagate(x)
    ops: list[Op] = []
    first = True
    for node in gm.graph.nodes:
        budget.tick()
        meta_info = node.meta.get("tensor_meta")
        shapes = [tuple(int(d) for d in meta_info.shape)] if hasattr(meta_info, "shape") else []
        if not shapes and isinstance(meta_info, tuple | list):
            shapes = [
                tuple(int(d) for d in m.shape) if hasattr(m, "shape") else None for m in meta_info
            ]
        ins = [n.name for n in _nodes_in((node.args, node.kwargs), Node)]
        if node.op == "placeholder":
            ops.append(Op("input" if first else "const", None, node.name, [], [node.name], shapes))
            first = False
        elif node.op == "get_attr" or node.op == "output":
            if node.op == "get_attr":
                ops.append(Op("const", None, node.name, [], [node.name]))
        elif node.op == "call_module":
            ops.append(
                Op(
                    "module",
                    gm.get_submodule(node.target),
                    str(node.target),
                    ins,
                    [node.name],
                    shapes,
                    node.args,
                    dict(node.kwargs),
                )
            )
        else:
            kind = "function" if node.op == "call_function" else "method"
            ops.append(
                Op(
                    kind,
                    node.target,
                    node.name,
                    ins,
                    [node.name],
                    shapes,
                    node.args,
                    dict(node.kwargs),
                )
            )
    return ops


_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "ParameterList"})


def _is_leaf(module: Any) -> bool:
    """Modules whose insides are not drawn: no children, or torch.nn's own layers."""
    if not list(module.children()):
        return True
    cls = type(module)
    return cls.__module__.startswith("torch.nn.") and cls.__name__ not in _CONTAINERS


def hook_ops(torch: Any, meta: Any, x: Any, budget: Budget) -> list[Op]:
    """Forward hooks on leaf modules plus a function mode for the ops between them."""
    from torch.overrides import TorchFunctionMode

    ops: list[Op] = [Op("input", None, "input", [], [INPUT], [tuple(x.shape)])]
    ids: dict[int, str] = {id(x): INPUT}
    alive: list[Any] = [x]
    depth = [0]
    names = {id(m): n for n, m in meta.named_modules()}

    def keys(values: Any) -> list[str]:
        found: list[str] = []
        for v in _tensors(torch, values):
            key = ids.get(id(v))
            if key is not None and key not in found:
                found.append(key)
        return found

    def record(kind: str, target: Any, name: str, args: Any, kwargs: Any, out: Any) -> None:
        if len(ops) > budget.max_nodes:
            raise ModelTooLarge.file(
                f"the module runs more than {budget.max_nodes:,} operations (the import limit)"
            )
        outs = list(_tensors(torch, out))
        if not outs:
            return
        key = f"{name}#{len(ops)}"
        ins = keys((args, kwargs))  # before the outputs: an in-place op returns its input
        for k, t in enumerate(outs):
            ids[id(t)] = key if k == 0 else f"{key}.{k}"
            alive.append(t)
        ops.append(
            Op(
                kind if ins else "const",
                target,
                name,
                ins,
                [key, *(f"{key}.{k}" for k in range(1, len(outs)))],
                [_shape(t) for t in outs],
                tuple(args),
                dict(kwargs or {}),
            )
        )

    def pre(module: Any, args: Any) -> None:
        depth[0] += 1

    def post(module: Any, args: Any, out: Any) -> None:
        depth[0] -= 1
        if depth[0] == 0:
            record("module", module, names.get(id(module), type(module).__name__), args, {}, out)

    class Mode(TorchFunctionMode):
        def __torch_function__(
            self, func: Callable[..., Any], types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            result = func(*args, **(kwargs or {}))
            if depth[0] == 0:
                budget.tick()
                name = getattr(func, "__name__", "op")
                record("function", func, name, args, kwargs or {}, result)
            return result

    handles = []
    for module in meta.modules():
        if _is_leaf(module):
            handles.append(module.register_forward_pre_hook(pre))
            handles.append(module.register_forward_hook(post))
    try:
        with Mode():
            meta(x)
    finally:
        for h in handles:
            h.remove()
    return ops


def _tensors(torch: Any, value: Any) -> Iterator[Any]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _tensors(torch, v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors(torch, v)


FUNCTION_NAMES: dict[Any, str] = {
    operator.add: "add",
    operator.iadd: "add",
    operator.mul: "mul",
    operator.imul: "mul",
    operator.sub: "sub",
    operator.truediv: "div",
    operator.getitem: "getitem",
    getattr: "getattr",
}


def function_name(target: Any) -> str:
    """A traced call's operation name: 'add', 'cat', 'relu', 'view', ..."""
    if isinstance(target, str):
        return target
    if target in FUNCTION_NAMES:
        return FUNCTION_NAMES[target]
    return str(getattr(target, "__name__", type(target).__name__))
