"""Options of the graph style (layered DAG of layer boxes, Netscope-like)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GraphOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: Literal["TB", "LR"] = Field("TB", description="top-to-bottom or left-to-right")
    fold_inplace: bool = Field(
        False, description="fold activation, norm and dropout layers into the layer they follow"
    )
    collapse_repeats: bool = Field(False, description="draw a repeat block once with an ×N badge")
    show_legend: bool = True
