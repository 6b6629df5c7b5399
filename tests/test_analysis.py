"""Shape and cost inference against published tables and the standard formulas."""

from __future__ import annotations

import pytest

from nnsketch import SpecError, analyze, load_spec
from tests.conftest import load


def net(*layers: dict, first: dict | None = None):
    first = first or {"type": "input", "height": 32, "width": 32, "channels": 3}
    return analyze(load_spec({"layers": [first, *layers]}))


def test_lenet5_table() -> None:
    n = analyze(load_spec(load("lenet5")))
    assert [str(i.output) for i in n.layers] == [
        "32×32×1", "28×28×6", "14×14×6", "10×10×16", "5×5×16", "120", "84", "10",
    ]  # fmt: skip
    assert [i.params for i in n.layers] == [0, 156, 0, 2416, 0, 48120, 10164, 850]
    assert n.total_params == 61_706


def test_alexnet_table() -> None:
    n = analyze(load_spec(load("alexnet")))
    convs = [i for i in n.layers if i.type in ("conv", "dense")]
    assert [str(i.output) for i in convs] == [
        "55×55×96", "27×27×256", "13×13×384", "13×13×384", "13×13×256", "4096", "4096", "1000",
    ]  # fmt: skip
    assert [i.params for i in convs] == [
        34_944, 614_656, 885_120, 1_327_488, 884_992, 37_752_832, 16_781_312, 4_097_000,
    ]  # fmt: skip
    assert n.total_params == 62_378_344
    assert convs[0].macs == 11 * 11 * 3 * 96 * 55 * 55


def test_vgg16_and_mnist_totals() -> None:
    assert analyze(load_spec(load("vgg16"))).total_params == 138_357_544
    assert analyze(load_spec(load("mnist_cnn"))).total_params == 121_930


@pytest.mark.parametrize(
    ("conv", "shape"),
    [
        ({"kernel": 3}, (30, 30)),
        ({"kernel": 3, "padding": "same"}, (32, 32)),
        ({"kernel": 3, "padding": "same", "stride": 2}, (16, 16)),
        ({"kernel": 3, "padding": 1, "stride": 2}, (16, 16)),
        ({"kernel": [3, 5], "padding": [1, 2]}, (32, 32)),
        ({"kernel": 3, "dilation": 2}, (28, 28)),
        ({"kernel": 7, "stride": 2, "padding": 3}, (16, 16)),
    ],
)
def test_conv_formula(conv: dict, shape: tuple[int, int]) -> None:
    info = net({"type": "conv", "filters": 8, **conv}).layers[1]
    assert (info.output.height, info.output.width) == shape


def test_grouped_and_depthwise_params() -> None:
    grouped = net({"type": "conv", "filters": 6, "kernel": 3, "groups": 3}).layers[1]
    assert grouped.params == 3 * 3 * 1 * 6 + 6
    depthwise = net({"type": "conv", "filters": 3, "kernel": 3, "groups": 3, "bias": False})
    assert depthwise.layers[1].params == 27


def test_groups_must_divide() -> None:
    with pytest.raises(SpecError) as info:
        net({"type": "conv", "filters": 4, "groups": 2})
    assert info.value.issues[0].loc == "layers[1].groups"


def test_pool_rounding_matches_caffe() -> None:
    first = {"type": "input", "height": 112, "width": 112, "channels": 64}
    floor = net({"type": "pool", "kernel": 3, "stride": 2}, first=first).layers[1]
    ceil = net({"type": "pool", "kernel": 3, "stride": 2, "rounding": "ceil"}, first=first)
    assert floor.output.height == 55 and ceil.layers[1].output.height == 56
    glob = net({"type": "pool", "global": True, "mode": "avg"}, first=first).layers[1]
    assert (glob.output.height, glob.output.width, glob.output.channels) == (1, 1, 64)


def test_batch_norm_counts_statistics_apart() -> None:
    info = net({"type": "norm"}).layers[1]
    assert (info.params, info.non_trainable) == (6, 6)
    assert net({"type": "norm", "kind": "lrn"}).layers[1].params == 0


def test_dense_flattens_implicitly() -> None:
    info = net({"type": "dense", "units": 10}).layers[1]
    assert info.params == 32 * 32 * 3 * 10 + 10


@pytest.mark.parametrize(
    ("layers", "loc", "fragment"),
    [
        ([{"type": "conv", "filters": 2, "kernel": 40}], "layers[1].kernel", "does not fit"),
        ([{"type": "pool", "kernel": 33}], "layers[1].kernel", "does not fit"),
        ([{"type": "flatten"}, {"type": "conv", "filters": 2}], "layers[2].type", "spatial input"),
    ],
)
def test_impossible_shapes_name_the_layer(layers: list, loc: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        net(*layers)
    assert info.value.issues[0].loc == loc
    assert fragment in info.value.issues[0].msg


def test_stated_size_overrides_inference() -> None:
    n = net({"type": "conv", "filters": 2, "kernel": 40, "height": 8, "width": 8, "depth": 2})
    assert str(n.layers[1].output) == "8×8×2"
    n = net({"type": "conv", "filters": 2, "kernel": 3, "depth": 64})
    assert str(n.layers[1].output) == "30×30×64"


def test_default_names_avoid_user_names() -> None:
    n = net({"type": "conv", "filters": 2, "name": "conv1"}, {"type": "conv", "filters": 2})
    assert [i.name for i in n.layers] == ["input1", "conv1", "conv2"]


def test_first_layer_must_be_input() -> None:
    with pytest.raises(SpecError) as info:
        analyze(load_spec({"layers": [{"type": "dense", "units": 3}]}))
    assert info.value.issues[0].loc == "layers[0].type"
