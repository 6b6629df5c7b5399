"""`serve()`: run the app under uvicorn (what `nnsketch serve` calls).

With several workers uvicorn must import the app itself in each process, so it
gets the factory's import string rather than an app object.

uvicorn bounds the idle time between requests but not the time a request takes
to arrive: a client that connects and sends nothing, or trickles its headers a
byte at a time, would hold the connection forever. `RequestDeadline` closes any
connection whose request is not fully received within `request_timeout` seconds
(env `NNSKETCH_REQUEST_TIMEOUT`, default 30) of its first byte or of the
connection opening; the app's own body timeout (20 s) answers first with a 408.
"""

from __future__ import annotations

import asyncio
import math
import os

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

APP_FACTORY = "nnsketch.web.app:create_app"
REQUEST_TIMEOUT_ENV = "NNSKETCH_REQUEST_TIMEOUT"
DEFAULT_REQUEST_TIMEOUT = 30.0
_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def request_timeout() -> float:
    """Seconds a whole request (line, headers, body) may take to arrive."""
    raw = os.environ.get(REQUEST_TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_REQUEST_TIMEOUT
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise RuntimeError(f"{REQUEST_TIMEOUT_ENV}={raw!r} must be a positive number of seconds")
    return value


class RequestDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request is late."""

    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(request_timeout(), self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_TIMED_OUT)  # nothing else was said on this request
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info"
) -> None:
    """Serve until interrupted; `workers` > 1 starts that many processes."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    request_timeout()  # a bad setting fails here, not on the first connection
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        server_header=False,
        timeout_graceful_shutdown=5,
        http=RequestDeadline,
    )
