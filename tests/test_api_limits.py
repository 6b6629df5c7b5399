"""Every limit in `LIMITS` is enforced over HTTP with a message that names it, and
rendering runs off the event loop in a bounded number of threads."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import nnsketch
from nnsketch.limits import LIMITS
from nnsketch.web import api, create_app
from nnsketch.web.budget import export_items, export_work
from tests.api_support import TestClient, assert_error, assert_error_body, make_client
from tests.conftest import load


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


def image(n_layers: int = 1, **input_size: int) -> list[dict[str, Any]]:
    size = {"height": 32, "width": 32, "channels": 3, **input_size}
    return [{"type": "input", **size}] + [{"type": "conv", "filters": 4, "kernel": 1}] * (
        n_layers - 1
    )


def mlp(*units: int, **fcnn: Any) -> dict[str, Any]:
    layers = [{"type": "input", "units": units[0]}] + [
        {"type": "dense", "units": u} for u in units[1:]
    ]
    return {"style": "fcnn", "layers": layers, "options": {"fcnn": fcnn}}


def assert_limit_everywhere(client: TestClient, spec: dict[str, Any], loc: str, name: str) -> None:
    """413 on render with the limit's name at `loc`; the same errors inline on preview."""
    rendered = assert_error(client.post("/api/render?format=svg", json=spec), 413, loc, name)
    for route in ("/api/preview", "/api/validate"):
        r = client.post(route, json=spec)
        assert r.status_code == 200
        assert assert_error_body(r.json(), 413, loc, name) == rendered


# -- body size ----------------------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    body = b" " * (LIMITS.max_body_bytes + 1)
    for route in ("/api/preview", "/api/validate", "/api/render?format=png"):
        r = client.post(route, content=body)
        assert_error(r, 413, "body", "max_body_bytes", f"{LIMITS.max_body_bytes:,}")


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 64_000
            yield b" " * 64_000

    r = client.post("/api/preview", content=chunks())
    assert_error(r, 413, "body", "max_body_bytes")
    assert "content-length" not in r.request.headers


def test_a_body_just_under_the_limit_is_read(client: TestClient) -> None:
    spec = json.dumps(load("lenet5")).encode()
    body = spec + b" " * (LIMITS.max_body_bytes - len(spec))
    assert len(body) == LIMITS.max_body_bytes
    assert client.post("/api/preview", content=body).json()["ok"] is True


def test_the_body_limit_is_configurable() -> None:
    small = make_client(max_body_bytes=100)
    assert_error(small.post("/api/validate", json=load("lenet5")), 413, "body", "100 bytes")


# -- spec limits ------------------------------------------------------------------------------


def test_layer_count(client: TestClient) -> None:
    spec = {"style": "lenet", "layers": image(LIMITS.max_layers + 1)}
    assert_limit_everywhere(client, spec, "layers", "max_layers")


def test_dimensions(client: TestClient) -> None:
    spec = {"layers": image(2, height=LIMITS.max_dimension + 1)}
    for route in ("/api/validate", "/api/preview"):
        body = client.post(route, json=spec).json()
        assert_error_body(body, 422, "layers[0].height", str(LIMITS.max_dimension))
    conv = {
        "layers": [*image(1), {"type": "conv", "filters": 2, "kernel": LIMITS.max_dimension + 1}]
    }
    assert_error(client.post("/api/render", json=conv), 422, "layers[1].kernel", "max_dimension")


def test_units(client: TestClient) -> None:
    body = client.post("/api/validate", json=mlp(4, LIMITS.max_units + 1)).json()
    assert_error_body(body, 422, "layers[1].units", f"{LIMITS.max_units}")


def test_text_length(client: TestClient) -> None:
    n = LIMITS.max_text_length
    ok = client.post("/api/validate", json={**load("lenet5"), "title": "x" * n}).json()
    assert ok["ok"] is True
    for field, spec in (
        ("title", {**load("lenet5"), "title": "x" * (n + 1)}),
        (
            "layers[0].label",
            {**load("lenet5"), "layers": [{**load("lenet5")["layers"][0], "label": "y" * (n + 1)}]},
        ),
    ):
        body = client.post("/api/validate", json=spec).json()
        assert_error_body(body, 422, field, str(n))


def test_fcnn_nodes_drawn(client: TestClient) -> None:
    per_layer = 2_000
    spec = mlp(*[per_layer] * (LIMITS.max_nodes_drawn // per_layer + 1), elide=False)
    rendered = assert_error(client.post("/api/render", json=spec), 413, None)
    assert [e for e in rendered if "max_nodes_drawn" in e["msg"] and e["loc"].startswith("layers[")]
    # with elision on, the fix is the elision threshold
    per_layer = 16
    elided = mlp(*[per_layer] * (LIMITS.max_nodes_drawn // per_layer + 1), max_nodes=per_layer)
    assert len(elided["layers"]) <= LIMITS.max_layers
    assert_limit_everywhere(client, elided, "options.fcnn.max_nodes", "max_nodes_drawn")


def test_fcnn_edges_drawn(client: TestClient) -> None:
    side = int(LIMITS.max_edges_drawn**0.5) + 1
    spec = mlp(side, side, elide=False)
    rendered = assert_error(client.post("/api/render", json=spec), 413, None)
    assert any("max_edges_drawn" in e["msg"] for e in rendered)
    assert all(e["loc"].startswith(("layers[", "options.fcnn")) for e in rendered)


def test_png_pixels(client: TestClient) -> None:
    spec = load("vgg16")
    drawing = nnsketch.build(spec).drawing
    vb = drawing.viewbox
    scale = min(LIMITS.max_scale, (LIMITS.max_png_pixels / (vb.width * vb.height)) ** 0.5 * 1.2)
    r = client.post(f"/api/render?format=png&scale={scale}", json=spec)
    assert_error(r, 413, "scale", "max_png_pixels", "lower the scale")


def test_scale(client: TestClient) -> None:
    over = LIMITS.max_scale * 1.5
    assert_error(
        client.post(f"/api/render?format=png&scale={over}", json=load("lenet5")),
        413,
        "scale",
        "max_scale",
    )


def test_export_work(client: TestClient) -> None:
    spec = mlp(64, 64, elide=False)
    items = export_items(nnsketch.build(spec).drawing)
    assert export_work(items, "pdf", 1) > LIMITS.max_export_items
    for fmt in ("png", "pdf"):
        r = client.post(f"/api/render?format={fmt}", json=spec)
        assert_error(r, 413, "format", "max_export_items", "download the SVG")
    assert client.post("/api/render?format=svg", json=spec).status_code == 200
    assert client.post("/api/preview", json=spec).json()["ok"] is True


def test_png_scale_counts_toward_export_work(client: TestClient) -> None:
    spec = load("mlp")
    items = export_items(nnsketch.build(spec).drawing)
    high = next(
        s for s in (2, 4, 6, 8, 10) if export_work(items, "png", s) > LIMITS.max_export_items
    )
    assert client.post("/api/render?format=png&scale=1", json=spec).status_code == 200
    assert_error(
        client.post(f"/api/render?format=png&scale={high}", json=spec),
        413,
        "format",
        "lower the scale",
    )


def test_every_example_exports_within_the_budget(client: TestClient, example: dict) -> None:
    for query in ("format=png&scale=2", "format=pdf"):
        started = time.process_time()
        r = client.post(f"/api/render?{query}", json=example)
        assert r.status_code == 200, r.text
        assert time.process_time() - started < 1.0, query


def test_requests_at_the_export_limit_stay_fast(client: TestClient) -> None:
    """The largest FCNN that may still be exported: well under a second of CPU."""
    side = 2
    while (
        export_work(
            export_items(nnsketch.build(mlp(side + 1, side + 1, elide=False)).drawing), "png", 1
        )
        <= LIMITS.max_export_items
    ):
        side += 1
    spec = mlp(side, side, elide=False)
    for query in ("format=png", "format=pdf"):
        started = time.process_time()
        assert client.post(f"/api/render?{query}", json=spec).status_code == 200
        assert time.process_time() - started < 1.0, query


# -- off the event loop -----------------------------------------------------------------------


def _blocked_build(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[int]]:
    """Make every build wait for `release`; record how many run at once."""
    release = threading.Event()
    running: list[int] = [0, 0]  # now, peak
    lock = threading.Lock()
    real = api.build

    def slow(data: Any) -> Any:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        try:
            release.wait(5)
            return real(data)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(api, "build", slow)
    return release, running


def test_a_slow_render_never_blocks_healthz(monkeypatch: pytest.MonkeyPatch) -> None:
    release, running = _blocked_build(monkeypatch)
    app = create_app(render_threads=2)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            pending = [
                asyncio.create_task(http.post("/api/render?format=png", json=load("lenet5")))
                for _ in range(2)
            ]
            while running[0] < 1:  # the export lane converts one PNG at a time
                await asyncio.sleep(0.001)
            started = time.perf_counter()
            health = await http.get("/healthz")
            examples = await http.get("/api/examples")
            elapsed = time.perf_counter() - started
            assert health.status_code == 200 and examples.status_code == 200
            assert elapsed < 0.5
            assert not any(task.done() for task in pending)
            release.set()
            done = await asyncio.gather(*pending)
            assert all(r.status_code == 200 and r.content.startswith(b"\x89PNG") for r in done)

    asyncio.run(scenario())


def test_concurrent_renders_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    release, running = _blocked_build(monkeypatch)
    app = create_app(render_threads=2)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            pending = [
                asyncio.create_task(http.post("/api/preview", json=load("small_mlp")))
                for _ in range(6)
            ]
            while running[0] < 2:
                await asyncio.sleep(0.001)
            await asyncio.sleep(0.05)
            assert running[0] == 2, "more renders ran than the pool allows"
            release.set()
            done = await asyncio.gather(*pending)
            assert all(r.json()["ok"] is True for r in done)
            assert running[1] == 2

    asyncio.run(scenario())


def test_previews_do_not_wait_behind_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    exporting: list[int] = [0]
    real = api.check_export

    def slow_export(drawing: Any, fmt: str, scale: float) -> Any:
        if fmt != "svg":
            exporting[0] += 1
            release.wait(5)
        return real(drawing, fmt, scale)

    monkeypatch.setattr(api, "check_export", slow_export)
    app = create_app(render_threads=2)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            exports = [
                asyncio.create_task(
                    http.post(f"/api/render?format=png&scale={s}", json=load("lenet5"))
                )
                for s in (1, 2, 3)
            ]
            while exporting[0] < 1:
                await asyncio.sleep(0.001)
            started = time.perf_counter()
            preview = await http.post("/api/preview", json=load("mnist_cnn"))
            svg = await http.post("/api/render?format=svg", json=load("mnist_cnn"))
            elapsed = time.perf_counter() - started
            assert preview.json()["ok"] is True and svg.text.startswith("<?xml")
            assert elapsed < 2.0 and not any(t.done() for t in exports)
            release.set()
            assert all(r.status_code == 200 for r in await asyncio.gather(*exports))

    asyncio.run(scenario())


def test_identical_requests_are_answered_from_the_cache(client: TestClient) -> None:
    spec = load("alexnet")
    first = client.post("/api/preview", json=spec)
    cache = client.app.state.response_cache
    hits = cache.hits
    again = client.post("/api/preview", json=spec)
    assert again.content == first.content and cache.hits == hits + 1
    spec["title"] = "changed"
    assert client.post("/api/preview", json=spec).json()["svg"] != first.json()["svg"]
    png = client.post("/api/render?format=png&scale=2", json=spec)
    assert client.post("/api/render?format=png&scale=2", json=spec).content == png.content
    assert client.post("/api/render?format=png&scale=1", json=spec).content != png.content
