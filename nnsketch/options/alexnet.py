"""Options of the alexnet style (3D blocks with kernel pyramids)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color

Scale = Literal["linear", "sqrt", "log"]


class AlexnetOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fill: Color = "#e0e0e0"
    stroke: Color = "#333333"
    stroke_width: Annotated[float, Field(ge=0, le=10)] = 1.0
    opacity: Annotated[float, Field(ge=0, le=1)] = 1.0
    kernel_color: Color = "#ff6b6b"
    kernel_opacity: Annotated[float, Field(ge=0, le=1)] = 0.6
    pyramid_color: Color = "#ff6b6b"
    pyramid_opacity: Annotated[float, Field(ge=0, le=1)] = 0.25
    dense_fill: Color = "#c8dcf0"
    layer_spacing: Annotated[float, Field(ge=0, le=1000)] = 40.0
    spatial_scale: Scale = "log"
    spatial_factor: Annotated[float, Field(gt=0, le=100)] = 20.0
    depth_scale: Scale = "log"
    depth_factor: Annotated[float, Field(gt=0, le=100)] = 8.0
    dense_scale: Scale = "log"
    dense_factor: Annotated[float, Field(gt=0, le=100)] = 20.0
    min_size: Annotated[float, Field(ge=1, le=100)] = 4.0
    max_size: Annotated[float, Field(ge=10, le=2000)] = 300.0
    azimuth: Annotated[float, Field(ge=-89, le=89, description="degrees")] = -35.0
    elevation: Annotated[float, Field(ge=-89, le=89, description="degrees")] = 25.0
    projection: Literal["orthographic", "perspective"] = "orthographic"
    camera_distance: Annotated[
        float, Field(ge=100, le=100_000, description="perspective camera distance")
    ] = 1500.0
    show_kernels: bool = True
    show_dimensions: bool = True
    show_labels: bool = True
