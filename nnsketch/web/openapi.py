"""The OpenAPI document and the `/docs` page that shows it.

The spec's own JSON Schema (with its definitions) is added to the components so
the request bodies documented in `docs` resolve. `/docs` is Swagger UI, served from
the assets bundled in the fastapi-offline package (no CDN: the docs work offline);
its one inline script is allowed by hash, so the page keeps a strict CSP.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from ..spec import Spec
from .docs import COMPONENTS

_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
_ASSET_PREFIX = "/docs-assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _spec_components() -> dict[str, Any]:
    schema = Spec.model_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {**defs, "Spec": schema}


def install(app: FastAPI) -> None:
    """Serve the OpenAPI document (cached) and Swagger UI at /docs."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(_spec_components())
            schemas.update(COMPONENTS)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    app.mount(_ASSET_PREFIX, StaticFiles(directory=_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        html = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="nnsketch API",
            swagger_js_url=f"{_ASSET_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{_ASSET_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{_ASSET_PREFIX}/favicon.png",
        ).body
        text = bytes(html).decode("utf-8")
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
            for s in _INLINE_SCRIPT.findall(text)
        )
        csp = (
            f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        return HTMLResponse(text, headers={"Content-Security-Policy": csp})
