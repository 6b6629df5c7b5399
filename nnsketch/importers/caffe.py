"""Caffe prototxt (Netscope's input) to a spec.

Reads both ``layer { type: "Convolution" }`` and the V1 ``layers { type:
CONVOLUTION }`` spellings, the legacy ``input:``/``input_dim:``/``input_shape``
headers, Input and data layers. In-place layers (``top == bottom``) re-point their
blob, so the next consumer of ``conv1`` reads the last layer written in place.
BatchNorm followed by Scale becomes one batch-norm layer (Caffe splits it in two);
Caffe pooling rounds up (``rounding: "ceil"``) and its stride defaults to 1.
Layers that only train (Accuracy, losses, TRAIN-phase data) are skipped, and
unknown types become labelled pass-through boxes with a warning.
"""

from __future__ import annotations

from typing import Any

from ..shapes import Shape
from .assemble import Imported, finish
from .builder import SpecBuilder
from .caffe_layers import int_field, ints, reshape_shape, spec_layer, word
from .common import Budget, ModelFileError, clean_label, shape_from_dims
from .prototxt import Message, parse

_V1_TYPES = {
    "CONVOLUTION": "Convolution",
    "DECONVOLUTION": "Deconvolution",
    "POOLING": "Pooling",
    "INNER_PRODUCT": "InnerProduct",
    "RELU": "ReLU",
    "SIGMOID": "Sigmoid",
    "TANH": "TanH",
    "LRN": "LRN",
    "CONCAT": "Concat",
    "ELTWISE": "Eltwise",
    "DROPOUT": "Dropout",
    "SOFTMAX": "Softmax",
    "SOFTMAX_LOSS": "SoftmaxWithLoss",
    "DATA": "Data",
    "IMAGE_DATA": "ImageData",
    "HDF5_DATA": "HDF5Data",
    "MEMORY_DATA": "MemoryData",
    "DUMMY_DATA": "DummyData",
    "WINDOW_DATA": "WindowData",
    "SPLIT": "Split",
    "FLATTEN": "Flatten",
    "ACCURACY": "Accuracy",
    "BNLL": "BNLL",
    "POWER": "Power",
    "ABSVAL": "AbsVal",
    "EUCLIDEAN_LOSS": "EuclideanLoss",
    "SLICE": "Slice",
    "SILENCE": "Silence",
    "THRESHOLD": "Threshold",
    "EXP": "Exp",
    "MVN": "MVN",
    "ARGMAX": "ArgMax",
    "HINGE_LOSS": "HingeLoss",
    "INFOGAIN_LOSS": "InfogainLoss",
    "MULTINOMIAL_LOGISTIC_LOSS": "MultinomialLogisticLoss",
    "SIGMOID_CROSS_ENTROPY_LOSS": "SigmoidCrossEntropyLoss",
}
_DATA = {
    "Data",
    "ImageData",
    "HDF5Data",
    "MemoryData",
    "DummyData",
    "WindowData",
    "AnnotatedData",
    "VideoData",
}
_SKIP = {"Accuracy", "Silence", "ArgMax"}
DEFAULT_IMAGE = (3, 224, 224)


class _Caffe:
    def __init__(self, net: Message, budget: Budget) -> None:
        self.net = net
        self.b = SpecBuilder("caffe", budget)
        self.ignored: set[str] = set()
        self.bn_scaled: set[str] = set()

    # -- inputs --------------------------------------------------------------------------

    def legacy_inputs(self) -> None:
        names = [str(v) for v in self.net.all("input")]
        dims = ints(self.net, "input_dim")
        shapes = self.net.messages("input_shape")
        for k, name in enumerate(names):
            if k < len(shapes):
                d = ints(shapes[k], "dim")
            elif dims:
                d = dims[4 * k : 4 * k + 4]
            else:
                d = []
            self.add_input(name, name, d, f"input {name!r}")

    def add_input(self, name: str, top: str, dims: list[int], source: str) -> None:
        if len(dims) < 2:
            self.b.warn(
                f"{source}: the file gives no input shape; assumed "
                f"{DEFAULT_IMAGE[1]}\u00d7{DEFAULT_IMAGE[2]}\u00d7{DEFAULT_IMAGE[0]} "
                "(edit the input layer)"
            )
            shape = Shape(*DEFAULT_IMAGE)
        else:
            shape = shape_from_dims(list(dims[1:]), source)
        self.b.add_input(name, shape, top, source)

    def data_layer(self, layer: Message, kind: str, name: str, tops: list[str]) -> None:
        source = f"layer {name!r} ({kind})"
        dims: list[int] = []
        if kind == "Input":
            shapes = (layer.message("input_param") or Message()).messages("shape")
            for k, top in enumerate(tops):
                d = ints(shapes[min(k, len(shapes) - 1)], "dim") if shapes else []
                self.add_input(name if k == 0 else f"{name}.{top}", top, d, source)
            return
        if kind == "DummyData":
            shapes = (layer.message("dummy_data_param") or Message()).messages("shape")
            dims = ints(shapes[0], "dim") if shapes else []
        elif kind == "MemoryData":
            p = layer.message("memory_data_param")
            dims = [1] + [int_field(p, k, 0) for k in ("channels", "height", "width")]
            dims = dims if all(dims) else []
        else:
            crop = int_field(layer.message("transform_param"), "crop_size", 0)
            image = layer.message("image_data_param")
            height, width = int_field(image, "new_height", 0), int_field(image, "new_width", 0)
            if crop:
                dims = [1, 3, crop, crop]
            elif height and width:
                dims = [1, 3, height, width]
        if dims:
            self.b.warn(f"{source}: the number of channels is assumed to be {dims[1]}")
        self.add_input(name, tops[0], dims, source)
        self.ignored.update(tops[1:])  # labels

    # -- layers --------------------------------------------------------------------------

    def run(self) -> None:
        layers = self.net.messages("layer") or self.net.messages("layers")
        self.b.budget.check_nodes(len(layers))
        self.legacy_inputs()
        testing = any(_phase(layer) == "TEST" for layer in layers)
        for index, layer in enumerate(layers):
            self.b.budget.tick()
            kind = word(layer.get("type"))
            kind = _V1_TYPES.get(kind, kind)
            name = word(layer.get("name")) or f"{kind.lower() or 'layer'}{index + 1}"
            if testing and _phase(layer) == "TRAIN":
                continue
            tops = [str(t) for t in layer.all("top")]
            bottoms = [str(t) for t in layer.all("bottom") if str(t) not in self.ignored]
            if kind in _DATA or kind == "Input" or (kind == "Python" and not bottoms):
                if not tops:
                    continue
                self.data_layer(layer, kind, name, tops)
                continue
            if kind in _SKIP or (kind.endswith("Loss") and kind != "SoftmaxWithLoss"):
                self.b.warn(f"layer {clean_label(name, 40)!r} ({kind}) only trains; skipped")
                self.ignored.update(tops)
                continue
            if not bottoms:
                raise ModelFileError.file(
                    f"prototxt line {layer.line}: layer {clean_label(name, 40)!r} ({kind}) "
                    "has no bottom blob"
                )
            self.layer(layer, kind, name, bottoms, tops or [name])

    def layer(
        self, layer: Message, kind: str, name: str, bottoms: list[str], tops: list[str]
    ) -> None:
        b = self.b
        if set(tops) & set(bottoms):
            b.inplace = True
        source = f"layer {clean_label(name, 40)!r} ({clean_label(kind, 30)})"
        spec = spec_layer(layer, kind, source)
        args: dict[str, Any] = {"name": name, "inputs": bottoms, "outputs": tops, "source": source}
        if kind == "Split":
            for top in tops:
                b.alias(top, bottoms[0])
            return
        if kind == "Scale" and b.producer(bottoms[0], source).layer["type"] == "norm":
            bn = b.producer(bottoms[0], source)
            if bn.layer.get("kind") == "batch" and bn.name not in self.bn_scaled:
                self.bn_scaled.add(bn.name)
                b.alias(tops[0], bottoms[0])  # Caffe's BatchNorm + Scale is one batch norm
                return
        if kind == "Crop" and len(bottoms) == 2:
            ref, src = b.shape(bottoms[1]), b.shape(bottoms[0])
            known = Shape(src.channels, ref.height, ref.width) if ref.spatial else None
            b.passthrough("Crop", known=known, supported=True, **args)
            return
        if kind == "Reshape":
            b.passthrough(
                "Reshape", known=reshape_shape(layer, b.shape(bottoms[0])), supported=True, **args
            )
            return
        if spec is None:
            label = kind
            if kind == "Python":
                module = layer.message("python_param")
                label = f"Python {word(module.get('layer')) if module else ''}".strip()
            b.passthrough(label or "Layer", **args)
            return
        b.add(spec, **args)


def _phase(layer: Message) -> str:
    for inc in layer.messages("include"):
        if word(inc.get("phase")) in ("TRAIN", "0"):
            return "TRAIN"
        if word(inc.get("phase")) in ("TEST", "1"):
            return "TEST"
    for exc in layer.messages("exclude"):
        if word(exc.get("phase")) in ("TEST", "1"):
            return "TRAIN"
    return ""


def read_caffe(
    data: bytes, *, style: str | None = None, fold: bool | None = None, budget: Budget | None = None
) -> Imported:
    """A Caffe .prototxt (text) as an imported spec."""
    budget = budget or Budget()
    net = parse(data, budget)
    if not (net.messages("layer") or net.messages("layers") or "input" in net):
        raise ModelFileError.file(
            "the prototxt has no 'layer { ... }' blocks; is it a Caffe network definition?"
        )
    caffe = _Caffe(net, budget)
    caffe.run()
    title = word(net.get("name")) or "Caffe model"
    return finish(caffe.b, clean_label(title), style, fold)


__all__ = ["read_caffe"]
