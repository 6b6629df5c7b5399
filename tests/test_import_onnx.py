"""ONNX import: graphs built here with onnx.helper (a CNN with initializers, branches,
a large graph), parameter counts against the initializers, and hostile protobuf."""

from __future__ import annotations

import math
from typing import Any

import pytest

onnx = pytest.importorskip("onnx", reason="the onnx package is an optional extra")

import numpy as np  # noqa: E402  (numpy comes with onnx)
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import nnsketch  # noqa: E402
from nnsketch.importers import read_model  # noqa: E402
from tests.import_support import assert_renders, layer_types, refused, shapes  # noqa: E402


def init(name: str, *dims: int) -> Any:
    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def model_bytes(
    nodes: list[Any],
    inits: list[Any],
    inputs: dict[str, list[Any]],
    outputs: dict[str, list[Any]],
    name: str = "net",
    opset: int = 13,
) -> bytes:
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs.items()],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def cnn() -> tuple[bytes, list[Any]]:
    """LeNet-like: Conv(pad 2)+Relu, MaxPool, Conv, BatchNorm, Relu, MaxPool, Flatten,
    Gemm+Relu, MatMul+Add (a dense layer in two nodes), Softmax."""
    make = helper.make_node
    nodes = [
        make(
            "Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[5, 5], pads=[2, 2, 2, 2]
        ),
        make("Relu", ["c1"], ["r1"], name="relu1"),
        make("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        make("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[5, 5]),
        make("BatchNormalization", ["c2", "g", "beta", "mean", "var"], ["n2"], name="bn2"),
        make("Relu", ["n2"], ["r2"], name="relu2"),
        make("MaxPool", ["r2"], ["p2"], name="pool2", kernel_shape=[2, 2], strides=[2, 2]),
        make("Flatten", ["p2"], ["f"], name="flatten", axis=1),
        make("Gemm", ["f", "w3", "b3"], ["g3"], name="fc1", transB=1),
        make("Relu", ["g3"], ["r3"], name="relu3"),
        make("MatMul", ["r3", "w4"], ["mm"], name="fc2"),
        make("Add", ["mm", "b4"], ["logits"], name="fc2_bias"),
        make("Softmax", ["logits"], ["y"], name="prob", axis=1),
    ]
    inits = [
        init("w1", 6, 1, 5, 5),
        init("b1", 6),
        init("w2", 16, 6, 5, 5),
        init("b2", 16),
        init("g", 16),
        init("beta", 16),
        init("mean", 16),
        init("var", 16),
        init("w3", 120, 400),
        init("b3", 120),
        init("w4", 120, 10),
        init("b4", 10),
    ]
    return model_bytes(nodes, inits, {"x": [1, 1, 28, 28]}, {"y": [1, 10]}, "lenet"), inits


def test_small_cnn_matches_its_initializers() -> None:
    data, inits = cnn()
    result = read_model(data, "lenet.onnx")
    spec = result.spec
    assert result.format == "onnx" and result.warnings == ()
    assert spec["title"] == "lenet" and spec["style"] == "lenet"
    assert layer_types(spec) == [
        "input",
        "conv",
        "pool",
        "conv",
        "norm",
        "activation",
        "pool",
        "flatten",
        "dense",
        "dense",
        "softmax",
    ]
    by_name = {layer["name"]: layer for layer in spec["layers"]}
    assert by_name["conv1"]["activation"] == "relu" and by_name["conv1"]["padding"] == 2
    assert by_name["fc1"]["activation"] == "relu"
    assert by_name["fc2"].get("bias", True) is True  # MatMul + Add(bias) is one dense layer
    assert list(shapes(spec).values()) == [
        [28, 28, 1],
        [28, 28, 6],
        [14, 14, 6],
        [10, 10, 16],
        [10, 10, 16],
        [10, 10, 16],
        [5, 5, 16],
        [400],
        [120],
        [10],
        [10],
    ]
    file_total = sum(math.prod(t.dims) for t in inits)
    net = nnsketch.analyze(nnsketch.load_spec(spec))
    assert net.total_params + net.total_non_trainable == file_total == result.file_params == 51_966
    assert_renders(spec, "graph", "lenet", "alexnet")


def test_branches_resize_and_shapes_from_inference() -> None:
    make = helper.make_node
    nodes = [
        make("Conv", ["x", "w"], ["a"], name="/enc/conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        make("Relu", ["a"], ["r"], name="/enc/relu"),
        make("MaxPool", ["r"], ["p"], name="/down/pool", kernel_shape=[2, 2], strides=[2, 2]),
        make("Resize", ["p", "", "scales"], ["u"], name="/up/resize", mode="nearest"),
        make("Add", ["u", "r"], ["s"], name="/skip/add"),
        make("Concat", ["s", "x"], ["cat"], name="/cat", axis=1),
        make("Mul", ["cat", "half"], ["y"], name="/scale"),  # times a constant: not drawn
    ]
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    inits = [init("w", 8, 3, 3, 3), scales, init("half", 1)]
    data = model_bytes(nodes, inits, {"x": [1, 3, 16, 16]}, {"y": [1, 11, 16, 16]})
    result = read_model(data, "unet.onnx")
    spec = result.spec
    assert spec["style"] == "graph"
    # the ReLU feeds two layers, yet folds into the conv: the conv feeds only the ReLU
    assert layer_types(spec) == ["input", "conv", "pool", "upsample", "add", "concat"]
    by_name = {layer["name"]: layer for layer in spec["layers"]}
    assert by_name["enc.conv"]["activation"] == "relu"
    assert by_name["skip.add"]["inputs"] == ["up.resize", "enc.conv"]
    assert by_name["cat"]["inputs"] == ["skip.add", "x"]
    assert "scale" not in by_name["up.resize"]  # the default, 2
    assert shapes(spec)["cat"] == [16, 16, 11]
    assert_renders(spec, "graph")


def test_large_graphs_fold_norms_and_activations() -> None:
    make = helper.make_node
    nodes, inits, prev = [], [], "x"
    for k in range(60):
        nodes += [
            make("Conv", [prev, f"w{k}"], [f"c{k}"], name=f"conv{k}", kernel_shape=[1, 1]),
            make(
                "BatchNormalization",
                [f"c{k}", f"s{k}", f"b{k}", f"m{k}", f"v{k}"],
                [f"n{k}"],
                name=f"bn{k}",
            ),
            make("Relu", [f"n{k}"], [f"r{k}"], name=f"relu{k}"),
        ]
        inits += [init(f"w{k}", 4, 4, 1, 1)] + [init(f"{p}{k}", 4) for p in "sbmv"]
        prev = f"r{k}"
    data = model_bytes(nodes, inits, {"x": [1, 4, 8, 8]}, {prev: [1, 4, 8, 8]})
    folded = read_model(data, "deep.onnx").spec
    assert len(folded["layers"]) == 181 and folded["options"]["graph"]["fold_inplace"] is True
    assert folded["style"] == "graph"
    plain = read_model(data, "deep.onnx", fold=False).spec
    assert len(plain["layers"]) == 181 and "options" not in plain
    net = nnsketch.analyze(nnsketch.load_spec(folded))
    assert net.total_params + net.total_non_trainable == sum(math.prod(t.dims) for t in inits)
    diagram = nnsketch.build(folded)
    from tests.checks import parse_svg, svg_layer_groups

    # each conv box holds its batch norm and ReLU
    assert len(svg_layer_groups(parse_svg(diagram.svg))) == 1 + 60


def test_a_symbolic_input_size_is_assumed_with_a_warning() -> None:
    make = helper.make_node
    nodes = [
        make("GlobalAveragePool", ["x"], ["g"], name="gap"),
        make("Flatten", ["g"], ["y"], name="flat"),
    ]
    data = model_bytes(nodes, [], {"x": ["batch", 3, "h", "w"]}, {"y": ["batch", 3]})
    result = read_model(data, "dyn.onnx")
    assert shapes(result.spec)["x"] == [224, 224, 3]
    assert any("not fixed" in w for w in result.warnings)


def test_exported_torch_module_matches_its_parameters() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra")
    import io
    import warnings

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.pool = torch.nn.AdaptiveAvgPool2d(1)
            self.fc = torch.nn.Linear(8, 4)

        def forward(self, x: Any) -> Any:
            return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))

    model = Net().eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, 16, 16), buffer, dynamo=False)
    result = read_model(buffer.getvalue(), "net.onnx")
    assert layer_types(result.spec) == ["input", "conv", "pool", "flatten", "dense"]
    assert result.spec_params == sum(p.numel() for p in model.parameters()) == result.file_params


def test_hostile_protobuf_is_refused_quickly() -> None:
    data, _ = cnn()
    with refused(422, "not a valid ONNX file"):
        read_model(data[: len(data) // 2], "cut.onnx")
    with refused(422, "not a valid ONNX file"):
        read_model(b"\x08\x07\x3a\xff\xff\xff\xff\x0f" + bytes(100), "absurd.onnx")
    with refused(422, "not a valid ONNX file"):
        read_model(b'layer { name: "x" }', "text.onnx")
    with refused(422):
        read_model(np.random.default_rng(1).bytes(200_000), "garbage.onnx")
    with refused(422, "no graph nodes"):
        read_model(
            helper.make_model(helper.make_graph([], "g", [], [])).SerializeToString(), "empty.onnx"
        )
    make = helper.make_node
    huge = model_bytes(
        [make("Relu", ["x"], ["y"], name="r")],
        [],
        {"x": [1, 3, 10**12, 10**12]},
        {"y": [1, 3, 10**12, 10**12]},
    )
    with refused(422, "max_dimension"):
        read_model(huge, "huge.onnx")
    wide = model_bytes(
        [make("Conv", ["x", "w"], ["y"], name="c", kernel_shape=[1, 1])],
        [init("w", 2_000_000, 1, 1, 1)],
        {"x": [1, 1, 2, 2]},
        {"y": [1, 2_000_000, 2, 2]},
    )
    with refused(422, "filters", "1000000"):
        read_model(wide, "wide.onnx")
