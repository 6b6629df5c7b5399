"""nnsketch: publication-ready neural network architecture diagrams.

>>> import nnsketch
>>> svg = nnsketch.render({"style": "lenet", "layers": [...]})
>>> nnsketch.build(spec).save("net.pdf")
"""

from __future__ import annotations

from typing import Any

from .analysis import LayerInfo, Network, Shape, analyze
from .errors import ExportError, Issue, LimitError, NnsketchError, SpecError
from .render import Diagram, build, render
from .spec import Spec, load_spec, spec_schema

__version__ = "0.1.0"

__all__ = [
    "Diagram",
    "ExportError",
    "Issue",
    "LayerInfo",
    "LimitError",
    "Network",
    "NnsketchError",
    "Shape",
    "Spec",
    "SpecError",
    "analyze",
    "build",
    "from_torch",
    "load_spec",
    "render",
    "spec_schema",
]


def from_torch(model: Any, input_shape: Any, **options: Any) -> dict[str, Any]:
    """The spec of a PyTorch module traced on meta tensors (needs torch; imported here).

    `input_shape` includes the batch axis, e.g. (1, 3, 224, 224); `style` and `fold`
    are as for `nnsketch.importers.read_model`.
    """
    from .importers.torch_import import from_torch as trace

    return trace(model, input_shape, **options)
