"""What every importer shares: its errors, the work budget, and the text rules.

Model files come from anywhere, so nothing in them is trusted: names are cleaned
to the spec's name pattern, labels to its text rules, and every loop over file
content is bounded by a `Budget` (bytes, nesting depth, tokens, nodes, seconds),
so a hostile file costs a bounded amount of time and memory and ends in a clear
error rather than a crash.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .. import strict_json as _json
from ..errors import Issue, LimitError, NnsketchError, SpecError
from ..limits import LIMITS
from ..shapes import Shape

NAME_MAX = 64
LABEL_MAX = 60
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_NAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
_WORD_BAD = re.compile(r"[^A-Za-z0-9_\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class ModelFileError(SpecError):
    """The model file is not what it claims to be, or describes something we cannot draw."""

    status = 422

    @classmethod
    def file(cls, msg: str) -> ModelFileError:
        return cls([Issue("file", msg)])


class ModelTooLarge(LimitError):
    """The model file asks for more work than the import budget allows (413)."""

    @classmethod
    def file(cls, msg: str) -> ModelTooLarge:
        return cls([Issue("file", msg)])


class MissingExtra(NnsketchError):
    """An optional dependency (onnx, torch) is not installed on this server."""

    status = 501

    @property
    def issues(self) -> tuple[Issue, ...]:
        return (Issue("file", self.message),)


@dataclass(slots=True)
class Budget:
    """Upper bounds on one import; `tick()` checks the clock every few hundred steps."""

    max_bytes: int = 64_000_000
    max_depth: int = 32
    max_tokens: int = 2_000_000
    max_nodes: int = 10 * LIMITS.max_layers
    max_seconds: float = 10.0
    started: float = field(default_factory=time.monotonic)
    _ticks: int = 0

    def check_size(self, n: int, what: str = "the file") -> None:
        if n > self.max_bytes:
            raise ModelTooLarge.file(
                f"{what} is {n:,} bytes, more than the import limit of {self.max_bytes:,} bytes"
            )

    def check_nodes(self, n: int, what: str = "layers") -> None:
        if n > self.max_nodes:
            raise ModelTooLarge.file(
                f"the model has {n:,} {what}, more than the import limit of {self.max_nodes:,}"
            )

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % 256 == 0 and time.monotonic() - self.started > self.max_seconds:
            raise ModelTooLarge.file(
                f"importing took more than {self.max_seconds:g} s; the model is too large "
                "or too deeply nested to import here"
            )


def clean_name(raw: object, fallback: str = "layer") -> str:
    """A model's layer name as a spec name: letters, digits, '_', '.', '-', at most 64.

    Path separators become dots (``/layer1/conv`` -> ``layer1.conv``); anything else
    outside the pattern becomes '_'. Long names keep their end, the specific part.
    """
    text = unicodedata.normalize("NFKD", str(raw)).encode("ascii", "ignore").decode()
    text = text.replace("/", ".").replace(":", ".").replace("::", ".")
    text = _NAME_BAD.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text).strip("._-")
    if not text:
        text = fallback
    if len(text) > NAME_MAX:
        text = text[-NAME_MAX:].lstrip("._-") or fallback
    if not _NAME_OK.match(text):
        text = ("_" + text)[:NAME_MAX]
    return text


def clean_word(raw: object, fallback: str = "op") -> str:
    """An activation or function name as a spec word (a letter, then [A-Za-z0-9_-]), <= 32."""
    text = _WORD_BAD.sub("_", str(raw)).strip("_-")
    text = text.lstrip("0123456789_-")
    return text[:32] or fallback


def clean_label(raw: object, limit: int = LABEL_MAX) -> str:
    """Display text from a model file: no control characters, NFC, short."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", str(raw)))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class UniqueNames:
    """Hands out cleaned names that never repeat (``conv``, ``conv-2``, ...)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, raw: object, fallback: str = "layer") -> str:
        base = clean_name(raw, fallback)
        name, k = base, 1
        while name in self._taken:
            k += 1
            suffix = f"-{k}"
            name = base[: NAME_MAX - len(suffix)] + suffix
        self._taken.add(name)
        return name


def strict_json(data: bytes, what: str) -> Any:
    """Parse JSON from a model file, refusing NaN, huge numbers and deep nesting."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelFileError.file(
            f"{what} is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None
    try:
        return _json.loads(text, max_digits=30)
    except json.JSONDecodeError as exc:
        raise ModelFileError.file(
            f"{what} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ModelFileError.file(f"{what} nests arrays or objects too deeply") from None
    except (ValueError, OverflowError) as exc:
        raise ModelFileError.file(f"{what} is not valid JSON: {str(exc)[:80]}") from None


def json_depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, stopping (and raising) past `limit`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            raise ModelFileError.file(f"the JSON nests more than {limit} levels deep")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def shape_from_dims(dims: list[int | None], source: str, channels_first: bool = True) -> Shape:
    """A spec shape from a tensor's dims *without* the batch axis.

    (C, H, W) or (H, W, C) -> a map; (D,) -> a vector; (C, L) or (L, C) -> a 1-row map.
    Unknown spatial sizes are refused here; callers substitute a default first.
    """
    if any(d is None or d < 1 for d in dims):
        raise ModelFileError.file(f"{source}: the shape {dims} has unknown or zero sizes")
    sizes = [int(d) for d in dims if d is not None]
    for d in sizes:
        if d > LIMITS.max_units or (len(sizes) > 1 and d > LIMITS.max_dimension):
            raise ModelFileError.file(
                f"{source}: the shape {sizes} has a dimension over "
                f"{LIMITS.max_dimension:,} (max_dimension)"
            )
    if len(sizes) == 1:
        return Shape(sizes[0])
    if len(sizes) == 2:
        c, length = sizes if channels_first else sizes[::-1]
        return Shape(c, 1, length)
    if len(sizes) == 3:
        if channels_first:
            return Shape(sizes[0], sizes[1], sizes[2])
        return Shape(sizes[2], sizes[0], sizes[1])
    raise ModelFileError.file(
        f"{source}: {len(sizes) + 1}-D tensors {sizes} are not supported; "
        "the spec draws vectors and 2D feature maps"
    )
