"""ONNX operators to spec layers: pure functions of a node's attributes and shapes.

`conv_layer`, `pool_layer` and friends read ONNX attributes (already decoded to
Python values) and return spec layer dicts. 1D operators draw as one-row maps
(kernel ``[1, k]``); 3D ones are not spec layers and become pass-through boxes.
"""

from __future__ import annotations

from typing import Any

from ..shapes import Shape

ACTIVATIONS: dict[str, str] = {
    "Relu": "relu",
    "LeakyRelu": "leaky_relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Elu": "elu",
    "Selu": "selu",
    "Celu": "celu",
    "Softplus": "softplus",
    "Softsign": "softsign",
    "HardSigmoid": "hard_sigmoid",
    "HardSwish": "hard_swish",
    "Gelu": "gelu",
    "Mish": "mish",
    "PRelu": "prelu",
    "ThresholdedRelu": "thresholded_relu",
    "Erf": "erf",
    "Exp": "exp",
    "Log": "log",
    "Abs": "abs",
    "Neg": "neg",
    "Sqrt": "sqrt",
    "Reciprocal": "reciprocal",
    "Sin": "sin",
    "Cos": "cos",
    "Swish": "swish",
    "QuickGelu": "gelu",
}
NORMS = {
    "BatchNormalization": "batch",
    "InstanceNormalization": "instance",
    "LayerNormalization": "layer",
    "GroupNormalization": "group",
    "LRN": "lrn",
}
MERGES = {
    "Add": "add",
    "Sum": "add",
    "Sub": "add",
    "Mul": "multiply",
    "Div": "multiply",
    "Max": "add",
    "Min": "add",
    "Mean": "add",
}
MERGE_LABELS = {"Sub": "subtract", "Div": "divide", "Max": "max", "Min": "min", "Mean": "mean"}
PLUMBING = {
    "Identity",
    "Cast",
    "CastLike",
    "Squeeze",
    "Unsqueeze",
    "Transpose",
    "Reshape",
    "Expand",
    "Slice",
    "Gather",
    "Tile",
    "Split",
    "Contiguous",
    "DequantizeLinear",
    "QuantizeLinear",
    "Constant",
    "Trilu",
    "Where",
    "Pad",
    "Flatten",
    "Resize",
    "Upsample",
    "DepthToSpace",
    "SpaceToDepth",
}
PARAM_OPS = {
    "Conv",
    "ConvTranspose",
    "Gemm",
    "MatMul",
    "BatchNormalization",
    "PRelu",
    "InstanceNormalization",
    "LayerNormalization",
    "GroupNormalization",
}


def _ints(value: Any) -> list[int]:
    if isinstance(value, list | tuple):
        return [int(v) for v in value if isinstance(v, int)]
    return []


def _spatial(values: list[int], default: int, rank: int) -> list[int]:
    """An ONNX per-axis list (1 or 2 spatial axes) as [h, w]."""
    if not values:
        return [default, default]
    if rank == 1 or len(values) == 1:
        return [default if rank == 1 else values[0], values[-1]]
    return [values[0], values[1]]


def _compact(p: list[int]) -> int | list[int]:
    return p[0] if p[0] == p[1] else p


def _pads(attrs: dict[str, Any], rank: int) -> tuple[str | int | list[int], bool]:
    """ONNX ``pads`` ([begin..., end...]) or ``auto_pad`` as the spec's padding; the flag
    says the pads were asymmetric (the file's output shape will be stated)."""
    auto = attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        return "same", False
    pads = _ints(attrs.get("pads"))
    if auto == "VALID" or not pads:
        return "valid", False
    half = len(pads) // 2
    begin, end = pads[:half], pads[half:]
    symmetric = begin == end
    hw = _spatial([max(b, e) for b, e in zip(begin, end, strict=False)], 0, rank)
    return _compact(hw), not symmetric


def spatial_rank(attrs: dict[str, Any], weight: tuple[int, ...] | None) -> int:
    kernel = _ints(attrs.get("kernel_shape"))
    if kernel:
        return len(kernel)
    return len(weight) - 2 if weight and len(weight) > 2 else 2


def conv_layer(
    op: str,
    attrs: dict[str, Any],
    weight: tuple[int, ...] | None,
    has_bias: bool,
    known: Shape | None,
) -> dict[str, Any] | None:
    """Conv / ConvTranspose as conv / deconv; None for 3D or when filters are unknowable."""
    rank = spatial_rank(attrs, weight)
    if rank not in (1, 2):
        return None
    group = int(attrs.get("group", 1) or 1)
    if weight and len(weight) >= 2:
        filters = weight[1] * group if op == "ConvTranspose" else weight[0]
    elif known is not None:
        filters = known.channels
    else:
        return None
    kernel = _ints(attrs.get("kernel_shape")) or list(weight[2:] if weight else [])
    if not kernel:
        return None
    padding, _ = _pads(attrs, rank)
    layer: dict[str, Any] = {
        "type": "deconv" if op == "ConvTranspose" else "conv",
        "filters": filters,
        "kernel": _compact(_spatial(kernel, 1, rank)),
        "stride": _compact(_spatial(_ints(attrs.get("strides")), 1, rank)),
        "padding": padding,
        "dilation": _compact(_spatial(_ints(attrs.get("dilations")), 1, rank)),
        "groups": group,
        "bias": has_bias,
    }
    if op == "ConvTranspose" and _ints(attrs.get("output_padding")):
        layer["output_padding"] = _compact(_spatial(_ints(attrs["output_padding"]), 0, rank))
    return layer


def pool_layer(op: str, attrs: dict[str, Any]) -> dict[str, Any] | None:
    mode = "max" if "Max" in op else "avg"
    if op.startswith("Global"):
        return {"type": "pool", "mode": mode, "global": True}
    kernel = _ints(attrs.get("kernel_shape"))
    if len(kernel) not in (1, 2):
        return None
    rank = len(kernel)
    padding, _ = _pads(attrs, rank)
    return {
        "type": "pool",
        "mode": mode,
        "kernel": _compact(_spatial(kernel, 1, rank)),
        "stride": _compact(_spatial(_ints(attrs.get("strides")), 1, rank)),
        "padding": padding,
        "rounding": "ceil" if attrs.get("ceil_mode") else "floor",
    }


def activation_layer(op: str, attrs: dict[str, Any]) -> dict[str, Any]:
    if op == "Clip":
        return {"type": "activation", "function": "clip"}
    if op in ("Softmax", "LogSoftmax"):
        return {"type": "softmax"} if op == "Softmax" else {"type": "softmax", "label": op}
    return {"type": "activation", "function": ACTIVATIONS[op]}


def upsample_scale(src: Shape, out: Shape | None) -> list[int] | None:
    """Integer per-axis factors from the shapes, or None when they are not integers."""
    if out is None or not src.spatial or not out.spatial:
        return None
    sh, sw = src.height or 1, src.width or 1
    oh, ow = out.height or 1, out.width or 1
    if oh % sh or ow % sw or out.channels != src.channels:
        return None
    return [oh // sh, ow // sw]


def symmetric_pad(pads: list[int], rank: int) -> tuple[int, int] | None:
    """Spatial (h, w) padding of an ONNX Pad over (N, C, H, W), if symmetric and 2D."""
    if len(pads) != 2 * rank or rank not in (3, 4):
        return None
    begin, end = pads[:rank], pads[rank:]
    if begin != end or begin[0] or begin[1] or min(begin) < 0:
        return None
    return (begin[2], begin[3]) if rank == 4 else (0, begin[2])
