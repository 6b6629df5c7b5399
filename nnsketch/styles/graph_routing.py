"""Edge routes for the graph style: ports on box borders, paths through reserved channels.

Abstract axes as in `graph_placement`: *cross* along a rank, *along* from rank to
rank. An edge leaves its source at a port on the border that faces the next rank
and enters its target at a port on the border that faces the previous one. Ports
on one border are spread in the order of where their edges go, so edges never
cross at a box; the edge that continues straight keeps the centre.

Between two ranks an edge is a cubic curve whose tangents follow the flow; its
control points lie inside the gap between the ranks, so the curve never leaves
it. Inside a rank an edge runs straight along the flow, either through its own
virtual node's channel or in the stub between its box and the edge of the rank.
Boxes only occupy their own rank, and channels keep their gap from boxes, so no
route passes through a box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..primitives import PathCommand
from .graph_layering import Layered


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the placed nodes are: centres across, sizes across and along, rank bands."""

    cross: Sequence[float]
    size: Sequence[float]
    along: Sequence[float]
    bands: Sequence[tuple[float, float]]


def _spread(targets: list[float], centre: float, half: float, inset: float,
            spacing: float) -> list[float]:  # fmt: skip
    """Ports for edges heading to `targets` (sorted): the straight one keeps the centre."""
    k = len(targets)
    straight = [i for i, c in enumerate(targets) if abs(c - centre) < 0.5]
    anchor = float(straight[0]) if straight else (k - 1) / 2
    reach = max(anchor, k - 1 - anchor)
    step = min(spacing, max(0.0, half - inset) / reach) if reach else 0.0
    return [centre + (i - anchor) * step for i in range(k)]


def ports(lay: Layered, frame: Frame, inset: float,
          spacing: float) -> tuple[list[float], list[float]]:  # fmt: skip
    """(port where each edge leaves its source, port where it enters its target), across."""
    outs: list[list[int]] = [[] for _ in range(lay.n_real)]
    ins: list[list[int]] = [[] for _ in range(lay.n_real)]
    for e, chain in enumerate(lay.chains):
        outs[chain[0]].append(e)
        ins[chain[-1]].append(e)
    cross = frame.cross
    out_port = [0.0] * len(lay.chains)
    in_port = [0.0] * len(lay.chains)
    for v in range(lay.n_real):
        half = frame.size[v] / 2
        for edges, port, near, far in ((outs[v], out_port, 1, -1), (ins[v], in_port, -2, 0)):
            edges.sort(key=lambda e: (cross[lay.chains[e][near]], cross[lay.chains[e][far]], e))
            heads = [cross[lay.chains[e][near]] for e in edges]
            for e, p in zip(edges, _spread(heads, cross[v], half, inset, spacing), strict=True):
                port[e] = p
    return out_port, in_port


class _Path:
    """Path commands in (cross, along), merging straight runs along the flow."""

    def __init__(self, c: float, a: float) -> None:
        self.commands: list[PathCommand] = [("M", (c, a))]
        self.c, self.a = c, a
        self.straight_run = False

    def line(self, c: float, a: float) -> None:
        if abs(a - self.a) < 1e-9 and abs(c - self.c) < 1e-9:
            return
        along_flow = abs(c - self.c) < 1e-9
        if along_flow and self.straight_run:
            self.commands[-1] = ("L", (c, a))
        else:
            self.commands.append(("L", (c, a)))
        self.straight_run = along_flow
        self.c, self.a = c, a

    def curve(self, c: float, a: float) -> None:
        if abs(c - self.c) < 0.01:
            self.line(self.c, a)
            return
        mid = (self.a + a) / 2
        self.commands.append(("C", (self.c, mid, c, mid, c, a)))
        self.c, self.a = c, a
        self.straight_run = False


def routes(lay: Layered, frame: Frame, out_port: list[float], in_port: list[float],
           tip: float) -> list[tuple[PathCommand, ...]]:  # fmt: skip
    """One path per edge, from the source's border to `tip` short of the target's border
    (the arrowhead's point reaches the border)."""
    bands = frame.bands
    out: list[tuple[PathCommand, ...]] = []
    for e, chain in enumerate(lay.chains):
        s, t = chain[0], chain[-1]
        s0, s1 = bands[lay.rank[s]]
        path = _Path(out_port[e], (s0 + s1) / 2 + frame.along[s] / 2)
        path.line(out_port[e], s1)
        for w in chain[1:]:
            start, end = bands[lay.rank[w]]
            if w == t:
                stop = (start + end) / 2 - frame.along[t] / 2 - tip
                path.curve(in_port[e], min(start, stop))
                path.line(in_port[e], stop)
            else:
                path.curve(frame.cross[w], start)
                path.line(frame.cross[w], end)
        out.append(tuple(path.commands))
    return out
