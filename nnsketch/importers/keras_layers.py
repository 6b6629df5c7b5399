"""Keras layer classes to spec layers (Keras 2 and 3 spell the configs alike here).

`plan(class_name, config, input_shape)` returns what one Keras layer call becomes:
one spec layer, two (SeparableConv2D: depthwise then pointwise, so the parameter
count matches Keras's), an alias (the layer changes nothing drawn), or a labelled
pass-through box with the output shape worked out from the config where it can.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..shapes import Shape
from .common import ModelFileError, clean_label, clean_word


@dataclass(frozen=True, slots=True)
class Plan:
    """What one Keras layer call becomes (see the module docstring)."""

    layers: tuple[dict[str, Any], ...] = ()
    alias: bool = False
    passthrough: str | None = None
    known: Shape | None = None
    pad: tuple[int, int] | None = None
    supported: bool = True
    notes: tuple[str, ...] = field(default=())


_ACTIVATION_CLASSES = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "ThresholdedReLU": "thresholded_relu",
}
_DROPOUTS = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianDropout",
    "AlphaDropout",
}
_MERGE_LABELS = {"Subtract": "subtract", "Average": "average", "Maximum": "max", "Minimum": "min"}
_PREPROCESSING = {
    "Rescaling",
    "Normalization",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "RandomCrop",
    "GaussianNoise",
    "ActivityRegularization",
    "Masking",
    "Identity",
}
_NORMS = {
    "BatchNormalization": "batch",
    "LayerNormalization": "layer",
    "GroupNormalization": "group",
    "SyncBatchNormalization": "batch",
}


def activation_name(value: Any) -> str | None:
    """A Keras activation ('relu', a serialized function or layer) as a spec word.

    None for the linear activation (no activation at all)."""
    if isinstance(value, dict):
        inner = value.get("config")
        value = inner if isinstance(inner, str) else value.get("class_name")
    if not isinstance(value, str) or value in ("linear", "", "None"):
        return None
    return clean_word(value.lower(), "activation")


def _n(value: Any, what: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ModelFileError.file(f"{source}: {what} must be an integer, got {str(value)[:30]}")
    return int(value)


def _pair(value: Any, what: str, source: str, one_d: bool = False) -> list[int]:
    if isinstance(value, list | tuple):
        if len(value) == 1:
            v = _n(value[0], what, source)
            return [1, v] if one_d else [v, v]
        if len(value) == 2 and not one_d:
            return [_n(value[0], what, source), _n(value[1], what, source)]
        raise ModelFileError.file(f"{source}: {what} has {len(value)} values; 3D is not supported")
    v = _n(value, what, source)
    return [1, v] if one_d else [v, v]


def _compact(p: list[int]) -> int | list[int]:
    return p[0] if p[0] == p[1] else p


def _padding(value: Any) -> str:
    return "same" if value in ("same", "causal") else "valid"


def _conv(cls: str, cfg: dict[str, Any], src: Shape, source: str) -> Plan:
    one_d = cls.endswith("1D") or cls.endswith("1DTranspose")
    kernel = _pair(cfg.get("kernel_size", 3), "kernel_size", source, one_d)
    strides = _pair(cfg.get("strides", 1), "strides", source, one_d)
    dilation = _pair(cfg.get("dilation_rate", 1), "dilation_rate", source, one_d)
    act = activation_name(cfg.get("activation"))
    bias = bool(cfg.get("use_bias", True))
    common: dict[str, Any] = {
        "kernel": _compact(kernel),
        "stride": _compact(strides),
        "padding": _padding(cfg.get("padding")),
        "dilation": _compact(dilation),
    }
    if cls.startswith("Depthwise"):
        mult = _n(cfg.get("depth_multiplier", 1), "depth_multiplier", source)
        layer = {
            "type": "conv",
            "filters": src.channels * mult,
            "groups": src.channels,
            **common,
            "bias": bias,
            "label": cls,
        }
        return Plan((_with_act(layer, act),))
    if cls.startswith("Separable"):
        mult = _n(cfg.get("depth_multiplier", 1), "depth_multiplier", source)
        depthwise = {
            "type": "conv",
            "filters": src.channels * mult,
            "groups": src.channels,
            **common,
            "bias": False,
            "label": "depthwise",
        }
        pointwise = {
            "type": "conv",
            "filters": _n(cfg.get("filters"), "filters", source),
            "kernel": 1,
            "bias": bias,
            "label": "pointwise",
        }
        return Plan((depthwise, _with_act(pointwise, act)))
    filters = _n(cfg.get("filters"), "filters", source)
    if "Transpose" in cls:
        layer = {"type": "deconv", "filters": filters, **common, "bias": bias}
        extra = cfg.get("output_padding")
        if extra is not None:
            layer["output_padding"] = _compact(_pair(extra, "output_padding", source, one_d))
        return Plan((_with_act(layer, act),))
    groups = _n(cfg.get("groups", 1), "groups", source)
    return Plan(
        (
            _with_act(
                {"type": "conv", "filters": filters, **common, "groups": groups, "bias": bias}, act
            ),
        )
    )


def _with_act(layer: dict[str, Any], act: str | None) -> dict[str, Any]:
    return {**layer, "activation": act} if act else layer


def _pool(cls: str, cfg: dict[str, Any], source: str) -> Plan:
    mode = "avg" if "Average" in cls else "max"
    if cls.startswith("Global"):
        return Plan(({"type": "pool", "mode": mode, "global": True},))
    one_d = cls.endswith("1D")
    size = _pair(cfg.get("pool_size", 2), "pool_size", source, one_d)
    strides = cfg.get("strides")
    stride = size if strides is None else _pair(strides, "strides", source, one_d)
    return Plan(
        (
            {
                "type": "pool",
                "mode": mode,
                "kernel": _compact(size),
                "stride": _compact(stride),
                "padding": _padding(cfg.get("padding")),
            },
        )
    )


def _zero_padding(cls: str, cfg: dict[str, Any], src: Shape, source: str) -> Plan:
    raw = cfg.get("padding", 1)
    if cls.endswith("1D"):
        left, right = _pair(raw, "padding", source) if isinstance(raw, list) else [raw, raw]
        top = bottom = 0
    elif isinstance(raw, list) and raw and isinstance(raw[0], list):
        (top, bottom), (left, right) = (
            _pair(raw[0], "padding", source),
            _pair(raw[1], "padding", source),
        )
    else:
        (top, left) = _pair(raw, "padding", source)
        bottom, right = top, left
    if not src.spatial:
        return Plan(alias=True)
    known = Shape(src.channels, (src.height or 0) + top + bottom, (src.width or 0) + left + right)
    symmetric = (top, left) if top == bottom and left == right else None
    return Plan(passthrough=cls, known=known, pad=symmetric)


def _target(cfg: dict[str, Any], src: Shape, source: str) -> Plan:
    target = cfg.get("target_shape")
    if not isinstance(target, list) or not target:
        return Plan(passthrough="Reshape")
    dims = [_n(d, "target_shape", source) for d in target]
    if -1 in dims:
        rest = 1
        for d in dims:
            rest *= d if d != -1 else 1
        dims[dims.index(-1)] = src.size // rest if rest > 0 else 1
    if len(dims) == 1 and dims[0] == src.size:
        return Plan(({"type": "flatten"},))
    if len(dims) == 3:
        return Plan(passthrough="Reshape", known=Shape(dims[2], dims[0], dims[1]))
    if len(dims) == 2:
        return Plan(passthrough="Reshape", known=Shape(dims[1], 1, dims[0]))
    return Plan(passthrough="Reshape")


def plan(cls: str, cfg: dict[str, Any], src: Shape, n_inputs: int, source: str) -> Plan:
    """What the Keras layer `cls` with `cfg`, reading `src`, becomes."""
    if cls in (
        "Conv1D",
        "Conv2D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "DepthwiseConv2D",
        "DepthwiseConv1D",
        "SeparableConv1D",
        "SeparableConv2D",
        "Convolution2D",
    ):
        return _conv(cls, cfg, src, source)
    if "Pooling" in cls and (cls.endswith("1D") or cls.endswith("2D")):
        return _pool(cls, cfg, source)
    if cls == "Dense":
        units = _n(cfg.get("units"), "units", source)
        act = activation_name(cfg.get("activation"))
        bias = bool(cfg.get("use_bias", True))
        if src.spatial and (src.height, src.width) != (1, 1):
            # Keras applies Dense along the last axis: a 1x1 convolution
            return Plan(
                (
                    _with_act(
                        {
                            "type": "conv",
                            "filters": units,
                            "kernel": 1,
                            "bias": bias,
                            "label": "Dense",
                        },
                        act,
                    ),
                )
            )
        return Plan((_with_act({"type": "dense", "units": units, "bias": bias}, act),))
    if cls == "Flatten":
        return Plan(({"type": "flatten"},))
    if cls == "Reshape":
        return _target(cfg, src, source)
    if cls in _DROPOUTS:
        rate = cfg.get("rate", 0.5)
        rate = float(rate) if isinstance(rate, int | float) and not isinstance(rate, bool) else 0.5
        return Plan(({"type": "dropout", "rate": min(max(rate, 0.0), 0.99)},))
    if cls in ("Activation", "Softmax") or cls in _ACTIVATION_CLASSES:
        fn = _ACTIVATION_CLASSES.get(cls) or activation_name(cfg.get("activation", "softmax"))
        if cls == "ReLU" and cfg.get("max_value") == 6:
            fn = "relu6"
        if cls == "Softmax" or fn == "softmax":
            return Plan(({"type": "softmax"},))
        return Plan(alias=True) if fn is None else Plan(({"type": "activation", "function": fn},))
    if cls in _NORMS:
        return Plan(({"type": "norm", "kind": _NORMS[cls]},))
    if cls in ("Add", "Multiply") or cls in _MERGE_LABELS:
        layer: dict[str, Any] = {"type": "multiply" if cls == "Multiply" else "add"}
        if cls in _MERGE_LABELS:
            layer["label"] = _MERGE_LABELS[cls]
        return Plan((layer,))
    if cls == "Concatenate":
        axis = cfg.get("axis", -1)
        if axis in (-1, 3) or (axis == 1 and not src.spatial):
            return Plan(({"type": "concat"},))
        return Plan(passthrough=f"Concatenate axis {clean_label(axis, 8)}")
    if cls in ("UpSampling2D", "UpSampling1D"):
        size = _pair(cfg.get("size", 2), "size", source, cls.endswith("1D"))
        mode = "bilinear" if cfg.get("interpolation") == "bilinear" else "nearest"
        return Plan(({"type": "upsample", "scale": _compact(size), "mode": mode},))
    if cls in ("ZeroPadding2D", "ZeroPadding1D"):
        return _zero_padding(cls, cfg, src, source)
    if cls == "Cropping2D" and src.spatial:
        raw = cfg.get("cropping", 0)
        pairs = raw if isinstance(raw, list) and raw and isinstance(raw[0], list) else None
        (t, b), (le, r) = pairs if pairs else (_pair(raw, "cropping", source),) * 2
        known = Shape(
            src.channels, max(1, (src.height or 1) - t - b), max(1, (src.width or 1) - le - r)
        )
        return Plan(passthrough="Cropping2D", known=known)
    if cls == "Resizing" and src.spatial:
        h, w = _n(cfg.get("height"), "height", source), _n(cfg.get("width"), "width", source)
        return Plan(passthrough="Resizing", known=Shape(src.channels, h, w))
    if cls in _PREPROCESSING:
        return Plan(passthrough=cls)
    return Plan(passthrough=cls, supported=False)
