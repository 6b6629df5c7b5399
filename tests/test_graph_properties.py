"""The graph style on generated networks: random DAGs and repeat blocks (hypothesis),
ResNet-50 and chains of up to 1,000 layers (invariants and time)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsketch import analyze, build, load_spec
from nnsketch.styles.graph import place
from tests.checks import assert_no_text_overlap, layer_groups
from tests.graph_support import (
    assert_frames_hold_their_blocks,
    assert_graph_invariants,
    boxes,
    edges,
    expected_edges,
    fold_count,
    groups_of,
)

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


KINDS = ["dense", "activation", "norm", "dropout", "add", "concat", "branch", "branch"]


@st.composite
def dag_specs(draw: st.DrawFn, max_layers: int = 60) -> dict[str, Any]:
    """Chains of vector layers with random branches, skips and 2- to 4-way merges."""
    n = draw(st.integers(2, max_layers))
    layers: list[dict[str, Any]] = [{"type": "input", "units": 8, "name": "n0"}]
    same = ["n0"]  # layers whose output has 8 units
    for i in range(1, n):
        name = f"n{i}"
        kind = draw(st.sampled_from(KINDS))
        if kind in ("add", "concat") and len(same) >= 2:
            k = draw(st.integers(2, min(4, len(same))))
            picks = draw(st.lists(st.sampled_from(same[-12:] + same[:1]), min_size=k, max_size=k,
                                  unique=True))  # fmt: skip
            if len(picks) < 2:
                continue
            layers.append({"type": kind, "inputs": picks, "name": name})
            if kind == "concat":
                layers.append({"type": "dense", "units": 8, "name": name + "d"})
                name += "d"
        elif kind == "branch":
            src = draw(st.sampled_from(same[-8:]))
            layers.append({"type": "dense", "units": 8, "inputs": [src], "name": name})
        elif kind in ("add", "concat", "dense"):
            layers.append({"type": "dense", "units": 8, "name": name})
        else:
            layers.append({"type": kind, "name": name})
        same.append(name)
    options = {
        "direction": draw(st.sampled_from(["TB", "LR"])),
        "fold_inplace": draw(st.booleans()),
        "show_costs": draw(st.booleans()),
        "show_legend": draw(st.booleans()),
    }
    return {"style": "graph", "layers": layers, "options": {"graph": options}}


@st.composite
def repeat_specs(draw: st.DrawFn) -> dict[str, Any]:
    """One or two repeat blocks (optionally residual) between dense layers."""
    layers: list[dict[str, Any]] = [{"type": "input", "units": 8, "name": "x"}]
    for b in range(draw(st.integers(1, 2))):
        inner = [{"type": draw(st.sampled_from(["dense", "activation", "norm"])), "name": f"l{j}"}
                 for j in range(draw(st.integers(1, 5)))]  # fmt: skip
        for layer in inner:
            if layer["type"] == "dense":
                layer["units"] = 8
        if draw(st.booleans()):
            inner.append({"type": "add", "inputs": ["@input", inner[-1]["name"]], "name": "sum"})
        layers.append({"type": "repeat", "name": f"block{b}", "count": draw(st.integers(1, 4)),
                       "layers": inner})  # fmt: skip
        layers.append({"type": "dense", "units": 8, "name": f"after{b}"})
    options = {"collapse_repeats": True, "direction": draw(st.sampled_from(["TB", "LR"])),
               "fold_inplace": False}  # fmt: skip
    return {"style": "graph", "layers": layers, "options": {"graph": options}}


@FUZZ
@given(dag_specs())
def test_random_dags_keep_the_invariants(spec: dict[str, Any]) -> None:
    diagram = build(spec)
    assert_graph_invariants(diagram)
    assert_no_text_overlap(diagram.drawing)
    if not spec["options"]["graph"]["fold_inplace"]:
        assert len(layer_groups(diagram.drawing)) == len(diagram.network.layers)
        assert {(s, t) for s, t, _ in edges(diagram.drawing)} == expected_edges(spec)
    else:
        expected = len(diagram.network.layers) - fold_count(spec)
        assert len(layer_groups(diagram.drawing)) == expected


@FUZZ
@given(repeat_specs())
def test_collapsed_repeats_keep_the_invariants(spec: dict[str, Any]) -> None:
    diagram = build(spec)
    assert_graph_invariants(diagram)
    removed = sum((layer["count"] - 1) * len(layer["layers"])
                  for layer in spec["layers"] if layer["type"] == "repeat")  # fmt: skip
    assert len(layer_groups(diagram.drawing)) == len(diagram.network.layers) - removed
    frames = groups_of(diagram.drawing, "repeat")
    assert len(frames) == sum(1 for la in spec["layers"] if la.get("count", 1) > 1)
    assert_frames_hold_their_blocks(spec)


def chain_with_skips(n: int) -> dict[str, Any]:
    """A deterministic n-layer network: a chain with residual adds and side branches."""
    layers: list[dict[str, Any]] = [{"type": "input", "units": 16, "name": "n0"}]
    for i in range(1, n):
        if i % 7 == 0:
            layers.append({"type": "add", "inputs": [f"n{i - 1}", f"n{i - 5}"], "name": f"n{i}"})
        elif i % 11 == 0:
            layers.append({"type": "dense", "units": 16, "inputs": [f"n{i - 3}"], "name": f"n{i}"})
        elif i % 13 == 0:
            layers.append({"type": "add", "inputs": [f"n{i - 1}", f"n{i - 2}", f"n{i - 12}"],
                           "name": f"n{i}"})  # fmt: skip
        else:
            kind = ("dense", "norm", "activation")[i % 3]
            layers.append({"type": kind, "name": f"n{i}", **({"units": 16} if kind == "dense"
                                                            else {})})  # fmt: skip
    return {"style": "graph", "layers": layers}


@pytest.mark.parametrize(("n", "budget"), [(50, 0.5), (200, 1.5), (1000, 6.0)])
def test_big_networks_lay_out_quickly(n: int, budget: float) -> None:
    net = analyze(load_spec(chain_with_skips(n)))
    start = time.perf_counter()
    placed, _ = place(net)
    elapsed = time.perf_counter() - start
    assert len(placed.view.items) == n
    assert elapsed < budget, f"{n} layers took {elapsed:.2f} s"
    if n <= 200:
        assert_graph_invariants(build(chain_with_skips(n)))


def resnet50() -> dict[str, Any]:
    """ResNet-50 (torchvision layout): 176 layers, 16 bottleneck blocks."""
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": 224, "width": 224, "channels": 3, "name": "image"},
        {"type": "conv", "filters": 64, "kernel": 7, "stride": 2, "padding": 3, "bias": False},
        {"type": "norm"},
        {"type": "activation"},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1, "name": "maxpool"},
    ]
    prev = "maxpool"
    for stage, (width, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3)), start=1):
        for b in range(1, blocks + 1):
            p = f"layer{stage}.{b}."
            stride = 2 if b == 1 and stage > 1 else 1
            conv = {"type": "conv", "bias": False}
            layers += [
                {**conv, "filters": width, "kernel": 1, "name": p + "conv1", "inputs": [prev]},
                {"type": "norm", "name": p + "bn1"},
                {"type": "activation", "name": p + "relu1"},
                {**conv, "filters": width, "kernel": 3, "stride": stride, "padding": 1,
                 "name": p + "conv2"},
                {"type": "norm", "name": p + "bn2"},
                {"type": "activation", "name": p + "relu2"},
                {**conv, "filters": 4 * width, "kernel": 1, "name": p + "conv3"},
                {"type": "norm", "name": p + "bn3"},
            ]  # fmt: skip
            shortcut = prev
            if b == 1:
                layers += [
                    {**conv, "filters": 4 * width, "kernel": 1, "stride": stride,
                     "name": p + "downsample", "inputs": [prev]},
                    {"type": "norm", "name": p + "downsample_bn"},
                ]  # fmt: skip
                shortcut = p + "downsample_bn"
            layers += [
                {"type": "add", "inputs": [shortcut, p + "bn3"], "name": p + "add"},
                {"type": "activation", "name": p + "out"},
            ]
            prev = p + "out"
    layers += [{"type": "pool", "global": True, "mode": "avg"}, {"type": "flatten"},
               {"type": "dense", "units": 1000}]  # fmt: skip
    return {"style": "graph", "title": "ResNet-50", "layers": layers}


def test_resnet50_lays_out_fast_with_a_straight_main_chain() -> None:
    spec = resnet50()
    net = analyze(load_spec(spec))
    assert len(net.layers) == 176 and net.total_params == 25_557_032
    start = time.perf_counter()
    placed, _ = place(net)
    assert time.perf_counter() - start < 1.0
    assert placed.lay.crossings == 0
    diagram = build(spec)
    assert_graph_invariants(diagram)
    centres = {n: round((b.x0 + b.x1) / 2, 2) for n, b in boxes(diagram.drawing).items()}
    assert len({x for n, x in centres.items() if "downsample" not in n}) == 1


def test_a_lone_input_draws_one_box_and_a_legend() -> None:
    diagram = build({"style": "graph", "layers": [{"type": "input", "units": 3}]})
    assert_graph_invariants(diagram)
    assert len(layer_groups(diagram.drawing)) == 1 and not edges(diagram.drawing)


def test_a_second_input_sits_right_above_its_consumer() -> None:
    spec = {"style": "graph", "layers": [
        {"type": "input", "units": 8, "name": "a"},
        *({"type": "dense", "units": 8, "name": f"d{i}"} for i in range(5)),
        {"type": "input", "units": 8, "name": "b"},
        {"type": "dense", "units": 8, "name": "side"},
        {"type": "add", "inputs": ["d4", "side"], "name": "sum"},
    ]}  # fmt: skip
    diagram = build(spec)
    assert_graph_invariants(diagram)
    found = boxes(diagram.drawing)
    tops = sorted({b.y0 for b in found.values()})
    assert tops.index(found["b"].y0) == tops.index(found["side"].y0) - 1
    assert tops.index(found["side"].y0) == tops.index(found["sum"].y0) - 1
