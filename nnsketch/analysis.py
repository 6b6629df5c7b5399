"""The analysed network: every layer's inputs, output shape and cost.

`analyze(spec)` resolves which layer feeds which (`topology`), applies the shape
rules (`shapes`) in dependency order, and returns a frozen `Network`. Styles read
only the `Network`. A layer's ``height``/``width``/``depth`` replaces the inferred
size, so arbitrary diagrams still draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Issue, SpecError
from .fields import Pair
from .layers import MERGE_TYPES, ConvLayer, DeconvLayer, InputLayer, Layer, PoolLayer
from .shapes import Cost, Shape, infer, override
from .spec import Spec
from .topology import expand, topological_order

__all__ = ["LayerInfo", "Network", "Shape", "analyze", "check"]


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """Everything derived about one layer; styles read only this and the spec."""

    index: int
    name: str
    type: str
    layer: Layer
    input: Shape | None
    output: Shape
    params: int
    non_trainable: int
    macs: int
    inputs: tuple[int, ...] = ()
    loc: str = ""
    row: int = 0
    group: str | None = None
    copy: int = 0

    @property
    def kernel(self) -> Pair | None:
        if isinstance(self.layer, ConvLayer | PoolLayer | DeconvLayer):
            return self.layer.kernel
        return None

    @property
    def is_merge(self) -> bool:
        return self.type in MERGE_TYPES

    def summary(self) -> dict[str, object]:
        """JSON-ready row: what the API's validate route and `nnsketch summary` report."""
        return {
            "index": self.index,
            "row": self.row,
            "loc": self.loc,
            "name": self.name,
            "type": self.type,
            "inputs": list(self.inputs),
            "output": self.output.as_list(),
            "output_text": str(self.output),
            "params": self.params,
            "non_trainable": self.non_trainable,
            "macs": self.macs,
        }


@dataclass(frozen=True, slots=True)
class Network:
    """A validated spec with every layer's inputs, inferred shape and cost."""

    spec: Spec
    layers: tuple[LayerInfo, ...]

    @property
    def total_params(self) -> int:
        return sum(info.params for info in self.layers)

    @property
    def total_non_trainable(self) -> int:
        return sum(info.non_trainable for info in self.layers)

    @property
    def total_macs(self) -> int:
        return sum(info.macs for info in self.layers)

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """(source index, target index) for every connection."""
        return tuple((src, info.index) for info in self.layers for src in info.inputs)

    @property
    def is_chain(self) -> bool:
        """True when every layer takes just the layer before it (no branches or skips)."""
        return all(info.inputs == ((info.index - 1,) if info.index else ()) for info in self.layers)

    @property
    def has_repeats(self) -> bool:
        return any(info.group is not None for info in self.layers)


def _cost(layer: Layer, ins: list[Shape], in_names: list[str], loc: str) -> Cost:
    try:
        return infer(layer, ins, in_names, loc)
    except SpecError:
        stated = not isinstance(layer, InputLayer) and layer.height and layer.width
        if not stated:
            raise
        return Cost(Shape(layer.depth or 1, layer.height, layer.width))


def analyze(spec: Spec) -> Network:
    """Infer every layer's output shape and cost; raise SpecError at the first impossible one."""
    nodes = expand(spec)
    outputs: dict[int, Shape] = {}
    infos: dict[int, LayerInfo] = {}
    for i in topological_order(nodes):
        node = nodes[i]
        ins = [outputs[j] for j in node.inputs]
        cost = _cost(node.layer, ins, [nodes[j].name for j in node.inputs], node.loc)
        out = override(node.layer, cost.output)
        outputs[i] = out
        infos[i] = LayerInfo(
            i, node.name, node.layer.type, node.layer, ins[0] if ins else None, out,
            cost.params, cost.non_trainable, cost.macs, node.inputs, node.loc, node.row,
            node.group, node.copy,
        )  # fmt: skip
    return Network(spec, tuple(infos[i] for i in range(len(nodes))))


def check(spec: Spec) -> list[Issue]:
    """Located problems of a spec that passed schema validation (empty when fine)."""
    try:
        analyze(spec)
    except SpecError as exc:
        return list(exc.issues)
    return []
