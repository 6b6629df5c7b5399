"""Options of the lenet style (stacks of 2D feature maps, slanted dense bars).

Sizes are SVG user units (px at scale 1). Map sides follow
``scale_size(pixels, scale, scale_factor, min_size, max_size)`` per axis; dense
bars follow the ``dense_*`` settings on their unit count. Skip connections
(edges between layers that are not neighbours in the row) and merge symbols
follow the ``skip_*`` and ``merge_*`` settings; ``layout`` chooses a flat row or a
U (encoder down, decoder up) for networks whose maps shrink and grow again.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color

Scale = Literal["linear", "sqrt", "log"]


class LenetOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fill_a: Color = Field("#e0e0e0", description="fill of the front map and every other map")
    fill_b: Color = Field("#ffffff", description="fill of the maps in between")
    stroke: Color = "#000000"
    border_width: Annotated[float, Field(ge=0, le=10)] = 1.0
    opacity: Annotated[float, Field(ge=0, le=1)] = 1.0
    map_spacing: Annotated[float, Field(ge=1, le=100, description="offset between maps")] = 8.0
    layer_spacing: Annotated[
        float, Field(ge=0, le=1000, description="least gap between two layers")
    ] = 48.0
    max_maps: Annotated[int, Field(ge=1, le=64, description="maps drawn per stack at most")] = 8
    scale: Scale = "sqrt"
    scale_factor: Annotated[float, Field(gt=0, le=100)] = 14.0
    min_size: Annotated[float, Field(ge=1, le=500, description="smallest drawn map side")] = 12.0
    max_size: Annotated[float, Field(ge=1, le=2000, description="largest drawn map side")] = 220.0
    show_kernels: bool = Field(True, description="kernel and projection lines between maps")
    kernel_color: Color = "#000000"
    kernel_opacity: Annotated[float, Field(ge=0, le=1)] = 0.8
    show_connections: bool = Field(True, description="lines from each layer to a dense bar")
    show_labels: bool = True
    show_captions: bool = True
    stagger_captions: bool = Field(
        True, description="put crowded captions on a second line instead of spreading layers"
    )
    dense_width: Annotated[float, Field(ge=1, le=100, description="thickness of a bar")] = 10.0
    dense_scale: Scale = "log"
    dense_factor: Annotated[float, Field(gt=0, le=100)] = 16.0
    dense_min_size: Annotated[
        float, Field(ge=1, le=500, description="smallest drawn bar height")
    ] = 16.0
    dense_max_size: Annotated[
        float, Field(ge=1, le=2000, description="largest drawn bar height")
    ] = 180.0
    layout: Literal["flat", "u"] = Field(
        "flat",
        description="flat: one row, long skips above it; u: smaller maps lower, so an "
        "encoder-decoder draws as a U with level skips (a network that never grows back "
        "stays flat)",
    )
    show_skips: bool = Field(True, description="draw edges between layers that are not neighbours")
    skip_color: Color = "#3a3a3a"
    skip_width: Annotated[float, Field(ge=0.2, le=6)] = 1.2
    skip_radius: Annotated[
        float, Field(ge=0, le=40, description="corner radius of skip lines (0: square corners)")
    ] = 6.0
    merge_radius: Annotated[
        float, Field(ge=4, le=60, description="radius of the circled add/multiply/concat symbol")
    ] = 8.0
