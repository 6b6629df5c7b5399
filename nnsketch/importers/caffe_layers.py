"""Caffe layer parameters to spec layers: pure functions of one parsed ``layer`` block.

Caffe spells sizes as ``kernel_size`` (one or two values) or ``kernel_h``/``kernel_w``;
pooling's stride defaults to 1 and its sizes round up unless ``round_mode: FLOOR``.
`spec_layer` returns None for types the spec has no layer for (pass-through boxes).
"""

from __future__ import annotations

from typing import Any

from ..shapes import Shape
from .common import ModelFileError, shape_from_dims
from .prototxt import Message, Value

ACTIVATIONS = {
    "ReLU": "relu",
    "PReLU": "prelu",
    "Sigmoid": "sigmoid",
    "TanH": "tanh",
    "ELU": "elu",
    "AbsVal": "abs",
    "BNLL": "softplus",
    "Power": "power",
    "Exp": "exp",
    "Log": "log",
    "Threshold": "threshold",
    "Clip": "clip",
    "Swish": "swish",
    "ReLU6": "relu6",
    "Mish": "mish",
    "GELU": "gelu",
}


def ints(msg: Message | None, name: str) -> list[int]:
    if msg is None:
        return []
    out = []
    for v in msg.all(name):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ModelFileError.file(f"prototxt line {msg.line}: {name} must be an integer")
        out.append(v)
    return out


def int_field(msg: Message | None, name: str, default: int) -> int:
    values = ints(msg, name)
    return values[-1] if values else default


def _hw(msg: Message | None, name: str, default: int, source: str) -> list[int]:
    """Caffe's ``kernel_size`` (1 or 2 values) or ``kernel_h``/``kernel_w`` as [h, w]."""
    head = name.split("_")[0]
    h, w = ints(msg, f"{head}_h"), ints(msg, f"{head}_w")
    if h or w:
        return [h[-1] if h else default, w[-1] if w else default]
    values = ints(msg, name)
    if not values:
        return [default, default]
    if len(values) > 2:
        raise ModelFileError.file(f"{source}: {name} has {len(values)} values; 3D is not supported")
    return [values[0], values[-1]]


def _pair(v: list[int]) -> int | list[int]:
    return v[0] if v[0] == v[1] else v


def word(value: Value | None) -> str:
    return str(value) if value is not None else ""


def _conv(p: Message | None, source: str, deconv: bool) -> dict[str, Any]:
    if p is None or "num_output" not in p:
        raise ModelFileError.file(f"{source}: convolution_param.num_output is missing")
    kernel = _hw(p, "kernel_size", 0, source)
    if min(kernel) < 1:
        raise ModelFileError.file(f"{source}: convolution_param.kernel_size is missing")
    dilation = ints(p, "dilation") or [1]
    out: dict[str, Any] = {
        "type": "deconv" if deconv else "conv",
        "filters": int_field(p, "num_output", 1),
        "kernel": _pair(kernel),
        "stride": _pair(_hw(p, "stride", 1, source)),
        "padding": _pair(_hw(p, "pad", 0, source)),
        "dilation": _pair([dilation[0], dilation[-1]]),
        "groups": int_field(p, "group", 1),
    }
    if p.get("bias_term") is False:
        out["bias"] = False
    return out


def _pool(p: Message | None, source: str) -> dict[str, Any]:
    p = p or Message()
    method = word(p.get("pool", "MAX"))
    mode = "avg" if method in ("AVE", "1") else "max"
    if method in ("STOCHASTIC", "2"):
        mode = "max"
    if p.get("global_pooling") is True:
        return {"type": "pool", "mode": mode, "global": True}
    kernel = _hw(p, "kernel_size", 0, source)
    if min(kernel) < 1:
        raise ModelFileError.file(f"{source}: pooling_param.kernel_size is missing")
    rounding = "floor" if word(p.get("round_mode")) in ("FLOOR", "1") else "ceil"
    return {
        "type": "pool",
        "mode": mode,
        "kernel": _pair(kernel),
        "stride": _pair(_hw(p, "stride", 1, source)),
        "padding": _pair(_hw(p, "pad", 0, source)),
        "rounding": rounding,
    }


def spec_layer(layer: Message, kind: str, source: str) -> dict[str, Any] | None:
    """The spec layer for a Caffe type, or None for a pass-through box."""
    if kind in ("Convolution", "Deconvolution"):
        return _conv(layer.message("convolution_param"), source, kind == "Deconvolution")
    if kind == "Pooling":
        return _pool(layer.message("pooling_param"), source)
    if kind == "InnerProduct":
        p = layer.message("inner_product_param")
        if p is None or "num_output" not in p:
            raise ModelFileError.file(f"{source}: inner_product_param.num_output is missing")
        out: dict[str, Any] = {"type": "dense", "units": int_field(p, "num_output", 1)}
        if p.get("bias_term") is False:
            out["bias"] = False
        return out
    if kind in ACTIVATIONS:
        fn = ACTIVATIONS[kind]
        p = layer.message("relu_param")
        if kind == "ReLU" and p is not None and p.get("negative_slope", 0) not in (0, 0.0):
            fn = "leaky_relu"
        return {"type": "activation", "function": fn}
    if kind == "LRN":
        return {"type": "norm", "kind": "lrn"}
    if kind == "BatchNorm":
        return {"type": "norm", "kind": "batch"}
    if kind == "MVN":
        return {"type": "norm", "kind": "instance", "label": "MVN"}
    if kind == "Dropout":
        ratio = (layer.message("dropout_param") or Message()).get("dropout_ratio", 0.5)
        rate = float(ratio) if isinstance(ratio, int | float) else 0.5
        return {"type": "dropout", "rate": min(max(rate, 0.0), 0.99)}
    if kind in ("Softmax", "SoftmaxWithLoss"):
        return {"type": "softmax"} if kind == "Softmax" else {"type": "softmax", "label": kind}
    if kind == "Flatten":
        return {"type": "flatten"}
    if kind == "Concat":
        p = layer.message("concat_param")
        axis = int_field(p, "axis", int_field(p, "concat_dim", 1))
        return {"type": "concat"} if axis in (1, -3) else None
    if kind == "Eltwise":
        op = word((layer.message("eltwise_param") or Message()).get("operation", "SUM"))
        if op in ("PROD", "0"):
            return {"type": "multiply"}
        if op in ("MAX", "2"):
            return {"type": "add", "label": "max"}
        return {"type": "add"}
    if kind == "Upsample":
        scale = int_field(layer.message("upsample_param"), "scale", 2)
        return {"type": "upsample", "scale": scale}
    return None


def reshape_shape(layer: Message, src: Shape) -> Shape | None:
    """Reshape's output shape from ``reshape_param.shape`` (0 copies, -1 infers)."""
    p = layer.message("reshape_param")
    shape = p.message("shape") if p else None
    if p is None or shape is None or "axis" in p or "num_axes" in p:
        return None
    dims_in = [1, *([src.channels, src.height, src.width] if src.spatial else [src.channels])]
    out = []
    for k, d in enumerate(ints(shape, "dim")):
        out.append(dims_in[k] if d == 0 and k < len(dims_in) else d)
    total = src.size
    if out.count(-1) == 1:
        rest = 1
        for d in out:
            rest *= d if d != -1 else 1
        if rest <= 0 or total % rest:
            return None
        out[out.index(-1)] = total // rest
    if any(d < 1 for d in out) or len(out) < 2 or len(out) > 4:
        return None
    return shape_from_dims(list(out[1:]), "Reshape")
