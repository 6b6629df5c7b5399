"""What a refused request costs the real server, and how slow clients are cut off.

Sends each request of tests/test_resource_limits.py's list to `nnsketch serve`
(one worker, default settings) `--repeat` times and reads the server's CPU time
and peak memory from /proc (utime+stime, VmHWM) around each; then opens
`--slow` connections that trickle a body, trickle headers or say nothing, and
times how long the server keeps each (body_timeout 20 s, request_timeout 30 s).

    python reliability/limits.py --repeat 20 --slow 200

Exits 1 when a refusal has the wrong status or a slow connection outlives its timeout.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

import _common
import httpx

from nnsketch.web import security, server
from tests.live_server import LiveServer, cpu_seconds, memory_kb
from tests.test_resource_limits import REFUSALS, _slow


def refusal_costs(live: LiveServer, repeat: int) -> bool:
    ok = True
    print(f"{'refused request':40s} status  server CPU per request   peak RSS after")
    with httpx.Client(base_url=live.url, timeout=60) as http:
        for refusal in REFUSALS:
            body = refusal.body()
            content = json.dumps(body).encode() if isinstance(body, dict) else body
            worst = 0.0
            status = 0
            for _ in range(repeat):
                chunks = content if isinstance(content, bytes) else refusal.body()
                before = cpu_seconds(live.pid)
                status = http.post(refusal.route, content=chunks).status_code
                worst = max(worst, cpu_seconds(live.pid) - before)
            ok = ok and status == refusal.status
            print(f"{refusal.name:40s} {status}    max {worst * 1000:6.0f} ms"
                  f"{memory_kb(live.pid, 'VmHWM') / 1000:15.0f} MB")  # fmt: skip
    return ok


def slow_clients(live: LiveServer, count: int) -> bool:
    post = (b"POST /api/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n")  # fmt: skip
    kinds = {"body": (post, b" " * 400), "headers": (b"", b"GET /healthz HTTP/1.1\r\nX: " +
             b"a" * 400), "idle": (b"", b"")}  # fmt: skip
    results: dict[str, list[float]] = {k: [] for k in kinds}
    answers: dict[str, list[bytes]] = {k: [] for k in kinds}
    lock = threading.Lock()

    def attack(kind: str) -> None:
        head, drip = kinds[kind]
        answer, took = _slow(live.port, head, drip, every=0.5, limit=60)
        with lock:
            results[kind].append(took)
            answers[kind].append(answer[:12])

    cpu_before = cpu_seconds(live.pid)
    threads = [threading.Thread(target=attack, args=(k,)) for k in kinds for _ in range(count // 3)]
    for t in threads:
        t.start()
    time.sleep(2)
    started = time.monotonic()
    healthy = httpx.get(f"{live.url}/healthz", timeout=10).status_code == 200
    served_in = time.monotonic() - started
    for t in threads:
        t.join(90)
    cpu = cpu_seconds(live.pid) - cpu_before
    limits = {"body": security.body_timeout(), "headers": server.request_timeout(),
              "idle": server.request_timeout()}  # fmt: skip
    ok = healthy
    for kind, times in results.items():
        timed_out = sum(a.startswith(b"HTTP/1.1 408") or a == b"" for a in answers[kind])
        span = f"{min(times):.1f}-{max(times):.1f} s (limit {limits[kind]:g} s)"
        print(f"{len(times)} slow '{kind}' connections: closed after {span}, ", end="")
        print(f"{timed_out} answered 408 or closed")
        ok = ok and max(times) < limits[kind] + 3 and timed_out == len(times)
    peak = memory_kb(live.pid, "VmHWM") / 1000
    print(f"while they were open /healthz answered in {served_in * 1000:.0f} ms; ", end="")
    print(f"server CPU for all of them {cpu:.2f} s, peak RSS {peak:.0f} MB")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="times each refusal is sent")
    parser.add_argument("--slow", type=int, default=60, help="slow connections (0: none)")
    args = parser.parse_args()
    if not (0 < args.repeat <= 1000 and 0 <= args.slow <= 900):
        parser.error("--repeat must be in (0, 1000] and --slow in [0, 900]")
    _common.header("Refused requests and slow clients against nnsketch serve")
    with LiveServer() as live:
        ok = refusal_costs(live, args.repeat)
        if args.slow:
            ok = slow_clients(live, args.slow) and ok
        ok = live.stop() == 0 and "Traceback" not in live.output() and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
