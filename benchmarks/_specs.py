"""Specs generated in code for the scaling and peers benchmarks.

Plain dicts in the spec format, so they go through validation like a user's file.
Every layer of the residual networks is named, so merges can name their inputs.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]


def chain(layers: int, style: str) -> Spec:
    """input, (layers - 3) 'same' convolutions, flatten, dense: exactly `layers` layers."""
    if layers < 4:
        raise ValueError("a chain needs at least 4 layers")
    body: list[dict[str, Any]] = [{"type": "input", "height": 32, "width": 32, "channels": 3}]
    for i in range(layers - 3):
        body.append(
            {
                "type": "conv",
                "filters": (16, 32, 64)[i % 3],
                "kernel": 3,
                "padding": "same",
                "activation": "relu",
            }
        )
    body += [{"type": "flatten"}, {"type": "dense", "units": 10}]
    return {"style": style, "title": f"Chain of {layers} layers", "layers": body}


def mlp_grid(layers: int, units: int, elide: bool = False) -> Spec:
    """An FCNN of `layers` layers of `units` nodes each (edges grow as units**2)."""
    body: list[dict[str, Any]] = [{"type": "input", "units": units}]
    body += [{"type": "dense", "units": units} for _ in range(layers - 1)]
    return {
        "style": "fcnn",
        "title": f"{layers} x {units} nodes",
        "layers": body,
        "options": {"fcnn": {"elide": elide}},
    }


def residual(layers: int) -> Spec:
    """A DAG of residual blocks (conv-norm-relu-conv-norm-add-relu), exactly `layers` layers."""
    body: list[dict[str, Any]] = [
        {"type": "input", "height": 56, "width": 56, "channels": 64, "name": "x"}
    ]
    prev, block = "x", 0
    while len(body) + 7 <= layers:
        b = f"b{block}"
        body += [
            {
                "type": "conv",
                "filters": 64,
                "kernel": 3,
                "padding": "same",
                "name": f"{b}_c1",
                "inputs": [prev],
            },
            {"type": "norm", "name": f"{b}_n1"},
            {"type": "activation", "name": f"{b}_r1"},
            {"type": "conv", "filters": 64, "kernel": 3, "padding": "same", "name": f"{b}_c2"},
            {"type": "norm", "name": f"{b}_n2"},
            {"type": "add", "inputs": [prev, f"{b}_n2"], "name": f"{b}_add"},
            {"type": "activation", "name": f"{b}_out"},
        ]
        prev, block = f"{b}_out", block + 1
    while len(body) < layers:
        body.append(
            {
                "type": "conv",
                "filters": 64,
                "kernel": 3,
                "padding": "same",
                "name": f"tail{len(body)}",
            }
        )
    return {"style": "graph", "title": f"Residual DAG of {layers} layers", "layers": body}


def resnet(depth: int) -> Spec:
    """ResNet-18 (basic blocks) or ResNet-50 (bottlenecks) for 224x224 images."""
    blocks = {18: (2, 2, 2, 2), 50: (3, 4, 6, 3)}[depth]
    bottleneck = depth >= 50
    body: list[dict[str, Any]] = [
        {"type": "input", "height": 224, "width": 224, "channels": 3, "name": "image"},
        {
            "type": "conv",
            "filters": 64,
            "kernel": 7,
            "stride": 2,
            "padding": 3,
            "bias": False,
            "name": "conv1",
        },
        {"type": "norm", "name": "bn1"},
        {"type": "activation", "name": "relu1"},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1, "name": "maxpool"},
    ]
    prev, channels = "maxpool", 64
    for stage, count in enumerate(blocks, start=1):
        width = 64 * 2 ** (stage - 1)
        out_channels = width * 4 if bottleneck else width
        for i in range(count):
            b = f"layer{stage}_{i}"
            stride = 2 if (i == 0 and stage > 1) else 1
            convs = (
                [(width, 1, 1, 0), (width, 3, stride, 1), (out_channels, 1, 1, 0)]
                if bottleneck
                else [(width, 3, stride, 1), (width, 3, 1, 1)]
            )
            src = prev
            for j, (filters, k, s, p) in enumerate(convs, start=1):
                body.append(
                    {
                        "type": "conv",
                        "filters": filters,
                        "kernel": k,
                        "stride": s,
                        "padding": p,
                        "bias": False,
                        "name": f"{b}_conv{j}",
                        "inputs": [src],
                    }
                )
                body.append({"type": "norm", "name": f"{b}_bn{j}"})
                src = f"{b}_bn{j}"
                if j < len(convs):
                    body.append({"type": "activation", "name": f"{b}_relu{j}"})
                    src = f"{b}_relu{j}"
            shortcut = prev
            if stride != 1 or channels != out_channels:
                body.append(
                    {
                        "type": "conv",
                        "filters": out_channels,
                        "kernel": 1,
                        "stride": stride,
                        "bias": False,
                        "name": f"{b}_down",
                        "inputs": [prev],
                    }
                )
                body.append({"type": "norm", "name": f"{b}_down_bn"})
                shortcut = f"{b}_down_bn"
            body.append({"type": "add", "inputs": [shortcut, src], "name": f"{b}_add"})
            body.append({"type": "activation", "name": f"{b}_out"})
            prev, channels = f"{b}_out", out_channels
    body += [
        {"type": "pool", "global": True, "mode": "avg", "name": "avgpool", "inputs": [prev]},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "units": 1000, "name": "fc"},
    ]
    return {"style": "graph", "title": f"ResNet-{depth}", "layers": body}


RESNET_PARAMS = {18: 11_689_512, 50: 25_557_032}
"""Trainable parameters (torchvision's counts), to check the generated specs."""
