"""Shape and cost inference: what each layer outputs and what it costs.

Formulas (per spatial axis):
- conv: out = floor((in + 2p - d*(k-1) - 1) / s) + 1; ``same`` gives ceil(in / s).
- pool: out = floor((in + 2p - k) / s) + 1, or ceil with ``rounding: ceil``
  (a window must still start inside the input, as in Caffe and PyTorch).
- params: conv k_h*k_w*(c_in/groups)*filters (+ filters), dense in*units (+ units),
  batch norm 2*C trainable plus 2*C running statistics (counted apart).
- MACs: conv params-without-bias * out_h * out_w; dense in * units.

A layer's ``height``/``width``/``depth`` replaces the inferred size, so arbitrary
diagrams still draw; an impossible size without such an override is a `SpecError`
located at the field to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import Issue, SpecError
from .fields import Pair
from .layers import (
    ConvLayer,
    DenseLayer,
    DropoutLayer,
    FlattenLayer,
    InputLayer,
    Layer,
    NormLayer,
    PoolLayer,
)
from .spec import Spec


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
class LayerInfo:
    """Everything derived about one layer; styles read only this and the spec."""

    index: int
    name: str
    type: str
    layer: Layer
    input: Shape | None
    output: Shape
    params: int
    non_trainable: int
    macs: int

    @property
    def loc(self) -> str:
        return f"layers[{self.index}]"

    @property
    def kernel(self) -> Pair | None:
        if isinstance(self.layer, ConvLayer | PoolLayer):
            return self.layer.kernel
        return None

    def summary(self) -> dict[str, object]:
        """JSON-ready row: what the API's validate route and `nnsketch summary` report."""
        return {
            "index": self.index,
            "name": self.name,
            "type": self.type,
            "output": self.output.as_list(),
            "output_text": str(self.output),
            "params": self.params,
            "non_trainable": self.non_trainable,
            "macs": self.macs,
        }


@dataclass(frozen=True, slots=True)
class Network:
    """A validated spec with every layer's inferred shape and cost."""

    spec: Spec
    layers: tuple[LayerInfo, ...]

    @property
    def total_params(self) -> int:
        return sum(info.params for info in self.layers)

    @property
    def total_non_trainable(self) -> int:
        return sum(info.non_trainable for info in self.layers)

    @property
    def total_macs(self) -> int:
        return sum(info.macs for info in self.layers)


def _conv_axis(size: int, k: int, s: int, d: int, pad: str | int) -> int:
    if pad == "same":
        return math.ceil(size / s)
    p = 0 if pad == "valid" else int(pad)
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


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


def _spatial_input(info_in: Shape, i: int, kind: str) -> tuple[int, int]:
    if info_in.height is None or info_in.width is None:
        raise SpecError.at(
            f"layers[{i}].type",
            f"{kind} needs a spatial input (height x width), but the previous layer gives "
            f"a vector of {info_in.channels}; put it before the flatten/dense layers",
        )
    return info_in.height, info_in.width


def _default_names(spec: Spec) -> list[str]:
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


def _infer(layer: Layer, prev: Shape | None, i: int) -> tuple[Shape, int, int, int]:
    """(output shape, params, non-trainable params, MACs) of one layer."""
    if isinstance(layer, InputLayer):
        if layer.units is not None:
            return Shape(layer.units), 0, 0, 0
        if layer.height is None or layer.width is None:
            return Shape(layer.channels or 1), 0, 0, 0
        return Shape(layer.channels or 1, layer.height, layer.width), 0, 0, 0
    if prev is None:
        raise SpecError.at(
            f"layers[{i}].type", "the first layer must be an input (or state height/width/depth)"
        )
    if isinstance(layer, ConvLayer):
        h, w = _spatial_input(prev, i, "conv")
        c_in = prev.channels
        if c_in % layer.groups or layer.filters % layer.groups:
            raise SpecError.at(
                f"layers[{i}].groups",
                f"groups={layer.groups} must divide both the input channels ({c_in}) and "
                f"filters ({layer.filters})",
            )
        (kh, kw), (sh, sw), (dh, dw) = layer.kernel, layer.stride, layer.dilation
        ph, pw = _pads(layer.padding)
        oh, ow = _conv_axis(h, kh, sh, dh, ph), _conv_axis(w, kw, sw, dw, pw)
        if oh < 1 or ow < 1:
            raise SpecError.at(
                f"layers[{i}].kernel",
                f"kernel {kh}x{kw} does not fit the {h}x{w} input (padding {layer.padding!s}); "
                "use a smaller kernel, more padding, or padding 'same'",
            )
        weights = kh * kw * (c_in // layer.groups) * layer.filters
        bias = layer.filters if layer.bias else 0
        return Shape(layer.filters, oh, ow), weights + bias, 0, weights * oh * ow
    if isinstance(layer, PoolLayer):
        h, w = _spatial_input(prev, i, "pool")
        if layer.global_:
            return Shape(prev.channels, 1, 1), 0, 0, 0
        (kh, kw) = layer.kernel
        (sh, sw) = layer.stride or layer.kernel
        ph, pw = _pads(layer.padding)
        ceil = layer.rounding == "ceil"
        oh, ow = _pool_axis(h, kh, sh, ph, ceil), _pool_axis(w, kw, sw, pw, ceil)
        if oh < 1 or ow < 1:
            raise SpecError.at(
                f"layers[{i}].kernel",
                f"pool kernel {kh}x{kw} does not fit the {h}x{w} input; "
                "use a smaller kernel or padding",
            )
        return Shape(prev.channels, oh, ow), 0, 0, 0
    if isinstance(layer, DenseLayer):
        n_in = prev.size
        weights = n_in * layer.units
        return Shape(layer.units), weights + (layer.units if layer.bias else 0), 0, weights
    if isinstance(layer, FlattenLayer):
        return Shape(prev.size), 0, 0, 0
    if isinstance(layer, NormLayer):
        c = prev.channels
        if layer.kind == "batch":
            return prev, 2 * c, 2 * c, 0
        if layer.kind in ("layer", "group"):
            return prev, 2 * c, 0, 0
        return prev, 0, 0, 0
    if isinstance(layer, DropoutLayer):
        return prev, 0, 0, 0
    return prev, 0, 0, 0  # activation, softmax


def _override(layer: Layer, shape: Shape) -> Shape:
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


def analyze(spec: Spec) -> Network:
    """Infer every layer's output shape and cost; raise SpecError at the first impossible one."""
    names = _default_names(spec)
    infos: list[LayerInfo] = []
    prev: Shape | None = None
    for i, layer in enumerate(spec.layers):
        has_size = not isinstance(layer, InputLayer) and (
            layer.height is not None and layer.width is not None
        )
        try:
            out, params, fixed, macs = _infer(layer, prev, i)
        except SpecError:
            if not has_size:
                raise
            out, params, fixed, macs = Shape(layer.depth or 1, layer.height, layer.width), 0, 0, 0
        out = _override(layer, out)
        infos.append(LayerInfo(i, names[i], layer.type, layer, prev, out, params, fixed, macs))
        prev = out
    return Network(spec, tuple(infos))


def check(spec: Spec) -> list[Issue]:
    """Located problems of a spec that passed schema validation (empty when fine)."""
    try:
        analyze(spec)
    except SpecError as exc:
        return list(exc.issues)
    return []
