"""Spec validation: every error names the exact field and what to change."""

from __future__ import annotations

import json

import pytest

from nnsketch import SpecError, load_spec, spec_schema
from nnsketch.errors import LimitError
from nnsketch.limits import LIMITS

INPUT = {"type": "input", "height": 32, "width": 32, "channels": 1}


def issues(data: object) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as info:
        load_spec(data)  # type: ignore[arg-type]
    return [(i.loc, i.msg) for i in info.value.issues]


def test_minimal_spec_gets_defaults() -> None:
    spec = load_spec({"layers": [INPUT, {"type": "conv", "filters": 6, "kernel": 5}]})
    assert spec.style == "lenet"
    conv = spec.layers[1]
    assert conv.kernel == (5, 5) and conv.stride == (1, 1) and conv.padding == "valid"
    assert conv.bias is True


@pytest.mark.parametrize(
    ("layer", "loc", "fragment"),
    [
        ({"type": "conv", "filters": 0}, "layers[1].filters", "greater than or equal to 1"),
        (
            {"type": "conv", "filters": 3, "kernel": [1, 2, 3]},
            "layers[1].kernel",
            "[height, width]",
        ),
        ({"type": "conv", "filters": 3, "kernel": 2.5}, "layers[1].kernel", "integer"),
        ({"type": "conv", "filters": 3, "padding": "full"}, "layers[1].padding", "'same'"),
        ({"type": "conv", "filters": 3, "kernal": 3}, "layers[1].kernal", "unknown field"),
        ({"type": "pool", "mode": "median"}, "layers[1].mode", "'max' or 'avg'"),
        ({"type": "pool", "global": "maybe"}, "layers[1].global", "boolean"),
        ({"type": "dense", "units": "ten"}, "layers[1].units", "integer"),
        ({"type": "dense", "units": 5, "color": "url(#x)"}, "layers[1].color", "CSS color"),
        ({"type": "dense", "units": 5, "label": "a\x00b"}, "layers[1].label", "U+0000"),
        (
            {"type": "dense", "units": 5, "label": "x" * 201},
            "layers[1].label",
            "at most 200 characters (max_text_length), got 201",
        ),
        ({"type": "dense", "units": 5, "name": "1bad"}, "layers[1].name", "pattern"),
        ({"type": "banana"}, "layers[1].type", "unknown layer type 'banana'"),
        ({"units": 4}, "layers[1].type", "missing the layer 'type'"),
    ],
)
def test_field_errors_are_located(layer: dict, loc: str, fragment: str) -> None:
    found = issues({"layers": [INPUT, layer]})
    assert any(at == loc and fragment in m for at, m in found), found


def test_unknown_style_and_top_level_field() -> None:
    found = issues({"style": "3d", "layers": [INPUT], "colour": "red"})
    locs = {loc for loc, _ in found}
    assert locs == {"style", "colour"}
    assert any("'fcnn'" in m for at, m in found if at == "style")


def test_option_errors_are_located() -> None:
    found = issues({"layers": [INPUT], "options": {"lenet": {"scale": "cubic"}}})
    assert found[0][0] == "options.lenet.scale"
    found = issues({"layers": [INPUT], "options": {"font_family": "x;}<script>"}})
    assert found[0][0] == "options.font_family"


def test_duplicate_names() -> None:
    found = issues({"layers": [{**INPUT, "name": "a"}, {"type": "dense", "units": 2, "name": "a"}]})
    assert found == [
        ("layers[1].name", "name 'a' is already used by layers[0]; names must be unique")
    ]


def test_input_needs_a_shape() -> None:
    assert issues({"layers": [{"type": "input"}]})[0][0] == "layers[0]"
    assert "both" in issues({"layers": [{"type": "input", "units": 3, "height": 2}]})[0][1]


def test_json_syntax_error_has_line_and_column() -> None:
    found = issues('{"layers": [\n  {"type": "input",}\n]}')
    assert found[0][0] == ""
    assert "line 2, column" in found[0][1]


def test_non_object_spec() -> None:
    assert "JSON object" in issues("[1, 2]")[0][1]


def test_layer_count_limit_is_checked_before_validation() -> None:
    data = {"layers": [{"type": "nonsense"}] * (LIMITS.max_layers + 1)}
    with pytest.raises(LimitError) as info:
        load_spec(data)
    assert "max_layers" in info.value.issues[0].msg
    assert info.value.status == 413


def test_dimension_limit_named() -> None:
    found = issues({"layers": [{**INPUT, "height": LIMITS.max_dimension + 1}]})
    assert found[0][0] == "layers[0].height"


def test_spec_round_trips_through_json() -> None:
    data = {
        "style": "alexnet",
        "title": "T",
        "layers": [INPUT, {"type": "conv", "filters": 4, "kernel": [3, 5], "padding": 1},
                   {"type": "pool", "global": True}],
    }  # fmt: skip
    spec = load_spec(data)
    again = load_spec(json.loads(spec.model_dump_json(by_alias=True)))
    assert again == spec
    dumped = spec.model_dump(mode="json", by_alias=True)
    assert dumped["layers"][1]["kernel"] == [3, 5]
    assert dumped["layers"][1]["padding"] == 1
    assert dumped["layers"][2]["global"] is True


def test_schema_describes_every_layer_type_and_style() -> None:
    schema = spec_schema()
    assert schema["properties"]["style"]["enum"] == ["fcnn", "lenet", "alexnet", "graph"]
    text = json.dumps(schema)
    for layer_type in ("input", "conv", "pool", "dense", "flatten", "dropout", "activation",
                       "norm", "softmax"):  # fmt: skip
        assert f'"const": "{layer_type}"' in text or f'"{layer_type}"' in text
    assert "discriminator" in text


def test_huge_integer_literal_is_a_located_error() -> None:
    found = issues('{"layers": [{"type": "input", "units": ' + "9" * 5000 + "}]}")
    assert found[0][0] == "" and "invalid JSON" in found[0][1]


def test_error_lists_are_capped() -> None:
    found = issues({"layers": [{"type": "conv", "filters": 0, "kernel": 0}] * 500})
    assert len(found) == 251
    assert found[-1] == ("", "... and 750 more problems like these")
