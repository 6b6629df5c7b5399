"""Random valid branching networks (residual adds, concatenated branches, gates,
repeat blocks, down/up sampling) with random options, in every style: finite
coordinates, everything (text included) inside the viewBox, the same bytes on
every build, and an SVG that cairosvg converts."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from nnsketch import build
from nnsketch.errors import LimitError
from nnsketch.styles import STYLES
from tests.checks import assert_finite_and_inside, layer_groups, layer_index, parse_svg
from tests.fuzz_specs import branching_specs

GEOMETRY = settings(
    max_examples=35, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_geometry(spec: dict[str, Any], png: bool) -> None:
    """Every invariant of one spec's drawing; specs over a drawing limit are skipped."""
    try:
        diagram = build(spec)
    except LimitError:
        assume(False)
        raise
    drawing = diagram.drawing
    assert_finite_and_inside(drawing)
    groups = layer_groups(drawing)
    assert groups, "no layer is drawn"
    count = len(diagram.network.layers)
    assert all(0 <= layer_index(g) < count for g in groups)
    root = parse_svg(diagram.svg)
    view = [float(v) for v in (root.get("viewBox") or "").split()]
    assert len(view) == 4 and all(math.isfinite(v) for v in view) and view[2] > 0 < view[3]
    assert float(root.get("width") or 0) > 0 and float(root.get("height") or 0) > 0
    assert build(spec).svg == diagram.svg, "the same spec drew different bytes"
    if png:
        assert diagram.png(scale=0.2)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("style", sorted(STYLES))
def test_branching_networks_keep_the_invariants(style: str) -> None:
    @GEOMETRY
    @given(branching_specs(style))
    def check(spec: dict[str, Any]) -> None:
        check_geometry(spec, png=False)

    check()


@pytest.mark.parametrize("style", sorted(STYLES))
def test_branching_networks_convert_with_cairosvg(style: str) -> None:
    @settings(GEOMETRY, max_examples=8)
    @given(branching_specs(style, max_blocks=3))
    def check(spec: dict[str, Any]) -> None:
        check_geometry(spec, png=True)

    check()
