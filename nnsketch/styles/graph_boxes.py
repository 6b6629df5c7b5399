"""Box contents of the graph style: colours, text rows, sizes, and the legend.

A box shows the layer's name (bold), its key parameters ("conv 3×3, 64, /2"), the
layers folded into it ("+ BN, ReLU"), its output shape (or the layer's label) and,
optionally, its cost. Box sizes come from measured text, so a box always fits its
rows. Colours come from Paul Tol's colour-blind-safe "light" and "pale" schemes,
one per layer type, light enough for black text; a layer's own `color` wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import LayerInfo
from ..layers import LAYER_TYPES as TYPE_ORDER
from ..layers import (
    ActivationLayer,
    ConvLayer,
    DeconvLayer,
    DenseLayer,
    DropoutLayer,
    NormLayer,
    PoolLayer,
    UpsampleLayer,
)
from ..primitives import Group, Node, Rect, Run, Text
from ..text import ASCENT, fit_text, text_width
from .common import TIMES, fmt_count, layer_group
from .graph_model import Item

PALETTE: dict[str, str] = {
    "input": "#dddddd",
    "conv": "#77aadd",
    "deconv": "#99ddff",
    "pool": "#eedd88",
    "upsample": "#bbccee",
    "dense": "#ffaabb",
    "flatten": "#cceeff",
    "dropout": "#eeeebb",
    "activation": "#44bb99",
    "norm": "#bbcc33",
    "softmax": "#aaaa00",
    "add": "#ee8866",
    "concat": "#ffcccc",
    "multiply": "#ccddaa",
}
STROKE = "#4d4d4d"
MUTED = "#333333"
LINE_HEIGHT = 1.3
PAD_X = 0.8
PAD_Y = 0.45
MIN_WIDTH = 6.0
MAX_TEXT = 24.0
"""Paddings, minimum box width and longest row, in em of the font size."""
RADIUS = 5.0

_ACTIVATIONS = {"relu": "ReLU", "relu6": "ReLU6", "gelu": "GELU", "elu": "ELU", "selu": "SELU",
                "leaky_relu": "LeakyReLU", "leakyrelu": "LeakyReLU", "prelu": "PReLU",
                "silu": "SiLU", "swish": "Swish", "mish": "Mish"}  # fmt: skip
_NORMS = {"batch": "BN", "layer": "LN", "instance": "IN", "group": "GN", "lrn": "LRN"}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of text in a box."""

    text: str
    size: float
    bold: bool = False
    fill: str = "#000000"


def _pair(p: tuple[int, int]) -> str:
    return f"{p[0]}{TIMES}{p[1]}"


def _stride(s: tuple[int, int], mark: str = "/") -> str:
    return f"{mark}{s[0]}" if s[0] == s[1] else f"{mark}{s[0]}{TIMES}{s[1]}"


def activation_name(name: str) -> str:
    return _ACTIVATIONS.get(name.lower(), name)


def operation(info: LayerInfo) -> str:
    """Key parameters: 'conv 3×3, 64, /2', 'max-pool 3×3 /2', 'dense 1000', 'concat'."""
    layer = info.layer
    if isinstance(layer, ConvLayer | DeconvLayer):
        kind = "conv" if isinstance(layer, ConvLayer) else "deconv"
        parts = [f"{kind} {_pair(layer.kernel)}", str(layer.filters)]
        if layer.stride != (1, 1):
            parts.append(_stride(layer.stride, "/" if kind == "conv" else TIMES))
        if layer.dilation != (1, 1):
            parts.append(f"dil {layer.dilation[0]}")
        if layer.groups > 1:
            c_in = info.input.channels if info.input else 0
            parts.append("depthwise" if layer.groups == c_in else f"groups {layer.groups}")
        return ", ".join(parts)
    if isinstance(layer, PoolLayer):
        if layer.global_:
            return f"global {layer.mode}-pool"
        text = f"{layer.mode}-pool {_pair(layer.kernel)}"
        stride = layer.stride or layer.kernel
        return text + (f" {_stride(stride)}" if stride != (1, 1) else "")
    if isinstance(layer, UpsampleLayer):
        return f"upsample {_stride(layer.scale, TIMES)}" + (
            ", bilinear" if layer.mode == "bilinear" else ""
        )
    if isinstance(layer, DenseLayer):
        return f"dense {layer.units}"
    return short_name(info)


def short_name(info: LayerInfo) -> str:
    """How a folded layer is listed: 'BN', 'ReLU', 'dropout 0.5'."""
    layer = info.layer
    if isinstance(layer, ActivationLayer):
        return activation_name(layer.function)
    if isinstance(layer, NormLayer):
        return _NORMS.get(layer.kind, layer.kind)
    if isinstance(layer, DropoutLayer):
        return f"dropout {layer.rate:g}"
    return info.type


def rows(item: Item, size: float, show_shapes: bool, show_costs: bool,
         name: str) -> list[Row]:  # fmt: skip
    """The text rows of an item's box, top to bottom."""
    small = size * 0.9
    limit = MAX_TEXT * size
    out = [Row(fit_text(name, size, limit, bold=True), size, bold=True)]
    out.append(Row(fit_text(operation(item.info), small, limit), small))
    extras: list[str] = []
    act = getattr(item.info.layer, "activation", None)
    if isinstance(act, str):
        extras.append(activation_name(act))
    extras.extend(short_name(f) for f in item.folded)
    if extras:
        out.append(Row(fit_text("+ " + ", ".join(extras), small, limit), small, fill=MUTED))
    if show_shapes:
        label = item.info.layer.label
        shape = label if label else str(item.output.output)
        out.append(Row(fit_text(shape, small, limit), small, fill=MUTED))
    if show_costs and (item.params or item.macs):
        parts = []
        if item.params:
            parts.append(f"{fmt_count(item.params)} params")
        if item.macs:
            parts.append(f"{fmt_count(item.macs)} MACs")
        out.append(Row(fit_text(" · ".join(parts), small, limit), small, fill=MUTED))
    return [r for r in out if r.text]


def measure(content: list[Row], size: float) -> tuple[float, float]:
    """(width, height) of a box that fits its rows with padding."""
    widest = max((text_width(r.text, r.size, r.bold) for r in content), default=0.0)
    width = max(MIN_WIDTH * size, widest + 2 * PAD_X * size)
    height = sum(r.size * LINE_HEIGHT for r in content) + 2 * PAD_Y * size
    return width, height


def draw_box(item: Item, content: list[Row], x: float, y: float, w: float, h: float,
             size: float) -> Group:  # fmt: skip
    """The box at (x, y) (top left): a rounded rectangle and its centred rows."""
    fill = item.info.layer.color or PALETTE.get(item.info.type, "#dddddd")
    children: list[Node] = [Rect(x, y, w, h, fill=fill, stroke=STROKE, rx=RADIUS)]
    top = y + PAD_Y * size
    for r in content:
        slot = r.size * LINE_HEIGHT
        baseline = top + (slot - r.size) / 2 + r.size * ASCENT
        children.append(Text(x + w / 2, baseline, (Run(r.text),), size=r.size, bold=r.bold,
                             fill=r.fill))  # fmt: skip
        top += slot
    return layer_group(item.info, children)


def legend(types: set[str], x: float, y: float, size: float, across: bool) -> Group:
    """Swatches and names of the layer types present, stacked (or in a row when `across`)."""
    small = size * 0.9
    swatch = small * 1.1
    pitch = small * 1.6
    children: list[Node] = []
    cx, cy = x, y
    for kind in (t for t in TYPE_ORDER if t in types):
        children.append(Rect(cx, cy, swatch * 1.4, swatch, fill=PALETTE.get(kind, "#dddddd"),
                             stroke=STROKE, rx=2.0))  # fmt: skip
        tx = cx + swatch * 1.4 + small * 0.5
        children.append(Text(tx, cy + swatch / 2 + small * 0.36, (Run(kind),), size=small,
                             anchor="start"))  # fmt: skip
        if across:
            cx = tx + text_width(kind, small) + small * 1.5
        else:
            cy += pitch
    return Group(tuple(children), classes=("legend",))


def badge_size(text: str, size: float) -> tuple[float, float]:
    small = size * 0.85
    return text_width(text, small, bold=True) + small * 1.2, small * 1.7


def draw_badge(text: str, x: float, y: float, size: float) -> list[Node]:
    """A dark pill at (x, y) (top left) with white bold text: the ×N of a repeat block."""
    small = size * 0.85
    w, h = badge_size(text, size)
    return [
        Rect(x, y, w, h, fill="#555555", rx=h / 2),
        Text(x + w / 2, y + h / 2 + small * 0.36, (Run(text),), size=small, bold=True,
             fill="#ffffff"),
    ]  # fmt: skip
