"""The HTTP layer: a FastAPI app serving the editor page, the JSON API and exports.

It never computes geometry: every answer comes from `nnsketch.render.build` and
the analysis it carries. `create_app()` is the factory uvicorn runs.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
