"""Every example in every style that fits it: invariants, structure, pixels, goldens."""

from __future__ import annotations

import pytest

from nnsketch import build
from tests.checks import (
    assert_finite_and_inside,
    assert_png_not_blank,
    layer_groups,
    parse_svg,
    svg_layer_groups,
)
from tests.conftest import load
from tests.goldens import cases, difference, golden_path

CASES = cases()


@pytest.mark.parametrize(("example", "style"), CASES, ids=[f"{e}-{s}" for e, s in CASES])
def test_example_renders_cleanly(example: str, style: str) -> None:
    diagram = build(load(example), style=style)
    assert_finite_and_inside(diagram.drawing)
    groups = layer_groups(diagram.drawing)
    assert groups, "no layer groups drawn"
    root = parse_svg(diagram.svg)
    assert len(svg_layer_groups(root)) == len(groups)
    rows = {int(g.get("data-layer")) for g in svg_layer_groups(root)}
    assert rows <= set(range(len(diagram.spec.layers)))
    assert diagram.svg == build(load(example), style=style).svg


@pytest.mark.parametrize(("example", "style"), CASES, ids=[f"{e}-{s}" for e, s in CASES])
def test_example_matches_golden(example: str, style: str) -> None:
    png = build(load(example), style=style).png(scale=1, background="white")
    assert_png_not_blank(png)
    path = golden_path(example, style)
    if not path.exists():
        pytest.fail(f"no golden image {path.name}; run scripts/update-goldens and look at it")
    same_size, changed, mean = difference(png, path.read_bytes())
    assert same_size, f"{path.name}: size changed; run scripts/update-goldens if intended"
    assert changed < 0.01 and mean < 2.0, (
        f"{path.name}: {changed:.2%} of pixels differ (mean {mean:.2f}); "
        "look at the new render and run scripts/update-goldens if the change is intended"
    )
