"""Reading a spec out of a request body, whatever the client sent.

Strict JSON only: NaN/Infinity literals, numbers that overflow a float, integers
longer than Python converts, nesting deep enough to exhaust the parser, and bytes
that are not UTF-8 are all refused as `SpecError`s with line and column where the
parser knows them, so no body can reach the core as something it does not expect.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import Issue, SpecError

_DECODER_ERRORS = (ValueError, RecursionError, OverflowError)


class _Refused(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not valid JSON; use a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} is too large")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 20:
        raise _Refused(f"the number {text[:20]}... has more than 20 digits")
    return int(text)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object in `body`, or a SpecError located at "" saying what is wrong."""
    if not body.strip():
        raise SpecError.at("", "the request body is empty; send the spec as a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError.at(
            "", f"the request body is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None
    try:
        data = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int
        )
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _Refused as exc:
        raise SpecError.at("", f"invalid JSON: {exc}") from None
    except RecursionError:
        raise SpecError.at("", "invalid JSON: arrays or objects are nested too deeply") from None
    except _DECODER_ERRORS as exc:
        raise SpecError.at("", f"invalid JSON: {str(exc)[:80]}") from None
    if not isinstance(data, dict):
        raise SpecError([Issue("", f"a spec must be a JSON object, got {_kind(data)}")])
    return data


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
