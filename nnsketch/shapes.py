"""Per-layer shape and cost rules.

Formulas (per spatial axis):
- conv: out = floor((in + 2p - d*(k-1) - 1) / s) + 1; ``same`` gives ceil(in / s).
- deconv: out = (in - 1) * s - 2p + d*(k-1) + output_padding + 1; ``same`` gives in * s.
- pool: out = floor((in + 2p - k) / s) + 1, or ceil with ``rounding: ceil``
  (a window must still start inside the input, as in Caffe and PyTorch).
- params: conv k_h*k_w*(c_in/groups)*filters (+ filters), dense in*units (+ units),
  batch norm 2*C trainable plus 2*C running statistics (counted apart).
- MACs: conv params-without-bias * out_h * out_w; deconv the same per input pixel;
  dense in * units.
An impossible size raises `SpecError` located at the field to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import SpecError
from .fields import Pair
from .layers import (
    AddLayer,
    ConcatLayer,
    ConvLayer,
    DeconvLayer,
    DenseLayer,
    FlattenLayer,
    InputLayer,
    Layer,
    MultiplyLayer,
    NormLayer,
    PoolLayer,
    UpsampleLayer,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """A tensor shape: height x width x channels, or a vector of `channels` units."""

    channels: int
    height: int | None = None
    width: int | None = None

    @property
    def spatial(self) -> bool:
        return self.height is not None and self.width is not None

    @property
    def size(self) -> int:
        if self.height is not None and self.width is not None:
            return self.height * self.width * self.channels
        return self.channels

    def __str__(self) -> str:
        if self.spatial:
            return f"{self.height}\u00d7{self.width}\u00d7{self.channels}"
        return str(self.channels)

    def as_list(self) -> list[int]:
        if self.height is not None and self.width is not None:
            return [self.height, self.width, self.channels]
        return [self.channels]


@dataclass(frozen=True, slots=True)
class Cost:
    """What one layer outputs and costs."""

    output: Shape
    params: int = 0
    non_trainable: int = 0
    macs: int = 0


def _conv_axis(size: int, k: int, s: int, d: int, pad: str | int) -> int:
    if pad == "same":
        return math.ceil(size / s)
    p = 0 if pad == "valid" else int(pad)
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _deconv_axis(size: int, k: int, s: int, d: int, pad: str | int, extra: int) -> int:
    if pad == "same":
        return size * s
    p = 0 if pad == "valid" else int(pad)
    return (size - 1) * s - 2 * p + d * (k - 1) + extra + 1


def _pool_axis(size: int, k: int, s: int, pad: str | int, ceil: bool) -> int:
    if pad == "same":
        return math.ceil(size / s)
    p = 0 if pad == "valid" else int(pad)
    if not ceil:
        return (size + 2 * p - k) // s + 1
    out = -((size + 2 * p - k) // -s) + 1
    if out > 1 and (out - 1) * s >= size + p:
        out -= 1  # the last window would start in the padding
    return out


def _pads(padding: str | Pair) -> tuple[str | int, str | int]:
    if isinstance(padding, str):
        return padding, padding
    return padding[0], padding[1]


def _spatial(shape: Shape, loc: str, kind: str) -> tuple[int, int]:
    if shape.height is None or shape.width is None:
        raise SpecError.at(
            f"{loc}.type",
            f"{kind} needs a spatial input (height x width), but its input is a vector of "
            f"{shape.channels}; put it before the flatten/dense layers",
        )
    return shape.height, shape.width


def _check_groups(groups: int, c_in: int, filters: int, loc: str) -> None:
    if c_in % groups or filters % groups:
        raise SpecError.at(
            f"{loc}.groups",
            f"groups={groups} must divide both the input channels ({c_in}) and filters ({filters})",
        )


def _kernel_params(layer: ConvLayer | DeconvLayer, c_in: int) -> tuple[int, int]:
    """(weights, biases) of a (transposed) convolution: k_h*k_w*(c_in/groups)*filters."""
    kh, kw = layer.kernel
    weights = kh * kw * (c_in // layer.groups) * layer.filters
    return weights, layer.filters if layer.bias else 0


def _merge(layer: AddLayer | ConcatLayer | MultiplyLayer, ins: list[Shape],
           names: list[str], loc: str) -> Cost:  # fmt: skip
    if len(ins) < 2:
        raise SpecError.at(
            f"{loc}.inputs",
            f"{layer.type} combines two or more layers: list their names in inputs",
        )
    listed = ", ".join(f"{n} ({s})" for n, s in zip(names, ins, strict=True))
    if isinstance(layer, ConcatLayer):
        if all(s.spatial for s in ins):
            if len({(s.height, s.width) for s in ins}) > 1:
                raise SpecError.at(
                    f"{loc}.inputs",
                    f"concat needs inputs of equal height and width, got {listed}; "
                    "resize one of them (pool, upsample) first",
                )
            first = ins[0]
            return Cost(Shape(sum(s.channels for s in ins), first.height, first.width))
        if any(s.spatial for s in ins):
            raise SpecError.at(
                f"{loc}.inputs",
                f"concat cannot join feature maps and vectors, got {listed}; flatten first",
            )
        return Cost(Shape(sum(s.channels for s in ins)))
    if len(set(ins)) > 1:
        raise SpecError.at(
            f"{loc}.inputs", f"{layer.type} needs inputs of the same shape, got {listed}"
        )
    return Cost(ins[0])


def infer(layer: Layer, ins: list[Shape], names: list[str], loc: str) -> Cost:
    """Output shape and cost of `layer` given its input shapes (in `inputs` order)."""
    if isinstance(layer, InputLayer):
        if layer.units is not None:
            return Cost(Shape(layer.units))
        if layer.height is None or layer.width is None:
            return Cost(Shape(layer.channels or 1))
        return Cost(Shape(layer.channels or 1, layer.height, layer.width))
    if isinstance(layer, AddLayer | ConcatLayer | MultiplyLayer):
        return _merge(layer, ins, names, loc)
    if not ins:
        raise SpecError.at(
            f"{loc}.type", "the first layer must be an input (or state height/width/depth)"
        )
    if len(ins) > 1:
        raise SpecError.at(
            f"{loc}.inputs",
            f"{layer.type} takes one input, got {len(ins)} ({', '.join(names)}); "
            "combine them first with an add or concat layer",
        )
    prev = ins[0]
    if isinstance(layer, ConvLayer):
        h, w = _spatial(prev, loc, "conv")
        _check_groups(layer.groups, prev.channels, layer.filters, loc)
        (kh, kw), (sh, sw), (dh, dw) = layer.kernel, layer.stride, layer.dilation
        ph, pw = _pads(layer.padding)
        oh, ow = _conv_axis(h, kh, sh, dh, ph), _conv_axis(w, kw, sw, dw, pw)
        if oh < 1 or ow < 1:
            raise SpecError.at(
                f"{loc}.kernel",
                f"kernel {kh}x{kw} does not fit the {h}x{w} input (padding {layer.padding!s}); "
                "use a smaller kernel, more padding, or padding 'same'",
            )
        weights, bias = _kernel_params(layer, prev.channels)
        return Cost(Shape(layer.filters, oh, ow), weights + bias, 0, weights * oh * ow)
    if isinstance(layer, DeconvLayer):
        h, w = _spatial(prev, loc, "deconv")
        _check_groups(layer.groups, prev.channels, layer.filters, loc)
        (kh, kw), (sh, sw), (dh, dw) = layer.kernel, layer.stride, layer.dilation
        ph, pw = _pads(layer.padding)
        eh, ew = _pads(layer.output_padding)
        oh = _deconv_axis(h, kh, sh, dh, ph, int(eh) if eh not in ("same", "valid") else 0)
        ow = _deconv_axis(w, kw, sw, dw, pw, int(ew) if ew not in ("same", "valid") else 0)
        if oh < 1 or ow < 1:
            raise SpecError.at(
                f"{loc}.padding",
                f"padding {layer.padding!s} leaves no output from the {h}x{w} input; "
                "use less padding",
            )
        weights, bias = _kernel_params(layer, prev.channels)
        return Cost(Shape(layer.filters, oh, ow), weights + bias, 0, weights * h * w)
    if isinstance(layer, UpsampleLayer):
        h, w = _spatial(prev, loc, "upsample")
        return Cost(Shape(prev.channels, h * layer.scale[0], w * layer.scale[1]))
    if isinstance(layer, PoolLayer):
        h, w = _spatial(prev, loc, "pool")
        if layer.global_:
            return Cost(Shape(prev.channels, 1, 1))
        (kh, kw) = layer.kernel
        (sh, sw) = layer.stride or layer.kernel
        ph, pw = _pads(layer.padding)
        ceil = layer.rounding == "ceil"
        oh, ow = _pool_axis(h, kh, sh, ph, ceil), _pool_axis(w, kw, sw, pw, ceil)
        if oh < 1 or ow < 1:
            raise SpecError.at(
                f"{loc}.kernel",
                f"pool kernel {kh}x{kw} does not fit the {h}x{w} input; "
                "use a smaller kernel or padding",
            )
        return Cost(Shape(prev.channels, oh, ow))
    if isinstance(layer, DenseLayer):
        weights = prev.size * layer.units
        return Cost(Shape(layer.units), weights + (layer.units if layer.bias else 0), 0, weights)
    if isinstance(layer, FlattenLayer):
        return Cost(Shape(prev.size))
    if isinstance(layer, NormLayer):
        c = prev.channels
        if layer.kind == "batch":
            return Cost(prev, 2 * c, 2 * c)
        if layer.kind in ("layer", "group"):
            return Cost(prev, 2 * c)
        return Cost(prev)
    return Cost(prev)  # dropout, activation, softmax


def override(layer: Layer, shape: Shape) -> Shape:
    """Apply a layer's stated drawn size (height/width/depth) over the inferred one."""
    if isinstance(layer, InputLayer):
        return shape
    if layer.height is None and layer.width is None and layer.depth is None:
        return shape
    if layer.height is not None or layer.width is not None or shape.spatial:
        return Shape(
            layer.depth or shape.channels,
            layer.height or shape.height or 1,
            layer.width or shape.width or 1,
        )
    return Shape(layer.depth or shape.channels)
