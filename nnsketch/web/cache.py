"""A small, bounded cache of rendered responses, keyed by request body and options.

Rendering is deterministic (same spec, same bytes), so an identical request can be
answered from memory: the editor re-sends a spec on undo/redo and when switching
back to an earlier value, and scripts often render the same spec in a loop. The
cache lives on the event loop (no locks) and is bounded both in entries and bytes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


def cache_key(kind: str, body: bytes, *options: object) -> str:
    """Digest of what determines a response: the route, the body and its options."""
    digest = hashlib.sha256(body)
    digest.update(repr((kind, options)).encode("utf-8"))
    return digest.hexdigest()


class ResponseCache(Generic[V]):
    """Least-recently-used values with a budget of `max_bytes` and `max_entries`."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 32_000_000) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> V | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[0]

    def put(self, key: str, value: V, size: int) -> None:
        if size > self.max_bytes // 8:
            return  # one huge answer must not flush everything else
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._bytes
