"""PyTorch leaf modules to spec layers: pure functions of a module's attributes.

Conv1d/2d, ConvTranspose, pooling, Linear (a 1x1 convolution when it acts on a map),
Flatten, Dropout, activations, Softmax and norms. `module_layer` returns None for
modules the spec has no layer for (pass-through boxes).
"""

from __future__ import annotations

from typing import Any

from ..shapes import Shape

ACT_MODULES = {
    "ReLU": "relu",
    "ReLU6": "relu6",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "SELU": "selu",
    "CELU": "celu",
    "GELU": "gelu",
    "SiLU": "silu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Hardswish": "hard_swish",
    "Hardsigmoid": "hard_sigmoid",
    "Mish": "mish",
    "Softplus": "softplus",
    "Hardtanh": "hardtanh",
    "Softsign": "softsign",
}
NORM_MODULES = {
    "BatchNorm1d": "batch",
    "BatchNorm2d": "batch",
    "SyncBatchNorm": "batch",
    "LayerNorm": "layer",
    "GroupNorm": "group",
    "InstanceNorm1d": "instance",
    "InstanceNorm2d": "instance",
    "LocalResponseNorm": "lrn",
}


def _pair(value: Any, one_d: bool) -> int | list[int]:
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        vals = [int(v) for v in value]
        if len(vals) == 1:
            vals = [1 if one_d else vals[0], vals[0]]
    else:
        vals = [1, int(value)] if one_d else [int(value), int(value)]
    return vals[0] if vals[0] == vals[1] else vals[:2]


def _pad_pair(value: Any, one_d: bool) -> Any:
    if isinstance(value, str):
        return value
    if one_d:
        v = value[0] if isinstance(value, tuple | list) else value
        return [0, int(v)]
    return _pair(value, False)


def module_layer(mod: Any, src: Shape) -> dict[str, Any] | None:
    """The spec layer of a leaf module, or None for a pass-through box."""
    cls = type(mod).__name__
    one_d = cls.endswith("1d")
    if cls in ("Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"):
        layer: dict[str, Any] = {
            "type": "deconv" if "Transpose" in cls else "conv",
            "filters": mod.out_channels,
            "kernel": _pair(mod.kernel_size, one_d),
            "stride": _pair(mod.stride, one_d),
            "padding": _pad_pair(mod.padding, one_d),
            "dilation": _pair(mod.dilation, one_d),
            "groups": mod.groups,
            "bias": mod.bias is not None,
        }
        if "Transpose" in cls and any(mod.output_padding):
            layer["output_padding"] = _pad_pair(mod.output_padding, one_d)
        return layer
    if cls in ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"):
        stride = mod.stride if mod.stride is not None else mod.kernel_size
        return {
            "type": "pool",
            "mode": "max" if cls.startswith("Max") else "avg",
            "kernel": _pair(mod.kernel_size, one_d),
            "stride": _pair(stride, one_d),
            "padding": _pad_pair(mod.padding, one_d),
            "rounding": "ceil" if mod.ceil_mode else "floor",
        }
    if cls in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool1d"):
        size = mod.output_size
        if size in (1, (1, 1), [1, 1], (1,)):
            return {"type": "pool", "mode": "avg" if "Avg" in cls else "max", "global": True}
        return None
    if cls == "Linear":
        if src.spatial and (src.height, src.width) != (1, 1):
            return {
                "type": "conv",
                "filters": mod.out_features,
                "kernel": 1,
                "bias": mod.bias is not None,
                "label": "Linear",
            }
        return {"type": "dense", "units": mod.out_features, "bias": mod.bias is not None}
    if cls == "Flatten":
        return {"type": "flatten"}
    if cls.startswith("Dropout") or cls in ("AlphaDropout", "FeatureAlphaDropout"):
        return {"type": "dropout", "rate": min(float(getattr(mod, "p", 0.5)), 0.99)}
    if cls in ACT_MODULES:
        return {"type": "activation", "function": ACT_MODULES[cls]}
    if cls in ("Softmax", "LogSoftmax", "Softmax2d"):
        return {"type": "softmax"} if cls != "LogSoftmax" else {"type": "softmax", "label": cls}
    if cls in NORM_MODULES:
        return {"type": "norm", "kind": NORM_MODULES[cls]}
    return None
