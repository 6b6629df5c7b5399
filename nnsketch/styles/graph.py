"""The graph style (placeholder until the layered layout lands)."""

from __future__ import annotations

from ..analysis import Network
from ..primitives import Drawing, Group, Rect
from .common import finish, layer_group, plain


def layout(net: Network) -> Drawing:
    """One box per layer, top to bottom."""
    size = net.spec.options.font_size
    groups: list[Group] = []
    for i, info in enumerate(net.layers):
        y = i * 50.0
        rect = Rect(0, y, 160, 36, fill=info.layer.color or "#e0e0e0", stroke="#333333")
        groups.append(layer_group(info, (rect, plain(80, y + 22, info.name, size))))
    return finish(net, groups)
