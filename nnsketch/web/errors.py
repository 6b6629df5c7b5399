"""One JSON error shape for every API error, and the handlers that produce it.

``{"ok": false, "status": 422, "errors": [{"loc": "layers[3].kernel", "msg": "..."}]}``

`loc` uses the spec's own location format; it is "" when the problem has no
place, "body" for the request body as a whole, and a query parameter's name for a
bad query value. The editor relies on this shape, and a test pins it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import Issue, LimitError, NnsketchError

log = logging.getLogger("nnsketch.web")


class BodyTooLarge(LimitError):
    """The request body is bigger than `Limits.max_body_bytes`."""


def error_body(status: int, issues: Iterable[Issue]) -> dict[str, Any]:
    return {"ok": False, "status": status, "errors": [i.as_dict() for i in issues]}


def error_response(status: int, issues: Iterable[Issue]) -> JSONResponse:
    return JSONResponse(error_body(status, issues), status_code=status)


def _query_loc(parts: Sequence[int | str]) -> str:
    """('query', 'scale') -> 'scale': the editor knows which control to mark."""
    rest = [str(p) for p in parts if p not in ("query", "path", "body", "header")]
    return ".".join(rest)


async def _nnsketch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NnsketchError)
    return error_response(exc.status, exc.issues)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid value"))
        if "input" in err and err.get("type") != "missing":
            msg = f"{msg}, got {str(err['input'])[:60]!r}"
        issues.append(Issue(_query_loc(err.get("loc", ())), msg))
    return error_response(422, issues)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    msg = {404: "no such page or API route", 405: "method not allowed on this route"}.get(
        exc.status_code, str(exc.detail)
    )
    response = error_response(exc.status_code, [Issue("", msg)])
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Last resort: log the bug, answer in the usual shape, leak nothing."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, [Issue("", "internal error; please report it with your spec")])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NnsketchError, _nnsketch_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
