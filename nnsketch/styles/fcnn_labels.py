"""Layer labels of the fcnn style: 'Hidden layer ∈ ℝ¹²⁸' plus notes of folded layers.

A label is a block of lines. Its words are tuples of runs, so a superscript
stays with its base when the words wrap greedily to a width; each line becomes
one `Text`. Heights follow `text_box`, so lines of one block never overlap.

cairosvg anchors each `<tspan>` by its own width, which splits a centred
'ℝ¹²⁸' apart in PNG/PDF; lines with a superscript are therefore written
start-anchored at a measured offset, which every renderer draws alike. The
measure knows the true widths of the few non-ASCII glyphs these labels use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..analysis import LayerInfo
from ..layers import ActivationLayer, ConvLayer, DenseLayer, DropoutLayer, SoftmaxLayer
from ..primitives import SUP_RISE, SUP_SCALE, Anchor, Run, Text
from ..text import ASCENT, DESCENT, text_width
from .common import caption

Word = tuple[Run, ...]
NOTE_COLOR = "#555555"
NOTE_SCALE = 0.85
COST_COLOR = "#666666"
COST_SCALE = 0.8
LEADING = 0.2
"""Gap between the lines of a block, in em."""

_PRETTY = {
    "relu": "ReLU", "relu6": "ReLU6", "gelu": "GELU", "elu": "ELU", "selu": "SELU",
    "silu": "SiLU", "prelu": "PReLU", "leaky_relu": "Leaky ReLU", "leakyrelu": "Leaky ReLU",
    "mish": "Mish", "tanh": "tanh", "sigmoid": "sigmoid", "softmax": "softmax",
    "swish": "swish", "linear": "linear", "softplus": "softplus",
}  # fmt: skip


_GLYPHS = {"∈": 871, "ℝ": 792, "×": 838, "·": 318}
"""DejaVu Sans advance widths (thousandths of an em) of the glyphs labels use."""


def measure(value: str, size: float) -> float:
    """Width of `value` at `size`: `text_width`, corrected for the glyphs above."""
    width = text_width(value, size)
    for ch, advance in _GLYPHS.items():
        if ch in value:
            width += value.count(ch) * (advance - text_width(ch, 1000.0)) * size / 1000.0
    return width


def _run_width(run: Run, size: float) -> float:
    return measure(run.text, size * (SUP_SCALE if run.sup else 1.0))


@dataclass(frozen=True, slots=True)
class Line:
    runs: tuple[Run, ...]
    size: float
    fill: str = "#000000"

    @property
    def width(self) -> float:
        return sum(_run_width(r, self.size) for r in self.runs)

    @property
    def top(self) -> float:
        """Extent above the baseline (superscripts reach higher)."""
        sup = any(r.sup for r in self.runs)
        return self.size * (ASCENT + (SUP_RISE if sup else 0.0))

    @property
    def bottom(self) -> float:
        return self.size * DESCENT


Block = tuple[Line, ...]


def activation_name(function: str) -> str:
    """'relu' -> 'ReLU'; unknown names stay as written."""
    return _PRETTY.get(function.lower(), function)


def notes(info: LayerInfo, folded: Sequence[LayerInfo]) -> list[str]:
    """What a column does besides its units: its operation, activation, folded layers."""
    out: list[str] = []
    layer = info.layer
    if info.type not in ("input", "dense"):
        out.append(caption(info))
    if isinstance(layer, DenseLayer | ConvLayer) and layer.activation:
        out.append(activation_name(layer.activation))
    for extra in folded:
        sub = extra.layer
        if sub.label:
            out.append(sub.label)
        elif isinstance(sub, ActivationLayer):
            out.append(activation_name(sub.function))
        elif isinstance(sub, SoftmaxLayer):
            out.append("softmax")
        elif isinstance(sub, DropoutLayer):
            out.append(f"dropout {sub.rate:g}")
        else:
            out.append(caption(extra))
    return out


def _word_width(word: Word, size: float) -> float:
    return sum(_run_width(r, size) for r in word)


def _join(words: Sequence[Word]) -> tuple[Run, ...]:
    """Words joined by spaces, adjacent runs of the same kind merged."""
    runs: list[Run] = []
    for i, word in enumerate(words):
        for run in ((Run(" "),) if i else ()) + word:
            if runs and runs[-1].sup == run.sup:
                runs[-1] = Run(runs[-1].text + run.text, run.sup)
            else:
                runs.append(run)
    return tuple(runs)


def wrap(words: Sequence[Word], size: float, width: float, fill: str = "#000000") -> list[Line]:
    """Greedy word wrap; a word wider than `width` gets a line of its own."""
    space = measure(" ", size)
    lines: list[list[Word]] = []
    used = 0.0
    for word in words:
        w = _word_width(word, size)
        if lines and used + space + w <= width:
            lines[-1].append(word)
            used += space + w
        else:
            lines.append([word])
            used = w
    return [Line(_join(line), size, fill) for line in lines]


def _note_lines(items: Sequence[str], size: float, width: float) -> list[Line]:
    """Notes joined by ' · ' on one line when they fit, else one note per line."""
    joined = wrap([(Run(w),) for w in " · ".join(items).split()], size, width, NOTE_COLOR)
    if len(joined) <= 1:
        return joined
    out: list[Line] = []
    for item in items:
        out += wrap([(Run(w),) for w in item.split()], size, width, NOTE_COLOR)
    return out


def _title_words(info: LayerInfo, role: str) -> list[Word]:
    name = info.layer.label if info.layer.label is not None else role
    return [(Run(w),) for w in name.split()]


def _dimension(info: LayerInfo) -> Word:
    return (Run("∈ ℝ"), Run(str(info.output), sup=True))


def fits_one_line(info: LayerInfo, role: str, size: float, width: float) -> bool:
    """Whether name and dimension fit on one line of `width`."""
    words = [*_title_words(info, role), _dimension(info)]
    return len(wrap(words, size, width)) == 1


def column_label(
    info: LayerInfo,
    role: str,
    folded: Sequence[LayerInfo],
    size: float,
    width: float,
    dimensions: bool,
    with_notes: bool,
    split: bool = False,
) -> Block:
    """The label block of one column, wrapped to `width`.

    `split` puts the dimension on a line of its own, so that when one column
    needs two lines every column breaks alike.
    """
    words = _title_words(info, role)
    if dimensions and split:
        lines = wrap(words, size, width) + wrap([_dimension(info)], size, width)
    else:
        lines = wrap(words + ([_dimension(info)] if dimensions else []), size, width)
    if with_notes:
        lines += _note_lines(notes(info, folded), size * NOTE_SCALE, width)
    return tuple(lines)


def cost_block(lines: Sequence[str], size: float, width: float) -> Block:
    """Cost annotations ('1.2k params', '3.4M MACs'), small and grey, one per line."""
    out: list[Line] = []
    for line in lines:
        out += wrap([(Run(w),) for w in line.split()], size * COST_SCALE, width, COST_COLOR)
    return tuple(out)


def block_width(block: Block) -> float:
    return max((line.width for line in block), default=0.0)


def block_height(block: Block) -> float:
    if not block:
        return 0.0
    body = sum(line.top + line.bottom for line in block)
    return body + sum(line.size * LEADING for line in block[1:])


def place(block: Block, x: float, top: float, anchor: Anchor) -> list[Text]:
    """One `Text` per line, the block's top edge at `top`."""
    out: list[Text] = []
    y = top
    for k, line in enumerate(block):
        if k:
            y += line.size * LEADING
        y += line.top
        at, how = x, anchor
        if len(line.runs) > 1 and anchor != "start":
            at, how = x - line.width * (0.5 if anchor == "middle" else 1.0), "start"
        out.append(Text(at, y, line.runs, size=line.size, anchor=how, fill=line.fill))
        y += line.bottom
    return out
