"""Options of the alexnet style (3D blocks with kernel pyramids).

Sizes are SVG user units (px at scale 1). Skip connections (edges between layers
that are not neighbours in the chain) follow the ``skip_*`` settings and merge
symbols the ``merge_*`` ones; ``layout`` chooses one flat chain or a U (encoder
down, decoder up) for networks whose maps shrink and grow again.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color

Scale = Literal["linear", "sqrt", "log"]


class AlexnetOptions(BaseModel):
    """Sizes, camera, colors and labels of the 3D block style."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fill: Color = Field("#e0e0e0", description="face color of feature-map blocks")
    dense_fill: Color = Field("#c8dcf0", description="face color of dense (vector) bars")
    stroke: Color = "#333333"
    stroke_width: Annotated[float, Field(ge=0, le=10)] = 0.8
    opacity: Annotated[float, Field(ge=0, le=1, description="face opacity")] = 1.0
    shading: Annotated[
        float,
        Field(ge=0, le=1, description="how much lighter the tops and darker the sides are"),
    ] = 0.5
    kernel_color: Color = "#ff6b6b"
    kernel_opacity: Annotated[float, Field(ge=0, le=1)] = 0.6
    pyramid_color: Color = "#ff6b6b"
    pyramid_opacity: Annotated[float, Field(ge=0, le=1)] = 0.25
    layer_spacing: Annotated[
        float, Field(ge=0, le=1000, description="gap between blocks along the chain")
    ] = 40.0
    separate: bool = Field(
        True, description="widen gaps where needed so no block hides part of another"
    )
    spatial_scale: Scale = "log"
    spatial_factor: Annotated[float, Field(gt=0, le=100)] = 20.0
    depth_scale: Scale = "log"
    depth_factor: Annotated[float, Field(gt=0, le=100)] = 8.0
    dense_scale: Scale = "log"
    dense_factor: Annotated[float, Field(gt=0, le=100)] = 20.0
    dense_thickness: Annotated[
        float, Field(ge=1, le=200, description="cross-section of dense bars")
    ] = 12.0
    min_size: Annotated[
        float, Field(ge=1, le=100, description="smallest drawn length of any axis")
    ] = 4.0
    max_size: Annotated[
        float, Field(ge=10, le=2000, description="largest drawn length of any axis")
    ] = 300.0
    azimuth: Annotated[
        float,
        Field(
            ge=-89,
            le=89,
            description="degrees the camera turns from the side view; negative shows "
            "the faces toward the output (where kernels sit), positive those toward the input",
        ),
    ] = -30.0
    elevation: Annotated[
        float, Field(ge=-89, le=89, description="degrees above (positive) or below the blocks")
    ] = 20.0
    projection: Literal["orthographic", "perspective"] = "orthographic"
    camera_distance: Annotated[
        float,
        Field(
            ge=100,
            le=100_000,
            description="perspective camera distance from the centre; never closer than "
            "the scene's size, so nothing falls behind the camera",
        ),
    ] = 1500.0
    show_kernels: bool = True
    show_dimensions: bool = True
    dimension_labels: Literal["changes", "all"] = Field(
        "changes",
        description="'changes' labels a size only where it differs from the previous block's",
    )
    show_labels: bool = True
    label_position: Literal["below", "above"] = "below"
    layout: Literal["flat", "u"] = Field(
        "flat",
        description="flat: one chain, long skips above it; u: smaller maps lower, so an "
        "encoder-decoder draws as a U with its skips level (networks that never grow back "
        "stay flat)",
    )
    level_spacing: Annotated[
        float,
        Field(ge=0, le=1000, description="u layout: clear space between two levels' blocks"),
    ] = 24.0
    show_skips: bool = Field(
        True, description="draw edges between layers that are not neighbours in the chain"
    )
    skip_color: Color = "#3a3a3a"
    skip_width: Annotated[float, Field(ge=0.2, le=6)] = 1.2
    skip_radius: Annotated[
        float, Field(ge=0, le=40, description="corner radius of skip lines (0: square corners)")
    ] = 6.0
    skip_spacing: Annotated[
        float, Field(ge=2, le=100, description="distance between two skip lanes side by side")
    ] = 9.0
    merge_radius: Annotated[
        float, Field(ge=4, le=60, description="radius of the circled add/multiply/concat symbol")
    ] = 8.0
    merge_fill: Color = "#ffffff"
