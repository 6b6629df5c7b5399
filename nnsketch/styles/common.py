"""Helpers every style shares: size scaling, seeding, captions, layer groups, framing.

Styles call `finish()` last: it adds the title above the content, fits the
viewBox to the bounds of everything drawn plus the margin, and names the drawing.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Literal

from ..analysis import LayerInfo, Network
from ..layers import ConvLayer, DenseLayer, NormLayer, PoolLayer
from ..primitives import Box, Drawing, Group, Node, Run, Text, bounds
from ..spec import Spec

Scale = Literal["linear", "sqrt", "log"]
TIMES = "\u00d7"


def scale_size(value: float, mode: Scale, factor: float, floor: float, cap: float) -> float:
    """Drawn length of an axis of `value` units: f(value) * factor, within [floor, cap].

    linear: factor * x; sqrt: factor * sqrt(x); log: factor * (1 + ln x), so a size-1
    axis still gets `factor` and never vanishes.
    """
    x = max(1.0, float(value))
    if mode == "linear":
        raw = factor * x
    elif mode == "sqrt":
        raw = factor * math.sqrt(x)
    else:
        raw = factor * (1.0 + math.log(x))
    return min(cap, max(floor, raw))


def id_prefix(spec: Spec) -> str:
    """Short id unique to the spec, so ids of two diagrams on one page never clash."""
    digest = hashlib.sha1(spec.model_dump_json().encode("utf-8")).hexdigest()
    return "nn" + digest[:8]


def layer_rng(spec: Spec, info: LayerInfo, salt: str = "") -> random.Random:
    """Random generator seeded by the layer's own settings (or the spec's `seed`).

    An edit to one layer never moves the kernel or weights drawn for another.
    """
    if spec.options.seed is not None:
        key = f"{spec.options.seed}:{info.index}:{salt}"
    else:
        key = f"{info.layer.model_dump_json()}:{info.output}:{salt}"
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return random.Random(seed)


def fmt_count(n: int) -> str:
    """12345678 -> '12.3M'; small counts stay exact."""
    for div, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if n >= div * 10 or (n >= div and suffix != "k"):
            return f"{n / div:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{n:,}"


def shape_text(info: LayerInfo) -> str:
    """'6@28×28' for feature maps, '120' for vectors (the lenet/alexnet labels)."""
    out = info.output
    if out.spatial:
        return f"{out.channels}@{out.height}{TIMES}{out.width}"
    return str(out.channels)


def caption(info: LayerInfo) -> str:
    """Operation caption between layers, e.g. 'Convolution 5×5' or 'Max-pool 2×2'."""
    layer = info.layer
    if isinstance(layer, ConvLayer):
        kh, kw = layer.kernel
        text = f"Convolution {kh}{TIMES}{kw}"
        if layer.stride != (1, 1):
            text += (
                f" /{layer.stride[0]}"
                if layer.stride[0] == layer.stride[1]
                else (f" /{layer.stride[0]}{TIMES}{layer.stride[1]}")
            )
        return text
    if isinstance(layer, PoolLayer):
        name = "Max-pool" if layer.mode == "max" else "Avg-pool"
        if layer.global_:
            return f"Global {name.lower()}"
        kh, kw = layer.kernel
        return f"{name} {kh}{TIMES}{kw}"
    if isinstance(layer, DenseLayer):
        return "Dense"
    if isinstance(layer, NormLayer):
        return {"batch": "Batch norm", "layer": "Layer norm", "lrn": "LRN"}.get(
            layer.kind, layer.kind.capitalize() + " norm"
        )
    return info.type.capitalize()


def annotation_lines(info: LayerInfo, wanted: list[str] | tuple[str, ...]) -> list[str]:
    """The cost lines a style draws for a layer, in the order the options list them."""
    lines: list[str] = []
    for kind in wanted:
        if kind == "shape":
            lines.append(str(info.output))
        elif kind == "params" and info.params:
            lines.append(f"{fmt_count(info.params)} params")
        elif kind == "macs" and info.macs:
            lines.append(f"{fmt_count(info.macs)} MACs")
    return lines


def tooltip(info: LayerInfo) -> str:
    """Hover text for a layer group: name, type, output shape, parameters."""
    text = f"{info.name} ({info.type}): output {info.output}"
    if info.params:
        text += f", {info.params:,} params"
    if info.macs:
        text += f", {fmt_count(info.macs)} MACs"
    return text


def layer_group(info: LayerInfo, children: tuple[Node, ...] | list[Node],
                extra_class: str | None = None) -> Group:  # fmt: skip
    """One `<g>` per layer: id from the layer name, classes 'layer <type>', index data."""
    classes = ("layer", info.type) + ((extra_class,) if extra_class else ())
    return Group(
        tuple(children),
        id=f"layer-{info.name}",
        classes=classes,
        title=tooltip(info),
        data=(("layer", str(info.row)), ("name", info.name)),
    )


def plain(x: float, y: float, value: str, size: float, **kw: object) -> Text:
    """Single-run text label."""
    return Text(x, y, (Run(value),), size=size, **kw)  # type: ignore[arg-type]


def describe(net: Network) -> str:
    """The SVG `<desc>`: what the diagram shows, for readers and screen readers."""
    n = len(net.layers)
    return (
        f"{net.spec.title or 'Neural network'}: {n} layer{'s' if n != 1 else ''}, "
        f"{net.total_params:,} parameters, drawn in the {net.spec.style} style by nnsketch"
    )


def finish(net: Network, content: list[Group]) -> Drawing:
    """Frame the content: title on top, viewBox fitted to everything plus the margin."""
    spec = net.spec
    opts = spec.options
    box: Box | None = None
    for group in content:
        b = bounds(group)
        if b is not None:
            box = b if box is None else box.union(b)
    if box is None:
        box = Box(0, 0, 1, 1)
    children: list[Node] = list(content)
    if spec.title and opts.show_title:
        size = opts.font_size * 1.4
        ty = box.y0 - size * 0.9
        title = Text((box.x0 + box.x1) / 2, ty, (Run(spec.title),), size=size, bold=True)
        children.append(Group((title,), classes=("title",)))
        tb = bounds(title)
        if tb is not None:
            box = box.union(tb)
    return Drawing(
        children=tuple(children),
        viewbox=box.pad(opts.margin),
        title=spec.title or "Neural network diagram",
        desc=describe(net),
        id_prefix=id_prefix(spec),
        font_family=opts.font_family,
        background=opts.background,
    )
