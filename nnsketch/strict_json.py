"""Strict JSON decoding for untrusted documents (request bodies, model files).

`json.loads` accepts NaN and Infinity, turns huge float literals into inf and
converts integer literals of any length (slowly). `loads` refuses all three with
`JsonRefused`, so callers only have to turn errors into their own messages.
"""

from __future__ import annotations

import json
import math
from typing import Any


class JsonRefused(ValueError):
    """Well-formed JSON that holds a value we do not accept."""


def _no_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not valid JSON; use a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:40]} is too large")
    return value


def loads(text: str, max_digits: int) -> Any:
    """Decode `text`; integers may have at most `max_digits` digits.

    Raises `json.JSONDecodeError` (syntax, with line and column), `JsonRefused`,
    `RecursionError` (nesting too deep) or another `ValueError`.
    """

    def bounded_int(literal: str) -> int:
        if len(literal.lstrip("-")) > max_digits:
            raise JsonRefused(f"the number {literal[:20]}... has more than {max_digits} digits")
        return int(literal)

    return json.loads(
        text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=bounded_int
    )
