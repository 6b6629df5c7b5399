"""Two pure ASGI middlewares: response security headers and the request body limit.

Pure ASGI (not `BaseHTTPMiddleware`) so they add no task or buffering to the hot
path. The body limit refuses a declared `Content-Length` over the limit before
reading anything, and also counts streamed chunks, so a chunked upload without a
length is cut off as soon as it passes the limit. A body must also arrive within
`body_timeout` seconds (env `NNSKETCH_BODY_TIMEOUT`, default 20): a client that
trickles it in gets 408 and its connection closed, instead of holding a worker's
connection open forever. A client that hangs up mid-body is routine, not an error.
"""

from __future__ import annotations

import json
import math
import os
import time

import anyio
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import Issue, SpecError
from ..limits import LIMITS
from .errors import BodyTooLarge, error_body

BODY_TIMEOUT_ENV = "NNSKETCH_BODY_TIMEOUT"
DEFAULT_BODY_TIMEOUT = 20.0

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"

_BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the fixed headers to every response, and a strict CSP unless one is set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in _BASE_HEADERS if h[0] not in names)
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", API_CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def too_large_issue(limit: int) -> Issue:
    return Issue(
        "body", f"the request body is larger than {limit:,} bytes (max_body_bytes); send less"
    )


class BodyTimeout(SpecError):
    """The request body did not arrive within the body timeout."""

    status = 408


def too_slow_issue(timeout: float) -> Issue:
    return Issue(
        "body",
        f"the request body did not arrive within {timeout:g} s (body_timeout); send it in one go",
    )


def body_timeout() -> float:
    """Seconds a request body may take to arrive, from `NNSKETCH_BODY_TIMEOUT`."""
    raw = os.environ.get(BODY_TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_BODY_TIMEOUT
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise RuntimeError(f"{BODY_TIMEOUT_ENV}={raw!r} must be a positive number of seconds")
    return value


class BodyLimit:
    """Answers 413 in the API's error shape when a body passes `limit` bytes, and
    408 (closing the connection) when it takes more than `timeout` seconds."""

    def __init__(
        self, app: ASGIApp, limit: int = LIMITS.max_body_bytes, timeout: float | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout = body_timeout() if timeout is None else timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send, 413, too_large_issue(self.limit))
            return
        received = 0
        started = refused = complete = False
        deadline = time.monotonic() + self.timeout

        async def counting_receive() -> Message:
            nonlocal received, refused, complete
            if complete:  # later receives only wait for a disconnect: no deadline
                return await receive()
            try:
                with anyio.fail_after(max(0.0, deadline - time.monotonic())):
                    message = await receive()
            except TimeoutError:
                refused = True
                raise BodyTimeout([too_slow_issue(self.timeout)]) from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    raise BodyTooLarge([too_large_issue(self.limit)])
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if refused:  # the rest of the body may still be on its way: drop it
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except (BodyTooLarge, BodyTimeout) as exc:
            if started:
                raise
            await self._refuse(send, exc.status, exc.issues[0])
        except ClientDisconnect:
            return  # the client hung up mid-body: nobody is left to answer

    async def _refuse(self, send: Send, status: int, issue: Issue) -> None:
        body = json.dumps(error_body(status, [issue]), separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
