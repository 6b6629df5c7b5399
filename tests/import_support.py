"""Helpers shared by the importer tests: model files written here, and checks that an
imported spec is a normal spec (validates, analyses, renders cleanly)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import nnsketch
from nnsketch.errors import NnsketchError
from nnsketch.importers import Imported, read_model
from tests.checks import assert_finite_and_inside, parse_svg, svg_layer_groups

LENET_PROTOTXT = """\
name: "LeNet"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape: { dim: 64 dim: 1 dim: 28 dim: 28 } }
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  param { lr_mult: 1 }
  param { lr_mult: 2 }
  convolution_param {
    num_output: 20
    kernel_size: 5
    stride: 1
    weight_filler { type: "xavier" }
    bias_filler { type: "constant" }
  }
}
layer {
  name: "pool1"
  type: "Pooling"
  bottom: "conv1"
  top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 }
}
layer {
  name: "conv2"
  type: "Convolution"
  bottom: "pool1"
  top: "conv2"
  convolution_param { num_output: 50 kernel_size: 5 stride: 1 }
}
layer {
  name: "pool2"
  type: "Pooling"
  bottom: "conv2"
  top: "pool2"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 }
}
layer {
  name: "ip1"
  type: "InnerProduct"
  bottom: "pool2"
  top: "ip1"
  inner_product_param { num_output: 500 }
}
layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }
layer {
  name: "ip2"
  type: "InnerProduct"
  bottom: "ip1"
  top: "ip2"
  inner_product_param { num_output: 10 }
}
layer { name: "prob" type: "Softmax" bottom: "ip2" top: "prob" }
"""
LENET_PARAMS = (
    (5 * 5 * 1 * 20 + 20) + (5 * 5 * 20 * 50 + 50) + (4 * 4 * 50 * 500 + 500) + (500 * 10 + 10)
)
"""conv1 520 + conv2 25,050 + ip1 400,500 (pool2 is 4x4x50) + ip2 5,010 = 431,080."""


def conv_block(name: str, bottom: str, filters: int, kernel: int, pad: int) -> str:
    """Convolution + BatchNorm + Scale + ReLU, the last three in place (ResNet's style)."""
    return f"""\
layer {{ name: "{name}" type: "Convolution" bottom: "{bottom}" top: "{name}"
  convolution_param {{ num_output: {filters} kernel_size: {kernel} pad: {pad} bias_term: false }} }}
layer {{ name: "bn_{name}" type: "BatchNorm" bottom: "{name}" top: "{name}"
  batch_norm_param {{ use_global_stats: true }} }}
layer {{ name: "scale_{name}" type: "Scale" bottom: "{name}" top: "{name}"
  scale_param {{ bias_term: true }} }}
"""


RESNET_BLOCK_PROTOTXT = (
    'name: "ResNet block"\ninput: "data"\n'
    "input_dim: 1\ninput_dim: 64\ninput_dim: 56\ninput_dim: 56\n"
    + conv_block("res2a_branch2a", "data", 64, 3, 1)
    + 'layer { name: "res2a_branch2a_relu" type: "ReLU" bottom: "res2a_branch2a" '
    'top: "res2a_branch2a" }\n'
    + conv_block("res2a_branch2b", "res2a_branch2a", 64, 3, 1)
    + 'layer { name: "res2a" type: "Eltwise" bottom: "data" bottom: "res2a_branch2b" '
    'top: "res2a" eltwise_param { operation: SUM } }\n'
    'layer { name: "res2a_relu" type: "ReLU" bottom: "res2a" top: "res2a" }\n'
)
RESNET_BLOCK_PARAMS = 2 * (3 * 3 * 64 * 64) + 2 * (2 * 64)
"""Two bias-free 3x3 convs (36,864 each) and two batch norms (gamma and beta, 128 each)."""


def imported(text: str | bytes, filename: str, **options: Any) -> Imported:
    data = text.encode() if isinstance(text, str) else text
    return read_model(data, filename, **options)


def layer_types(spec: dict[str, Any]) -> list[str]:
    return [layer["type"] for layer in spec["layers"]]


def shapes(spec: dict[str, Any]) -> dict[str, list[int]]:
    """Each layer's output shape as the spec's own analysis infers it."""
    net = nnsketch.analyze(nnsketch.load_spec(spec))
    return {info.name: info.output.as_list() for info in net.layers}


def total_params(spec: dict[str, Any]) -> int:
    return nnsketch.analyze(nnsketch.load_spec(spec)).total_params


def assert_renders(spec: dict[str, Any], *styles: str) -> None:
    """The spec survives a JSON round trip and draws cleanly in each style; in the graph
    style (nothing folded) every layer has its own group."""
    again = json.loads(json.dumps(spec))
    assert nnsketch.load_spec(again) == nnsketch.load_spec(spec)
    for style in styles or ("graph",):
        diagram = nnsketch.build(again, style=style)
        assert_finite_and_inside(diagram.drawing)
        root = parse_svg(diagram.svg)
        groups = svg_layer_groups(root)
        assert groups, style
        folded = spec.get("options", {}).get("graph", {}).get("fold_inplace", False)
        if style == "graph" and not folded:
            assert len(groups) == len(spec["layers"]), (len(groups), len(spec["layers"]))


@contextmanager
def refused(status: int, *fragments: str, seconds: float = 2.0) -> Iterator[None]:
    """The block raises an NnsketchError with `status` and a message holding every
    fragment, within `seconds`."""
    start = time.monotonic()
    try:
        yield
    except NnsketchError as exc:
        elapsed = time.monotonic() - start
        assert exc.status == status, (exc.status, exc.issues)
        text = " ".join(issue.msg for issue in exc.issues)
        for fragment in fragments:
            assert fragment in text, (fragment, text)
        assert elapsed < seconds, f"took {elapsed:.2f} s"
        return
    raise AssertionError("the file was accepted")


def check_refused(fn: Callable[[], Any], status: int, *fragments: str) -> None:
    with refused(status, *fragments):
        fn()
