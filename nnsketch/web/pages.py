"""The editor page and the health check.

The page is `templates/editor.html` rendered by Jinja2 with autoescaping on and
this context: `static_url(name)` (content-hashed URL), `examples` (name, title,
style, layers of each example), `limits` (the `Limits` object) and `version`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .. import __version__
from ..examples import list_examples
from ..limits import LIMITS
from .security import PAGE_CSP
from .urls import StaticHashes

router = APIRouter()

PAGE_TEMPLATE = "editor.html"


def template_environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        auto_reload=True,
        undefined=jinja2.StrictUndefined,
    )


def page_context(hashes: StaticHashes) -> dict[str, Any]:
    return {
        "static_url": hashes.url,
        "examples": list_examples(),
        "limits": LIMITS,
        "version": __version__,
    }


@router.get("/", response_class=HTMLResponse, summary="The diagram editor", tags=["pages"])
async def editor(request: Request) -> HTMLResponse:
    state = request.app.state
    env: jinja2.Environment = state.templates
    html = env.get_template(PAGE_TEMPLATE).render(page_context(state.static_hashes))
    return HTMLResponse(
        html, headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}
    )


@router.get("/healthz", summary="Liveness check", tags=["pages"])
async def healthz() -> JSONResponse:
    return JSONResponse({"ok": True, "version": __version__})
