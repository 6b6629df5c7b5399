"""Layer models: one pydantic class per layer type, joined on the ``type`` tag.

Adding a layer type means a class here, an entry in `Layer`, and its shape rule
in `analysis`. Every layer may carry a unique ``name``, a display ``label``, a
``color``, and a drawn size (``height``/``width``/``depth``) that replaces the
inferred output size, for diagrams that do not follow the formulas.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .fields import (
    Color,
    DilationSize,
    Dimension,
    KernelSize,
    Name,
    PaddingValue,
    StrideSize,
    Text,
    Units,
)

InputRef = Annotated[
    str,
    Field(
        pattern=r"^(@input|[A-Za-z_][A-Za-z0-9_.\-]*)$",
        max_length=64,
        description="a layer name, or '@input' for the input of the enclosing repeat block",
    ),
]

Word = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=32)]


class _Layer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: Name | None = None
    label: Text | None = Field(None, description="display text; defaults to the layer's shape")
    color: Color | None = None
    height: Dimension | None = Field(None, description="drawn output height (overrides inference)")
    width: Dimension | None = Field(None, description="drawn output width (overrides inference)")
    depth: Dimension | None = Field(None, description="drawn output channels (overrides inference)")
    inputs: Annotated[list[InputRef], Field(max_length=64)] | None = Field(
        None,
        description="names of the layers feeding this one; default: the previous layer. "
        "Inside a repeat block, '@input' is the block's input",
    )


class InputLayer(_Layer):
    """The network's input: an image (height x width x channels) or a vector (units)."""

    type: Literal["input"] = "input"
    height: Dimension | None = None
    width: Dimension | None = None
    channels: Dimension | None = None
    units: Units | None = None

    @model_validator(mode="after")
    def _shape_given(self) -> Self:
        spatial = self.height is not None or self.width is not None
        if self.units is not None and (spatial or self.channels is not None):
            raise ValueError("give either units (a vector) or height/width/channels, not both")
        if self.units is None and not spatial and self.channels is None:
            raise ValueError("needs height and width (and channels), or units")
        if spatial and (self.height is None or self.width is None):
            raise ValueError("needs both height and width")
        return self


class ConvLayer(_Layer):
    """2D convolution; ``groups`` equal to the input channels makes it depthwise."""

    type: Literal["conv"] = "conv"
    filters: Annotated[int, Field(ge=1, le=1_000_000)]
    kernel: KernelSize = (3, 3)
    stride: StrideSize = (1, 1)
    padding: PaddingValue = "valid"
    dilation: DilationSize = (1, 1)
    groups: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    bias: bool = True
    activation: Word | None = Field(None, description="shown in captions, e.g. relu")


class PoolLayer(_Layer):
    """Max or average pooling; ``global`` pools the whole map to 1x1."""

    type: Literal["pool"] = "pool"
    kernel: KernelSize = (2, 2)
    stride: StrideSize | None = Field(None, description="defaults to the kernel size")
    padding: PaddingValue = "valid"
    mode: Literal["max", "avg"] = "max"
    rounding: Literal["floor", "ceil"] = Field(
        "floor", description="ceil reproduces Caffe's pooling sizes"
    )
    global_: bool = Field(False, alias="global")


class DenseLayer(_Layer):
    type: Literal["dense"] = "dense"
    units: Units
    bias: bool = True
    activation: Word | None = None


class DeconvLayer(_Layer):
    """Transposed convolution: out = (in - 1) * s - 2p + d * (k - 1) + output_padding + 1."""

    type: Literal["deconv"] = "deconv"
    filters: Annotated[int, Field(ge=1, le=1_000_000)]
    kernel: KernelSize = (2, 2)
    stride: StrideSize = (2, 2)
    padding: PaddingValue = "valid"
    output_padding: PaddingValue = (0, 0)
    dilation: DilationSize = (1, 1)
    groups: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    bias: bool = True
    activation: Word | None = None


class UpsampleLayer(_Layer):
    """Nearest or bilinear upsampling by an integer factor per axis."""

    type: Literal["upsample"] = "upsample"
    scale: StrideSize = (2, 2)
    mode: Literal["nearest", "bilinear"] = "nearest"


class _Merge(_Layer):
    inputs: Annotated[list[InputRef], Field(min_length=2, max_length=64)] | None = Field(
        None, description="names of the two or more layers to combine"
    )


class AddLayer(_Merge):
    """Element-wise sum (residual connections): inputs must have equal shapes."""

    type: Literal["add"] = "add"


class MultiplyLayer(_Merge):
    """Element-wise product (gating, attention): inputs must have equal shapes."""

    type: Literal["multiply"] = "multiply"


class ConcatLayer(_Merge):
    """Channel concatenation: inputs need equal height and width; channels add up."""

    type: Literal["concat"] = "concat"


class FlattenLayer(_Layer):
    type: Literal["flatten"] = "flatten"


class DropoutLayer(_Layer):
    type: Literal["dropout"] = "dropout"
    rate: Annotated[float, Field(ge=0, lt=1)] = 0.5


class ActivationLayer(_Layer):
    type: Literal["activation"] = "activation"
    function: Word = "relu"


class NormLayer(_Layer):
    type: Literal["norm"] = "norm"
    kind: Literal["batch", "layer", "instance", "group", "lrn"] = "batch"


class SoftmaxLayer(_Layer):
    type: Literal["softmax"] = "softmax"


BlockLayer = Annotated[
    ConvLayer
    | PoolLayer
    | DenseLayer
    | FlattenLayer
    | DropoutLayer
    | ActivationLayer
    | NormLayer
    | SoftmaxLayer
    | DeconvLayer
    | UpsampleLayer
    | AddLayer
    | ConcatLayer
    | MultiplyLayer,
    Field(discriminator="type"),
]


class RepeatLayer(_Layer):
    """A block of layers written once and repeated `count` times (a ResNet stage).

    Copies are named ``<name>.<k>.<layer>``; inside the block `inputs` may name the
    block's own layers, earlier layers outside it, or '@input' (the block's input).
    Outside, the block's name stands for the output of its last copy.
    """

    type: Literal["repeat"] = "repeat"
    count: Annotated[int, Field(ge=1, le=64)] = 1
    layers: Annotated[list[BlockLayer], Field(min_length=1, max_length=64)]

    @model_validator(mode="after")
    def _local_names_unique(self) -> Self:
        seen: set[str] = set()
        for layer in self.layers:
            if layer.name is not None:
                if layer.name in seen:
                    raise ValueError(f"name {layer.name!r} is used twice inside this block")
                seen.add(layer.name)
        return self


Layer = Annotated[
    InputLayer
    | ConvLayer
    | PoolLayer
    | DenseLayer
    | FlattenLayer
    | DropoutLayer
    | ActivationLayer
    | NormLayer
    | SoftmaxLayer
    | DeconvLayer
    | UpsampleLayer
    | AddLayer
    | ConcatLayer
    | MultiplyLayer
    | RepeatLayer,
    Field(discriminator="type"),
]

LAYER_TYPES: tuple[str, ...] = (
    "input", "conv", "pool", "dense", "flatten", "dropout", "activation", "norm", "softmax",
    "deconv", "upsample", "add", "concat", "multiply", "repeat",
)  # fmt: skip

MERGE_TYPES: frozenset[str] = frozenset({"add", "concat", "multiply"})
