"""Random valid specs in every style keep the geometry invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from nnsketch import build
from nnsketch.styles import STYLES
from tests.checks import assert_finite_and_inside, layer_groups, parse_svg
from tests.strategies import chain_specs

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("style", sorted(STYLES))
def test_random_chains_stay_inside_and_finite(style: str) -> None:
    @FUZZ
    @given(chain_specs(style))
    def check(spec: dict) -> None:
        diagram = build(spec)
        assert_finite_and_inside(diagram.drawing)
        assert layer_groups(diagram.drawing)
        parse_svg(diagram.svg)
        assert build(spec).svg == diagram.svg

    check()


@pytest.mark.parametrize("style", sorted(STYLES))
def test_random_chains_convert_to_png(style: str) -> None:
    @settings(max_examples=5, deadline=None)
    @given(chain_specs(style))
    def check(spec: dict) -> None:
        assert build(spec).png(scale=0.5)[:4] == b"\x89PNG"

    check()
