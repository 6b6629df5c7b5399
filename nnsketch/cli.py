"""The command line: render, validate, summary, schema, examples, import and serve.

Exit status: 0 on success, 1 when the spec is invalid or cannot be rendered (the
located errors go to stderr), 2 for usage errors (argparse).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import NnsketchError
from .render import FORMATS, Diagram, build, format_from_path
from .spec import parse_json, spec_schema
from .styles.common import fmt_count


def _read_spec(path: str) -> Any:
    if path == "-":
        return parse_json(sys.stdin.buffer.read())
    file = Path(path)
    if not file.is_file():
        raise NnsketchError(f"no such spec file: {path}")
    return parse_json(file.read_bytes())


def _build(args: argparse.Namespace) -> Diagram:
    return build(_read_spec(args.spec), style=getattr(args, "style", None))


def _cmd_render(args: argparse.Namespace) -> int:
    diagram = _build(args)
    scale = args.dpi / 96.0 if args.dpi else args.scale
    background = None if args.background in (None, "transparent") else args.background
    if args.output in (None, "-"):
        fmt = args.format or "svg"
        data = diagram.to(fmt, scale=scale, background=background)
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.buffer.write(data)
        return 0
    out = Path(args.output)
    fmt = args.format or format_from_path(out)
    data = diagram.to(fmt, scale=scale, background=background)
    if isinstance(data, str):
        out.write_text(data, encoding="utf-8")
    else:
        out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes)", file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    net = _build(args).network
    print(f"ok: {len(net.layers)} layers, {net.total_params:,} parameters")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    net = _build(args).network
    if args.json:
        rows = [info.summary() for info in net.layers]
        totals = {"params": net.total_params, "non_trainable": net.total_non_trainable,
                  "macs": net.total_macs}  # fmt: skip
        print(json.dumps({"layers": rows, "totals": totals}, indent=2, ensure_ascii=False))
        return 0
    header = ("#", "name", "type", "output", "params", "MACs")
    rows = [
        (str(i.index), i.name, i.type, str(i.output), f"{i.params:,}", fmt_count(i.macs))
        for i in net.layers
    ]
    rows.append(("", "total", "", "", f"{net.total_params:,}", fmt_count(net.total_macs)))
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for row in [header, *rows]:
        cells = zip(row, widths, strict=True)
        line = "  ".join(c.rjust(w) if n >= 4 else c.ljust(w) for n, (c, w) in enumerate(cells))
        print(line.rstrip())
    if net.total_non_trainable:
        print(f"(plus {net.total_non_trainable:,} non-trainable running statistics)")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(spec_schema(), indent=2, ensure_ascii=False))
    return 0


def _cmd_examples(args: argparse.Namespace) -> int:
    from .examples import list_examples, load_example

    if args.name:
        print(json.dumps(load_example(args.name), indent=2, ensure_ascii=False))
        return 0
    for ex in list_examples():
        print(f"{ex['name']:<14} {ex['style']:<8} {ex['layers']:>4} layers  {ex['title']}")
    return 0


CLI_IMPORT_BYTES = 1_000_000_000
"""Model files on disk may hold their weights (ONNX): allow far more than an upload."""


def _cmd_import(args: argparse.Namespace) -> int:
    from .importers import Budget, read_model

    if args.model == "-":
        data, name = sys.stdin.buffer.read(), None
    else:
        file = Path(args.model)
        if not file.is_file():
            raise NnsketchError(f"no such model file: {args.model}")
        if file.stat().st_size > CLI_IMPORT_BYTES:
            raise NnsketchError(f"{args.model} is larger than {CLI_IMPORT_BYTES:,} bytes")
        data, name = file.read_bytes(), file.name
    budget = Budget(max_bytes=CLI_IMPORT_BYTES, max_seconds=120.0)
    try:
        result = read_model(
            data, name, format=args.format, style=args.style, fold=args.fold, budget=budget
        )
    except (RecursionError, MemoryError, ValueError) as exc:
        raise NnsketchError(f"the model file could not be read ({type(exc).__name__})") from None
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = json.dumps(result.spec, indent=2, ensure_ascii=False) + "\n"
    layers = len(result.spec["layers"])
    summary = f"{result.format}: {layers} layers, {result.spec_params:,} parameters"
    if args.output in (None, "-"):
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
        return 0
    out = Path(args.output)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({summary}, style {result.spec['style']})", file=sys.stderr)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnsketch", description="Publication-ready neural network diagrams."
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("render", help="render a spec to SVG, PNG or PDF")
    r.add_argument("spec", help="spec JSON file ('-' for standard input)")
    r.add_argument("-o", "--output", help="output file; the extension picks the format")
    r.add_argument("-f", "--format", choices=FORMATS, help="format when writing to stdout")
    r.add_argument("--style", help="override the spec's style")
    r.add_argument("--scale", type=float, default=1.0, help="PNG scale factor (default 1)")
    r.add_argument("--dpi", type=float, help="PNG resolution; 96 dpi is scale 1")
    r.add_argument("--background", help="'white', any CSS color, or 'transparent' (default)")
    r.set_defaults(func=_cmd_render)

    v = sub.add_parser("validate", help="check a spec; exit 1 with located errors")
    v.add_argument("spec")
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("summary", help="per-layer shapes, parameters and MACs")
    s.add_argument("spec")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_cmd_summary)

    sc = sub.add_parser("schema", help="print the spec's JSON Schema")
    sc.set_defaults(func=_cmd_schema)

    ex = sub.add_parser("examples", help="list the bundled examples, or print one")
    ex.add_argument("name", nargs="?")
    ex.set_defaults(func=_cmd_examples)

    im = sub.add_parser("import", help="turn a Caffe, Keras or ONNX model file into a spec")
    im.add_argument("model", help=".prototxt, .json, .keras or .onnx file ('-' for standard input)")
    im.add_argument("-o", "--output", help="spec file to write (default: standard output)")
    im.add_argument(
        "--format",
        choices=("caffe", "keras", "onnx"),
        help="the file's format when the extension does not say",
    )
    im.add_argument(
        "--style",
        choices=("fcnn", "lenet", "alexnet", "graph"),
        help="style of the spec (default: graph for branching networks, lenet/alexnet for "
        "CNN chains, fcnn for MLPs)",
    )
    im.add_argument(
        "--fold",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fold activations into their layers, and norm/dropout boxes in the graph "
        "style (default: activations; the rest above 100 layers)",
    )
    im.set_defaults(func=_cmd_import)

    sv = sub.add_parser("serve", help="start the editor and HTTP API")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--workers", type=int, default=1)
    sv.set_defaults(func=_cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except NnsketchError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
