"""The long geometry fuzzing run: random valid branching networks with random
options in every style (tests/fuzz_specs.py), each checked like the suite does:
finite coordinates, everything inside the viewBox, the same bytes twice, and
(for every `--png-every`-th spec) an SVG that cairosvg converts.

    python reliability/geometry.py --examples 1000

Exits 1 on the first style that breaks an invariant, printing the spec.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import _common
from hypothesis import HealthCheck, Phase, given, settings

from nnsketch.styles import STYLES
from tests.fuzz_specs import branching_specs
from tests.test_fuzz_geometry import check_geometry


def run(style: str, examples: int, png_every: int) -> tuple[int, str | None]:
    count = [0]
    failing: list[dict[str, Any]] = []

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(branching_specs(style))
    def check(spec: dict[str, Any]) -> None:
        count[0] += 1
        try:
            check_geometry(spec, png=count[0] % png_every == 0)
        except AssertionError:
            failing[:] = [spec]
            raise

    try:
        check()
    except AssertionError as exc:
        return count[0], f"{exc}\nspec: {json.dumps(failing[0]) if failing else '?'}"
    return count[0], None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=500, help="per style")
    parser.add_argument("--png-every", type=int, default=10)
    args = parser.parse_args()
    _common.header("Geometry fuzzing")
    failed = False
    for style in sorted(STYLES):
        started = time.monotonic()
        drawn, failure = run(style, args.examples, max(1, args.png_every))
        print(f"  {style:8s} {drawn:6d} specs in {time.monotonic() - started:6.1f} s  "
              f"{'FAILED' if failure else 'ok'}")  # fmt: skip
        if failure:
            failed = True
            print(failure[:4000])
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
