"""Where the templates, static files and examples live.

In a source checkout (or an editable install) they sit next to the package, at the
project root; a wheel carries them inside the package. Both layouts work.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Directory `name` ('templates', 'static' or 'examples'), installed or in the source tree."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"nnsketch's {name}/ directory is missing; reinstall with 'pip install nnsketch'"
    )
