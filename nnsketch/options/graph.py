"""Options of the graph style (layered DAG of layer boxes, Netscope-like)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class GraphOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: Literal["TB", "LR"] = Field("TB", description="top-to-bottom or left-to-right")
    fold_inplace: bool = Field(
        False, description="fold activation, norm and dropout layers into the layer they follow"
    )
    collapse_repeats: bool = Field(False, description="draw a repeat block once with an ×N badge")
    show_legend: bool = Field(True, description="list the layer types' colours beside the graph")
    show_shapes: bool = Field(True, description="write each layer's output shape in its box")
    show_costs: bool = Field(False, description="write each layer's parameters and MACs")
    rank_gap: Annotated[
        float, Field(ge=1.5, le=10, description="space between ranks, in font sizes")
    ] = 2.4
    node_gap: Annotated[
        float, Field(ge=0.5, le=10, description="space between boxes of one rank, in font sizes")
    ] = 1.8
