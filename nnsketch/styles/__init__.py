"""The style registry: every style is one module with `layout(net) -> Drawing`.

Adding a style touches its module, one line here, its options section, a test
and an example. `StyleName` in `spec` must list the same names (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable

from ..analysis import Network
from ..primitives import Drawing
from . import alexnet, fcnn, graph, lenet

Layout = Callable[[Network], Drawing]

STYLES: dict[str, Layout] = {
    "fcnn": fcnn.layout,
    "lenet": lenet.layout,
    "alexnet": alexnet.layout,
    "graph": graph.layout,
}


def get_layout(style: str) -> Layout:
    """The layout function of a registered style."""
    return STYLES[style]
