"""Render benchmark: every example in every style, in-process.

For each pair it times the whole pipeline (validate + analyse + layout + SVG, what
`POST /api/preview` pays), each stage alone, the SVG writer alone on a prebuilt
`Drawing`, and a plain string-join writer over the same primitives; then PNG at
scale 1 and 2 and PDF. The ratios in the same run are the robust figures:
full/svgwrite is what the pipeline adds over the writer, svgwrite/join what the
writer costs over the floor.

    python benchmarks/render.py [--quick] [--profile] [--save] [--json PATH]

--quick draws each example in its own style and the smallest example in every
style, with three repetitions, and converts only the smallest example.
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from typing import Any
from xml.etree import ElementTree

from _common import (
    Report,
    Table,
    arg_parser,
    count,
    load_examples,
    measure,
    measure_many,
    median,
    ms,
    percentile,
    profile,
    ratio,
    size,
    styles,
    us,
)
from _stringjoin import write_svg_join

from nnsketch import export
from nnsketch.analysis import analyze
from nnsketch.errors import LimitError, NnsketchError
from nnsketch.render import build
from nnsketch.spec import load_spec
from nnsketch.styles import get_layout
from nnsketch.svg import count_elements, write_svg

TARGET_SVG_S = 0.002
TARGET_PDF_ALEXNET_S = 0.050
TARGET_PNG_VGG_S = 0.100


def tag_counts(svg: str) -> Counter[str]:
    """Elements by tag, namespaces and the always-present containers dropped."""
    root = ElementTree.fromstring(svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg)
    tags = Counter(el.tag.rsplit("}", 1)[-1] for el in root.iter())
    for container in ("svg", "defs"):
        tags.pop(container, None)
    return tags


def bench_pair(spec: dict[str, Any], style: str, quick: bool, convert: bool) -> dict[str, Any]:
    """All timings of one example drawn in one style (seconds, bytes, counts)."""
    data = {**spec, "style": style}
    reps, budget = (3, 0.1) if quick else (300, 3.0)
    row: dict[str, Any] = {"style": style, "native": spec.get("style", "lenet") == style}
    try:
        diagram = build(data)
    except NnsketchError as exc:
        row["refused"] = f"{type(exc).__name__}: {exc}"[:120]
        return row
    svg, drawing = diagram.svg, diagram.drawing
    spec_obj = load_spec(data)
    net = analyze(spec_obj)
    layout = get_layout(style)
    times = measure_many(
        {
            "full": lambda: build(data).svg,
            "validate": lambda: load_spec(data),
            "analyze": lambda: analyze(spec_obj),
            "layout": lambda: layout(net),
            "svgwrite": lambda: write_svg(drawing),
            "join": lambda: write_svg_join(drawing),
        },
        reps,
        budget=budget,
    )
    row.update({key: median(values) for key, values in times.items()})
    row.update(full=times["full"], primitives=count_elements(drawing))
    row["svg_bytes"] = len(svg.encode("utf-8"))
    ours, floor = tag_counts(svg), tag_counts(write_svg_join(drawing))
    row["elements"] = sum(ours.values())
    row["same_elements"] = ours == floor
    if convert:
        creps = 1 if quick else 10
        kw: dict[str, Any] = {"warmup": 0 if quick else 1, "budget": 2.0, "min_repeat": 1}
        jobs = {
            "png1": lambda: export.to_png(svg, drawing, scale=1),
            "png2": lambda: export.to_png(svg, drawing, scale=2),
            "pdf": lambda: export.to_pdf(svg),
        }
        for key, job in jobs.items():
            try:
                row[f"{key}_bytes"] = len(job())
            except LimitError as exc:  # a limit refusing a size is an outcome, not a failure
                row[key] = math.nan
                found = re.search(r"\((max_\w+)\)", str(exc))
                row[f"{key}_refused"] = f"refused ({found.group(1) if found else 'limit'})"
                continue
            row[key] = median(measure(job, creps, **kw))
    return row


def render_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(
        [
            "example",
            "style",
            "prims",
            "SVG elems",
            "SVG",
            "full p50 ms",
            "full p95 ms",
            "validate ms",
            "analyse ms",
            "layout ms",
            "svgwrite ms",
            "join ms",
            "µs/prim svgwrite",
            "full / svgwrite",
            "svgwrite / join",
            "same elems",
        ],
        title="Validate + layout + SVG, per example and style (* = the example's own style)",
    )
    for r in rows:
        name = r["example"] + (" *" if r["native"] else "")
        if "refused" in r:
            t.add(name, r["style"], *["–"] * 13, r["refused"])
            continue
        full = median(r["full"])
        t.add(
            name,
            r["style"],
            count(r["primitives"]),
            count(r["elements"]),
            size(r["svg_bytes"]),
            ms(full),
            ms(percentile(r["full"], 95)),
            ms(r["validate"]),
            ms(r["analyze"]),
            ms(r["layout"]),
            ms(r["svgwrite"]),
            ms(r["join"]),
            us(r["svgwrite"] / max(1, r["primitives"])),
            ratio(full, r["svgwrite"]),
            ratio(r["svgwrite"], r["join"]),
            "yes" if r["same_elements"] else "NO",
        )
    return t


def convert_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(
        ["example", "style", "PNG x1 ms", "PNG x2 ms", "PDF ms", "PNG x1", "PDF", "PNG x1 / SVG"],
        title="PNG and PDF conversion (cairosvg) of the SVG above",
    )
    for r in rows:
        if "png1" not in r:
            continue
        name = r["example"] + (" *" if r["native"] else "")
        t.add(
            name,
            r["style"],
            r.get("png1_refused") or ms(r["png1"]),
            r.get("png2_refused") or ms(r["png2"]),
            r.get("pdf_refused") or ms(r["pdf"]),
            size(r["png1_bytes"]) if "png1_bytes" in r else "–",
            size(r["pdf_bytes"]) if "pdf_bytes" in r else "–",
            ratio(r["png1"], median(r["full"])),
        )
    return t


def targets(rows: list[dict[str, Any]]) -> Table:
    """The issue's targets, each with the figure measured in this run; none asserted."""
    t = Table(["target", "measured", "met"], title="Targets (reported, not asserted)")
    native = [r for r in rows if r["native"] and "full" in r]
    for r in native:
        full = median(r["full"])
        t.add(
            f"{r['example']} ({r['style']}) SVG < 2 ms median",
            f"{ms(full)} ms",
            _met(full < TARGET_SVG_S),
        )
    for r in native:
        pipeline = median(r["full"]) - r["svgwrite"]
        t.add(
            f"{r['example']}: validate+analyse+layout < SVG writing",
            f"{ms(pipeline)} vs {ms(r['svgwrite'])} ms (full/svgwrite "
            f"{ratio(median(r['full']), r['svgwrite'])})",
            _met(pipeline < r["svgwrite"]),
        )
    for r in native:
        if r["example"] == "alexnet" and "pdf" in r:
            t.add(
                "AlexNet PDF < 50 ms", f"{ms(r['pdf'])} ms", _met(r["pdf"] < TARGET_PDF_ALEXNET_S)
            )
        if r["example"] == "vgg16" and "png1" in r:
            t.add(
                "VGG-16 PNG at scale 1 < 100 ms",
                f"{ms(r['png1'])} ms",
                _met(r["png1"] < TARGET_PNG_VGG_S),
            )
    return t


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def profiles(report: Report, examples: dict[str, dict[str, Any]]) -> None:
    """Where the time goes: full renders by module, layouts by function, VGG-16's PNG."""
    for name in ("vgg16", "alexnet", "lenet5", "mlp"):
        if name not in examples:
            continue
        spec = examples[name]
        _, by_mod = profile(lambda spec=spec: build(spec).svg, 50)
        by_mod.title = f"Profile: full render of {name} ({spec.get('style')}), own time by module"
        report.table(by_mod)
        net = analyze(load_spec(spec))
        layout = get_layout(net.spec.style)
        by_fn, _ = profile(lambda net=net, layout=layout: layout(net), 50, top=10)
        by_fn.title = f"Profile: layout alone of {name} ({spec.get('style')}), by function"
        report.table(by_fn)
    if "vgg16" in examples:
        diagram = build(examples["vgg16"])
        svg, drawing = diagram.svg, diagram.drawing
        by_fn, by_mod = profile(lambda: export.to_png(svg, drawing, scale=1), 5, top=16)
        w, h = export.png_size(drawing, 1)
        by_fn.title = f"Profile: VGG-16 PNG at scale 1 ({w}x{h} px, cairosvg), 5 runs"
        by_mod.title = "Profile: VGG-16 PNG at scale 1, own time by module"
        report.table(by_fn)
        report.table(by_mod)


def main(argv: list[str] | None = None) -> int:
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the hot paths too")
    args: argparse.Namespace = parser.parse_args(argv)
    report = Report("render", "Render benchmark (in-process)")
    examples = load_examples()
    rows: list[dict[str, Any]] = []
    smallest = min(examples, key=lambda n: len(examples[n].get("layers", [])))
    for name, spec in examples.items():
        for style in styles():
            native = spec.get("style", "lenet") == style
            if args.quick and not (native or name == smallest):
                continue  # quick: each example in its own style, every style on the smallest
            convert = not args.quick or name == smallest
            row = bench_pair(spec, style, args.quick, convert=convert)
            row["example"] = name
            rows.append(row)
            print(f"  {name} / {style}: done", flush=True)
    report.table(render_table(rows))
    report.table(convert_table(rows))
    report.table(targets(rows))
    done = [r for r in rows if "full" in r]
    if done:
        sw = sum(r["svgwrite"] for r in done) / sum(r["primitives"] for r in done)
        jn = sum(r["join"] for r in done) / sum(r["primitives"] for r in done)
        report.add(
            f"Over all pairs: svgwrite {us(sw)} µs per primitive, string join {us(jn)} µs "
            f"per primitive ({sw / jn:.1f}x). Geometric mean of full / svgwrite: "
            f"{_geomean([median(r['full']) / r['svgwrite'] for r in done]):.2f}x."
        )
    report.data["rows"] = rows
    if args.profile:
        profiles(report, examples)
    report.finish(args)
    return 0


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


if __name__ == "__main__":
    raise SystemExit(main())
