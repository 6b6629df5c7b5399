"""Peers benchmark: nnsketch side by side with visualkeras and torchview.

visualkeras (`layered_view`, Keras 3 on the torch backend) against our alexnet
style for the Keras MNIST CNN, AlexNet and VGG-16; torchview (Graphviz) against
our graph style for ResNet-18 and ResNet-50. Same networks, same run: time
ratio, output sizes, and the pairs of pictures in benchmarks/results/peers-*.png.
A peer that is not installed is skipped with a message; `--install` installs
the peers into this Python environment first (pip: torch==2.13.0, keras,
visualkeras, torchview, graphviz; apt: graphviz when `dot` is missing).

    python benchmarks/peers.py [--install] [--quick] [--save] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

from _common import (
    EXAMPLES,
    RESULTS,
    ROOT,
    Report,
    Table,
    arg_parser,
    count,
    graph_style_missing,
    measure_many,
    median,
    ms,
    ratio,
    size,
    skipped,
)
from _peer_models import keras_model, keras_output_shapes, torch_resnet
from _specs import RESNET_PARAMS, resnet

from nnsketch.analysis import analyze
from nnsketch.render import build
from nnsketch.spec import load_spec

PIP_STEPS = (
    ("torch==2.13.0",),  # this exact version: its CPU wheel is on the machine's disk
    ("keras", "visualkeras"),
    ("torchview", "graphviz"),
)
KERAS_NETS = (("Keras MNIST CNN", "mnist_cnn"), ("AlexNet", "alexnet"), ("VGG-16", "vgg16"))
TORCH_NETS = (18, 50)
MAX_PICTURE = (1600, 12000)
"""Largest picture written (width, height): tall graphs keep a readable width."""


def install() -> None:
    """Install the peers into this interpreter's environment (the project venv)."""
    for packages in PIP_STEPS:
        print(f"$ pip install {' '.join(packages)}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", *packages], check=True)
    if shutil.which("dot") is None:
        print("$ apt-get install -y graphviz", flush=True)
        subprocess.run(["apt-get", "install", "-y", "graphviz"], check=True)


def missing(*modules: str) -> str | None:
    """Why a peer cannot run here, or None."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a broken install is as good as none
            return (
                f"{name} is not available ({type(exc).__name__}: {str(exc)[:80]}); "
                "run python benchmarks/peers.py --install"
            )
    if "torchview" in modules and shutil.which("dot") is None:
        return "Graphviz's dot is not installed (apt-get install -y graphviz)"
    return None


def save_picture(png: bytes, name: str, out_dir: Path) -> str:
    """Write a PNG scaled down to fit MAX_PICTURE; returns its file name."""
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    img.load()
    k = min(1.0, MAX_PICTURE[0] / img.width, MAX_PICTURE[1] / img.height)
    if k < 1:
        img = img.resize(
            (max(1, round(img.width * k)), max(1, round(img.height * k))), Image.Resampling.LANCZOS
        )
    # A 256-colour palette keeps these flat-colour drawings crisp at a third of the bytes.
    img = (
        img.quantize(256, method=Image.Quantize.FASTOCTREE)
        if img.mode == "RGBA"
        else (img.convert("RGB").quantize(256))
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.png"
    img.save(path, optimize=True)
    return path.name


def png_dims(png: bytes) -> str:
    from PIL import Image

    w, h = Image.open(io.BytesIO(png)).size
    return f"{w}x{h}"


def timed(peer: dict[str, Callable[[], object]], spec: dict[str, Any] | None,
          reps: int) -> dict[str, float]:  # fmt: skip
    """Medians of the peer's calls and ours (SVG, and PNG at scale 1, from the spec).

    All are run in turn within each round, so the ratios hold under changing load.
    """
    fns = dict(peer)
    if spec is not None:
        fns["svg_s"] = lambda: build(spec).svg
        fns["png_s"] = lambda: build(spec).png(scale=1)
    times = measure_many(fns, reps, budget=10.0, min_repeat=1)
    return {key: median(values) for key, values in times.items()}


def our_outputs(spec: dict[str, Any]) -> dict[str, Any]:
    diagram = build(spec)
    return {"svg_bytes": len(diagram.svg.encode()), "png": diagram.png(scale=1)}


def layered_png(visualkeras: Any, model: Any) -> bytes:
    """visualkeras' picture as PNG bytes (it draws a PIL image; encoding is part of it)."""
    buf = io.BytesIO()
    visualkeras.layered_view(model, legend=True).save(buf, format="PNG")
    return buf.getvalue()


def keras_rows(quick: bool, reps: int, out_dir: Path) -> list[dict[str, Any]]:
    import keras
    import visualkeras

    rows = []
    for title, example in KERAS_NETS[:1] if quick else KERAS_NETS:
        spec = {**_example(example), "style": "alexnet"}
        model = keras_model(spec)
        keras_output_shapes(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # visualkeras warns about its own deprecations
            times = timed({"peer_s": lambda m=model: layered_png(visualkeras, m)}, spec, reps)
            peer_png = layered_png(visualkeras, model)
        mine = {**our_outputs(spec), **times}
        slug = example.replace("_", "-")
        rows.append(
            {
                "network": title,
                "peer": f"visualkeras {visualkeras_version()}",
                "ours_style": "alexnet",
                "peer_s": times["peer_s"],
                "peer_out": f"PNG {png_dims(peer_png)}, {size(len(peer_png))}",
                "params": (analyze(load_spec(spec)).total_params, int(model.count_params())),
                "pictures": (
                    save_picture(peer_png, f"peers-{slug}-visualkeras", out_dir),
                    save_picture(mine["png"], f"peers-{slug}-nnsketch", out_dir),
                ),
                **mine,
            }
        )
        print(f"  {title}: done (Keras {keras.__version__})", flush=True)
    return rows


def torch_rows(
    quick: bool, reps: int, out_dir: Path, graph_note: str | None
) -> list[dict[str, Any]]:
    import torchview

    rows = []
    for depth in TORCH_NETS[:1] if quick else TORCH_NETS:
        model = torch_resnet(depth)
        n_params = sum(p.numel() for p in model.parameters())

        def draw(model: Any = model) -> Any:
            graph = torchview.draw_graph(model, input_size=(1, 3, 224, 224), device="meta")
            return graph.visual_graph

        def draw_svg() -> bytes:
            return bytes(draw().pipe(format="svg"))

        def draw_png() -> bytes:
            return bytes(draw().pipe(format="png"))

        spec = resnet(depth)
        ours_spec = spec if graph_note is None else None
        times = timed({"peer_s": draw_png, "peer_svg_s": draw_svg}, ours_spec, reps)
        peer_png = draw_png()
        slug = f"resnet{depth}"
        row: dict[str, Any] = {
            "network": f"ResNet-{depth}",
            "peer": "torchview " + _version("torchview"),
            "ours_style": "graph",
            "peer_s": times["peer_s"],
            "peer_svg_s": times["peer_svg_s"],
            "peer_out": f"PNG {png_dims(peer_png)}, {size(len(peer_png))}; "
            f"SVG {size(len(draw_svg()))}",
            "params": (None, n_params),
        }
        pictures = [save_picture(peer_png, f"peers-{slug}-torchview", out_dir)]
        row["params"] = (analyze(load_spec(spec)).total_params, n_params)
        if graph_note is None:
            mine = {**our_outputs(spec), **times}
            pictures.append(save_picture(mine["png"], f"peers-{slug}-nnsketch", out_dir))
            row.update(mine)
        else:
            row["ours_skipped"] = graph_note
        row["pictures"] = tuple(pictures)
        rows.append(row)
        print(f"  ResNet-{depth}: done", flush=True)
    assert all(r["params"][1] == RESNET_PARAMS[int(r["network"][7:])] for r in rows)
    return rows


def table(rows: list[dict[str, Any]]) -> Table:
    t = Table(
        [
            "network",
            "peer",
            "peer ms (PNG)",
            "our style",
            "ours SVG ms",
            "ours PNG ms",
            "peer / ours (PNG)",
            "peer / ours (SVG)",
            "peer output",
            "our output",
            "params ours / peer",
            "pictures",
        ],
        title="Side by side on the same networks",
    )
    for r in rows:
        params = f"{count(r['params'][0])} / {count(r['params'][1])}"
        pics = ", ".join(f"`{p}`" for p in r["pictures"])
        if "ours_skipped" in r:
            t.add(
                r["network"],
                r["peer"],
                ms(r["peer_s"]),
                r["ours_style"],
                "–",
                "–",
                "–",
                "–",
                r["peer_out"],
                r["ours_skipped"],
                params,
                pics,
            )
            continue
        t.add(
            r["network"],
            r["peer"],
            ms(r["peer_s"]),
            r["ours_style"],
            ms(r["svg_s"]),
            ms(r["png_s"]),
            ratio(r["peer_s"], r["png_s"]),
            ratio(r["peer_svg_s"], r["svg_s"]) if "peer_svg_s" in r else "– (raster only)",
            r["peer_out"],
            f"SVG {size(r['svg_bytes'])}; PNG {png_dims(r['png'])}, {size(len(r['png']))}",
            params,
            pics,
        )
    return t


def visualkeras_version() -> str:
    return _version("visualkeras")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _example(name: str) -> dict[str, Any]:
    import json

    return dict(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--install",
        action="store_true",
        help="pip/apt-install the peers into this environment first",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=RESULTS,
        help="where the pictures go (default benchmarks/results)",
    )
    args: argparse.Namespace = parser.parse_args(argv)
    if args.install:
        install()
    reps = 1 if args.quick else 5
    report = Report("peers", "Peers benchmark (same networks, same run)")
    rows: list[dict[str, Any]] = []
    why = missing("torch", "keras", "visualkeras", "PIL")
    if why:
        report.add(skipped(f"visualkeras: {why}"))
    else:
        rows += keras_rows(args.quick, reps, args.out_dir)
    why = missing("torch", "torchview", "graphviz", "PIL")
    if why:
        report.add(skipped(f"torchview: {why}"))
    else:
        note = graph_style_missing()
        if note:
            report.add(skipped(f"our side of the torchview rows: {note}"))
        rows += torch_rows(args.quick, reps, args.out_dir, note and f"skipped: {note}")
    if rows:
        report.table(table(rows))
        where = (
            args.out_dir.relative_to(ROOT) if args.out_dir.is_relative_to(ROOT) else args.out_dir
        )
        report.add(
            f"Pictures (scaled down to fit {MAX_PICTURE[0]}x{MAX_PICTURE[1]} px) are in {where}/."
        )
    report.data["rows"] = [{k: v for k, v in r.items() if k != "png"} for r in rows]
    report.finish(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
