"""Hypothesis strategies for the reliability tests and scripts.

- `branching_specs(style)`: valid convolutional networks with residual adds,
  concatenated branches, gates, repeat blocks and up/down sampling, with random
  per-layer colors, labels and drawn sizes, and random options.
- `option_values(model)`: any valid value of an options model, read from its
  pydantic fields (bounds included), so new options are fuzzed without edits here.
- `near_valid_specs()`: the structure of a spec with values at and past every
  edge: extreme numbers, odd unicode, deep nesting, duplicate names, huge lists.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from hypothesis import strategies as st
from pydantic import BaseModel

from nnsketch.layers import LAYER_TYPES
from nnsketch.limits import LIMITS
from nnsketch.options import Options

COLORS = ["#1f77b4", "tomato", "rgb(10, 200, 30)", "hsla(120, 50%, 40%, 0.5)", "#0000", "#abcd"]
FONTS = ["DejaVu Sans", "serif", "Helvetica, Arial, sans-serif", "'Times New Roman', serif"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=40)


# -- options read from the pydantic models ---------------------------------------------------


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, bool]:
    lo = hi = None
    open_lo = False
    for m in metadata:
        for attr, is_open in (("ge", False), ("gt", True)):
            if getattr(m, attr, None) is not None:
                lo, open_lo = getattr(m, attr), is_open
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = getattr(m, attr)
    return lo, hi, open_lo


def _is_color(annotation: Any, metadata: list[Any]) -> bool:
    found = list(metadata) + list(getattr(annotation, "__metadata__", ()))
    for arg in typing.get_args(annotation):
        found += list(getattr(arg, "__metadata__", ()))
    return any(
        getattr(m, "json_schema", {}).get("format") == "color" for m in found if m is not None
    )


def field_values(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any] | None:
    """Valid values of one field, or None for a nested model (handled by the caller)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if _is_color(annotation, metadata):
        base = st.sampled_from(COLORS)
        return st.one_of(st.none(), base) if type(None) in args else base
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        values = field_values(inner[0], metadata) if len(inner) == 1 else None
        return None if values is None else st.one_of(st.none(), values)
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list and typing.get_origin(args[0]) is Literal:
        limit = next((m.max_length for m in metadata if hasattr(m, "max_length")), None)
        return st.lists(st.sampled_from(typing.get_args(args[0])), unique=True, max_size=limit)
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        lo, hi, open_lo = _bounds(metadata)
        if annotation is int:
            return st.integers(min_value=lo, max_value=hi)  # type: ignore[arg-type]
        return st.floats(
            min_value=lo, max_value=hi, exclude_min=open_lo, allow_nan=False, allow_infinity=False
        )
    if annotation is str:
        return st.sampled_from(FONTS)  # font_family is the one free string option
    return None


def option_values(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict of some of `model`'s fields set to valid values (nested models skipped)."""
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        values = field_values(field.annotation, field.metadata)
        if values is not None:
            optional[field.alias or name] = values
    return st.fixed_dictionaries({}, optional=optional)


def options_for(style: str) -> st.SearchStrategy[dict[str, Any]]:
    section = Options.model_fields[style].annotation
    assert isinstance(section, type) and issubclass(section, BaseModel)
    return st.builds(lambda common, own: {**common, style: own}, option_values(Options),
                     option_values(section))  # fmt: skip


# -- valid branching networks ----------------------------------------------------------------


def _dressed(draw: st.DrawFn, layer: dict[str, Any]) -> dict[str, Any]:
    """Sometimes a color or a label."""
    if draw(st.integers(0, 5)) == 0:
        layer["color"] = draw(st.sampled_from(COLORS))
    if draw(st.integers(0, 4)) == 0:
        layer["label"] = draw(TEXT)
    return layer


@st.composite
def branching_specs(draw: st.DrawFn, style: str, max_blocks: int = 5) -> dict[str, Any]:
    """A valid conv net: stem, then residual / inception / gated / repeat / down-up
    blocks (all keeping the map size with 'same' padding), then a classifier head."""
    size = draw(st.sampled_from([1, 2, 5, 16, 32, 224]))
    channels = draw(st.integers(1, 64))
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": size, "width": draw(st.sampled_from([size, 2 * size])),
         "channels": channels, "name": "x"}
    ]  # fmt: skip
    prev, c = "x", channels
    n = 0

    def add(layer: dict[str, Any]) -> str:
        nonlocal n
        n += 1
        name = layer.setdefault("name", f"l{n}")
        layers.append(_dressed(draw, layer))
        return str(name)

    def conv(filters: int, k: int = 3, src: str | None = None) -> dict[str, Any]:
        layer = {"type": "conv", "filters": filters, "kernel": k, "padding": "same"}
        return layer | ({"inputs": [src]} if src else {})

    for _ in range(draw(st.integers(0, max_blocks))):
        kind = draw(st.sampled_from(["conv", "residual", "inception", "gate", "repeat",
                                     "downup", "inplace"]))  # fmt: skip
        if kind == "conv":
            c = draw(st.integers(1, 512))
            prev = add(conv(c, draw(st.sampled_from([1, 3, 5]))))
        elif kind == "residual":
            a = add(conv(c))
            b = add(conv(c))
            prev = add({"type": "add", "inputs": [prev, b] if draw(st.booleans()) else [a, b]})
        elif kind == "inception":
            src, outs, total = prev, [], 0
            for k in draw(st.lists(st.sampled_from([1, 3, 5]), min_size=2, max_size=4)):
                f = draw(st.integers(1, 64))
                outs.append(add(conv(f, k, src)))
                total += f
            prev, c = add({"type": "concat", "inputs": outs}), total
        elif kind == "gate":
            g = add({"type": "activation", "function": "sigmoid", "inputs": [prev]})
            prev = add({"type": "multiply", "inputs": [prev, g]})
        elif kind == "repeat":
            inner = [
                {"type": "conv", "filters": c, "kernel": 3, "padding": "same", "name": "a"},
                {"type": "norm", "name": "bn"},
            ]
            if draw(st.booleans()):
                inner.append({"type": "add", "inputs": ["@input", "bn"], "name": "sum"})
            prev = add({"type": "repeat", "count": draw(st.integers(1, 4)), "layers": inner})
        elif kind == "downup" and size >= 2 and size % 2 == 0:
            add({"type": "pool", "kernel": 2})
            up = draw(st.sampled_from(["deconv", "upsample"]))
            last = {"type": "upsample"} if up == "upsample" else {"type": "deconv", "filters": c}
            prev = add(last)
        else:
            prev = add({"type": draw(st.sampled_from(["norm", "activation", "dropout"]))})
    if draw(st.booleans()):
        add({"type": "pool", "global": True, "mode": "avg"})
    add({"type": "flatten"})
    for _ in range(draw(st.integers(0, 3))):
        add({"type": "dense", "units": draw(st.integers(1, 4096))})
    if draw(st.integers(0, 4)) == 0:  # a drawn size that overrides the last layer's shape
        key = draw(st.sampled_from(["height", "width", "depth"]))
        layers[-1][key] = draw(st.sampled_from([1, 2, 7, 500, LIMITS.max_dimension]))
    spec = {"style": style, "title": draw(TEXT), "layers": layers}
    if draw(st.booleans()):
        spec["options"] = draw(options_for(style))
    return spec


# -- near-valid specs: right structure, values past the edges --------------------------------

EXTREME_NUMBERS = st.sampled_from(
    [0, -1, 1, 2**31, 2**53 + 1, 10**19, -(10**19), LIMITS.max_dimension,
     LIMITS.max_dimension + 1, LIMITS.max_units + 1, 1e308, -1e308, 5e-324, 0.5, 3.0, -0.0,
     True, False]
)  # fmt: skip
ODD_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "\u202e\u2066x\u2069",
            "\u200b\u200d\ufeff",
            "e\u0301",
            "🧠" * 60,
            "a" * (LIMITS.max_text_length + 1),
            "\ud800",
            "\x00",
            "\x1b[31m",
            "@input",
            "@other",
            "x.y-z",
            "1abc",
            "\uffff",
        ]
    ),
)
SCALARS = st.one_of(
    st.none(),
    EXTREME_NUMBERS,
    ODD_TEXT,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def nested(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


FIELDS = ["name", "label", "color", "height", "width", "depth", "inputs", "units", "filters",
          "kernel", "stride", "padding", "dilation", "groups", "bias", "activation", "mode",
          "rounding", "global", "scale", "output_padding", "rate", "function", "kind", "count",
          "layers", "channels"]  # fmt: skip
FIELD_VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.sampled_from([nested(30), nested(300), list(range(100)), [3, 3], [1, 2], "same", "valid"]),
)


@st.composite
def near_valid_layer(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    layer: dict[str, Any] = {"type": draw(st.sampled_from([*LAYER_TYPES, "lstm", "Conv"]))}
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        layer[key] = draw(FIELD_VALUES)
    if names and draw(st.booleans()):
        layer["inputs"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))
    if draw(st.booleans()):
        layer["name"] = draw(st.sampled_from(names)) if names and draw(st.booleans()) else (
            f"n{len(names)}")  # fmt: skip
        names.append(str(layer["name"]))
    if layer["type"] == "repeat" and draw(st.booleans()):
        inner = [draw(near_valid_layer([])) for _ in range(draw(st.integers(0, 3)))]
        layer["layers"] = inner
        layer["count"] = draw(st.sampled_from([0, 1, 64, 65, 10**9]))
    return layer


@st.composite
def near_valid_specs(draw: st.DrawFn) -> dict[str, Any]:
    names: list[str] = []
    first: dict[str, Any] = {
        "type": "input",
        "height": draw(EXTREME_NUMBERS),
        "width": draw(EXTREME_NUMBERS),
        "channels": draw(EXTREME_NUMBERS),
    }
    if draw(st.booleans()):
        first = {"type": "input", "units": draw(EXTREME_NUMBERS)}
    layers = [first] + [draw(near_valid_layer(names)) for _ in range(draw(st.integers(0, 6)))]
    huge = draw(st.sampled_from([0, 0, 0, 1, 2]))
    if huge == 1:
        layers += [{"type": "dense", "units": 1}] * (LIMITS.max_layers + 1 - len(layers))
    elif huge == 2:
        layers += [{"type": "activation"}] * draw(st.integers(100, LIMITS.max_layers - len(layers)))
    spec: dict[str, Any] = {"layers": layers}
    if draw(st.booleans()):
        spec["style"] = draw(st.sampled_from(["fcnn", "lenet", "alexnet", "graph", "3d", ""]))
    if draw(st.booleans()):
        spec["title"] = draw(ODD_TEXT)
    if draw(st.booleans()):
        style = draw(st.sampled_from(["fcnn", "lenet", "alexnet", "graph"]))
        opts = draw(options_for(style))
        for key in draw(st.lists(st.sampled_from([*opts, "unknown"]), max_size=2)):
            opts[key] = draw(FIELD_VALUES)
        spec["options"] = opts
    return spec
