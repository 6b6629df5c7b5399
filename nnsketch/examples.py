"""The example specs shipped in `examples/`: list them and load one by name."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .errors import NnsketchError
from .resources import resource_dir

_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class ExampleNotFound(NnsketchError):
    status = 404


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(resource_dir("examples").glob("*.json")):
        found[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return found


def example_names() -> list[str]:
    return list(_catalogue())


def list_examples() -> list[dict[str, Any]]:
    """Name, title, style and layer count of every example."""
    return [
        {"name": name, "title": spec.get("title", name), "style": spec.get("style", "lenet"),
         "layers": len(spec.get("layers", []))}
        for name, spec in _catalogue().items()
    ]  # fmt: skip


def load_example(name: str) -> dict[str, Any]:
    """A fresh copy of the example's spec (callers may modify it)."""
    if not _NAME.fullmatch(name) or name not in _catalogue():
        known = ", ".join(example_names())
        raise ExampleNotFound(f"no example named {name[:40]!r}; known examples: {known}")
    return json.loads(json.dumps(_catalogue()[name]))
