"""Shared fixtures: the example specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)
