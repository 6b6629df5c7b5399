"""ONNX (``.onnx``) to a spec, with the optional ``onnx`` package.

The file is parsed from bytes only (external data is never followed), shapes come
from the file's ``value_info`` or ``onnx.shape_inference``, and initializer sizes
give each layer's parameter count, checked against the spec's own count.
Constant sub-graphs (shape arithmetic, ``Constant`` nodes) are not drawn; an
element-wise op with one constant operand (a bias add, a scale) draws nothing;
``MatMul`` followed by a bias ``Add`` becomes one dense layer. Graphs with more
than `assemble.FOLD_ABOVE` layers fold norm and dropout boxes (`fold`).
"""

from __future__ import annotations

import math
from typing import Any

from ..shapes import Shape
from . import onnx_ops as ops
from .assemble import Imported, finish
from .builder import SpecBuilder
from .common import Budget, MissingExtra, ModelFileError, ModelTooLarge, clean_label
from .common import shape_from_dims as _shape_from_dims

DEFAULT_SIZE = 224


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise MissingExtra(
            "importing ONNX files needs the onnx package: pip install 'nnsketch[onnx]'"
        ) from None
    return onnx


def _dims(value_info: Any) -> list[int | None] | None:
    tensor = value_info.type.tensor_type if value_info.type.HasField("tensor_type") else None
    if tensor is None or not tensor.HasField("shape"):
        return None
    return [
        d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
        for d in tensor.shape.dim
    ]


def node_name(raw: str) -> str:
    """``/blocks/blocks.0/c1/Conv`` (PyTorch's export) -> ``blocks.0/c1/Conv``: a scope
    repeated as the next scope's prefix is said once."""
    parts = [p for p in raw.split("/") if p]
    kept = [
        p
        for k, p in enumerate(parts)
        if k + 1 >= len(parts) or not parts[k + 1].startswith(p + ".")
    ]
    return "/".join(kept) or raw


def _numel(dims: tuple[int, ...]) -> int:
    return math.prod(max(d, 0) for d in dims) if dims else 1


class _Onnx:
    def __init__(self, onnx: Any, model: Any, budget: Budget) -> None:
        self.onnx = onnx
        self.graph = model.graph
        self.b = SpecBuilder("onnx", budget)
        self.inits: dict[str, tuple[int, ...]] = {
            t.name: tuple(int(d) for d in t.dims) for t in self.graph.initializer
        }
        self.const: set[str] = set(self.inits)
        self.shapes: dict[str, list[int | None]] = {}
        self.consumers: dict[str, list[Any]] = {}
        self.folded: set[tuple[str, ...]] = set()

    # -- shapes ----------------------------------------------------------------------------

    def collect_shapes(self, inferred: Any) -> None:
        for vi in [*inferred.graph.value_info, *inferred.graph.output, *inferred.graph.input]:
            dims = _dims(vi)
            if dims is not None:
                self.shapes[vi.name] = dims

    def known(self, tensor: str) -> Shape | None:
        dims = self.shapes.get(tensor)
        if not dims or len(dims) < 2 or len(dims) > 4 or any(d is None for d in dims[1:]):
            return None
        try:
            return _shape_from_dims(list(dims[1:]), tensor)
        except ModelFileError:
            return None

    def rank(self, tensor: str) -> int | None:
        dims = self.shapes.get(tensor)
        return len(dims) if dims is not None else None

    # -- graph -----------------------------------------------------------------------------

    def inputs(self) -> None:
        for vi in self.graph.input:
            if vi.name in self.inits:
                continue
            dims = _dims(vi)
            source = f"input {clean_label(vi.name, 40)!r}"
            if dims is None or len(dims) < 2:
                raise ModelFileError.file(f"{source} has no usable shape (rank 2 to 4 needed)")
            sizes = list(dims[1:])
            if len(sizes) >= 2 and sizes[0] is not None and any(d is None for d in sizes[1:]):
                sizes = [sizes[0], *(d or DEFAULT_SIZE for d in sizes[1:])]
                self.b.warn(
                    f"{source}: the size is not fixed; drawn as {DEFAULT_SIZE} "
                    "(edit the input layer)"
                )
            self.b.add_input(vi.name, _shape_from_dims(sizes, source), vi.name, source)
        if not self.b.drafts:
            raise ModelFileError.file("the ONNX graph has no inputs besides its initializers")

    def run(self) -> None:
        for node in self.graph.node:
            for t in node.input:
                self.consumers.setdefault(t, []).append(node)
        for index, node in enumerate(self.graph.node):
            self.b.budget.tick()
            if tuple(node.output) in self.folded:
                continue
            self.node(index, node)

    def attrs(self, node: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr in node.attribute:
            if attr.type in (5, 10, 11, 13):  # tensors and graphs: not needed, maybe large
                continue
            out[attr.name] = self.onnx.helper.get_attribute_value(attr)
        return out

    def constant_dims(self, node: Any, outputs: list[str]) -> None:
        """Weights can arrive through Identity (shared initializers) or Constant nodes."""
        if node.op_type == "Identity" and node.input and node.input[0] in self.inits:
            self.inits[outputs[0]] = self.inits[node.input[0]]
        elif node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value" and attr.type == 4:  # a TensorProto
                    self.inits[outputs[0]] = tuple(int(d) for d in attr.t.dims)

    def params(self, node: Any) -> int | None:
        if node.op_type not in ops.PARAM_OPS:
            return None
        found = [self.inits[t] for t in node.input[1:] if t in self.inits]
        return sum(_numel(d) for d in found) if found else None

    def node(self, index: int, node: Any) -> None:
        op = node.op_type
        dyn = [t for t in node.input if t and t not in self.const]
        outputs = [t for t in node.output if t]
        if not dyn or op in ("Shape", "Size") or not outputs:
            self.const.update(outputs)
            self.constant_dims(node, outputs)
            return
        name = node_name(node.name) if node.name else f"{op}_{index}"
        source = f"node {clean_label(name, 40)!r} ({clean_label(op, 30)})"
        args: dict[str, Any] = {"name": name, "inputs": dyn, "outputs": outputs, "source": source}
        known = self.known(outputs[0])
        src = self.b.producer(dyn[0], source).shape
        attrs = self.attrs(node)
        params = self.params(node)
        b = self.b
        if op in ("Conv", "ConvTranspose"):
            weight = self.inits.get(node.input[1]) if len(node.input) > 1 else None
            has_bias = len(node.input) > 2 and bool(node.input[2])
            layer = ops.conv_layer(op, attrs, weight, has_bias, known)
            if layer is None:
                b.passthrough(op, known=known, params=params, **args)
            else:
                b.add(layer, known=known, params=params, **{**args, "inputs": dyn[:1]})
        elif op in (
            "MaxPool",
            "AveragePool",
            "LpPool",
            "GlobalAveragePool",
            "GlobalMaxPool",
            "GlobalLpPool",
        ):
            layer = ops.pool_layer(op, attrs)
            if layer is None:
                b.passthrough(op, known=known, **args)
            else:
                b.add(layer, known=known, **args)
        elif op in ("Gemm", "MatMul"):
            self.matmul(index, node, attrs, args, src, known, params)
        elif op in ops.ACTIVATIONS or op in ("Clip", "Softmax", "LogSoftmax"):
            b.add(
                ops.activation_layer(op, attrs),
                known=known,
                params=params,
                **{**args, "inputs": dyn[:1]},
            )
        elif op in ops.NORMS:
            b.add(
                {"type": "norm", "kind": ops.NORMS[op]},
                known=known,
                params=params,
                **{**args, "inputs": dyn[:1]},
            )
        elif op == "Dropout":
            ratio = attrs.get("ratio", 0.5)
            rate = min(max(float(ratio), 0.0), 0.99) if isinstance(ratio, float) else 0.5
            b.add({"type": "dropout", "rate": rate}, known=known, **{**args, "inputs": dyn[:1]})
        elif op in ops.MERGES:
            self.merge(op, dyn, args, known)
        elif op == "Concat":
            if len(dyn) == 1:
                b.passthrough("Concat", known=known, supported=True, **args)
            else:
                b.add({"type": "concat"}, known=known, **args)
        elif op == "Flatten" or (op == "Reshape" and known is not None and not known.spatial):
            if known is None or known.size == src.size:
                b.add({"type": "flatten"}, known=known, **{**args, "inputs": dyn[:1]})
            else:
                b.passthrough(op, known=known, supported=True, **args)
        elif op in ("Upsample", "Resize"):
            scale = ops.upsample_scale(src, known)
            if scale is None:
                b.passthrough(op, known=known, supported=True, **args)
            else:
                mode = attrs.get("mode", b"nearest")
                mode = mode.decode() if isinstance(mode, bytes) else str(mode)
                layer = {
                    "type": "upsample",
                    "scale": scale,
                    "mode": "bilinear" if "linear" in mode else "nearest",
                }
                b.add(layer, known=known, **{**args, "inputs": dyn[:1]})
        elif op == "Pad":
            pads = ops._ints(attrs.get("pads"))
            pad = ops.symmetric_pad(pads, self.rank(dyn[0]) or 0) if pads else None
            b.passthrough("Pad", known=known, pad=pad, supported=True, **args)
        elif op in ops.PLUMBING:
            if (
                known is None
                or known == src
                or (src.spatial and not known.spatial and src.size == known.size)
            ):
                b.alias(outputs[0], dyn[0])
                for extra in outputs[1:]:
                    b.alias(extra, dyn[0])
            else:
                b.passthrough(op, known=known, supported=True, **args)
        else:
            b.passthrough(op, known=known, params=params, **args)

    def merge(self, op: str, dyn: list[str], args: dict[str, Any], known: Shape | None) -> None:
        if len(dyn) == 1:  # x + bias, x * scale: nothing to draw
            self.b.alias(args["outputs"][0], dyn[0])
            return
        layer: dict[str, Any] = {"type": ops.MERGES[op]}
        if op in ops.MERGE_LABELS:
            layer["label"] = ops.MERGE_LABELS[op]
        self.b.add(layer, known=known, **args)

    def matmul(
        self,
        index: int,
        node: Any,
        attrs: dict[str, Any],
        args: dict[str, Any],
        src: Shape,
        known: Shape | None,
        params: int | None,
    ) -> None:
        weight = self.inits.get(node.input[1]) if len(node.input) > 1 else None
        if weight is None or len(weight) != 2:
            self.b.passthrough(node.op_type, known=known, params=params, supported=True, **args)
            return
        trans = node.op_type == "Gemm" and bool(attrs.get("transB", 0))
        units = weight[0] if trans else weight[1]
        bias = node.op_type == "Gemm" and len(node.input) > 2 and bool(node.input[2])
        outputs = list(args["outputs"])
        users = self.consumers.get(outputs[0], [])
        if node.op_type == "MatMul" and len(users) == 1 and users[0].op_type == "Add":
            add = users[0]
            other = [t for t in add.input if t != outputs[0]]
            if len(other) == 1 and self.inits.get(other[0]) in ((units,), (1, units)):
                self.folded.add(tuple(add.output))
                bias, outputs = True, [t for t in add.output if t]
                params = (params or 0) + units
                known = self.known(outputs[0]) or known
        spatial = src.spatial and (src.height, src.width) != (1, 1)
        if spatial:
            layer = {
                "type": "conv",
                "filters": units,
                "kernel": 1,
                "bias": bias,
                "label": node.op_type,
            }
        else:
            layer = {"type": "dense", "units": units, "bias": bias}
        self.b.add(
            layer,
            known=known,
            params=params,
            **{**args, "inputs": args["inputs"][:1], "outputs": outputs},
        )


def read_onnx(
    data: bytes, *, style: str | None = None, fold: bool | None = None, budget: Budget | None = None
) -> Imported:
    """An ONNX model's bytes as an imported spec."""
    onnx = _require_onnx()
    budget = budget or Budget()
    budget.check_size(len(data))
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # DecodeError and friends: the bytes are not a ModelProto
        raise ModelFileError.file(
            "not a valid ONNX file (truncated or not protobuf): "
            f"{str(exc)[:80] or type(exc).__name__}"
        ) from None
    graph = model.graph
    if not graph.node:
        raise ModelFileError.file("the ONNX file has no graph nodes; is it an ONNX model?")
    if len(graph.node) > budget.max_nodes:
        raise ModelTooLarge.file(
            f"the ONNX graph has {len(graph.node):,} nodes, more than the import limit of "
            f"{budget.max_nodes:,}"
        )
    walker = _Onnx(onnx, model, budget)
    walker.collect_shapes(model)
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
        walker.collect_shapes(inferred)
    except Exception as exc:  # inference is best effort: the file's value_info may suffice
        walker.b.warn(f"shape inference failed ({str(exc)[:80]}); using the file's shapes")
    walker.inputs()
    walker.run()
    title = (
        graph.name if graph.name not in ("", "main_graph", "torch_jit", "torch-jit-export") else ""
    )
    result = finish(
        walker.b, clean_label(title or model.producer_name or "ONNX model"), style, fold
    )
    return result
