"""Helpers shared by the HTTP API tests: an in-process client, fixture page files,
and assertions on the one JSON error shape."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx

from nnsketch.web import create_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork; the httpx we test with works the same.
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient

FIXTURE_TEMPLATE = """<!doctype html>
<html><head><title>nnsketch {{ version }}</title>
<script src="{{ static_url('app.js') }}" defer></script></head>
<body data-max-layers="{{ limits.max_layers }}">
<ul>{% for e in examples %}<li data-name="{{ e.name }}">{{ e.title }}</li>{% endfor %}</ul>
</body></html>
"""


def fixture_dirs(root: Path) -> tuple[Path, Path]:
    """A templates/ and a static/ directory with a page that shows the whole context."""
    templates, static = root / "templates", root / "static"
    templates.mkdir()
    static.mkdir()
    (templates / "editor.html").write_text(FIXTURE_TEMPLATE, encoding="utf-8")
    (static / "app.js").write_text("document.title += '';\n", encoding="utf-8")
    return templates, static


def make_client(root: Path | None = None, **kwargs: Any) -> TestClient:
    """A client for a fresh app; with `root`, the page comes from the fixture files."""
    dirs: dict[str, Path] = {}
    if root is not None:
        dirs["templates"], dirs["static"] = fixture_dirs(root)
    return TestClient(create_app(**dirs, **kwargs), raise_server_exceptions=False)


def assert_error(
    response: httpx.Response, status: int, loc: str | None = None, *fragments: str
) -> list[dict[str, str]]:
    """The response is the API's error shape with `status`, and an error at `loc`
    whose message holds every fragment; returns the errors."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return assert_error_body(response.json(), status, loc, *fragments)


def assert_error_body(
    body: dict[str, Any], status: int, loc: str | None = None, *fragments: str
) -> list[dict[str, str]]:
    assert set(body) == {"ok", "status", "errors"}, body
    assert body["ok"] is False and body["status"] == status
    errors = body["errors"]
    assert errors and all(set(e) == {"loc", "msg"} and e["msg"] for e in errors), errors
    if loc is not None:
        located = [e for e in errors if e["loc"] == loc]
        assert located, f"no error at {loc!r}: {errors}"
        for fragment in fragments:
            assert any(fragment in e["msg"] for e in located), (fragment, located)
    return errors
