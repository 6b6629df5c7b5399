"""Running CPU-bound work (layout, SVG writing, PNG/PDF conversion) off the event loop.

Two capacity limiters bound how many renders run at once: one lane for the quick
work (preview, validate, SVG) and one for PNG/PDF conversion, which costs ten to a
hundred times more. A burst of exports queues in its own lane instead of delaying
the editor's previews, while `/healthz` and static files answer from the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
Lane = Literal["quick", "export"]


def default_threads() -> int:
    return max(2, min(8, os.cpu_count() or 2))


class RenderPool:
    """At most `threads` quick renders and `export_threads` conversions at a time."""

    def __init__(self, threads: int | None = None, export_threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self.export_threads = export_threads or max(1, self.threads // 2)
        self._limiters = {
            "quick": anyio.CapacityLimiter(self.threads),
            "export": anyio.CapacityLimiter(self.export_threads),
        }

    async def run(self, fn: Callable[..., T], *args: object, lane: Lane = "quick") -> T:
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiters[lane])
