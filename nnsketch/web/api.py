"""The JSON API: preview, validate, render, examples and the spec's schema.

Handlers take the raw body and hand it to one synchronous function that parses,
builds and serializes in a worker thread (see `work.RenderPool`), so the event
loop only moves bytes. `preview` is the editor's hot path: one round trip gives
the SVG, every layer's shape and the totals. Answers are deterministic, so they
are kept in a bounded `cache.ResponseCache` keyed by the body and options.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ..colors import normalize_color
from ..errors import Issue, LimitError, SpecError
from ..examples import list_examples, load_example
from ..limits import LIMITS
from ..render import Diagram, build
from ..spec import spec_schema
from . import docs
from .budget import check_export
from .cache import ResponseCache, cache_key
from .errors import error_body
from .payload import parse_body
from .work import RenderPool

router = APIRouter(prefix="/api", tags=["api"])

MEDIA_TYPES: dict[str, str] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
}
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_TRANSPARENT = frozenset({"transparent", "none", ""})


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(content: bytes) -> Response:
    return Response(content, media_type="application/json")


def _pool(request: Request) -> RenderPool:
    pool: RenderPool = request.app.state.render_pool
    return pool


def _cache(request: Request) -> ResponseCache[Any]:
    state = request.app.state
    found: ResponseCache[Any] | None = getattr(state, "response_cache", None)
    if found is None:
        found = state.response_cache = ResponseCache()
    return found


def _analysis(diagram: Diagram) -> dict[str, Any]:
    net = diagram.network
    return {
        "ok": True,
        "shapes": [info.summary() for info in net.layers],
        "total_params": net.total_params,
        "total_non_trainable": net.total_non_trainable,
        "total_macs": net.total_macs,
    }


def _check(body: bytes, with_svg: bool) -> bytes:
    """Preview/validate in one place: 200 with ok true or false for any JSON object."""
    data = parse_body(body)
    try:
        diagram = build(data)
        result = _analysis(diagram)
        if with_svg:
            result = {"ok": True, "svg": diagram.svg, **result}
    except SpecError as exc:
        return _dumps(error_body(exc.status, exc.issues))
    return _dumps(result)


async def _checked(request: Request, with_svg: bool) -> Response:
    body = await request.body()
    cache = _cache(request)
    key = cache_key("check", body, with_svg)
    content: bytes | None = cache.get(key)
    if content is None:
        content = await _pool(request).run(_check, body, with_svg)
        cache.put(key, content, len(content))
    return _json(content)


@router.post("/preview", **docs.PREVIEW)
async def preview(request: Request) -> Response:
    return await _checked(request, True)


@router.post("/validate", **docs.VALIDATE)
async def validate(request: Request) -> Response:
    return await _checked(request, False)


def slug(title: str, default: str = "diagram") -> str:
    """A file name stem from a title: ASCII letters, digits, '-' and '_' only."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_")[:80].strip("-_")
    return stem or default


def _background(value: str | None) -> str | None:
    if value is None or value.strip().lower() in _TRANSPARENT:
        return None
    try:
        return normalize_color(value)
    except ValueError as exc:
        raise SpecError.at("background", f"{exc}, or 'transparent'") from None


def _scale(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise SpecError.at("scale", f"scale must be a positive number, got {value}")
    if value > LIMITS.max_scale:
        raise LimitError(
            [Issue("scale", f"scale {value:g} is more than {LIMITS.max_scale:g} (max_scale)")]
        )
    return value


def _at_least_a_pixel(diagram: Diagram, scale: float) -> None:
    """cairosvg fails on a PNG under one pixel wide or high: refuse that scale instead."""
    side = min(diagram.drawing.viewbox.width, diagram.drawing.viewbox.height)
    if side * scale < 1:
        msg = f"scale {scale:g} makes the PNG less than a pixel; use at least {1 / side:.2g}"
        raise SpecError.at("scale", msg)


def _render(body: bytes, fmt: str, scale: float, background: str | None) -> tuple[bytes, str]:
    diagram = build(parse_body(body))
    if fmt == "png":
        _at_least_a_pixel(diagram, scale)
    check_export(diagram.drawing, fmt, scale)
    data = diagram.to(fmt, scale=scale, background=background)
    content = data.encode("utf-8") if isinstance(data, str) else data
    return content, slug(diagram.spec.title)


@router.post("/render", **docs.RENDER)
async def render(
    request: Request,
    format: Annotated[Literal["svg", "png", "pdf"], Query(description="the file format")] = "svg",
    scale: Annotated[
        float,
        Query(description=f"PNG pixels per SVG unit, above 0 and at most {LIMITS.max_scale:g}"),
    ] = 1.0,
    background: Annotated[
        str | None,
        Query(
            max_length=64,
            description="PNG/PDF background: 'transparent' (default), 'white' or any CSS color",
        ),
    ] = None,
) -> Response:
    scale = _scale(scale)
    color = _background(background)
    body = await request.body()
    cache = _cache(request)
    key = cache_key("render", body, format, scale, color)
    cached: tuple[bytes, str] | None = cache.get(key)
    if cached is None:
        lane = "quick" if format == "svg" else "export"
        cached = await _pool(request).run(_render, body, format, scale, color, lane=lane)
        cache.put(key, cached, len(cached[0]))
    content, stem = cached
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{format}"'}
    if format == "svg":
        headers["Content-Security-Policy"] = SVG_CSP
    return Response(content, media_type=MEDIA_TYPES[format], headers=headers)


@cache
def _schema_bytes() -> bytes:
    return _dumps(spec_schema())


@router.get("/schema", **docs.SCHEMA)
async def schema() -> Response:
    return Response(_schema_bytes(), media_type="application/json")


@router.get("/examples", **docs.EXAMPLES)
async def examples() -> JSONResponse:
    return JSONResponse(list_examples())


@router.get("/examples/{name}", **docs.EXAMPLE)
async def example(
    name: Annotated[str, Path(max_length=64, description="an example's name, e.g. lenet5")],
) -> JSONResponse:
    return JSONResponse(load_example(name))
