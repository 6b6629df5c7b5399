"""PNG and PDF export: the only module that imports cairosvg (lazily).

cairosvg is only ever fed SVG this package wrote, and its URL fetcher refuses
every request, so no file or network resource can be read while converting.
Pixel size is bounded by `Limits.max_png_pixels` before any surface is made.
"""

from __future__ import annotations

from typing import Any

from .errors import ExportError, Issue, LimitError
from .limits import LIMITS
from .primitives import Drawing


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ExportError(f"external resources are not allowed in diagrams: {url[:60]}")


def _cairosvg() -> Any:
    try:
        import cairosvg
        import cairosvg.surface
    except ImportError as exc:  # pragma: no cover - a base dependency
        raise ExportError(
            "PNG/PDF export needs cairosvg: pip install 'cairosvg==2.9.1' "
            f"(and the Cairo library, e.g. apt-get install libcairo2): {exc}"
        ) from exc
    return cairosvg


def png_size(drawing: Drawing, scale: float) -> tuple[int, int]:
    """Pixel size of the PNG at `scale`."""
    vb = drawing.viewbox
    return max(1, round(vb.width * scale)), max(1, round(vb.height * scale))


def check_png_size(drawing: Drawing, scale: float) -> None:
    """Refuse scales that would allocate more pixels than the limits allow."""
    if not 0 < scale <= LIMITS.max_scale:
        raise LimitError(
            [Issue("scale", f"scale must be above 0 and at most {LIMITS.max_scale} (max_scale)")]
        )
    w, h = png_size(drawing, scale)
    if w * h > LIMITS.max_png_pixels:
        raise LimitError(
            [
                Issue(
                    "scale",
                    f"a {w}x{h} PNG is more than {LIMITS.max_png_pixels:,} pixels "
                    "(max_png_pixels); lower the scale",
                )
            ]
        )


def to_png(svg: str, drawing: Drawing, scale: float = 1.0, background: str | None = None) -> bytes:
    """Rasterize our SVG; `background` None keeps transparency."""
    check_png_size(drawing, scale)
    cairosvg = _cairosvg()
    result: bytes = cairosvg.surface.PNGSurface.convert(
        bytestring=svg.encode("utf-8"),
        scale=scale,
        background_color=background,
        url_fetcher=_refuse_fetch,
        unsafe=False,
    )
    return result


def to_pdf(svg: str, background: str | None = None) -> bytes:
    """Vector PDF with real text (fonts embedded by Cairo)."""
    cairosvg = _cairosvg()
    result: bytes = cairosvg.surface.PDFSurface.convert(
        bytestring=svg.encode("utf-8"),
        background_color=background,
        url_fetcher=_refuse_fetch,
        unsafe=False,
    )
    return result
