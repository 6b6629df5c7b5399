"""Reading a spec out of a request body, whatever the client sent.

Strict JSON only: NaN/Infinity literals, numbers that overflow a float, integers
longer than Python converts, nesting deep enough to exhaust the parser, and bytes
that are not UTF-8 are all refused as `SpecError`s with line and column where the
parser knows them, so no body can reach the core as something it does not expect.
"""

from __future__ import annotations

import json
from typing import Any

from .. import strict_json
from ..errors import Issue, SpecError

_DECODER_ERRORS = (ValueError, RecursionError, OverflowError)
_MAX_DIGITS = 20


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
        data = strict_json.loads(text, max_digits=_MAX_DIGITS)
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except strict_json.JsonRefused as exc:
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
