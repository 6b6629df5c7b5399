"""The spec: the JSON document that describes one diagram.

`load_spec` accepts a dict, JSON text or a path and returns a validated, frozen
`Spec`, or raises `SpecError` whose issues carry locations like
``layers[3].kernel``. `spec_schema` exports the JSON Schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Issue, LimitError, SpecError
from .fields import Text
from .layers import LAYER_TYPES, Layer
from .limits import LIMITS
from .options import Options

StyleName = Literal["fcnn", "lenet", "alexnet", "graph"]


class Spec(BaseModel):
    """A diagram: a style, a title, the layers in order, and the options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    style: StyleName = "lenet"
    title: Text = ""
    layers: Annotated[list[Layer], Field(min_length=1)]
    options: Options = Options()

    @model_validator(mode="after")
    def _names_unique(self) -> Self:
        seen: dict[str, int] = {}
        for i, layer in enumerate(self.layers):
            if layer.name is None:
                continue
            if layer.name in seen:
                raise _LocatedError(
                    f"layers[{i}].name",
                    f"name {layer.name!r} is already used by layers[{seen[layer.name]}]; "
                    "names must be unique",
                )
            seen[layer.name] = i
        return self


class _LocatedError(ValueError):
    """Raised inside validators that know the exact location of the problem."""

    def __init__(self, loc: str, msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def format_loc(parts: tuple[int | str, ...]) -> str:
    """('layers', 3, 'conv', 'kernel') -> 'layers[3].kernel' (union tags dropped)."""
    out = ""
    prev: int | str | None = None
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif prev is not None and isinstance(prev, int) and part in LAYER_TYPES:
            pass  # the discriminated union's tag, not a field
        elif part == "global_":
            out += ".global"
        else:
            out += f".{part}" if out else str(part)
        prev = part
    return out


def _issues(error: ValidationError) -> list[Issue]:
    issues: list[Issue] = []
    for err in error.errors(include_url=False):
        ctx = err.get("ctx") or {}
        located = ctx.get("error")
        if isinstance(located, _LocatedError):
            issues.append(Issue(located.loc, located.msg))
            continue
        loc = format_loc(tuple(err["loc"]))
        msg = err["msg"]
        kind = err["type"]
        if kind == "union_tag_invalid":
            loc = f"{loc}.type" if loc else "type"
            msg = f"unknown layer type {ctx.get('tag')!r}; use one of: " + ", ".join(LAYER_TYPES)
        elif kind == "union_tag_not_found":
            loc = f"{loc}.type" if loc else "type"
            msg = "missing the layer 'type'; use one of: " + ", ".join(LAYER_TYPES)
        elif kind == "string_too_long":
            limit = ctx.get("max_length")
            name = " (max_text_length)" if limit == LIMITS.max_text_length else ""
            msg = f"at most {limit} characters{name}, got {len(str(err.get('input')))}"
        elif kind == "too_long":
            msg = f"at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
        elif kind == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling"
        elif kind == "literal_error":
            msg = f"{msg}, got {err.get('input')!r}"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        elif kind not in ("missing",):
            shown = repr(err.get("input"))
            msg = f"{msg}, got {shown[:60]}"
        issues.append(Issue(loc, msg))
    return issues


def _precheck(data: Any) -> None:
    """Refuse oversized layer lists before pydantic spends time on them."""
    if isinstance(data, dict):
        layers = data.get("layers")
        if isinstance(layers, list) and len(layers) > LIMITS.max_layers:
            raise LimitError(
                [
                    Issue(
                        "layers",
                        f"{len(layers)} layers is more than the limit of {LIMITS.max_layers} "
                        "(max_layers); split the diagram",
                    )
                ]
            )


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text, reporting syntax errors with line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        raise SpecError.at("", f"invalid JSON: {type(exc).__name__}") from None
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        raise SpecError.at("", f"invalid JSON: {str(exc)[:120]}") from None


def load_spec(source: Spec | dict[str, Any] | str | bytes | Path) -> Spec:
    """Validate a spec given as a model, a dict, JSON text or a file path."""
    if isinstance(source, Spec):
        return source
    data: Any
    if isinstance(source, Path):
        data = parse_json(source.read_bytes())
    elif isinstance(source, str | bytes):
        stripped = source.lstrip()
        if isinstance(stripped, bytes):
            stripped = stripped.decode("utf-8", "replace")
        if stripped.startswith(("{", "[")):
            data = parse_json(source)
        else:
            data = parse_json(Path(str(source)).read_bytes())
    else:
        data = source
    if not isinstance(data, dict):
        raise SpecError.at("", f"a spec must be a JSON object, got {type(data).__name__}")
    _precheck(data)
    try:
        return Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_capped(_issues(exc))) from None


MAX_ISSUES = 250
"""At most this many located issues per answer: enough to fix, small to send."""


def _capped(issues: list[Issue]) -> list[Issue]:
    if len(issues) <= MAX_ISSUES:
        return issues
    more = len(issues) - MAX_ISSUES
    return [*issues[:MAX_ISSUES], Issue("", f"... and {more:,} more problems like these")]


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of the spec (what `nnsketch schema` prints)."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "nnsketch spec"
    return schema
