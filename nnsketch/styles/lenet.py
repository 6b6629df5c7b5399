"""The lenet style (placeholder: one box per layer until the real layout lands)."""

from __future__ import annotations

from ..analysis import Network
from ..primitives import Drawing, Group, Rect
from .common import finish, layer_group, plain


def layout(net: Network) -> Drawing:
    """Lay the network out left to right."""
    size = net.spec.options.font_size
    groups: list[Group] = []
    for i, info in enumerate(net.layers):
        x = i * 60.0
        rect = Rect(x, 0, 40, 40, fill=info.layer.color or "#e0e0e0", stroke="#333333")
        groups.append(layer_group(info, (rect, plain(x + 20, 60, str(info.output), size))))
    return finish(net, groups)
