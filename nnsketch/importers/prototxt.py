"""A small, strict parser for protobuf text format (Caffe's .prototxt).

No schema: a message is a `Message` mapping each field name to the list of its
values (fields repeat), a value is a string, number, bool, enum word or nested
message. Bounded by the `Budget`: input size, tokens and nesting depth, so deeply
nested or enormous text fails fast with the line and column of the problem.

Grammar: ``field: scalar``, ``field { ... }``, ``field: { ... }``, ``field < ... >``,
``field: [a, b]``; ``#`` comments; separators ``,`` and ``;`` are optional.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Union

from ..errors import SpecError
from .common import Budget, ModelFileError, ModelTooLarge

Value = Union[str, int, float, bool, "Message"]

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n\f\v]+|\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.){0,100000}"|'(?:[^'\\\n]|\\.){0,100000}')
  | (?P<punct>[{}<>\[\]:,;])
  | (?P<word>[A-Za-z0-9_.+\-]+)
  | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "?": "?",
}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)")
_INT = re.compile(r"^[+-]?(0x[0-9A-Fa-f]+|\d+)$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)[fF]?$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(slots=True)
class Message:
    """Fields in file order; each name maps to every value it was given."""

    fields: dict[str, list[Value]] = field(default_factory=dict)
    line: int = 1

    def all(self, name: str) -> list[Value]:
        return self.fields.get(name, [])

    def get(self, name: str, default: Value | None = None) -> Value | None:
        values = self.fields.get(name)
        return values[-1] if values else default

    def messages(self, name: str) -> list[Message]:
        return [v for v in self.fields.get(name, []) if isinstance(v, Message)]

    def message(self, name: str) -> Message | None:
        found = self.messages(name)
        return found[-1] if found else None

    def __contains__(self, name: str) -> bool:
        return name in self.fields


class _Token(NamedTuple):
    kind: str
    text: str
    pos: int


class _Parser:
    def __init__(self, text: str, budget: Budget) -> None:
        self.text = text
        self.budget = budget
        self.lines = [m.end() for m in re.finditer(r"\n", text)]
        self.stream = self._tokenize()
        self.count = 0
        self.current = next(self.stream, None)

    def where(self, pos: int) -> str:
        line = bisect.bisect_right(self.lines, pos - 1) + 1
        start = self.lines[line - 2] if line > 1 else 0
        return f"line {line}, column {pos - start + 1}"

    def fail(self, pos: int, msg: str, limit: bool = False) -> SpecError:
        kind = ModelTooLarge if limit else ModelFileError
        return kind.file(f"prototxt {self.where(pos)}: {msg}")

    def _tokenize(self) -> Iterator[_Token]:
        """Tokens one at a time, so a bad file fails at its first problem."""
        for m in _TOKEN.finditer(self.text):
            kind = m.lastgroup or "space"
            if kind == "space":
                continue
            if kind == "bad":
                raise self.fail(m.start(), f"unexpected character {m.group()!r}")
            yield _Token(kind, m.group(), m.start())

    def peek(self) -> _Token | None:
        return self.current

    def next(self, what: str) -> _Token:
        tok = self.current
        if tok is None:
            raise self.fail(len(self.text), f"the file ends where {what} was expected")
        self.count += 1
        if self.count > self.budget.max_tokens:
            raise self.fail(tok.pos, f"more than {self.budget.max_tokens:,} tokens", True)
        self.current = next(self.stream, None)
        return tok

    def message(self, close: str | None, depth: int, line: int) -> Message:
        if depth > self.budget.max_depth:
            pos = self.current.pos if self.current else len(self.text)
            raise self.fail(pos, f"messages nest more than {self.budget.max_depth} deep")
        msg = Message(line=line)
        while True:
            tok = self.peek()
            if tok is None:
                if close is not None:
                    raise self.fail(len(self.text), f"the file ends before the closing {close!r}")
                return msg
            if tok.kind == "punct" and tok.text in (",", ";"):
                self.next("a separator")
                continue
            if close is not None and tok.text == close and tok.kind == "punct":
                self.next(close)
                return msg
            self.budget.tick()
            name = self.next("a field name")
            if name.kind != "word" or not _IDENT.match(name.text):
                raise self.fail(name.pos, f"expected a field name, got {name.text[:30]!r}")
            values = msg.fields.setdefault(name.text, [])
            for value in self.values(depth, name):
                values.append(value)
            if len(values) > self.budget.max_nodes:
                raise self.fail(
                    name.pos,
                    f"more than {self.budget.max_nodes:,} {name.text!r} fields (the import limit)",
                    True,
                )

    def values(self, depth: int, name: _Token) -> Iterator[Value]:
        tok = self.next(f"a value for {name.text!r}")
        colon = tok.kind == "punct" and tok.text == ":"
        if colon:
            tok = self.next(f"a value for {name.text!r}")
        if tok.kind == "punct" and tok.text in "{<":
            yield self.message("}" if tok.text == "{" else ">", depth + 1, self._line(tok))
            return
        if not colon:
            raise self.fail(tok.pos, f"expected ':' or '{{' after {name.text!r}")
        if tok.kind == "punct" and tok.text == "[":
            while True:
                item = self.next("a list item or ']'")
                if item.kind == "punct" and item.text == "]":
                    return
                if item.kind == "punct" and item.text == ",":
                    continue
                if item.kind == "punct" and item.text in "{<":
                    yield self.message(
                        "}" if item.text == "{" else ">", depth + 1, self._line(item)
                    )
                else:
                    yield self.scalar(item)
        yield self.scalar(tok)

    def _line(self, tok: _Token) -> int:
        return bisect.bisect_right(self.lines, tok.pos - 1) + 1

    def scalar(self, tok: _Token) -> Value:
        if tok.kind == "string":
            text = tok.text
            while (nxt := self.peek()) is not None and nxt.kind == "string":
                text = text[:-1] + self.next("a string").text[1:]  # adjacent strings join
            return _unescape(text[1:-1])
        if tok.kind != "word":
            raise self.fail(tok.pos, f"expected a value, got {tok.text!r}")
        word = tok.text
        if _INT.match(word):
            digits = word.lstrip("+-")
            if len(digits) > 30:
                raise self.fail(tok.pos, f"the number {word[:20]}... is too long")
            return int(word, 16 if digits.lower().startswith("0x") else 10)
        if _FLOAT.match(word):
            return float(word.rstrip("fF"))
        if word in ("true", "True", "t"):
            return True
        if word in ("false", "False", "f"):
            return False
        if _IDENT.match(word) or word.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            return word
        raise self.fail(tok.pos, f"cannot read the value {word[:30]!r}")


def _unescape(body: str) -> str:
    def sub(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(sub, body)


def parse(data: bytes, budget: Budget | None = None) -> Message:
    """The top-level message of a prototxt file, or a ModelFileError with line and column."""
    budget = budget or Budget()
    budget.check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelFileError.file(
            f"the prototxt is not UTF-8 text (bad byte at offset {exc.start}); "
            "binary .caffemodel files hold weights, import the .prototxt instead"
        ) from None
    if "\x00" in text:
        raise ModelFileError.file("the prototxt contains NUL bytes; it is not a text file")
    parser = _Parser(text, budget)
    return parser.message(None, 0, 1)
