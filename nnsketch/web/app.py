"""`create_app()`: the FastAPI application, assembled from the web modules.

Configuration mistakes (a missing templates or static directory) fail here, at
start-up, with a message that says what to do; client mistakes are answered by
the handlers in `errors`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from .. import __version__
from ..limits import LIMITS
from ..resources import resource_dir
from . import api, imports, openapi, pages
from .errors import install_error_handlers
from .pages import template_environment
from .security import BodyLimit, SecurityHeaders
from .urls import STATIC_PREFIX, HashedStaticFiles, StaticHashes
from .work import RenderPool

DESCRIPTION = """\
Draw neural network architecture diagrams from a JSON spec: validate it, preview
it and export SVG, PNG or PDF. Every error has one shape,
`{"ok": false, "status": 422, "errors": [{"loc": "layers[3].kernel", "msg": "..."}]}`.
"""


def create_app(
    templates: Path | None = None,
    static: Path | None = None,
    render_threads: int | None = None,
    max_body_bytes: int = LIMITS.max_body_bytes,
) -> FastAPI:
    """The app; directories default to the package's `templates/` and `static/`."""
    templates_dir = templates or resource_dir("templates")
    static_dir = static or resource_dir("static")
    for what, path in (("templates", templates_dir), ("static", static_dir)):
        if not path.is_dir():
            raise RuntimeError(f"the {what} directory {path} does not exist; reinstall nnsketch")
    app = FastAPI(
        title="nnsketch",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.templates = template_environment(templates_dir)
    app.state.static_hashes = StaticHashes(static_dir)
    app.state.render_pool = RenderPool(render_threads)
    install_error_handlers(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(imports.router)
    openapi.install(app)
    app.mount(STATIC_PREFIX, HashedStaticFiles(app.state.static_hashes), name="static")
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
