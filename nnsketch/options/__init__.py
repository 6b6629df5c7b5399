"""Diagram options: settings shared by every style, plus one section per style.

Each style keeps its own section (``options.fcnn``, ``options.lenet``, ...), so
switching style in the editor never loses the other styles' settings and the
JSON Schema stays static.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color, FontFamily
from .alexnet import AlexnetOptions
from .fcnn import FcnnOptions
from .graph import GraphOptions
from .lenet import LenetOptions

__all__ = ["AlexnetOptions", "FcnnOptions", "GraphOptions", "LenetOptions", "Options"]


class Options(BaseModel):
    """Settings that apply to every style."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    font_family: FontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    font_size: Annotated[float, Field(ge=6, le=48, description="label size in px")] = 12.0
    show_title: bool = True
    background: Color | None = Field(
        default=None, description="page color; none keeps the SVG transparent"
    )
    margin: Annotated[float, Field(ge=0, le=200, description="space around the drawing")] = 16.0
    seed: Annotated[
        int | None,
        Field(
            ge=0,
            le=2**32 - 1,
            description="seed for kernel positions and edge weights; by default each "
            "layer seeds from its own settings, so unrelated edits never move them",
        ),
    ] = None
    annotations: Annotated[
        list[Literal["shape", "params", "macs"]],
        Field(
            max_length=3,
            description="per-layer cost lines every style draws under its layers: output "
            "shape, parameter count, multiply-accumulates",
        ),
    ] = []
    fcnn: FcnnOptions = FcnnOptions()
    lenet: LenetOptions = LenetOptions()
    alexnet: AlexnetOptions = AlexnetOptions()
    graph: GraphOptions = GraphOptions()
