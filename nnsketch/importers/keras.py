"""Keras ``model.to_json()`` (and a ``.keras`` zip's config.json) to a spec.

No TensorFlow or Keras needed: the JSON names every layer's class and config.
Sequential models chain their layers; Functional models wire them through
``inbound_nodes``, spelled ``[[["name", 0, 0, {}]]]`` in Keras 2 and
``[{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history":
["name", 0, 0]}}]}]`` in Keras 3. Layer calls are processed in dependency order
(a shared layer called twice becomes two spec layers). Nested models are inlined
with their name as a prefix. Keras 3 records each tensor's shape; those shapes
are given to the builder, so layers the spec has no type for still pass the right
size downstream.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..shapes import Shape
from .assemble import Imported, finish
from .builder import SpecBuilder
from .common import Budget, ModelFileError, clean_label, json_depth, shape_from_dims
from .keras_layers import plan

DEFAULT_SIZE = 224
MAX_NESTING = 8
_MODELS = {"Sequential", "Functional", "Model"}


@dataclass(slots=True)
class _Call:
    """One call of one layer: its tensors in and the key of its output."""

    layer: dict[str, Any]
    node: int
    inputs: list[str]
    key: str


def _dims(value: Any) -> list[int | None] | None:
    if not isinstance(value, list) or not value:
        return None
    out: list[int | None] = []
    for d in value:
        if d is None:
            out.append(None)
        elif isinstance(d, int) and not isinstance(d, bool):
            out.append(d)
        else:
            return None
    return out


def _history_key(history: Any, prefix: str) -> str | None:
    if isinstance(history, list) and len(history) >= 2 and isinstance(history[0], str):
        node = history[1] if isinstance(history[1], int) else 0
        return f"{prefix}{history[0]}:{node}"
    return None


class _Keras:
    def __init__(self, budget: Budget) -> None:
        self.b = SpecBuilder("keras", budget)
        self.known: dict[str, list[int | None]] = {}
        self.channels_first = False

    # -- shapes ----------------------------------------------------------------------------

    def shape_of(self, dims: list[int | None], source: str) -> Shape:
        size = list(dims)
        if len(size) >= 2 and any(d is None for d in size):
            spatial = range(1, len(size)) if self.channels_first else range(len(size) - 1)
            if all(size[i] is not None for i in range(len(size)) if i not in spatial):
                for i in spatial:
                    size[i] = size[i] or DEFAULT_SIZE
                self.b.warn(
                    f"{source}: the input size is not fixed; drawn as {DEFAULT_SIZE} "
                    "(edit the input layer)"
                )
        return shape_from_dims(size, source, self.channels_first)

    def known_shape(self, key: str, source: str) -> Shape | None:
        dims = self.known.get(key)
        if dims is None or any(d is None for d in dims):
            return None
        try:
            return shape_from_dims(dims, source, self.channels_first)
        except ModelFileError:
            return None

    def collect_known(self, value: Any, prefix: str) -> None:
        """Keras 3 tensors carry their shape: remember it for their producer."""
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            item, depth = stack.pop()
            self.b.budget.tick()
            if depth > 24:
                continue
            if isinstance(item, dict):
                cfg = item.get("config")
                if item.get("class_name") == "__keras_tensor__" and isinstance(cfg, dict):
                    key = _history_key(cfg.get("keras_history"), prefix)
                    dims = _dims(cfg.get("shape"))
                    if key and dims is not None:
                        self.known[key] = dims[1:]
                    continue
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list):
                stack.extend((v, depth + 1) for v in item)

    # -- models ----------------------------------------------------------------------------

    def model(self, top: dict[str, Any], prefix: str, outer: list[str], depth: int) -> str:
        """Add a Sequential/Functional model's layers; returns its output tensor key."""
        if depth > MAX_NESTING:
            raise ModelFileError.file(f"models nest more than {MAX_NESTING} deep")
        cls = top.get("class_name")
        config = top.get("config")
        layers = config if isinstance(config, list) else (config or {}).get("layers")
        if not isinstance(layers, list) or not all(isinstance(x, dict) for x in layers):
            raise ModelFileError.file(f"the {cls} model has no list of layers")
        self.b.budget.check_nodes(len(layers))
        for layer in layers:
            cfg = layer.get("config")
            if isinstance(cfg, dict) and cfg.get("data_format") == "channels_first":
                self.channels_first = True
        functional = any(layer.get("inbound_nodes") for layer in layers)
        if cls == "Sequential" or not functional:
            return self.sequential(top, layers, prefix, outer, depth)
        return self.functional(config, layers, prefix, outer, depth)

    def sequential(
        self,
        top: dict[str, Any],
        layers: list[dict[str, Any]],
        prefix: str,
        outer: list[str],
        depth: int,
    ) -> str:
        current = outer[0] if outer else None
        config = top.get("config") if isinstance(top.get("config"), dict) else {}
        for k, layer in enumerate(layers):
            nxt = layers[k + 1] if k + 1 < len(layers) else None
            build = nxt.get("build_config") if isinstance(nxt, dict) else None
            key = f"{prefix}{_name(layer, k)}:0"
            if isinstance(build, dict) and _dims(build.get("input_shape")):
                self.known[key] = (_dims(build.get("input_shape")) or [None])[1:]
            if current is None:
                dims = _input_dims(layer, config, top)
                if dims is None:
                    raise ModelFileError.file(
                        "the Sequential model does not say its input shape "
                        "(no InputLayer, batch_input_shape or build_input_shape)"
                    )
                current = f"{prefix}@input"
                shape = self.shape_of(dims[1:], "the model input")
                name = _name(layer, k) if layer.get("class_name") == "InputLayer" else "input"
                self.b.add_input(f"{prefix}{name}", shape, current)
                if layer.get("class_name") == "InputLayer":
                    continue
            elif layer.get("class_name") == "InputLayer":
                continue
            current = self.call(_Call(layer, 0, [current], key), prefix, depth)
        if current is None:
            raise ModelFileError.file("the model has no layers")
        return current

    def functional(
        self,
        config: dict[str, Any],
        layers: list[dict[str, Any]],
        prefix: str,
        outer: list[str],
        depth: int,
    ) -> str:
        calls: list[_Call] = []
        inputs_seen = 0
        last = ""
        for k, layer in enumerate(layers):
            name = _name(layer, k)
            self.collect_known(layer.get("inbound_nodes"), prefix)
            if layer.get("class_name") == "InputLayer":
                key = f"{prefix}{name}:0"
                if outer:
                    self.b.alias(key, outer[min(inputs_seen, len(outer) - 1)])
                else:
                    dims = _input_dims(layer, {}, {})
                    if dims is None:
                        raise ModelFileError.file(f"input {clean_label(name, 40)!r} has no shape")
                    self.b.add_input(prefix + name, self.shape_of(dims[1:], name), key)
                inputs_seen += 1
                continue
            nodes = layer.get("inbound_nodes") or []
            for node, inbound in enumerate(nodes if isinstance(nodes, list) else []):
                refs = _inbound_refs(inbound, prefix)
                calls.append(_Call(layer, node, refs, f"{prefix}{name}:{node}"))
        for call in _dependency_order(calls, set(self.b.tensors), self.b.budget):
            last = self.call(call, prefix, depth)
        outputs = config.get("output_layers")
        if isinstance(outputs, list) and outputs:
            first = outputs[0] if isinstance(outputs[0], list) else outputs
            key = _history_key(first, prefix)
            if key and self.b.has(key):
                return key
        return last

    def call(self, call: _Call, prefix: str, depth: int) -> str:
        layer, cls = call.layer, str(call.layer.get("class_name", ""))
        name = _name(layer, 0) + (f"_{call.node}" if call.node else "")
        source = f"layer {clean_label(name, 40)!r} ({clean_label(cls, 30)})"
        if not call.inputs:
            raise ModelFileError.file(f"{source} has no inputs")
        if cls in _MODELS:
            out = self.model(layer, f"{prefix}{name}.", call.inputs, depth + 1)
            self.b.alias(call.key, out)
            return call.key
        if call.node:
            self.b.warn(f"{source}: a shared layer; each call is drawn and counted")
        cfg = layer.get("config") if isinstance(layer.get("config"), dict) else {}
        src = self.b.shape(call.inputs[0])
        p = plan(cls, cfg, src, len(call.inputs), source)
        known = p.known or self.known_shape(call.key, source)
        args: dict[str, Any] = {"inputs": call.inputs, "outputs": [call.key], "source": source}
        if p.alias:
            self.b.alias(call.key, call.inputs[0])
        elif p.passthrough is not None:
            self.b.passthrough(
                p.passthrough,
                name=prefix + name,
                known=known,
                pad=p.pad,
                supported=p.supported,
                **args,
            )
        elif len(p.layers) == 2:
            inner = f"{call.key}#depthwise"
            self.b.add(
                p.layers[0],
                name=f"{prefix}{name}.depthwise",
                inputs=call.inputs,
                outputs=[inner],
                source=source,
            )
            self.b.add(
                p.layers[1],
                name=prefix + name,
                inputs=[inner],
                outputs=[call.key],
                source=source,
                known=known,
            )
        else:
            self.b.add(p.layers[0], name=prefix + name, known=known, **args)
        return call.key


def _name(layer: dict[str, Any], k: int) -> str:
    cfg = layer.get("config")
    name = layer.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None)
    return str(name) if isinstance(name, str) and name else f"layer{k}"


def _input_dims(
    layer: dict[str, Any], config: dict[str, Any], top: dict[str, Any]
) -> list[int | None] | None:
    cfg = layer.get("config") if isinstance(layer.get("config"), dict) else {}
    build = top.get("build_config") if isinstance(top.get("build_config"), dict) else {}
    layer_build = layer.get("build_config") if isinstance(layer.get("build_config"), dict) else {}
    for candidate in (
        cfg.get("batch_shape"),
        cfg.get("batch_input_shape"),
        config.get("build_input_shape"),
        build.get("input_shape"),
        layer_build.get("input_shape"),
    ):
        dims = _dims(candidate)
        if dims is not None and len(dims) >= 2:
            return dims
    shape = _dims(cfg.get("input_shape") or cfg.get("shape"))
    return [None, *shape] if shape else None


def _inbound_refs(inbound: Any, prefix: str) -> list[str]:
    """Tensor keys read by one inbound node, in Keras 2 or Keras 3 spelling."""
    refs: list[str] = []
    if isinstance(inbound, list):  # Keras 2: [["name", node, tensor, {kwargs}], ...]
        for entry in inbound:
            key = _history_key(entry, prefix)
            if key:
                refs.append(key)
        return refs
    if not isinstance(inbound, dict):
        return refs
    stack: list[tuple[Any, int]] = [(inbound.get("args", []), 0)]
    found: list[str] = []
    while stack:
        item, depth = stack.pop()
        if depth > 16:
            continue
        if isinstance(item, dict):
            cfg = item.get("config")
            if item.get("class_name") == "__keras_tensor__" and isinstance(cfg, dict):
                key = _history_key(cfg.get("keras_history"), prefix)
                if key:
                    found.append(key)
                continue
            stack.extend((v, depth + 1) for v in reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in reversed(item))
    return found


def _dependency_order(calls: list[_Call], ready: set[str], budget: Budget) -> list[_Call]:
    """Calls with every input produced before them (Kahn's algorithm, file order ties)."""
    waiting: dict[str, list[int]] = {}
    missing = [0] * len(calls)
    produced = {c.key for c in calls} | ready
    for i, call in enumerate(calls):
        for ref in set(call.inputs):
            if ref not in produced:
                raise ModelFileError.file(
                    f"layer {clean_label(call.key.rsplit(':', 1)[0], 40)!r} reads "
                    f"{clean_label(ref.rsplit(':', 1)[0], 40)!r}, which no layer produces"
                )
            if ref not in ready:
                waiting.setdefault(ref, []).append(i)
                missing[i] += 1
    queue = deque(i for i in range(len(calls)) if missing[i] == 0)
    order: list[_Call] = []
    while queue:
        budget.tick()
        i = queue.popleft()
        order.append(calls[i])
        for j in waiting.pop(calls[i].key, []):
            missing[j] -= 1
            if missing[j] == 0:
                queue.append(j)
    if len(order) < len(calls):
        raise ModelFileError.file("the layers' inbound nodes form a cycle")
    return order


def read_keras_config(
    config: Any, *, style: str | None = None, fold: bool | None = None, budget: Budget | None = None
) -> Imported:
    """A parsed Keras model config (``json.loads(model.to_json())``) as an imported spec."""
    budget = budget or Budget()
    if not isinstance(config, dict) or config.get("class_name") not in _MODELS:
        found = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        raise ModelFileError.file(
            "not a Keras model: expected class_name Sequential, Functional or Model, got "
            f"{clean_label(found, 40)!r}"
        )
    json_depth(config, 64)
    keras = _Keras(budget)
    keras.model(config, "", [], 0)
    cfg = config.get("config")
    title = cfg.get("name") if isinstance(cfg, dict) else None
    return finish(keras.b, clean_label(title or "Keras model"), style, fold)
