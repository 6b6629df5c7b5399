"""Running CPU-bound work (layout, SVG writing, PNG/PDF conversion) off the event loop.

A dedicated capacity limiter bounds how many renders run at once, so a burst of
large PNG exports queues up instead of starving the process, while `/healthz` and
static files keep answering from the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


def default_threads() -> int:
    return max(2, min(8, os.cpu_count() or 2))


class RenderPool:
    """At most `threads` renders at a time, each in a worker thread."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self._limiter = anyio.CapacityLimiter(self.threads)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)
