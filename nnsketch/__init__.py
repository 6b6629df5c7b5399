"""nnsketch: publication-ready neural network architecture diagrams.

>>> import nnsketch
>>> svg = nnsketch.render({"style": "lenet", "layers": [...]})
>>> nnsketch.build(spec).save("net.pdf")
"""

from __future__ import annotations

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
    "load_spec",
    "render",
    "spec_schema",
]
