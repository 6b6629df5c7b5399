"""Requests that ask for too much are refused or timed out, with a clear status,
within bounded time and memory: oversized bodies, millions of nodes, gigantic PNG
scales, error floods, and slow clients (slowloris) against the real server.
Prints the CPU time and peak memory of every refused request."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from nnsketch.limits import LIMITS
from nnsketch.web import create_app, security, server
from tests.api_support import TestClient, assert_error, make_client
from tests.conftest import load
from tests.live_server import HOST, LiveServer, memory_kb
from tests.load_client import in_own_thread

MB = 1_000_000


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


def _chunks(total: int, size: int = 64_000) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b" " * size


def _repeat_bomb() -> dict[str, Any]:
    """The most repeat copies that fit in one body: millions of layers once expanded."""
    inner = [{"type": "dense", "units": 4}] * 64
    block = {"type": "repeat", "count": 64, "layers": inner}
    per = len(json.dumps(block)) + 2
    return {"style": "graph", "layers": [{"type": "input", "units": 4}]
            + [block] * ((LIMITS.max_body_bytes - 200) // per)}  # fmt: skip


def _error_flood() -> dict[str, Any]:
    """max_layers layers, each wrong in every field: the longest error list there is."""
    bad = {"type": "conv", "filters": -1, "kernel": -1, "stride": -1, "dilation": -1,
           "groups": -1, "color": "x", "name": "1", "padding": "q", "activation": "1",
           "label": "\x00", "height": -1, "width": -1, "depth": -1, "inputs": ["1", "2"],
           "bias": "x"}  # fmt: skip
    return {"layers": [{"type": "input", "units": 3}] + [bad] * (LIMITS.max_layers - 1)}


def _mlp(*units: int, elide: bool = True) -> dict[str, Any]:
    layers = [{"type": "input", "units": units[0]}] + [{"type": "dense", "units": u}
                                                        for u in units[1:]]  # fmt: skip
    return {"style": "fcnn", "layers": layers, "options": {"fcnn": {"elide": elide}}}


@dataclass(frozen=True)
class Refusal:
    name: str
    route: str
    body: Callable[[], Any]  # bytes, an iterator of chunks, or a spec
    status: int
    loc: str
    words: str


REFUSALS = [
    Refusal("5 MB body", "/api/preview", lambda: b" " * (5 * MB), 413, "body", "max_body_bytes"),
    Refusal("5 MB chunked, no length", "/api/render?format=png", lambda: _chunks(5 * MB), 413,
            "body", "max_body_bytes"),
    Refusal("1 MB of nested arrays", "/api/validate", lambda: b"[" * (MB // 2) + b"]" * (MB // 2),
            422, "", "nested too deeply"),
    Refusal("5000-digit integer", "/api/render", lambda: b'{"layers":[{"type":"input","units":'
            + b"9" * 5000 + b"}]}", 422, "", "digits"),
    Refusal("1001 layers", "/api/render", lambda: {"layers": [{"type": "input", "units": 1}]
            + [{"type": "dense", "units": 1}] * LIMITS.max_layers}, 413, "layers", "max_layers"),
    Refusal("repeat blocks -> millions of layers", "/api/render", _repeat_bomb, 413, "layers",
            "max_layers"),
    Refusal("20 million nodes", "/api/render", lambda: _mlp(10**7, 10**7, elide=False), 413,
            "layers[0].units", "max_nodes_drawn"),
    Refusal("millions of edges", "/api/render", lambda: _mlp(400, 400, elide=False), 413,
            "layers[0].units", "max_edges_drawn"),
    Refusal("PNG scale 1e308", "/api/render?format=png&scale=1e308", lambda: load("alexnet"), 413,
            "scale", "max_scale"),
    Refusal("PNG scale 10 of AlexNet", "/api/render?format=png&scale=10", lambda: load("vgg16"),
            413, "format", "max_export_items"),
    Refusal("PNG scale 1e-300 (under a pixel)", "/api/render?format=png&scale=1e-300",
            lambda: load("lenet5"), 422, "scale", "less than a pixel"),
    Refusal("PNG scale NaN", "/api/render?format=png&scale=nan", lambda: load("lenet5"), 422,
            "scale", "positive"),
    Refusal("PNG of a 2,800-px block", "/api/render?format=png&scale=3", lambda: {
        "style": "alexnet",
        "layers": [{"type": "input", "height": 100000, "width": 100000, "channels": 100000}],
        "options": {"alexnet": {"max_size": 2000, "spatial_scale": "linear", "spatial_factor": 100,
                                "depth_scale": "linear", "depth_factor": 100}},
    }, 413, "scale", "max_png_pixels"),
    Refusal("16,000 errors at once", "/api/render", _error_flood, 422, "layers[1].filters",
            "greater than"),
]  # fmt: skip


def _send(client: TestClient, refusal: Refusal) -> httpx.Response:
    body = refusal.body()
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return client.post(refusal.route, content=body)


def test_refused_requests_stay_cheap(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = []
    for refusal in REFUSALS:
        started = time.process_time()
        r = _send(client, refusal)
        cpu = time.process_time() - started
        tracemalloc.start()
        try:
            _send(client, refusal)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert_error(r, refusal.status, refusal.loc, refusal.words)
        assert cpu < 2.0, (refusal.name, cpu)
        assert peak < 150 * MB, (refusal.name, peak)
        rows.append((refusal.name, r.status_code, cpu, peak, len(r.content)))
    worst_cpu = max(rows, key=lambda row: row[2])
    worst_mem = max(rows, key=lambda row: row[3])
    with capsys.disabled():
        print("\nrefused requests (in-process: CPU time, traced peak memory, answer size):")
        for name, status, cpu, peak, size in rows:
            print(f"  {name:38s} {status}  {cpu * 1000:7.1f} ms  {peak / MB:6.1f} MB  "
                  f"{size:>9,} B")  # fmt: skip
        print(f"  worst CPU: {worst_cpu[0]} ({worst_cpu[2] * 1000:.0f} ms); "
              f"worst memory: {worst_mem[0]} ({worst_mem[3] / MB:.1f} MB)")  # fmt: skip


# -- the body deadline, in-process -----------------------------------------------------------


def test_a_body_that_trickles_in_gets_408_located_at_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(security.BODY_TIMEOUT_ENV, "0.3")
    app = create_app()

    async def trickle() -> Any:
        for _ in range(50):
            yield b" "
            await asyncio.sleep(0.05)

    async def scenario() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.post("/api/validate", content=trickle())

    started = time.monotonic()
    r = in_own_thread(scenario)
    assert time.monotonic() - started < 1.5
    assert_error(r, 408, "body", "body_timeout", "0.3 s")
    assert r.headers["connection"] == "close"


def test_a_client_that_hangs_up_mid_body_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app()
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "http.request", "body": b'{"la', "more_body": True},
                     {"type": "http.disconnect"}])  # fmt: skip

    async def receive() -> Any:
        return next(messages)

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/validate",
        "raw_path": b"/api/validate",
        "query_string": b"",
        "http_version": "1.1",
        "headers": [(b"content-length", b"100")],
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
        "asgi": {"version": "3.0"},
        "app": app,
    }
    with caplog.at_level(logging.INFO):
        in_own_thread(lambda: app(scope, receive, send))
    assert sent == []  # nobody to answer
    assert "unexpected error" not in caplog.text and "Traceback" not in caplog.text


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_bad_timeout_settings_fail_at_start_up(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(security.BODY_TIMEOUT_ENV, value)
    with pytest.raises(RuntimeError, match=security.BODY_TIMEOUT_ENV):
        security.body_timeout()
    monkeypatch.setenv(server.REQUEST_TIMEOUT_ENV, value)
    with pytest.raises(RuntimeError, match=server.REQUEST_TIMEOUT_ENV):
        server.request_timeout()


def test_timeouts_default_and_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(security.BODY_TIMEOUT_ENV, raising=False)
    monkeypatch.delenv(server.REQUEST_TIMEOUT_ENV, raising=False)
    assert security.body_timeout() == 20.0 and server.request_timeout() == 30.0
    assert security.body_timeout() < server.request_timeout()  # the 408 with a body comes first
    monkeypatch.setenv(security.BODY_TIMEOUT_ENV, "2.5")
    assert security.body_timeout() == 2.5


# -- slow clients against the real server -------------------------------------------------------

BODY_TIMEOUT, REQUEST_TIMEOUT = 1.5, 2.5


@pytest.fixture
def live() -> Iterator[LiveServer]:
    env = {security.BODY_TIMEOUT_ENV: str(BODY_TIMEOUT),
           server.REQUEST_TIMEOUT_ENV: str(REQUEST_TIMEOUT)}  # fmt: skip
    with LiveServer(env=env) as srv:
        yield srv


def _read_all(sock: socket.socket) -> bytes:
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            return out
        if not chunk:
            return out
        out += chunk


def _slow(port: int, head: bytes, drip: bytes, every: float, limit: float) -> tuple[bytes, float]:
    """Send `head`, then `drip` one byte every `every` s until the server answers or
    closes (at most `limit` s); returns what came back and when."""
    started = time.monotonic()
    with socket.create_connection((HOST, port), timeout=limit) as sock:
        sock.sendall(head)
        sock.settimeout(every)
        for byte in drip:
            try:
                sock.sendall(bytes([byte]))
                answer = sock.recv(65536)
            except TimeoutError:
                if time.monotonic() - started > limit:
                    break
                continue
            except (BrokenPipeError, ConnectionResetError):
                return b"", time.monotonic() - started
            if answer:
                sock.settimeout(limit)
                return answer + _read_all(sock), time.monotonic() - started
        sock.settimeout(limit)
        return _read_all(sock), time.monotonic() - started


def test_slowloris_is_timed_out_and_others_are_served(
    live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = live.port
    post = (b"POST /api/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n")  # fmt: skip
    results: dict[str, tuple[bytes, float]] = {}

    def attack(key: str, head: bytes, drip: bytes) -> None:
        results[key] = _slow(port, head, drip, every=0.2, limit=10)

    attacks = {f"body{i}": (post, b" " * 200) for i in range(20)}
    attacks |= {f"headers{i}": (b"", b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 200)
                for i in range(10)}  # fmt: skip
    attacks |= {f"idle{i}": (b"", b"") for i in range(10)}
    cpu_before = live.cpu()
    threads = [threading.Thread(target=attack, args=(k, *v)) for k, v in attacks.items()]
    for t in threads:
        t.start()
    time.sleep(0.5)
    # while 40 slow connections are open, everyone else is served at once
    with httpx.Client(base_url=live.url, timeout=5) as http:
        started = time.monotonic()
        assert http.get("/healthz").status_code == 200
        assert time.monotonic() - started < 1.0  # well before any slow client is cut off
        assert http.post("/api/preview", json=load("lenet5")).json()["ok"] is True
        # a body declared huge is refused before a byte of it is sent
        sock = socket.create_connection((HOST, port), timeout=5)
        started = time.monotonic()
        sock.sendall(post.replace(b"100000", b"2000000000"))
        refused = _read_all(sock)
        sock.close()
        assert refused.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 1.0
    for t in threads:
        t.join(15)
    cpu = live.cpu() - cpu_before
    bodies = [results[k] for k in attacks if k.startswith("body")]
    for answer, took in bodies:
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert b'"loc":"body"' in answer and b"body_timeout" in answer
        assert b"connection: close" in answer.lower()
        assert BODY_TIMEOUT - 0.1 < took < BODY_TIMEOUT + 4, took  # timers run late on a busy box
    for key in attacks:
        if key.startswith(("headers", "idle")):
            answer, took = results[key]
            assert answer.startswith(b"HTTP/1.1 408") or answer == b"", (key, answer[:80])
            assert REQUEST_TIMEOUT - 0.1 < took < REQUEST_TIMEOUT + 4, (key, took)
    assert healthy_after(live)
    assert cpu < 2.0, cpu
    peak_mb = memory_kb(live.pid, "VmHWM") / 1000
    assert live.stop() == 0
    output = live.output()
    assert "Traceback" not in output and "unexpected error" not in output, output[-2000:]
    assert output.count(" 408 ") == 20  # the access log has each refused body
    with capsys.disabled():
        print(f"\nslowloris: 20 trickled bodies -> 408 after {max(t for _, t in bodies):.2f} s, "
              f"10 trickled headers and 10 idle connections closed after "
              f"{max(results[k][1] for k in attacks if not k.startswith('body')):.2f} s; "
              f"server CPU {cpu:.2f} s, peak RSS {peak_mb:.0f} MB")  # fmt: skip


def healthy_after(live: LiveServer) -> bool:
    with httpx.Client(base_url=live.url, timeout=5) as http:
        return bool(http.get("/healthz").status_code == 200)
