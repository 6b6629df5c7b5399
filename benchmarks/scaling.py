"""Scaling benchmark: how render time grows with the size of the network.

Chains of 10, 100 and 1,000 layers in the lenet and alexnet styles; FCNNs of 10
layers of 10, 100 and 1,000 nodes with elision off (edges grow as n**2: each
layer pair must stay one <path>, and the 1,000-node case must either render in
under 2 s into less than 5 MB or be refused up front by a LimitError); residual
DAGs of 50, 200 and 1,000 layers in the graph style once it exists. Prints the
table and the growth exponent k of time ~ work**k (least squares on log-log).

    python benchmarks/scaling.py [--quick] [--profile] [--save] [--json PATH]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from _common import (
    Report,
    Table,
    arg_parser,
    count,
    fit_exponent,
    graph_style_missing,
    measure,
    measure_many,
    median,
    ms,
    percentile,
    profile,
    size,
    us,
)
from _specs import chain, mlp_grid, residual

from nnsketch.errors import LimitError
from nnsketch.limits import LIMITS
from nnsketch.render import build
from nnsketch.svg import count_elements

FCNN_LAYERS = 10
FCNN_TIME_LIMIT_S = 2.0
FCNN_SIZE_LIMIT = 5_000_000


@dataclass
class Case:
    series: str
    size: int
    spec: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)


def edge_paths_per_pair(svg: str) -> tuple[int, int]:
    """(<path> elements inside edge groups, layer pairs that have edges)."""
    root = ElementTree.fromstring(svg.split("?>", 1)[1])
    paths, pairs = 0, 0
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if "edges" in (g.get("class") or "").split() and g.get("data-layer") is not None:
            pairs += 1
            paths += sum(1 for _ in g.iter("{http://www.w3.org/2000/svg}path"))
    return paths, pairs


def probe_case(case: Case, quick: bool) -> None:
    """Draw once for the counts; a LimitError is an outcome too (timed here)."""
    spec = case.spec
    try:
        diagram = build(spec)
    except LimitError as exc:

        def refuse() -> None:
            try:
                build(spec)
            except LimitError:
                return

        times = measure(refuse, 5 if quick else 50, warmup=1, budget=1.0)
        case.result = {"refused": str(exc), "times": times}
        return
    svg = diagram.svg
    case.result = {
        "primitives": count_elements(diagram.drawing),
        "svg_bytes": len(svg.encode()),
        "layers": len(diagram.network.layers),
    }
    if case.series.startswith("fcnn"):
        paths, pairs = edge_paths_per_pair(svg)
        nodes = sum(info.layer.units for info in diagram.network.layers)  # type: ignore[union-attr]
        units = case.size
        case.result |= {
            "edge_paths": paths,
            "pairs": pairs,
            "nodes": nodes,
            "edges": (FCNN_LAYERS - 1) * units * units,
        }


def time_series(drawn: list[Case], quick: bool) -> None:
    """Time every size of one series in turn, round after round.

    Interleaving the sizes means load from other work hits them all alike, so
    the fitted exponent holds even when absolute times drift.
    """
    if not drawn:
        return
    fns = {str(c.size): (lambda spec=c.spec: build(spec).svg) for c in drawn}
    reps = 3 if quick else 30
    times = measure_many(fns, reps, warmup=0 if quick else 1, budget=2.0 if quick else 8.0)
    for c in drawn:
        c.result["times"] = times[str(c.size)]


def work_of(case: Case) -> float:
    """What the time should grow with: primitives, or nodes + edges for an FCNN."""
    r = case.result
    if case.series.startswith("fcnn"):
        return float(r["nodes"] + r["edges"])
    return float(r["primitives"])


def largest_fcnn() -> int:
    """Nodes per layer of the largest 10-layer FCNN the limits let through with elision off.

    The issue's sizes (10, 100, 1,000) may all but one be refused; this point (and
    30) keeps the growth exponent measurable whatever the limits are.
    """
    by_edges = math.isqrt(LIMITS.max_edges_drawn // (FCNN_LAYERS - 1))
    return max(10, min(by_edges, LIMITS.max_nodes_drawn // FCNN_LAYERS))


def cases(quick: bool) -> tuple[list[Case], list[str]]:
    sizes = (10, 100) if quick else (10, 100, 1000)
    out = [
        Case(f"{style} chain", n, chain(n, style)) for style in ("lenet", "alexnet") for n in sizes
    ]
    fcnn_sizes = {10, 30, 1000} if quick else {10, 30, 100, 1000, largest_fcnn()}
    out += [Case("fcnn 10 layers", n, mlp_grid(FCNN_LAYERS, n)) for n in sorted(fcnn_sizes)]
    notes: list[str] = []
    missing = graph_style_missing()
    if missing:
        notes.append(f"skipped: {missing}")
    else:
        out += [
            Case("graph DAG", n, residual(n)) for n in ((50, 200) if quick else (50, 200, 1000))
        ]
    return out, notes


def table(done: list[Case]) -> Table:
    t = Table(
        ["series", "size", "primitives", "work", "SVG", "p50 ms", "p95 ms", "µs/work", "outcome"],
        title="Render time (validate + layout + SVG) by size",
    )
    for c in done:
        r = c.result
        p50, p95 = median(r["times"]), percentile(r["times"], 95)
        if "refused" in r:
            t.add(
                c.series,
                count(c.size),
                "–",
                "–",
                "–",
                ms(p50),
                ms(p95),
                "–",
                f"refused by LimitError in {ms(p50)} ms: {r['refused']}",
            )
            continue
        outcome = "rendered"
        if c.series.startswith("fcnn"):
            outcome += f"; {r['edge_paths']} edge <path> for {r['pairs']} layer pairs"
        t.add(
            c.series,
            count(c.size),
            count(r["primitives"]),
            count(work_of(c)),
            size(r["svg_bytes"]),
            ms(p50),
            ms(p95),
            us(p50 / work_of(c)),
            outcome,
        )
    return t


def exponents(done: list[Case]) -> Table:
    t = Table(
        ["series", "sizes", "k (time ~ work^k)", "k (time ~ size^k)"],
        title="Fitted growth exponents (least squares on log-log)",
    )
    for series in dict.fromkeys(c.series for c in done):
        pts = [c for c in done if c.series == series and "refused" not in c.result]
        if len(pts) < 2:
            t.add(series, ", ".join(str(c.size) for c in pts), "– (fewer than 2 rendered)", "–")
            continue
        secs = [median(c.result["times"]) for c in pts]
        k_work = fit_exponent([work_of(c) for c in pts], secs)
        k_size = fit_exponent([float(c.size) for c in pts], secs)
        t.add(series, ", ".join(str(c.size) for c in pts), f"{k_work:.2f}", f"{k_size:.2f}")
    return t


def fcnn_verdict(done: list[Case]) -> str:
    """The issue's question about the 1,000-node FCNN, answered from this run."""
    big = [c for c in done if c.series.startswith("fcnn") and c.size == 1000]
    if not big:
        return "FCNN 1,000 nodes: not run."
    r = big[0].result
    if "refused" in r:
        return (
            f"FCNN 10 x 1,000 nodes (elision off): refused up front by LimitError in "
            f'{ms(median(r["times"]))} ms median: "{r["refused"]}"'
        )
    t50 = median(r["times"])
    ok = t50 < FCNN_TIME_LIMIT_S and r["svg_bytes"] < FCNN_SIZE_LIMIT
    return (
        f"FCNN 10 x 1,000 nodes (elision off): rendered in {ms(t50)} ms into "
        f"{size(r['svg_bytes'])} with {r['edge_paths']} edge paths for {r['pairs']} layer "
        f"pairs: {'within' if ok else 'OUTSIDE'} the 2 s / 5 MB bound"
    )


def profile_worst(report: Report, done: list[Case]) -> None:
    """cProfile the largest rendered case of each series."""
    for series in dict.fromkeys(c.series for c in done):
        pts = [c for c in done if c.series == series and "refused" not in c.result]
        if not pts:
            continue
        big = pts[-1]
        spec = big.spec
        fn: Callable[[], object] = lambda spec=spec: build(spec).svg  # noqa: E731
        by_fn, by_mod = profile(fn, 1 if big.size >= 1000 else 3, top=10)
        by_fn.title = f"Profile: {series}, size {big.size}"
        by_mod.title = f"Profile: {series}, size {big.size}, own time by module"
        report.table(by_fn)
        report.table(by_mod)


def main(argv: list[str] | None = None) -> int:
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the largest cases")
    args: argparse.Namespace = parser.parse_args(argv)
    report = Report("scaling", "Scaling benchmark (in-process)")
    todo, notes = cases(args.quick)
    for note in notes:
        report.add(note)
    for case in todo:
        probe_case(case, args.quick)
    for series in dict.fromkeys(c.series for c in todo):
        time_series([c for c in todo if c.series == series and "refused" not in c.result],
                    args.quick)  # fmt: skip
        print(f"  {series}: done", flush=True)
    report.table(table(todo))
    report.table(exponents(todo))
    report.add(fcnn_verdict(todo))
    report.data["cases"] = [{"series": c.series, "size": c.size, **c.result} for c in todo]
    if args.profile:
        profile_worst(report, todo)
    report.finish(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
