"""The export budget: refuse PNG/PDF conversions that would take seconds.

Cairo's cost grows with what it strokes and fills, not with the SVG's byte size:
about 0.1-0.4 ms per edge of an FCNN and per block of a long LeNet at scale 1,
more at higher scales. Counting items (primitives plus path commands) before
converting keeps every export request within a fraction of a second of CPU;
the SVG, which costs nothing to produce, is never refused here.
"""

from __future__ import annotations

from ..errors import Issue, LimitError
from ..limits import LIMITS
from ..primitives import Drawing, Path, walk


def export_items(drawing: Drawing) -> int:
    """Primitives plus path commands: what the rasterizer has to draw."""
    items = 0
    for child in drawing.children:
        for prim in walk(child):
            items += len(prim.commands) if isinstance(prim, Path) else 1
    return items


def export_work(items: int, fmt: str, scale: float) -> float:
    """Items weighted by scale for PNG (longer strokes, more pixels)."""
    return items * (1 + scale) / 2 if fmt == "png" else float(items)


def check_export(drawing: Drawing, fmt: str, scale: float) -> None:
    """Raise LimitError (located at 'format') when the conversion would be too slow."""
    if fmt == "svg":
        return
    items = export_items(drawing)
    work = export_work(items, fmt, scale)
    limit = LIMITS.max_export_items
    if work > limit:
        weighted = f" (scale {scale:g} counts {(1 + scale) / 2:g}x)" if fmt == "png" else ""
        raise LimitError(
            [
                Issue(
                    "format",
                    f"a {fmt.upper()} of this drawing means drawing {items:,} items{weighted}, "
                    f"more than {limit:,} (max_export_items); download the SVG, "
                    + ("lower the scale, " if fmt == "png" else "")
                    + "or draw fewer layers or edges",
                )
            ]
        )
