"""A bounded load generator for the real server: `clients` concurrent loops on
127.0.0.1 for `seconds`, mixing every route and format, recording each answer's
status and latency, while a sampler reads the server's memory from /proc.

Half the bodies carry a title never sent before, so they are rendered rather than
answered from the server's response cache. Shared by tests/test_load_faults.py and
reliability/load.py. It stops by itself:
the loops end at the deadline and every request has a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from tests.conftest import load
from tests.live_server import memory_kb

T = TypeVar("T")
SPECS = ["lenet5", "small_mlp", "mnist_cnn", "alexnet", "resnet_block", "mlp"]
# (weight, method, path, spec name or None); every one of these should answer 200
MIX: list[tuple[int, str, str]] = [
    (40, "POST", "/api/preview"),
    (12, "POST", "/api/validate"),
    (14, "POST", "/api/render?format=svg"),
    (10, "POST", "/api/render?format=png"),
    (6, "POST", "/api/render?format=pdf"),
    (10, "GET", "/healthz"),
    (4, "GET", "/api/examples"),
    (4, "GET", "/api/examples/lenet5"),
]


@dataclass
class LoadResult:
    seconds: float
    clients: int
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    failures: list[tuple[float, str]] = field(default_factory=list)  # (time, what)
    memory: list[tuple[float, int]] = field(default_factory=list)  # (time, kB summed)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return len(self.failures)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def memory_growth_kb(self, warmup: float) -> int:
        """Resident memory at the end minus just after the warm-up (medians of 3 samples)."""
        after = [kb for t, kb in self.memory if t >= warmup]
        if len(after) < 6:
            return 0
        return int(statistics.median(after[-3:]) - statistics.median(after[:3]))

    def summary(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        mem = [kb for _, kb in self.memory]
        memory = f", RSS {min(mem) / 1000:.0f}-{max(mem) / 1000:.0f} MB" if mem else ""
        return (
            f"{self.requests} requests from {self.clients} clients in {self.seconds:.1f} s "
            f"({rate:.0f}/s), {self.errors} errors, p50 {self.percentile(0.5) * 1000:.0f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.0f} ms, max {self.percentile(1.0) * 1000:.0f} ms"
            f"{memory}"
        )


def _choices(rng: random.Random, n: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    specs = {name: load(name) for name in SPECS}
    weights = [w for w, _, _ in MIX]
    out = []
    for _ in range(n):
        _, method, path = rng.choices(MIX, weights)[0]
        out.append((method, path, specs[rng.choice(SPECS)] if method == "POST" else None))
    return out


async def _client(
    url: str, deadline: float, result: LoadResult, started: float, seed: int, timeout: float
) -> None:
    plan = _choices(random.Random(seed), 512)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        i = 0
        while i == 0 or time.monotonic() < deadline:  # every client asks at least once
            method, path, spec = plan[i % len(plan)]
            if spec is not None and i % 2:  # half the bodies are new: no response cache hit
                spec = {**spec, "title": f"Load {seed}.{i}"}
            i += 1
            t0 = time.monotonic()
            try:
                r = await http.request(method, path, json=spec)
                checked = path in ("/api/preview", "/api/validate")
                ok = r.status_code == 200 and (not checked or r.json()["ok"] is True)
                result.statuses[str(r.status_code)] += 1
                if not ok:
                    result.failures.append((t0 - started, f"{path} {r.status_code}"))
            except httpx.HTTPError as exc:
                result.statuses[type(exc).__name__] += 1
                result.failures.append((t0 - started, f"{path} {type(exc).__name__}"))
            else:
                result.latencies.append(time.monotonic() - t0)


def in_own_thread(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a fresh thread: the caller's thread may already run a loop
    (Playwright's sync API keeps one running in the main thread)."""
    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(coroutine()))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


def run_load(
    url: str,
    seconds: float,
    clients: int,
    pids: Callable[[], list[int]] | None = None,
    during: Callable[[float], None] | None = None,
    timeout: float = 30.0,
) -> LoadResult:
    """Load the server at `url`; `pids()` names the processes whose memory to sample,
    `during(elapsed)` is called from a side thread every 0.1 s (to inject faults)."""
    result = LoadResult(seconds=seconds, clients=clients)
    started = time.monotonic()
    deadline = started + seconds
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            elapsed = time.monotonic() - started
            if pids is not None:
                total = 0
                for pid in pids():
                    with contextlib.suppress(OSError, KeyError):  # a worker that just died
                        total += memory_kb(pid)
                result.memory.append((elapsed, total))
            if during is not None:
                during(elapsed)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    async def main() -> None:
        await asyncio.gather(
            *(_client(url, deadline, result, started, seed, timeout) for seed in range(clients))
        )

    try:
        in_own_thread(main)
    finally:
        stop.set()
        sampler.join(5)
    result.seconds = time.monotonic() - started
    return result
