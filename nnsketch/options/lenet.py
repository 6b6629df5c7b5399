"""Options of the lenet style (stacked 2D feature maps)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color

Scale = Literal["linear", "sqrt", "log"]


class LenetOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fill_a: Color = "#e0e0e0"
    fill_b: Color = "#ffffff"
    stroke: Color = "#000000"
    border_width: Annotated[float, Field(ge=0, le=10)] = 1.0
    opacity: Annotated[float, Field(ge=0, le=1)] = 1.0
    map_spacing: Annotated[float, Field(ge=1, le=100, description="offset between maps")] = 10.0
    layer_spacing: Annotated[float, Field(ge=0, le=1000)] = 50.0
    max_maps: Annotated[int, Field(ge=1, le=64, description="maps drawn per stack at most")] = 8
    scale: Scale = "sqrt"
    scale_factor: Annotated[float, Field(gt=0, le=100)] = 10.0
    min_size: Annotated[float, Field(ge=1, le=500)] = 12.0
    max_size: Annotated[float, Field(ge=1, le=2000)] = 220.0
    show_kernels: bool = True
    kernel_color: Color = "#000000"
    kernel_opacity: Annotated[float, Field(ge=0, le=1)] = 0.6
    show_labels: bool = True
    show_captions: bool = True
    dense_width: Annotated[float, Field(ge=1, le=100)] = 12.0
