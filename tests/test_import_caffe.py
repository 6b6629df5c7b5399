"""Caffe prototxt import: LeNet and a ResNet block written here, legacy headers, in-place
layers, Caffe's rounding, unknown types, name cleaning and hostile text."""

from __future__ import annotations

import json

import nnsketch
from nnsketch.importers import read_model
from nnsketch.importers.prototxt import parse
from tests.import_support import (
    LENET_PARAMS,
    LENET_PROTOTXT,
    RESNET_BLOCK_PARAMS,
    RESNET_BLOCK_PROTOTXT,
    assert_renders,
    imported,
    layer_types,
    refused,
    shapes,
    total_params,
)

HEADER = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 7\ninput_dim: 7\n'


def test_lenet_layers_shapes_and_parameters() -> None:
    result = imported(LENET_PROTOTXT, "lenet.prototxt")
    spec = result.spec
    assert LENET_PARAMS == 431_080
    assert result.format == "caffe" and result.warnings == ()
    assert spec["title"] == "LeNet" and spec["style"] == "lenet"
    # relu1 works in place on ip1: it becomes ip1's activation
    assert layer_types(spec) == [
        "input",
        "conv",
        "pool",
        "conv",
        "pool",
        "dense",
        "dense",
        "softmax",
    ]
    assert [layer["name"] for layer in spec["layers"]][5] == "ip1"
    assert spec["layers"][5]["activation"] == "relu"
    assert shapes(spec) == {
        "data": [28, 28, 1],
        "conv1": [24, 24, 20],
        "pool1": [12, 12, 20],
        "conv2": [8, 8, 50],
        "pool2": [4, 4, 50],
        "ip1": [500],
        "ip2": [10],
        "prob": [10],
    }
    assert total_params(spec) == LENET_PARAMS == result.spec_params
    assert all(
        layer.get("rounding") == "ceil" for layer in spec["layers"] if layer["type"] == "pool"
    )
    assert_renders(spec, "graph", "lenet", "alexnet")


def test_import_is_deterministic() -> None:
    first = imported(RESNET_BLOCK_PROTOTXT, "block.prototxt")
    again = imported(RESNET_BLOCK_PROTOTXT, "block.prototxt")
    assert json.dumps(first.spec) == json.dumps(again.spec)
    assert nnsketch.build(first.spec).svg == nnsketch.build(again.spec).svg


def test_unfolded_lenet_keeps_the_relu_as_a_layer() -> None:
    spec = imported(LENET_PROTOTXT, "lenet.prototxt", fold=False).spec
    assert layer_types(spec)[5:8] == ["dense", "activation", "dense"]
    assert total_params(spec) == LENET_PARAMS
    assert "options" not in spec


def test_v1_layers_and_legacy_input_dims_read_the_same() -> None:
    v1 = """name: "LeNet"
input: "data"
input_dim: 64
input_dim: 1
input_dim: 28
input_dim: 28
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
  blobs_lr: 1 blobs_lr: 2 convolution_param { num_output: 20 kernel_size: 5 } }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layers { name: "conv2" type: CONVOLUTION bottom: "pool1" top: "conv2"
  convolution_param { num_output: 50 kernel_size: 5 } }
layers { name: "pool2" type: POOLING bottom: "conv2" top: "pool2"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layers { name: "ip1" type: INNER_PRODUCT bottom: "pool2" top: "ip1"
  inner_product_param { num_output: 500 } }
layers { name: "relu1" type: RELU bottom: "ip1" top: "ip1" }
layers { name: "ip2" type: INNER_PRODUCT bottom: "ip1" top: "ip2"
  inner_product_param { num_output: 10 } }
layers { name: "prob" type: SOFTMAX bottom: "ip2" top: "prob" }
"""
    old = imported(v1, "lenet_v1.prototxt").spec
    new = imported(LENET_PROTOTXT, "lenet.prototxt").spec
    assert old["layers"] == new["layers"]
    assert total_params(old) == LENET_PARAMS


def test_input_shape_header() -> None:
    text = 'input: "img"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 48 }\n' + (
        'layer { name: "c" type: "Convolution" bottom: "img" top: "c" '
        "convolution_param { num_output: 8 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 } }"
    )
    spec = imported(text, "x.prototxt").spec
    assert spec["layers"][1]["kernel"] == [3, 5] and spec["layers"][1]["padding"] == [1, 2]
    assert shapes(spec)["c"] == [32, 48, 8]


def test_resnet_block_folds_batchnorm_scale_and_in_place_relus() -> None:
    result = imported(RESNET_BLOCK_PROTOTXT, "block.prototxt")
    spec = result.spec
    # BatchNorm + Scale are one batch norm; the in-place ReLU after the norm stays a
    # layer, and the second conv reads it (the last layer written to the blob)
    assert layer_types(spec) == [
        "input",
        "conv",
        "norm",
        "activation",
        "conv",
        "norm",
        "add",
        "activation",
    ]
    by_name = {layer["name"]: layer for layer in spec["layers"]}
    assert "scale_res2a_branch2a" not in by_name
    assert by_name["res2a"]["inputs"] == ["data", "bn_res2a_branch2b"]
    net = nnsketch.analyze(nnsketch.load_spec(spec))
    edges = {(net.layers[a].name, net.layers[b].name) for a, b in net.edges}
    assert ("res2a_branch2a_relu", "res2a_branch2b") in edges
    assert ("bn_res2a_branch2a", "res2a_branch2a_relu") in edges
    assert net.total_params == RESNET_BLOCK_PARAMS == 73_984
    assert net.total_non_trainable == 2 * 2 * 64
    assert all(s == [56, 56, 64] for s in shapes(spec).values())
    # branches draw in the graph style, in-place layers folded as Netscope draws them
    assert spec["style"] == "graph"
    assert spec["options"] == {"graph": {"fold_inplace": True}}
    assert_renders(spec, "graph")
    assert_renders({**spec, "options": {}}, "graph")


def test_caffe_pooling_rounds_up() -> None:
    text = HEADER + (
        'layer { name: "p" type: "Pooling" bottom: "data" top: "p" '
        "pooling_param { pool: AVE kernel_size: 2 stride: 2 } }\n"
        'layer { name: "p3" type: "Pooling" bottom: "data" top: "p3" '
        "pooling_param { pool: MAX kernel_size: 3 } }\n"
    )
    spec = imported(text, "x.prototxt").spec
    assert shapes(spec)["p"] == [4, 4, 3]  # ceil((7 - 2) / 2) + 1; floor would give 3
    assert shapes(spec)["p3"] == [5, 5, 3]  # Caffe's stride defaults to 1
    assert spec["layers"][1]["mode"] == "avg"


def test_inception_branches_become_inputs_and_a_concat() -> None:
    branches = "".join(
        f'layer {{ name: "inc/{k}x{k}" type: "Convolution" bottom: "data" top: "inc/{k}x{k}" '
        f"convolution_param {{ num_output: {8 * k} kernel_size: {k} pad: {k // 2} }} }}\n"
        f'layer {{ name: "inc/relu_{k}x{k}" type: "ReLU" bottom: "inc/{k}x{k}" '
        f'top: "inc/{k}x{k}" }}\n'
        for k in (1, 3, 5)
    )
    concat = (
        'layer { name: "inc/output" type: "Concat" bottom: "inc/1x1" bottom: "inc/3x3" '
        'bottom: "inc/5x5" top: "inc/output" }\n'
    )
    spec = imported(HEADER + branches + concat, "inc.prototxt").spec
    names = [layer["name"] for layer in spec["layers"]]
    assert names == ["data", "inc.1x1", "inc.3x3", "inc.5x5", "inc.output"]
    assert spec["layers"][4]["inputs"] == ["inc.1x1", "inc.3x3", "inc.5x5"]
    assert all(spec["layers"][k]["activation"] == "relu" for k in (1, 2, 3))
    assert shapes(spec)["inc.output"] == [7, 7, 8 + 24 + 40]
    assert spec["style"] == "graph"
    assert_renders(spec, "graph")


def test_unknown_layer_types_pass_through_with_a_warning() -> None:
    text = HEADER + (
        'layer { name: "odd" type: "MyCustomNorm" bottom: "data" top: "odd" }\n'
        'layer { name: "c" type: "Convolution" bottom: "odd" top: "c" '
        "convolution_param { num_output: 4 kernel_size: 3 } }\n"
    )
    result = imported(text, "x.prototxt")
    odd = result.spec["layers"][1]
    assert odd["type"] == "activation" and odd["label"] == "MyCustomNorm"
    assert shapes(result.spec)["c"] == [5, 5, 4]
    assert any("MyCustomNorm" in w and "odd" in w for w in result.warnings)
    assert_renders(result.spec, "graph", "lenet")


def test_training_layers_are_skipped_and_labels_ignored() -> None:
    text = """name: "train"
layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TRAIN }
  transform_param { crop_size: 24 } }
layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TEST }
  transform_param { crop_size: 24 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 10 } }
layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
"""
    result = imported(text, "train_val.prototxt")
    assert layer_types(result.spec) == ["input", "dense", "softmax"]
    assert shapes(result.spec)["mnist"] == [24, 24, 3]
    assert any("accuracy" in w for w in result.warnings)
    assert any("channels" in w for w in result.warnings)
    assert_renders(result.spec, "graph", "fcnn", "lenet")


def test_names_are_cleaned_unique_and_short() -> None:
    long = "block/" + "x" * 100
    text = HEADER + (
        f'layer {{ name: "{long}" type: "ReLU" bottom: "data" top: "a" }}\n'
        'layer { name: "9 bad name!" type: "ReLU" bottom: "a" top: "b" }\n'
        'layer { name: "dup" type: "ReLU" bottom: "b" top: "c" }\n'
        'layer { name: "dup" type: "TanH" bottom: "c" top: "d" }\n'
    )
    spec = imported(text, "x.prototxt").spec
    names = [layer["name"] for layer in spec["layers"]]
    assert names[1] == "x" * 64
    assert names[2] == "_9_bad_name"
    assert names[3:] == ["dup", "dup-2"]
    assert_renders(spec, "graph")


def test_text_format_details() -> None:
    msg = parse(
        b'# comment\nname: "a" "b"  # joined\nn: 0x10 f: 1.5e-3 e: MAX\n'
        b"m < k: [1, 2, 3] > t: true s: 'it\\'s'\n"
    )
    assert msg.get("name") == "ab"
    assert msg.get("n") == 16 and msg.get("f") == 0.0015 and msg.get("e") == "MAX"
    inner = msg.message("m")
    assert inner is not None and inner.all("k") == [1, 2, 3]
    assert msg.get("t") is True and msg.get("s") == "it's"


def test_hostile_and_broken_text_is_refused_quickly() -> None:
    with refused(422, "nest more than 32"):
        read_model(b"layer {" * 200_000, "deep.prototxt")
    with refused(422, "line 3", "ends before the closing"):
        read_model(b'name: "x"\nlayer {\n  name: "c"\n', "cut.prototxt")
    with refused(422, "line 1, column 11", "unexpected character"):
        read_model(b'name: "x" @ 3', "bad.prototxt")
    with refused(422, "not UTF-8", "caffemodel"):
        read_model(bytes(range(256)) * 100, "w.prototxt")
    with refused(422, "max_dimension"):
        read_model(HEADER.replace("7\n", "1000000000\n", 1).encode(), "huge.prototxt")
    with refused(422, "filters", "1000000"):
        read_model(
            (
                HEADER + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
                "convolution_param { num_output: 100000000000 kernel_size: 1 } }"
            ).encode(),
            "wide.prototxt",
        )
    laughs = HEADER + 'layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n' * 20_000
    with refused(413, "more than 10,000 'layer'", seconds=3.0):
        read_model(laughs.encode(), "laughs.prototxt")
    with refused(422, "no 'layer"):
        read_model(b'name: "nothing here"', "empty.prototxt")
    with refused(422, "'missing' is not produced"):
        read_model(
            (HEADER + 'layer { name: "r" type: "ReLU" bottom: "missing" top: "r" }').encode(),
            "x.prototxt",
        )
    with refused(422, "kernel"):
        read_model(
            (
                HEADER + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
                "convolution_param { num_output: 2 kernel_size: 9 } }"
            ).encode(),
            "x.prototxt",
        )


def test_import_edit_export_round_trip(tmp_path) -> None:
    spec = imported(LENET_PROTOTXT, "lenet.prototxt").spec
    spec["layers"][1]["filters"] = 6
    spec["layers"][3]["filters"] = 16
    out = tmp_path / "lenet.svg"
    diagram = nnsketch.build(spec)
    diagram.save(out)
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    assert diagram.network.total_params == 156 + 2416 + (256 * 500 + 500) + 5010
