"""The pipeline: spec -> analysis -> layout -> SVG -> PNG/PDF.

`build()` does the pure part once and returns a `Diagram`, which writes SVG and
converts on demand. `render()` is the one-call convenience for scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from . import export
from .analysis import Network, analyze
from .errors import ExportError, Issue, LimitError
from .limits import LIMITS
from .primitives import Drawing
from .spec import Spec, load_spec
from .styles import get_layout
from .svg import count_elements, write_svg

Format = Literal["svg", "png", "pdf"]
FORMATS: tuple[str, ...] = ("svg", "png", "pdf")


@dataclass(frozen=True)
class Diagram:
    """A laid-out diagram; shows itself in Jupyter and writes any format."""

    network: Network
    drawing: Drawing

    @property
    def spec(self) -> Spec:
        return self.network.spec

    @cached_property
    def svg(self) -> str:
        return write_svg(self.drawing)

    def png(self, scale: float = 1.0, background: str | None = None) -> bytes:
        return export.to_png(self.svg, self.drawing, scale=scale, background=background)

    def pdf(self, background: str | None = None) -> bytes:
        return export.to_pdf(self.svg, background=background)

    def to(self, format: str, scale: float = 1.0, background: str | None = None) -> str | bytes:
        """The diagram in `format` ('svg', 'png' or 'pdf')."""
        if format == "svg":
            return self.svg
        if format == "png":
            return self.png(scale=scale, background=background)
        if format == "pdf":
            return self.pdf(background=background)
        raise ExportError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}")

    def save(self, path: str | Path, scale: float = 1.0, background: str | None = None) -> Path:
        """Write the file; the format comes from the extension."""
        out = Path(path)
        data = self.to(format_from_path(out), scale=scale, background=background)
        if isinstance(data, str):
            out.write_text(data, encoding="utf-8")
        else:
            out.write_bytes(data)
        return out

    def _repr_svg_(self) -> str:
        return self.svg


def format_from_path(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(
            f"cannot tell the format from {path.name!r}; use a .svg, .png or .pdf file name"
        )
    return fmt


def build(source: Spec | dict[str, Any] | str | bytes | Path, style: str | None = None) -> Diagram:
    """Validate, infer shapes and lay out; raise SpecError with located issues."""
    spec = load_spec(source)
    if style is not None and style != spec.style:
        spec = load_spec({**spec.model_dump(mode="json", by_alias=True), "style": style})
    network = analyze(spec)
    drawing = get_layout(spec.style)(network)
    n = count_elements(drawing)
    if n > LIMITS.max_primitives:
        raise LimitError(
            [Issue("layers", f"the drawing has {n:,} elements, more than {LIMITS.max_primitives:,}"
                   " (max_primitives); enable elision or draw fewer layers")]
        )  # fmt: skip
    return Diagram(network, drawing)


def render(
    source: Spec | dict[str, Any] | str | bytes | Path,
    format: str = "svg",
    scale: float = 1.0,
    background: str | None = None,
    style: str | None = None,
) -> str | bytes:
    """Render a spec (dict, JSON text, path or Spec): SVG as str, PNG/PDF as bytes."""
    return build(source, style=style).to(format, scale=scale, background=background)


__all__ = ["FORMATS", "Diagram", "build", "render"]
