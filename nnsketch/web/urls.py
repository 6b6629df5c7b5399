"""Every URL the page uses comes from here, and static URLs carry a content hash.

`/static/editor.js?v=<hash>` changes whenever the file changes, so a response for
a URL with the current hash can be cached for a year; the same path without the
hash (or with a stale one) is served with ``no-cache``. Hashes are recomputed
when a file's size or modification time changes, so editing a file during
development needs no restart.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class StaticHashes:
    """Short content hashes of the files in one directory, cached by (size, mtime)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._cache: dict[str, tuple[int, int, str]] = {}

    def _path(self, name: str) -> Path:
        path = (self.directory / name).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file():
            raise FileNotFoundError(
                f"static file {name!r} is missing from {self.directory}; "
                "check the name used in the template"
            )
        return path

    def hash(self, name: str) -> str:
        path = self._path(name)
        st = path.stat()
        cached = self._cache.get(name)
        if cached and cached[:2] == (st.st_size, st.st_mtime_ns):
            return cached[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._cache[name] = (st.st_size, st.st_mtime_ns, digest)
        return digest

    def url(self, name: str) -> str:
        """'editor.js' -> '/static/editor.js?v=3f2a...'."""
        return f"{STATIC_PREFIX}/{name.lstrip('/')}?v={self.hash(name)}"


class HashedStaticFiles(StaticFiles):
    """Static files whose hashed URLs are cached for a year, the rest revalidated."""

    def __init__(self, hashes: StaticHashes) -> None:
        super().__init__(directory=os.fspath(hashes.directory))
        self.hashes = hashes

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
            try:
                current = self.hashes.hash(path)
            except FileNotFoundError:
                current = None
            fresh = bool(wanted) and wanted == current
            response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        return response


def api_url(name: str) -> str:
    """Paths of the API routes, for templates and tests."""
    return f"/api/{name}"
