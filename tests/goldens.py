"""Golden images: which renders are pinned, and how they are compared.

`scripts/update-goldens` rewrites them on purpose; the test compares within a
tolerance so antialiasing noise passes but a moved label or face does not.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"

CROSS_STYLE = {"lenet5": ("alexnet", "fcnn"), "mnist_cnn": ("alexnet",), "alexnet": ("lenet",)}


def cases() -> list[tuple[str, str]]:
    """(example, style) pairs: each example in its own style plus a few others."""
    out: list[tuple[str, str]] = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        own = json.loads(path.read_text(encoding="utf-8"))["style"]
        out.append((path.stem, own))
        out.extend((path.stem, style) for style in CROSS_STYLE.get(path.stem, ()))
    return out


def golden_path(example: str, style: str) -> Path:
    return GOLDEN_DIR / f"{example}-{style}.png"


def difference(a: bytes, b: bytes) -> tuple[bool, float, float]:
    """(same size, share of pixels that differ visibly, mean absolute channel difference)."""
    from PIL import Image, ImageChops

    with Image.open(io.BytesIO(a)) as ia, Image.open(io.BytesIO(b)) as ib:
        x, y = ia.convert("RGBA"), ib.convert("RGBA")
        if x.size != y.size:
            return False, 1.0, 255.0
        diff = ImageChops.difference(x, y)
        pixels = x.size[0] * x.size[1]
        hist = diff.convert("L").histogram()
        changed = sum(hist[40:]) / pixels
        bands = diff.split()
        mean = sum(sum(i * n for i, n in enumerate(b.histogram())) for b in bands) / (4 * pixels)
        return True, changed, mean
