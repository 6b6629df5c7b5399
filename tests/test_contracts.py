"""Registries and their documentation stay in step."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from nnsketch.layers import LAYER_TYPES, Layer
from nnsketch.limits import LIMITS, Limits
from nnsketch.options import Options
from nnsketch.spec import StyleName
from nnsketch.styles import STYLES

ROOT = Path(__file__).resolve().parent.parent


def test_style_registry_matches_spec_literal() -> None:
    assert set(typing.get_args(StyleName)) == set(STYLES)


def test_every_style_has_an_options_section() -> None:
    for style in STYLES:
        assert style in Options.model_fields, style


def test_layer_type_list_matches_union() -> None:
    union = typing.get_args(typing.get_args(Layer)[0])
    tags = [m.model_fields["type"].default for m in union]
    assert tags == list(LAYER_TYPES)


def test_every_limit_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Limits.__dataclass_fields__:
        assert f"`{name}`" in readme, f"README does not document the limit {name}"
        assert f"{getattr(LIMITS, name):,}" in readme or str(getattr(LIMITS, name)) in readme


def test_every_style_has_an_example() -> None:
    import json

    styles = {json.loads(p.read_text())["style"] for p in (ROOT / "examples").glob("*.json")}
    assert set(STYLES) <= styles


def test_option_fields_are_bounded() -> None:
    """Numeric options carry bounds, so no option can ask for unbounded work."""

    def check(model: type[BaseModel], path: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                check(ann, f"{path}.{name}")
            elif ann in (int, float) or ann in (int | None, float | None):
                meta = {type(m).__name__ for m in field.metadata}
                assert meta & {"Ge", "Gt", "Le", "Lt", "Interval"}, f"{path}.{name} unbounded"

    check(Options, "options")
