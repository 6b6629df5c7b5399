"""Text measurement without a browser.

Layout needs label sizes to place labels, keep them apart and fit the viewBox.
Widths come from DejaVu Sans advance widths (the default font, measured once per
ASCII character, in thousandths of an em); other characters use a conservative
average, and wide East Asian characters a full em. Units: user units (px) for a
given font size.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_NORMAL = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
    696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580,
    1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
    733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500,
    500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
    716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
)  # fmt: skip

# Common non-ASCII glyphs in labels (normal, bold), measured the same way.
_EXTRA: dict[str, tuple[int, int]] = {
    "\u00d7": (838, 838), "\u2208": (871, 896), "\u211d": (792, 801), "\u00b7": (318, 380),
    "\u2026": (1000, 1000), "\u22ee": (1000, 1000), "\u2212": (838, 838),
    "\u2013": (500, 500), "\u2014": (1000, 1000), "\u00b0": (500, 500), "\u00b5": (636, 736),
    "\u2192": (838, 838), "\u2190": (838, 838), "\u2191": (838, 838), "\u2193": (838, 838),
    "\u2295": (838, 838), "\u2016": (500, 500), "\u03b1": (659, 687), "\u03b2": (638, 716),
    "\u03b3": (592, 681), "\u03b4": (612, 687), "\u03b5": (541, 557), "\u03b8": (612, 687),
    "\u03bb": (592, 633), "\u03bc": (636, 736), "\u03c0": (602, 791), "\u03c3": (634, 779),
    "\u03c6": (660, 782), "\u03c9": (837, 869), "\u03a3": (632, 683), "\u0394": (684, 774),
}  # fmt: skip
_EXTRA.update(
    {ch: (401, 438) for ch in "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"}
)

ASCENT = 0.76
"""Cap height plus a little, in em: how far text reaches above its baseline."""
DESCENT = 0.24
"""How far descenders reach below the baseline, in em."""


def _char_width(ch: str, table: tuple[int, ...]) -> int:
    code = ord(ch)
    if 32 <= code < 127:
        return table[code - 32]
    extra = _EXTRA.get(ch)
    if extra is not None:
        return extra[1] if table is _BOLD else extra[0]
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    return 700


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of `text` at font `size`, in the same units as `size`."""
    table = _BOLD if bold else _NORMAL
    return sum(_char_width(ch, table) for ch in text) * size / 1000.0


def fit_text(text: str, size: float, max_width: float, bold: bool = False) -> str:
    """Shorten `text` with an ellipsis so it fits `max_width`; keeps it whole when it fits."""
    if text_width(text, size, bold) <= max_width:
        return text
    keep = text
    while keep and text_width(keep + "\u2026", size, bold) > max_width:
        keep = keep[:-1]
    return keep + "\u2026" if keep else ""
