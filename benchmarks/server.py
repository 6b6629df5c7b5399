"""Server benchmark: a bounded load generator against the real server on loopback.

Starts uvicorn with `nnsketch.web.app:create_app` (factory) on a free 127.0.0.1
port, then for 1, 8 and 64 concurrent clients sends a mix of 80% SVG and 20%
PNG `POST /api/render` requests (the examples, round robin) for `--seconds`
each. Reports requests/s, p50/p99 latency per format, errors (must be 0), CPU
used by the server and by the generator (they share the machine), and the
server's resident memory before and after each level.

    python benchmarks/server.py [--seconds 30] [--quick] [--save] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from _common import (
    Report,
    Server,
    Table,
    arg_parser,
    count,
    load_examples,
    median,
    ms,
    percentile,
    profile,
    require_loopback,
    running_server,
)

LEVELS = (1, 8, 64)
PNG_SHARE = 0.2
MAX_REQUESTS_PER_LEVEL = 200_000
SVG_P99_TARGET_S = 0.250


@dataclass
class Level:
    clients: int
    png_share: float
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"svg": [], "png": []})
    errors: list[str] = field(default_factory=list)
    rss_before: int = 0
    rss_after: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + len(self.errors)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _client(
    http: httpx.AsyncClient, url: str, bodies: list[bytes], seed: int, deadline: float, level: Level
) -> None:
    rng = random.Random(seed)
    i = seed
    while time.perf_counter() < deadline and level.requests < MAX_REQUESTS_PER_LEVEL:
        fmt = "png" if rng.random() < level.png_share else "svg"
        body = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        try:
            resp = await http.post(
                f"{url}/api/render",
                params={"format": fmt},
                content=body,
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            level.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        elapsed = time.perf_counter() - t0
        if resp.status_code != 200 or not resp.content:
            level.errors.append(f"{fmt}: HTTP {resp.status_code} {resp.text[:120]}")
        else:
            level.latencies[fmt].append(elapsed)


async def run_level(
    server: Server, bodies: list[bytes], clients: int, seconds: float, png_share: float
) -> Level:
    level = Level(clients, png_share)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as http:
        level.rss_before = server.rss_kib()
        cpu0, mine0 = cpu_seconds(server.proc.pid), time.process_time()
        t0 = time.perf_counter()
        deadline = t0 + seconds
        await asyncio.gather(
            *(_client(http, server.url, bodies, i, deadline, level) for i in range(clients))
        )
        level.seconds = time.perf_counter() - t0
        level.server_cpu = (cpu_seconds(server.proc.pid) - cpu0) / level.seconds
        level.client_cpu = (time.process_time() - mine0) / level.seconds
        level.rss_after = server.rss_kib()
    return level


async def warm_up(server: Server, bodies: list[bytes]) -> None:
    """One SVG and one PNG of every body, so fonts and caches are loaded before timing."""
    async with httpx.AsyncClient(timeout=60.0) as http:
        for body in bodies:
            for fmt in ("svg", "png"):
                resp = await http.post(
                    f"{server.url}/api/render", params={"format": fmt}, content=body
                )
                resp.raise_for_status()


def table(levels: list[Level], png_share: float) -> Table:
    t = Table(
        [
            "clients",
            "requests",
            "req/s",
            "SVG p50 ms",
            "SVG p99 ms",
            "PNG p50 ms",
            "PNG p99 ms",
            "all p99 ms",
            "errors",
            "server CPU",
            "generator CPU",
            "RSS before",
            "RSS after",
        ],
        title=f"POST /api/render, {100 - png_share * 100:.0f}% SVG / "
        f"{png_share * 100:.0f}% PNG, examples round robin",
    )
    for lv in levels:
        svg, png = lv.latencies["svg"], lv.latencies["png"]
        t.add(
            lv.clients,
            count(lv.requests),
            f"{lv.requests / lv.seconds:.1f}",
            ms(median(svg)),
            ms(percentile(svg, 99)),
            ms(median(png)),
            ms(percentile(png, 99)),
            ms(percentile(svg + png, 99)),
            len(lv.errors),
            f"{lv.server_cpu:.0%}",
            f"{lv.client_cpu:.0%}",
            f"{lv.rss_before / 1024:.1f} MiB",
            f"{lv.rss_after / 1024:.1f} MiB",
        )
    return t


def profile_mix(report: Report, bodies: list[bytes], png_share: float, n: int) -> None:
    """The server's work for the same mix, in-process: time per format, then cProfile.

    Renders run in worker threads in the server, out of a profiler's sight; this
    calls what the handler calls (parse the body, build, convert) on this thread.
    """
    from nnsketch.render import build
    from nnsketch.web.payload import parse_body

    rng = random.Random(0)
    mix = [("png" if rng.random() < png_share else "svg", bodies[i % len(bodies)])
           for i in range(n)]  # fmt: skip
    spent = {"svg": 0.0, "png": 0.0}
    for fmt, body in mix:
        t0 = time.perf_counter()
        build(parse_body(body)).to(fmt, scale=1.0)
        spent[fmt] += time.perf_counter() - t0
    total = sum(spent.values())
    counts = {f: sum(1 for m, _ in mix if m == f) for f in spent}
    each = {f: spent[f] / max(1, counts[f]) for f in spent}
    report.add(
        f"In-process cost of the same mix ({n} requests): {ms(total / n)} ms per request "
        f"(capacity {n / total:.0f} req/s on one core); SVG requests {ms(each['svg'])} ms each, "
        f"PNG requests {ms(each['png'])} ms each; PNG is "
        f"{counts['png'] / n:.0%} of requests and {spent['png'] / total:.0%} of the time."
    )

    def run() -> None:
        for fmt, body in mix:
            build(parse_body(body)).to(fmt, scale=1.0)

    by_fn, by_mod = profile(run, 1, top=14)
    by_mod.title = "Profile: the request mix in-process, own time by module"
    by_fn.title = "Profile: the request mix in-process, by function"
    report.table(by_mod)
    report.table(by_fn)


def targets(levels: list[Level], start_rss: int) -> Table:
    t = Table(["target", "measured", "met"], title="Targets (reported, not asserted)")
    errors = sum(len(lv.errors) for lv in levels)
    t.add("0 errors at every level", str(errors), "yes" if errors == 0 else "**no**")
    top = max(levels, key=lambda lv: lv.clients)
    p99 = percentile(top.latencies["svg"], 99)
    t.add(
        f"{top.clients} clients: SVG p99 < 250 ms",
        f"{ms(p99)} ms",
        "yes" if p99 < SVG_P99_TARGET_S else "**no**",
    )
    last = levels[-1]
    growth = (last.rss_after - last.rss_before) / max(1, last.rss_before)
    path = " -> ".join(f"{kib / 1024:.1f}" for kib in [start_rss] + [lv.rss_after for lv in levels])
    t.add(
        f"memory flat (RSS growth during the {last.clients}-client level)",
        f"{growth:+.1%} (MiB after warm-up, then after each level: {path})",
        "yes" if growth < 0.05 else "**no**",
    )
    return t


def main(argv: list[str] | None = None) -> int:
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each level")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address only")
    parser.add_argument(
        "--profile", action="store_true", help="also profile the same mix in-process"
    )
    parser.add_argument(
        "--png-share", type=float, default=PNG_SHARE, help="fraction of PNG requests (0-1)"
    )
    args: argparse.Namespace = parser.parse_args(argv)
    require_loopback(args.host)
    if not 0 <= args.png_share <= 1:
        parser.error("--png-share must be between 0 and 1")
    seconds = min(args.seconds, 3.0) if args.quick else args.seconds
    report = Report("server", f"Server benchmark ({seconds:g} s per level, loopback)")
    bodies = [json.dumps(spec).encode() for spec in load_examples().values()]
    with running_server(args.host) as server:
        asyncio.run(warm_up(server, bodies))
        start_rss = server.rss_kib()
        levels: list[Level] = []
        for clients in LEVELS:
            levels.append(asyncio.run(run_level(server, bodies, clients, seconds, args.png_share)))
            print(f"  {clients} clients: {levels[-1].requests} requests", flush=True)
    report.table(table(levels, args.png_share))
    report.table(targets(levels, start_rss))
    if args.profile:
        profile_mix(report, bodies, args.png_share, 50 if args.quick else 300)
    for lv in levels:
        for err in sorted(set(lv.errors))[:5]:
            report.add(f"error ({lv.clients} clients): {err}")
    report.data["levels"] = [
        {
            "clients": lv.clients,
            "seconds": lv.seconds,
            "requests": lv.requests,
            "errors": lv.errors[:20],
            "error_count": len(lv.errors),
            "rss_before_kib": lv.rss_before,
            "rss_after_kib": lv.rss_after,
            "server_cpu": lv.server_cpu,
            "client_cpu": lv.client_cpu,
            **{f"{k}_latencies": v for k, v in lv.latencies.items()},
        }
        for lv in levels
    ]
    report.finish(args)
    return 0 if all(not lv.errors for lv in levels) else 1


if __name__ == "__main__":
    raise SystemExit(main())
