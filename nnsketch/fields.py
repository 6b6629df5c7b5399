"""Reusable pydantic field types for the spec.

Kernels, strides and paddings accept an int or ``[height, width]``; they are
normalized to tuples here with one plain validator each, so an error's location
stays the field itself (``layers[3].kernel``) rather than a union branch.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainSerializer, PlainValidator, WithJsonSchema

from .colors import normalize_color
from .limits import LIMITS

Pair = tuple[int, int]


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{what} must be an integer, got {value!r}")
    return int(value)


def _pair(value: Any, minimum: int, what: str) -> Pair:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(
                f"{what} must be an integer or [height, width], got {len(value)} values"
            )
        pair = (_int(value[0], what), _int(value[1], what))
    else:
        n = _int(value, what)
        pair = (n, n)
    for n in pair:
        if n < minimum or n > LIMITS.max_dimension:
            raise ValueError(
                f"{what} must be between {minimum} and {LIMITS.max_dimension} "
                f"(max_dimension), got {n}"
            )
    return pair


def _dump_pair(value: Any) -> Any:
    """(5, 5) -> 5 and (3, 5) -> [3, 5]: the compact form users write."""
    if isinstance(value, tuple) and len(value) == 2:
        return value[0] if value[0] == value[1] else [value[0], value[1]]
    return value


_SERIALIZE_PAIR = PlainSerializer(_dump_pair, return_type=Any)


def _pair_schema(minimum: int) -> dict[str, Any]:
    item = {"type": "integer", "minimum": minimum, "maximum": LIMITS.max_dimension}
    return {
        "anyOf": [item, {"type": "array", "items": item, "minItems": 2, "maxItems": 2}],
        "description": "an integer, or [height, width]",
    }


KernelSize = Annotated[
    Pair,
    PlainValidator(lambda v: _pair(v, 1, "kernel")),
    _SERIALIZE_PAIR,
    WithJsonSchema(_pair_schema(1)),
]
StrideSize = Annotated[
    Pair,
    PlainValidator(lambda v: _pair(v, 1, "stride")),
    _SERIALIZE_PAIR,
    WithJsonSchema(_pair_schema(1)),
]
DilationSize = Annotated[
    Pair,
    PlainValidator(lambda v: _pair(v, 1, "dilation")),
    _SERIALIZE_PAIR,
    WithJsonSchema(_pair_schema(1)),
]


def _padding(value: Any) -> str | Pair:
    if isinstance(value, str):
        if value in ("valid", "same"):
            return value
        raise ValueError(
            f"padding must be 'valid', 'same', an integer or [height, width], got {value!r}"
        )
    return _pair(value, 0, "padding")


PaddingValue = Annotated[
    str | Pair,
    PlainValidator(_padding),
    _SERIALIZE_PAIR,
    WithJsonSchema(
        {
            "anyOf": [{"enum": ["valid", "same"]}, _pair_schema(0)],
            "description": "'valid', 'same', an integer, or [height, width]",
        }
    ),
]


def _color(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a color must be a string, got {type(value).__name__}")
    return normalize_color(value)


Color = Annotated[
    str,
    PlainValidator(_color),
    WithJsonSchema({"type": "string", "format": "color", "description": "a CSS color"}),
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    """Reject characters XML cannot carry and normalize to NFC so output is stable."""
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError("contains an unpaired surrogate character; remove it")
    return unicodedata.normalize("NFC", value)


Text = Annotated[
    str,
    Field(max_length=LIMITS.max_text_length),
    AfterValidator(_clean_text),
]

Name = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*$",
        max_length=64,
        description="unique id: a letter or underscore, then letters, digits, '_', '.', '-'",
    ),
]

FontFamily = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9 ,'\-]+$",
        max_length=120,
        description="CSS font-family list: letters, digits, spaces, commas, quotes, hyphens",
    ),
]

Dimension = Annotated[int, Field(ge=1, le=LIMITS.max_dimension)]
Units = Annotated[int, Field(ge=1, le=LIMITS.max_units)]
