"""The long API fuzzing run: schemathesis over every route of the app's own OpenAPI
document (valid and invalid data), then near-valid specs on every spec route and
format. Same checks as tests/test_fuzz_api.py (never a 5xx; every refusal the one
error shape, located in what was sent), many more examples, no fixed seed.

    python reliability/fuzz.py --examples 5000           # per route and mode
    python reliability/fuzz.py --examples 500 --route /api/import

Exits 1 on the first route that fails, printing the failing request.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from typing import Any

import _common
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nnsketch.web import create_app
from tests.api_fuzz import (
    EXCLUDED_CHECKS,
    MODES,
    Tally,
    check_answer,
    has_inputs,
    load_schema,
    operations,
    parameter_names,
)
from tests.api_support import make_client
from tests.fuzz_specs import near_valid_specs

ROUTES = ["/api/preview", "/api/validate", "/api/render?format=svg", "/api/render?format=png",
          "/api/render?format=pdf", "/api/render?format=png&scale=10"]  # fmt: skip


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report the failure as found: no long shrink
        suppress_health_check=list(HealthCheck),
    )


def _checker(
    operation: Any, mode: Any, key: str, params: frozenset[str], many: int, tally: Tally
) -> Any:
    @_settings(many)
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        response = case.call()
        tally.add(key, response.status_code)
        sent = case.body if isinstance(case.body, dict) else None
        content_type = response.headers.get("content-type", [""])
        if isinstance(content_type, list):
            content_type = content_type[0]
        check_answer(response.status_code, content_type, response.content, sent, params)
        case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

    return check


def fuzz_schema(
    examples: int, route: str | None, tally: Tally, budget: _common.Budget, failures: list[str]
) -> None:
    schema = load_schema(create_app())
    for operation in operations(schema):
        key = f"{operation.method.upper()} {operation.path}"
        if route and operation.path != route:
            continue
        params = parameter_names(operation)
        for mode in MODES:
            if mode.value == "negative" and not has_inputs(operation):
                continue
            if budget.left() <= 0:
                print("  time budget spent; stopping")
                return
            many = examples if operation.method.upper() != "GET" else max(1, examples // 5)

            check = _checker(operation, mode, key, params, many, tally)
            started = time.monotonic()
            try:
                check()
                verdict = "ok"
            except BaseException as exc:  # schemathesis raises a BaseExceptionGroup
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                verdict = "FAILED"
                failures.append(f"{key} ({mode.value}): {str(exc)[:2000]}")
            print(f"  {key:28s} {mode.value:8s} {many:6d} examples in "
                  f"{time.monotonic() - started:6.1f} s  {verdict}")  # fmt: skip


def fuzz_near_valid(examples: int, tally: Tally) -> None:
    client = make_client()

    @_settings(examples)
    @given(spec=near_valid_specs(), route=st.sampled_from(ROUTES))
    def check(spec: dict[str, Any], route: str) -> None:
        r = client.post(route, content=json.dumps(spec).encode())
        tally.add("near-valid " + route.split("?")[0], r.status_code)
        check_answer(r.status_code, r.headers["content-type"], r.content, spec,
                     frozenset({"format", "scale"}))  # fmt: skip

    started = time.monotonic()
    check()
    print(f"  near-valid specs {examples:6d} examples in {time.monotonic() - started:6.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="per route and mode")
    parser.add_argument("--route", help="only this path, e.g. /api/render")
    parser.add_argument("--near-valid-only", action="store_true", help="skip schemathesis")
    parser.add_argument("--max-minutes", type=float, default=60, help="wall-clock budget")
    args = parser.parse_args()
    _common.header("API fuzzing")
    warnings.simplefilter("ignore")
    tally = Tally()
    budget = _common.Budget(args.max_minutes * 60)
    started = time.monotonic()
    failures: list[str] = []
    if not args.near_valid_only:
        fuzz_schema(args.examples, args.route, tally, budget, failures)
    if not args.route and budget.left() > 0:
        try:
            fuzz_near_valid(args.examples, tally)
        except Exception as exc:
            failures.append(f"near-valid specs: {str(exc)[:2000]}")
    verdict = f"{len(failures)} failing" if failures else "no 5xx, every refusal located"
    print(f"fuzzed {tally.total} requests in {time.monotonic() - started:.0f} s, {verdict}:")
    for line in tally.lines():
        print("  " + line)
    for failure in failures:
        print(f"\nFAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
