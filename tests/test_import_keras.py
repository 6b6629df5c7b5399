"""Keras model JSON import: Sequential and Functional models written here in the Keras 2
and Keras 3 spellings (no TensorFlow or Keras needed), checked against Keras's own
parameter counts and shapes."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from nnsketch.importers import read_model
from tests.import_support import assert_renders, layer_types, refused, shapes, total_params

Shape = list[int | None]


def conv(name: str, filters: int, kernel: int = 3, **extra: Any) -> tuple[str, str, dict]:
    cfg = {
        "name": name,
        "filters": filters,
        "kernel_size": [kernel, kernel],
        "strides": [1, 1],
        "padding": "valid",
        "data_format": "channels_last",
        "dilation_rate": [1, 1],
        "groups": 1,
        "activation": "linear",
        "use_bias": True,
        **extra,
    }
    return ("Conv2D", name, cfg)


def layer(cls: str, name: str, **cfg: Any) -> tuple[str, str, dict]:
    return (cls, name, {"name": name, "trainable": True, **cfg})


# -- Keras 2 and Keras 3 spellings of one model description --------------------------------


def keras2_sequential(name: str, input_shape: Shape, layers: list[tuple[str, str, dict]]) -> dict:
    first = {
        "class_name": "InputLayer",
        "config": {
            "batch_input_shape": [None, *input_shape],
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": "input_1",
        },
    }
    body = [{"class_name": cls, "config": cfg} for cls, _, cfg in layers]
    return {
        "class_name": "Sequential",
        "config": {"name": name, "layers": [first, *body]},
        "keras_version": "2.15.0",
        "backend": "tensorflow",
    }


def keras3_sequential(name: str, input_shape: Shape, layers: list[tuple[str, str, dict]]) -> dict:
    first = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "registered_name": None,
        "config": {
            "batch_shape": [None, *input_shape],
            "dtype": "float32",
            "sparse": False,
            "name": "input_layer",
        },
    }
    body = [
        {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None}
        for cls, _, cfg in layers
    ]
    return {
        "module": "keras",
        "class_name": "Sequential",
        "registered_name": None,
        "config": {"name": name, "trainable": True, "layers": [first, *body]},
        "build_config": {"input_shape": [None, *input_shape]},
    }


Node = tuple[str, str, dict, list[str]]


def keras2_functional(name: str, inputs: dict[str, Shape], nodes: list[Node], output: str) -> dict:
    entries: list[dict] = [
        {
            "class_name": "InputLayer",
            "name": n,
            "inbound_nodes": [],
            "config": {"batch_input_shape": [None, *s], "dtype": "float32", "name": n},
        }
        for n, s in inputs.items()
    ]
    for cls, n, cfg, srcs in nodes:
        entries.append(
            {
                "class_name": cls,
                "config": cfg,
                "name": n,
                "inbound_nodes": [[[s, 0, 0, {}] for s in srcs]],
            }
        )
    return {
        "class_name": "Functional",
        "keras_version": "2.15.0",
        "backend": "tensorflow",
        "config": {
            "name": name,
            "layers": entries,
            "input_layers": [[n, 0, 0] for n in inputs],
            "output_layers": [[output, 0, 0]],
        },
    }


def keras3_functional(
    name: str,
    inputs: dict[str, Shape],
    nodes: list[Node],
    output: str,
    tensor_shapes: dict[str, Shape],
) -> dict:
    def tensor(src: str) -> dict:
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": [None, *tensor_shapes[src]],
                "dtype": "float32",
                "keras_history": [src, 0, 0],
            },
        }

    entries: list[dict] = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "registered_name": None,
            "name": n,
            "inbound_nodes": [],
            "config": {"batch_shape": [None, *s], "dtype": "float32", "name": n},
        }
        for n, s in inputs.items()
    ]
    for cls, n, cfg, srcs in nodes:
        args = [tensor(srcs[0])] if len(srcs) == 1 else [[tensor(s) for s in srcs]]
        entries.append(
            {
                "module": "keras.layers",
                "class_name": cls,
                "config": cfg,
                "registered_name": None,
                "name": n,
                "inbound_nodes": [{"args": args, "kwargs": {}}],
            }
        )
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "registered_name": "Functional",
        "config": {
            "name": name,
            "trainable": True,
            "layers": entries,
            "input_layers": [next(iter(inputs)), 0, 0],
            "output_layers": [output, 0, 0],
        },
    }


def as_file(model: dict, name: str = "model.json") -> Any:
    return read_model(json.dumps(model).encode(), name)


# -- models ---------------------------------------------------------------------------------

MNIST_LAYERS = [
    conv("conv2d", 32, activation="relu"),
    layer("MaxPooling2D", "max_pooling2d", pool_size=[2, 2], strides=[2, 2], padding="valid"),
    conv("conv2d_1", 64, activation="relu"),
    layer("MaxPooling2D", "max_pooling2d_1", pool_size=[2, 2], strides=None, padding="valid"),
    layer("Flatten", "flatten"),
    layer("Dense", "dense", units=64, activation="relu", use_bias=True),
    layer("Dense", "dense_1", units=10, activation="linear", use_bias=True),
]
MNIST_PARAMS = (
    (3 * 3 * 1 * 32 + 32) + (3 * 3 * 32 * 64 + 64) + (5 * 5 * 64 * 64 + 64) + (64 * 10 + 10)
)
"""320 + 18,496 + 102,464 + 650 = 121,930, what Keras's model.summary() reports."""

RESIDUAL_NODES: list[Node] = [
    (*conv("c1", 16, padding="same", activation="relu"), ["img"]),
    (*conv("c2", 16, padding="same"), ["c1"]),
    (*layer("Add", "add"), ["c1", "c2"]),
    (*layer("Concatenate", "cat", axis=-1), ["add", "c1"]),
    (*layer("GlobalAveragePooling2D", "gap"), ["cat"]),
    (*layer("Dense", "dense", units=10, activation="softmax"), ["gap"]),
]
RESIDUAL_SHAPES: dict[str, Shape] = {
    "img": [32, 32, 3],
    "c1": [32, 32, 16],
    "c2": [32, 32, 16],
    "add": [32, 32, 16],
    "cat": [32, 32, 32],
    "gap": [32],
}
RESIDUAL_PARAMS = (3 * 3 * 3 * 16 + 16) + (3 * 3 * 16 * 16 + 16) + (32 * 10 + 10)


@pytest.mark.parametrize("spelling", [keras2_sequential, keras3_sequential])
def test_sequential_mnist_cnn(spelling: Any) -> None:
    result = as_file(spelling("mnist_cnn", [28, 28, 1], MNIST_LAYERS))
    spec = result.spec
    assert MNIST_PARAMS == 121_930
    assert result.format == "keras" and result.warnings == ()
    assert spec["title"] == "mnist_cnn" and spec["style"] == "lenet"
    assert layer_types(spec) == [
        "input",
        "conv",
        "pool",
        "conv",
        "pool",
        "flatten",
        "dense",
        "dense",
    ]
    assert spec["layers"][1]["activation"] == "relu" and "activation" not in spec["layers"][7]
    assert list(shapes(spec).values()) == [
        [28, 28, 1],
        [26, 26, 32],
        [13, 13, 32],
        [11, 11, 64],
        [5, 5, 64],
        [1600],
        [64],
        [10],
    ]
    assert total_params(spec) == MNIST_PARAMS
    assert_renders(spec, "graph", "lenet", "alexnet")


def test_keras2_sequential_without_an_input_layer() -> None:
    first = conv("conv2d", 32, activation="relu")
    first[2]["batch_input_shape"] = [None, 28, 28, 1]
    model = keras2_sequential("m", [28, 28, 1], [first, *MNIST_LAYERS[1:]])
    model["config"]["layers"].pop(0)
    assert total_params(as_file(model).spec) == MNIST_PARAMS


def test_functional_residual_add_and_concatenate_in_both_spellings() -> None:
    old = as_file(keras2_functional("residual", {"img": [32, 32, 3]}, RESIDUAL_NODES, "dense"))
    new = as_file(
        keras3_functional(
            "residual", {"img": [32, 32, 3]}, RESIDUAL_NODES, "dense", RESIDUAL_SHAPES
        )
    )
    assert old.spec == new.spec and old.warnings == new.warnings == ()
    spec = new.spec
    assert spec["style"] == "graph"
    assert layer_types(spec) == ["input", "conv", "conv", "add", "concat", "pool", "dense"]
    by_name = {layer["name"]: layer for layer in spec["layers"]}
    assert by_name["add"]["inputs"] == ["c1", "c2"]
    assert by_name["cat"]["inputs"] == ["add", "c1"]
    assert by_name["dense"]["activation"] == "softmax"
    assert shapes(spec)["cat"] == [32, 32, 32]
    assert total_params(spec) == RESIDUAL_PARAMS == 3098
    assert_renders(spec, "graph")


def test_layer_mapping_matches_keras_counts() -> None:
    """Keras 3 reports 2,795 parameters (BatchNormalization's 8 statistics included)."""
    layers = [
        layer("ZeroPadding2D", "pad", padding=[[2, 2], [2, 2]]),
        conv("conv", 8, kernel=5, strides=[2, 2]),
        layer(
            "SeparableConv2D",
            "sep",
            filters=16,
            kernel_size=[3, 3],
            padding="same",
            depth_multiplier=2,
            activation="linear",
            use_bias=True,
        ),
        layer(
            "DepthwiseConv2D",
            "dw",
            kernel_size=[3, 3],
            padding="same",
            depth_multiplier=1,
            use_bias=True,
        ),
        layer(
            "Conv2DTranspose",
            "up_conv",
            filters=4,
            kernel_size=[3, 3],
            strides=[2, 2],
            padding="same",
            use_bias=True,
            output_padding=None,
        ),
        layer("UpSampling2D", "up", size=[2, 2], interpolation="bilinear"),
        layer("BatchNormalization", "bn", axis=-1, center=True, scale=True),
        layer("GlobalAveragePooling2D", "gap"),
        layer("Dense", "out", units=3),
    ]
    result = as_file(keras3_sequential("zoo", [16, 16, 8], layers))
    spec = result.spec
    by_name = {layer["name"]: layer for layer in spec["layers"]}
    assert "pad" not in by_name and by_name["conv"]["padding"] == 2  # folded into the conv
    assert by_name["sep.depthwise"]["groups"] == 8 and by_name["sep.depthwise"]["filters"] == 16
    assert by_name["sep"]["kernel"] == 1
    assert by_name["dw"]["groups"] == 16
    assert by_name["up"]["mode"] == "bilinear"
    out = shapes(spec)
    assert out["conv"] == [8, 8, 8] and out["up_conv"] == [16, 16, 4] and out["up"] == [32, 32, 4]
    import nnsketch

    net = nnsketch.analyze(nnsketch.load_spec(spec))
    assert net.total_params + net.total_non_trainable == 2795
    assert_renders(spec, "graph", "lenet")


def test_unknown_layers_shared_layers_and_nested_models() -> None:
    inner = keras3_sequential("head", [32], [layer("Dense", "h1", units=8)])
    nodes: list[Node] = [
        (*layer("Flatten", "flat"), ["img"]),
        (*layer("LSTMish", "mystery"), ["flat"]),
        (*layer("Dense", "shared", units=32), ["mystery"]),
    ]
    model = keras3_functional(
        "mixed",
        {"img": [4, 4, 2]},
        nodes,
        "head",
        {"img": [4, 4, 2], "flat": [32], "mystery": [32], "shared": [32]},
    )
    entries = model["config"]["layers"]
    # call "shared" a second time on its own output, then the nested model
    entries[-1]["inbound_nodes"].append(
        {
            "args": [
                {
                    "class_name": "__keras_tensor__",
                    "config": {"shape": [None, 32], "keras_history": ["shared", 0, 0]},
                }
            ]
        }
    )
    entries.append(
        {
            **inner,
            "name": "head",
            "inbound_nodes": [
                {
                    "args": [
                        {
                            "class_name": "__keras_tensor__",
                            "config": {"shape": [None, 32], "keras_history": ["shared", 1, 0]},
                        }
                    ]
                }
            ],
        }
    )
    model["config"]["output_layers"] = ["head", 0, 0]
    result = as_file(model)
    names = [layer["name"] for layer in result.spec["layers"]]
    assert names == ["img", "flat", "mystery", "shared", "shared_1", "head.h1"]
    assert result.spec["layers"][2]["label"] == "LSTMish"
    assert any("LSTMish" in w for w in result.warnings)
    assert any("shared layer" in w for w in result.warnings)
    assert shapes(result.spec)["head.h1"] == [8]
    assert_renders(result.spec, "graph")


def test_dot_keras_zip() -> None:
    model = keras3_sequential("zipped", [28, 28, 1], MNIST_LAYERS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        archive.writestr("config.json", json.dumps(model))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    result = read_model(buffer.getvalue(), "model.keras")
    assert total_params(result.spec) == MNIST_PARAMS


def test_an_nnsketch_spec_imports_as_itself() -> None:
    spec = {
        "style": "lenet",
        "layers": [{"type": "input", "units": 4}, {"type": "dense", "units": 2}],
    }
    result = read_model(json.dumps(spec).encode(), "spec.json")
    assert result.format == "nnsketch" and result.spec["layers"] == spec["layers"]


def test_bad_keras_files_are_refused_with_reasons() -> None:
    with refused(422, "not a Keras model", "'Nope'"):
        as_file({"class_name": "Nope", "config": {}})
    with refused(422, "nests arrays or objects too deeply"):
        read_model(b"[" * 100_000 + b"]" * 100_000, "deep.json")
    with refused(422, "nests more than 64"):
        read_model(
            b'{"class_name": "Sequential", "config": ' + b"[" * 500 + b"]" * 500 + b"}", "deep.json"
        )
    with refused(422, "NaN"):
        read_model(b'{"class_name": NaN}', "nan.json")
    with refused(422, "line 1, column"):
        read_model(b'{"class_name": "Sequential", ', "cut.json")
    bad = keras2_functional("x", {"img": [8, 8, 1]}, [(*conv("c", 2), ["ghost"])], "c")
    with refused(422, "'ghost'", "no layer produces"):
        as_file(bad)
    cyclic = keras2_functional(
        "x",
        {"img": [8, 8, 1]},
        [(*layer("Add", "a"), ["img", "b"]), (*layer("Add", "b"), ["a", "img"])],
        "b",
    )
    with refused(422, "cycle"):
        as_file(cyclic)
    no_shape = keras2_sequential("x", [8], [layer("Dense", "d", units=2)])
    no_shape["config"]["layers"].pop(0)
    with refused(422, "input shape"):
        as_file(no_shape)
    huge = keras2_sequential("x", [1_000_000_000, 4, 3], [layer("Flatten", "f")])
    with refused(422, "max_dimension"):
        as_file(huge)
    with refused(422, "HDF5"):
        read_model(b"\x89HDF\r\n\x1a\n" + bytes(64), "model.h5")
