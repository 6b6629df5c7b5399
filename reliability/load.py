"""The long load run: the real server (`nnsketch serve`) on 127.0.0.1 under
`--clients` concurrent clients for `--seconds`, every route and format mixed;
with `--kill-worker`, two workers and one of them killed (SIGKILL) a third of the
way in. Prints requests, errors, latency and the workers' memory over time.

    python reliability/load.py --seconds 60 --clients 64
    python reliability/load.py --seconds 60 --clients 64 --kill-worker

Exits 1 when a request failed that a fault does not explain, or memory kept growing.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import Any

import _common

from tests.live_server import LiveServer, connections
from tests.load_client import run_load

GROWTH_LIMIT_MB = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--kill-worker", action="store_true", help="two workers, kill one")
    args = parser.parse_args()
    if not (0 < args.seconds <= 3600 and 0 < args.clients <= 512):
        parser.error("--seconds must be in (0, 3600] and --clients in (0, 512]")
    _common.header("Load on 127.0.0.1")
    workers = 2 if args.kill_worker else 1
    killed: dict[str, Any] = {}
    with LiveServer(workers=workers) as live:
        run_load(live.url, 3.0, 8)  # warm-up, not counted

        def fault(elapsed: float) -> None:
            if args.kill_worker and not killed and elapsed >= args.seconds / 3:
                held, victim = max((connections(p, live.port), p) for p in live.workers_pids())
                os.kill(victim, signal.SIGKILL)
                killed.update(pid=victim, at=elapsed, held=held)

        before = live.workers_pids()
        result = run_load(live.url, args.seconds, args.clients, pids=live.workers_pids,
                          during=fault, timeout=60)  # fmt: skip
        time.sleep(1.0)
        after = live.workers_pids()
        cpu = live.cpu()
        code = live.stop()
        output = live.output()
    print(result.summary())
    print(f"statuses: {dict(result.statuses)}; server CPU {cpu:.0f} s; exit code {code}")
    step = max(1, len(result.memory) // 12)
    print("workers' RSS (s: MB): " + ", ".join(
        f"{t:.0f}: {kb / 1000:.0f}" for t, kb in result.memory[::step]))  # fmt: skip
    growth = result.memory_growth_kb(warmup=min(10.0, args.seconds / 4)) / 1000
    print(f"RSS growth after the first {min(10.0, args.seconds / 4):.0f} s: {growth:+.1f} MB")
    ok = growth < GROWTH_LIMIT_MB and "Traceback" not in output
    if killed:
        late = [f for t, f in result.failures if t > killed["at"] + 1.0]
        print(f"killed worker {killed['pid']} at {killed['at']:.1f} s, holding {killed['held']} "
              f"of {args.clients} client connections: {result.errors} requests failed, "
              f"{len(late)} of them more than 1 s later; workers {before} -> {after}")  # fmt: skip
        ok = ok and result.errors <= killed["held"] and not late and len(after) == workers
    else:
        ok = ok and result.errors == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
