"""Helpers shared by the benchmark scripts.

Timing and percentiles, Markdown tables with a header that names the machine,
the log-log growth fit, and starting/stopping the real server on a free loopback
port. Times are seconds internally; tables show milliseconds or microseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import gc
import ipaddress
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
EXAMPLES = ROOT / "examples"
APP_FACTORY = "nnsketch.web.app:create_app"


# --- command line -------------------------------------------------------------------


def arg_parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: --quick, --save and --json."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="smallest sizes and a few repetitions (smoke test)"
    )
    parser.add_argument(
        "--save", action="store_true", help="also write the tables to benchmarks/results/NAME.md"
    )
    parser.add_argument(
        "--json", type=Path, metavar="PATH", help="also write the raw results as JSON"
    )
    return parser


def skipped(reason: str) -> str:
    """The one spelling of a skip, so readers and the smoke test can find it."""
    return f"skipped: {reason}"


# --- timing -------------------------------------------------------------------------


def measure(
    fn: Callable[[], object],
    repeat: int,
    warmup: int = 1,
    budget: float = 2.0,
    min_repeat: int = 3,
) -> list[float]:
    """Wall times of `repeat` calls (fewer, but at least `min_repeat`, past `budget` s).

    The garbage collector stays on (it is part of what a caller pays) but starts
    each series from a clean heap, so one series does not pay for the last one.
    """
    for _ in range(warmup):
        fn()
    gc.collect()
    times: list[float] = []
    start = time.perf_counter()
    for i in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if i + 1 >= min_repeat and time.perf_counter() - start > budget:
            break
    return times


def measure_many(
    fns: dict[str, Callable[[], object]],
    repeat: int,
    warmup: int = 1,
    budget: float = 2.0,
    min_repeat: int = 3,
) -> dict[str, list[float]]:
    """Like `measure`, for several functions run in turn within each round.

    Interleaving (and rotating the order every round) means a burst of load from
    other work on the machine hits every function alike, so ratios between them
    stay meaningful even when absolute times do not.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    gc.collect()
    times: dict[str, list[float]] = {name: [] for name in names}
    start = time.perf_counter()
    for i in range(repeat):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
        if i + 1 >= min_repeat and time.perf_counter() - start > budget:
            break
    return times


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def fit_exponent(work: Sequence[float], seconds: Sequence[float]) -> float:
    """Slope of log(time) against log(work) by least squares: time ~ work**k."""
    pts = [(math.log(w), math.log(s)) for w, s in zip(work, seconds, strict=True) if w > 0 < s]
    if len(pts) < 2:
        return math.nan
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    if var == 0:
        return math.nan
    return sum((x - mx) * (y - my) for x, y in pts) / var


# --- formatting ---------------------------------------------------------------------


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    value = seconds * 1e3
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def us(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds * 1e6:.1f}"


def ratio(a: float, b: float) -> str:
    return "–" if not b or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}x"


def size(n: float) -> str:
    """Bytes as B, kB or MB (powers of 1000, as file managers show them)."""
    if n < 1000:
        return f"{n:.0f} B"
    if n < 1_000_000:
        return f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.2f} MB"


def count(n: float) -> str:
    return f"{n:,.0f}"


@dataclass
class Table:
    """A Markdown table; numbers are formatted by the caller."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    title: str = ""

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        lines = [f"### {self.title}", ""] if self.title else []
        lines.append(
            "| " + " | ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)) + " |"
        )
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in self.rows:
            lines.append(
                "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            )
        return "\n".join(lines)


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    """Date, `uname -m`, CPU model, cores and Python version, for every table header."""
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"{now} · {platform.machine()} · {cpu_model()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
    )


class Report:
    """Collects the printed sections so they can also be saved as one Markdown file."""

    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.parts: list[str] = [f"## {title}", "", machine_line()]
        self.data: dict[str, Any] = {"benchmark": name, "machine": machine_line()}
        print("\n".join(self.parts), flush=True)

    def add(self, text: str) -> None:
        self.parts += ["", text]
        print("\n" + text, flush=True)

    def table(self, table: Table) -> None:
        self.add(table.markdown())

    def finish(self, args: argparse.Namespace) -> None:
        if args.save:
            RESULTS.mkdir(parents=True, exist_ok=True)
            out = RESULTS / f"{self.name}.md"
            out.write_text("\n".join(self.parts) + "\n", encoding="utf-8")
            print(f"\nwrote {out.relative_to(ROOT)}")
        if args.json:
            args.json.write_text(json.dumps(self.data, indent=1, default=str), encoding="utf-8")


# --- the server ---------------------------------------------------------------------


def require_loopback(host: str) -> str:
    """Only 127.0.0.0/8 (or ::1) may ever be a load target."""
    if host == "localhost" or ipaddress.ip_address(host).is_loopback:
        return host
    raise SystemExit(f"refusing to send load to {host}: only loopback addresses are allowed")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident set size of a process (VmRSS in /proc/<pid>/status), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)


@contextlib.contextmanager
def running_server(host: str = "127.0.0.1", timeout: float = 30.0) -> Iterator[Server]:
    """uvicorn with `create_app` (factory) in a subprocess; stopped on exit."""
    import httpx

    require_loopback(host)
    port = free_port(host)
    with tempfile.TemporaryDirectory(prefix="nnsketch-bench-") as tmp:
        log = Path(tmp) / "server.log"
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            APP_FACTORY,
            "--factory",
            "--host",
            host,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        server = Server(proc, host, port, log)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited at start-up:\n{log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer /healthz in {timeout:.0f} s")
                time.sleep(0.1)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- inputs -------------------------------------------------------------------------


def load_examples() -> dict[str, dict[str, Any]]:
    """Every examples/*.json by name, in name order."""
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))
    }


def styles() -> list[str]:
    """The registered styles (a new style shows up here without editing the scripts)."""
    from nnsketch.styles import STYLES

    return list(STYLES)


# --- profiling ----------------------------------------------------------------------


def _where(filename: str) -> str:
    """A profile entry's home: 'nnsketch/svg.py', 'cairosvg/parser.py', '~' for builtins."""
    if filename == "~":
        return "builtins"
    parts = Path(filename).parts
    for anchor in ("site-packages", "nnsketch", "benchmarks", "lib"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            rest = parts[i + 1 :] if anchor in ("site-packages", "lib") else parts[i:]
            return "/".join(rest[-2:]) if len(rest) > 2 else "/".join(rest)
    return Path(filename).name


def profile(fn: Callable[[], object], calls: int, top: int = 12) -> tuple[Table, Table]:
    """cProfile `calls` runs of fn: (top functions by own time, own time by module)."""
    import cProfile
    import pstats

    fn()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values()) or 1.0
    by_fn = Table(["function", "own time", "with callees", "calls per run"])
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, _line, name), (_cc, nc, tt, ct, _callers) in rows:
        label = f"{_where(filename)}:{name}" if filename != "~" else name
        by_fn.add(label, f"{tt / total:.0%}", f"{ct / total:.0%}", f"{nc / calls:,.0f}")
    modules: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.items():
        key = _where(filename)
        modules[key] = modules.get(key, 0.0) + tt
    by_module = Table(["module", "own time"])
    for key, tt in sorted(modules.items(), key=lambda kv: kv[1], reverse=True)[:top]:
        by_module.add(key, f"{tt / total:.0%}")
    return by_fn, by_module


def graph_style_missing() -> str | None:
    """Why the graph style cannot be measured yet, or None when it can."""
    import importlib

    if "graph" not in styles():
        return "graph style not available (not registered in nnsketch.styles)"
    module = importlib.import_module("nnsketch.styles.graph")
    if "placeholder" in (module.__doc__ or "").lower():
        return "graph style not available (nnsketch/styles/graph.py is still a placeholder)"
    return None
