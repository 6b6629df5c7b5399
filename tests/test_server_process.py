"""The real server: `python -m nnsketch serve` on a free loopback port, used over
HTTP and shut down cleanly with the signal a terminal sends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.checks import assert_png_not_blank, parse_svg
from tests.conftest import load

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(proc: subprocess.Popen[str], url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"the server exited early:\n{proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server did not answer /healthz in time")


def stop(proc: subprocess.Popen[str]) -> str:
    """Interrupt like Ctrl-C; the server must exit 0 and say it shut down."""
    proc.send_signal(signal.SIGINT)
    try:
        output, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hang is the failure
        proc.kill()
        output, _ = proc.communicate()
        raise AssertionError(f"the server did not stop on SIGINT:\n{output}") from None
    assert proc.returncode == 0, output
    return output


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnsketch", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, base = start()
    try:
        wait_until_up(proc, f"{base}/healthz")
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_serve_renders_over_real_http_and_stops_cleanly(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    proc, base = server
    with httpx.Client(base_url=base, timeout=10) as http:
        health = http.get("/healthz")
        assert health.json()["ok"] is True
        assert health.headers["x-content-type-options"] == "nosniff"
        assert "server" not in health.headers

        spec = load("lenet5")
        preview = http.post("/api/preview", json=spec).json()
        assert preview["ok"] is True
        parse_svg(preview["svg"])

        png = http.post("/api/render", params={"format": "png", "scale": 2}, json=spec)
        assert png.status_code == 200
        assert png.headers["content-disposition"] == 'attachment; filename="LeNet-5.png"'
        assert_png_not_blank(png.content)

        pdf = http.post("/api/render", params={"format": "pdf"}, json=spec)
        assert pdf.content.startswith(b"%PDF-")

        # a chunked upload over the limit is cut off by the real server too
        def chunks() -> Iterator[bytes]:
            for _ in range(40):
                yield b" " * 50_000

        too_big = http.post("/api/validate", content=chunks())
        assert too_big.status_code == 413
        assert too_big.json()["errors"][0]["loc"] == "body"

        assert http.post("/api/validate", content=b"{").status_code == 422
    output = stop(proc)
    assert "Uvicorn running on http://127.0.0.1:" in output
    assert "Finished server process" in output
    assert "Traceback" not in output


def test_serve_with_two_workers() -> None:
    proc, base = start("--workers", "2")
    try:
        wait_until_up(proc, f"{base}/healthz", timeout=30)
        with httpx.Client(base_url=base, timeout=10) as http:
            for name in ("small_mlp", "alexnet", "vgg16", "lenet5"):
                r = http.post("/api/validate", json=load(name))
                assert r.json()["ok"] is True
    finally:
        output = stop(proc) if proc.poll() is None else proc.communicate()[0]
    assert "Traceback" not in output
    assert output.count("Started server process") >= 2
