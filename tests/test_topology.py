"""Branching networks: inputs by name, merges with shape checks, cycles, upsampling."""

from __future__ import annotations

import pytest

from nnsketch import SpecError, analyze, load_spec

IMG = {"type": "input", "height": 32, "width": 32, "channels": 16, "name": "x"}


def net(*layers: dict):
    return analyze(load_spec({"layers": [IMG, *layers]}))


def error(*layers: dict) -> tuple[str, str]:
    with pytest.raises(SpecError) as info:
        net(*layers)
    issue = info.value.issues[0]
    return issue.loc, issue.msg


def test_residual_block() -> None:
    n = net(
        {"type": "conv", "filters": 16, "kernel": 3, "padding": "same", "name": "c1"},
        {"type": "conv", "filters": 16, "kernel": 3, "padding": "same", "name": "c2"},
        {"type": "add", "inputs": ["x", "c2"], "name": "sum"},
    )
    assert n.layers[3].inputs == (0, 2)
    assert str(n.layers[3].output) == "32×32×16"
    assert not n.is_chain
    assert (0, 3) in n.edges and (2, 3) in n.edges


def test_concat_sums_channels() -> None:
    n = net(
        {"type": "conv", "filters": 8, "kernel": 1, "name": "a", "inputs": ["x"]},
        {"type": "conv", "filters": 24, "kernel": 3, "padding": 1, "name": "b", "inputs": ["x"]},
        {"type": "concat", "inputs": ["a", "b", "x"]},
    )
    assert str(n.layers[3].output) == "32×32×48"


def test_chain_detected() -> None:
    assert net({"type": "conv", "filters": 2}).is_chain


@pytest.mark.parametrize(
    ("layers", "loc", "fragment"),
    [
        ([{"type": "conv", "filters": 8, "stride": 2, "name": "a"},
          {"type": "add", "inputs": ["x", "a"]}], "layers[2].inputs", "same shape"),
        ([{"type": "pool", "name": "p"}, {"type": "concat", "inputs": ["x", "p"]}],
         "layers[2].inputs", "equal height and width"),
        ([{"type": "add", "inputs": ["x", "ghost"]}], "layers[1].inputs[1]", "'ghost'"),
        ([{"type": "add"}], "layers[1].inputs", "two or more"),
        ([{"type": "conv", "filters": 2, "name": "a"},
          {"type": "conv", "filters": 2, "inputs": ["x", "a"]}], "layers[2].inputs", "takes one"),
        ([{"type": "conv", "filters": 2, "name": "a", "inputs": ["a"]}], "layers[1].inputs[0]",
         "cannot feed itself"),
    ],
)  # fmt: skip
def test_graph_errors_are_located(layers: list, loc: str, fragment: str) -> None:
    found_loc, msg = error(*layers)
    assert found_loc == loc and fragment in msg, (found_loc, msg)


def test_cycle_names_the_layers() -> None:
    loc, msg = error(
        {"type": "conv", "filters": 16, "kernel": 1, "name": "a", "inputs": ["b"]},
        {"type": "conv", "filters": 16, "kernel": 1, "name": "b", "inputs": ["a"]},
    )
    assert "cycle" in msg
    assert "a -> b" in msg or "b -> a" in msg
    assert loc in ("layers[1].inputs", "layers[2].inputs")


def test_forward_reference_is_allowed_when_acyclic() -> None:
    n = net(
        {"type": "add", "inputs": ["x", "c"], "name": "s"},
        {"type": "conv", "filters": 16, "kernel": 1, "name": "c", "inputs": ["x"]},
    )
    assert str(n.layers[1].output) == "32×32×16"


@pytest.mark.parametrize(
    ("deconv", "size"),
    [
        ({"kernel": 2, "stride": 2}, 64),
        ({"kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}, 64),
        ({"kernel": 4, "stride": 2, "padding": 1}, 64),
        ({"kernel": 3, "stride": 1, "padding": "same"}, 32),
    ],
)
def test_deconv_formula(deconv: dict, size: int) -> None:
    info = net({"type": "deconv", "filters": 8, **deconv}).layers[1]
    assert (info.output.height, info.output.width, info.output.channels) == (size, size, 8)
    k = deconv["kernel"]
    assert info.params == k * k * 16 * 8 + 8


def test_upsample() -> None:
    info = net({"type": "upsample", "scale": [2, 3]}).layers[1]
    assert (info.output.height, info.output.width, info.output.channels) == (64, 96, 16)


def test_input_layer_takes_no_inputs() -> None:
    with pytest.raises(SpecError) as info:
        analyze(load_spec({"layers": [IMG, {**IMG, "name": "y", "inputs": ["x"]}]}))
    assert info.value.issues[0].loc == "layers[1].inputs"


RES_BLOCK = {
    "type": "repeat",
    "name": "stage",
    "count": 3,
    "layers": [
        {"type": "conv", "filters": 16, "kernel": 3, "padding": "same", "name": "a"},
        {"type": "conv", "filters": 16, "kernel": 3, "padding": "same", "name": "b"},
        {"type": "add", "inputs": ["@input", "b"], "name": "sum"},
    ],
}


def test_repeat_expands_with_named_copies() -> None:
    n = net(RES_BLOCK, {"type": "pool", "global": True, "inputs": ["stage"]})
    names = [i.name for i in n.layers]
    assert names[1:4] == ["stage.1.a", "stage.1.b", "stage.1.sum"]
    assert names[-2] == "stage.3.sum" and len(names) == 1 + 9 + 1
    first_sum, second_a = n.layers[3], n.layers[4]
    assert first_sum.inputs == (0, 2)  # '@input' of copy 1 is the network input
    assert second_a.inputs == (3,)  # copy 2 starts from copy 1's output
    assert n.layers[6].inputs == (3, 5)
    assert n.layers[-1].inputs == (9,)  # the block's name is its last output
    assert {i.row for i in n.layers[1:10]} == {1}
    assert n.layers[5].loc == "layers[1].layers[1]"
    assert (n.layers[5].group, n.layers[5].copy) == ("stage", 2)
    assert n.total_params == 6 * (3 * 3 * 16 * 16 + 16)
    assert n.has_repeats


def test_errors_inside_repeat_are_located() -> None:
    bad = {**RES_BLOCK, "layers": [{"type": "conv", "filters": 8, "kernel": 3, "name": "a"},
                                    {"type": "add", "inputs": ["@input", "a"]}]}  # fmt: skip
    loc, msg = error(bad)
    assert loc == "layers[1].layers[1].inputs" and "same shape" in msg
    with pytest.raises(SpecError) as info:
        load_spec({"layers": [IMG, {**RES_BLOCK, "layers": [{"type": "conv", "filters": 0}]}]})
    assert info.value.issues[0].loc == "layers[1].layers[0].filters"


def test_repeat_expansion_is_bounded() -> None:
    from nnsketch.errors import LimitError

    big = {"type": "repeat", "count": 64, "layers": [{"type": "activation"}] * 64}
    with pytest.raises(LimitError) as info:
        net(big)
    assert "max_layers" in info.value.issues[0].msg


def test_block_input_outside_a_block() -> None:
    loc, msg = error({"type": "add", "inputs": ["@input", "x"]})
    assert loc == "layers[1].inputs[0]" and "repeat block" in msg
