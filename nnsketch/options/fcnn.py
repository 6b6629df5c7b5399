"""Options of the fcnn style (neurons and edges).

Every control of NN-SVG's FCNN view, plus elision of big layers, bias units,
arrowheads and notes for folded layers (activations, dropout, norms).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..fields import Color


class FcnnOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    direction: Literal["horizontal", "vertical"] = Field(
        "horizontal", description="horizontal: layers left to right; vertical: top to bottom"
    )
    node_diameter: Annotated[float, Field(ge=2, le=200)] = 20.0
    node_fill: Color = Field("#ffffff", description="a layer's color replaces it")
    node_stroke: Color = "#333333"
    node_stroke_width: Annotated[float, Field(ge=0, le=20)] = 1.0
    layer_spacing: Annotated[
        float, Field(ge=10, le=1000, description="distance between layer centres")
    ] = 120.0
    node_spacing: Annotated[float, Field(ge=0, le=500, description="gap between nodes")] = 8.0
    edge_shape: Literal["straight", "bezier"] = "straight"
    edge_color: Color = "#505050"
    edge_width: Annotated[float, Field(ge=0.05, le=20)] = 0.5
    edge_opacity: Annotated[float, Field(ge=0, le=1)] = 0.6
    weight_width: bool = Field(False, description="edge width proportional to a seeded weight")
    weight_opacity: bool = Field(False, description="edge opacity proportional to |weight|")
    weight_color: bool = Field(False, description="negative/positive weights get their colors")
    negative_color: Color = "#d62728"
    positive_color: Color = "#1f77b4"
    arrowheads: bool = False
    show_bias: bool = Field(False, description="a bias unit per layer that feeds a biased layer")
    bias_fill: Color = "#f2f2f2"
    bias_label: Literal["+1", "b", "none"] = "+1"
    show_labels: bool = True
    show_dimensions: bool = Field(True, description="append '∈ ℝⁿ' to each layer label")
    show_notes: bool = Field(
        True, description="note activations, dropout and norms under the layer label"
    )
    label_position: Literal["top", "bottom"] = Field(
        "bottom", description="vertical direction: top puts labels left, bottom right"
    )
    elide: bool = Field(True, description="draw only the first and last nodes of big layers")
    max_nodes: Annotated[
        int, Field(ge=3, le=200, description="largest layer drawn in full when elide is on")
    ] = 16
