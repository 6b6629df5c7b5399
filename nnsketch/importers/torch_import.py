"""PyTorch modules to specs: `from_torch(model, input_shape)` (torch is optional).

`torch_trace` turns the module into `Op`s on meta tensors (no real compute); this
module maps each op to a spec layer: leaf modules by class (Conv2d, Linear,
BatchNorm2d, ...), functional ops by name (``add`` -> add, ``cat`` -> concat,
``flatten``/``view`` -> flatten, ``relu`` -> activation). Parameter counts come
from each leaf module and are checked against the spec's; the spec's trainable
total matches ``sum(p.numel() for p in model.parameters())`` for the layers the
spec knows.
"""

from __future__ import annotations

from typing import Any

from ..errors import NnsketchError
from ..limits import LIMITS
from ..shapes import Shape
from .assemble import Imported, finish
from .builder import SpecBuilder
from .common import Budget, MissingExtra, ModelFileError, clean_label, clean_word, shape_from_dims
from .torch_layers import module_layer
from .torch_trace import Op, function_name, fx_ops, hook_ops, meta_copy

_ACT_FUNCS = {
    "relu",
    "relu_",
    "relu6",
    "gelu",
    "silu",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "leaky_relu",
    "elu",
    "selu",
    "hardswish",
    "hardsigmoid",
    "mish",
    "softplus",
    "hardtanh",
}
_PASS = {
    "contiguous",
    "to",
    "float",
    "double",
    "half",
    "clone",
    "detach",
    "type_as",
    "cpu",
    "cuda",
    "requires_grad_",
    "dropout",
    "alpha_dropout",
    "feature_alpha_dropout",
}
_MERGES = {
    "add": "add",
    "add_": "add",
    "__add__": "add",
    "__iadd__": "add",
    "mul": "multiply",
    "mul_": "multiply",
    "__mul__": "multiply",
    "sub": "add",
    "__sub__": "add",
    "div": "multiply",
    "__truediv__": "multiply",
}


def _require_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise MissingExtra("from_torch needs PyTorch: pip install torch") from None
    return torch


class _Torch:
    def __init__(self, budget: Budget) -> None:
        self.b = SpecBuilder("torch", budget, params_include_stats=False)
        self.seen_modules: set[int] = set()

    def known(self, op: Op) -> Shape | None:
        shape = op.shapes[0] if op.shapes else None
        if shape is None or len(shape) < 2 or len(shape) > 4:
            return None
        try:
            return shape_from_dims(list(shape[1:]), op.name)
        except ModelFileError:
            return None

    def add_op(self, op: Op) -> None:
        b = self.b
        if op.kind == "input":
            shape = self.known(op)
            if shape is None:
                raise ModelFileError.file("the input shape must have 2 to 4 dimensions")
            b.add_input("input", shape, op.outputs[0])
            return
        dyn = [t for t in op.inputs if b.has(t)]
        if op.kind == "const" or not dyn:
            return
        known = self.known(op)
        src = b.shape(dyn[0])
        source = f"{op.kind} {clean_label(op.name, 40)!r}"
        args: dict[str, Any] = {
            "name": op.name,
            "inputs": dyn,
            "outputs": op.outputs,
            "source": source,
        }
        if op.kind == "module":
            self.module(op, args, src, known)
            return
        self.function(op, function_name(op.target), args, src, known)

    def module(self, op: Op, args: dict[str, Any], src: Shape, known: Shape | None) -> None:
        mod, b = op.target, self.b
        params = sum(int(p.numel()) for p in mod.parameters())
        if id(mod) in self.seen_modules:
            b.warn(f"{args['source']} is called more than once; each call is drawn and counted")
        self.seen_modules.add(id(mod))
        cls = type(mod).__name__
        one_input = {**args, "inputs": args["inputs"][:1]}
        if cls == "Identity":
            for out in op.outputs:
                b.alias(out, args["inputs"][0])
            return
        if cls.endswith("Pad2d") or cls.endswith("Pad1d"):
            pad = getattr(mod, "padding", None)
            sym = None
            if isinstance(pad, tuple) and len(pad) == 4 and pad[0] == pad[1] and pad[2] == pad[3]:
                sym = (int(pad[2]), int(pad[0]))
            b.passthrough(cls, known=known, pad=sym, supported=True, **one_input)
            return
        if cls.startswith("Upsampl"):
            scale = _scale(src, known)
            if scale is not None:
                mode = "bilinear" if "linear" in str(getattr(mod, "mode", "")) else "nearest"
                b.add({"type": "upsample", "scale": scale, "mode": mode}, known=known, **one_input)
                return
        layer = module_layer(mod, src)
        if layer is None:
            b.passthrough(cls, known=known, params=params or None, **one_input)
        else:
            b.add(layer, known=known, params=params, **one_input)

    def function(
        self, op: Op, fn: str, args: dict[str, Any], src: Shape, known: Shape | None
    ) -> None:
        b, dyn = self.b, args["inputs"]
        one_input = {**args, "inputs": dyn[:1]}
        if fn in _MERGES:
            if len(dyn) < 2:
                for out in op.outputs:
                    b.alias(out, dyn[0])
                return
            layer: dict[str, Any] = {"type": _MERGES[fn]}
            if fn.strip("_") in ("sub", "div", "truediv"):
                layer["label"] = "subtract" if "sub" in fn else "divide"
            b.add(layer, known=known, **args)
        elif fn in ("cat", "concat", "concatenate"):
            if len(dyn) < 2:
                b.passthrough("cat", known=known, supported=True, **args)
            else:
                b.add({"type": "concat"}, known=known, **args)
        elif fn in _ACT_FUNCS:
            word = clean_word(fn.rstrip("_").replace("hardswish", "hard_swish"))
            b.add({"type": "activation", "function": word}, known=known, **one_input)
        elif fn in ("softmax", "log_softmax"):
            b.add({"type": "softmax"}, known=known, **one_input)
        elif fn in ("flatten", "view", "reshape") and known is not None and not known.spatial:
            if known.size == src.size:
                b.add({"type": "flatten"}, known=known, **one_input)
            else:
                b.passthrough(fn, known=known, supported=True, **one_input)
        elif fn in ("adaptive_avg_pool2d", "adaptive_max_pool2d", "mean", "amax") and (
            known is not None
            and (not known.spatial or (known.height, known.width) == (1, 1))
            and known.channels == src.channels
            and src.spatial
        ):
            mode = "max" if "max" in fn else "avg"
            b.add({"type": "pool", "mode": mode, "global": True}, known=known, **one_input)
        elif fn in ("max_pool2d", "avg_pool2d") and known is not None:
            b.passthrough(fn, known=known, supported=True, **one_input)
        elif fn in ("interpolate", "upsample") and _scale(src, known) is not None:
            b.add({"type": "upsample", "scale": _scale(src, known)}, known=known, **one_input)
        elif fn in _PASS or known is None or known == src:
            for out in op.outputs:
                b.alias(out, dyn[0])
        else:
            b.passthrough(
                fn,
                known=known,
                supported=fn
                in (
                    "getitem",
                    "permute",
                    "transpose",
                    "squeeze",
                    "unsqueeze",
                    "view",
                    "reshape",
                    "pad",
                    "chunk",
                    "split",
                ),
                **one_input,
            )


def _scale(src: Shape, out: Shape | None) -> list[int] | None:
    if out is None or not src.spatial or not out.spatial or out.channels != src.channels:
        return None
    sh, sw, oh, ow = src.height or 1, src.width or 1, out.height or 1, out.width or 1
    if oh % sh or ow % sw or (oh == sh and ow == sw):
        return None
    return [oh // sh, ow // sw]


def _check_shape(input_shape: Any) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in input_shape)
    except (TypeError, ValueError):
        raise NnsketchError(
            "input_shape must be a sequence of integers with the batch axis, e.g. (1, 3, 224, 224)"
        ) from None
    if not 2 <= len(dims) <= 4 or min(dims) < 1 or max(dims) > LIMITS.max_dimension:
        raise NnsketchError(
            f"input_shape {dims} must have 2 to 4 sizes (batch first) between 1 and "
            f"{LIMITS.max_dimension:,}, e.g. (1, 3, 224, 224)"
        )
    return dims


def trace_module(
    model: Any,
    input_shape: Any,
    *,
    style: str | None = None,
    fold: bool | None = None,
    budget: Budget | None = None,
) -> Imported:
    """Trace `model` on a meta tensor of `input_shape` (batch first) into an imported spec."""
    torch = _require_torch()
    if not isinstance(model, torch.nn.Module):
        raise NnsketchError(f"from_torch needs a torch.nn.Module, got {type(model).__name__}")
    budget = budget or Budget()
    dims = _check_shape(input_shape)
    meta = meta_copy(torch, model)
    meta.eval()
    x = torch.empty(dims, device="meta")
    notes: list[str] = []
    try:
        ops = fx_ops(torch, meta, x, budget)
    except NnsketchError:
        raise
    except Exception as exc:  # fx cannot trace data-dependent control flow
        notes.append(
            f"torch.fx could not trace the module ({type(exc).__name__}); "
            "traced with forward hooks instead"
        )
        try:
            ops = hook_ops(torch, meta, x, budget)
        except NnsketchError:
            raise
        except Exception as exc:
            raise ModelFileError.file(
                f"the module cannot run on meta tensors ({type(exc).__name__}: "
                f"{clean_label(exc, 100)}); its forward may depend on tensor values, "
                "which tracing never computes"
            ) from None
    walker = _Torch(budget)
    for note in notes:
        walker.b.warn(note)
    for op in ops:
        budget.tick()
        walker.add_op(op)
    result = finish(walker.b, clean_label(type(model).__name__), style, fold)
    total = sum(int(p.numel()) for p in model.parameters())
    if total != result.spec_params:
        result = Imported(
            result.spec,
            (
                *result.warnings,
                f"the module has {total:,} parameters, the spec counts {result.spec_params:,}",
            ),
            result.format,
            total,
            result.spec_params,
        )
    return result


def from_torch(
    model: Any, input_shape: Any, *, style: str | None = None, fold: bool | None = None
) -> dict[str, Any]:
    """The spec (a dict) of a PyTorch module traced on an input of `input_shape`.

    >>> spec = nnsketch.from_torch(model, (1, 3, 224, 224))
    >>> nnsketch.build(spec).save("model.svg")
    """
    return trace_module(model, input_shape, style=style, fold=fold).spec
