"""API fuzzing: schemathesis over the app's own OpenAPI document (every route,
valid and invalid data), and near-valid specs (right structure; extreme numbers,
odd unicode, deep nesting, duplicate names, huge lists) on every spec route and
format. Never a 5xx; every refusal is the one error shape, located in what was
sent. A bounded run here; `python reliability/fuzz.py --examples 5000` is the long one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nnsketch.web import create_app

pytest.importorskip("schemathesis", reason="pip install schemathesis (a test dependency)")

from tests.api_fuzz import (
    EXCLUDED_CHECKS,
    MODES,
    Tally,
    check_answer,
    has_inputs,
    load_schema,
    loc_exists,
    operations,
    parameter_names,
)
from tests.api_support import make_client
from tests.fuzz_specs import near_valid_specs

APP = create_app()
SCHEMA = load_schema(APP)
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in operations(SCHEMA)}
# Known findings, reported: the multipart parser's refusals ("Too many fields", a bad
# header in a part) come back with loc "" or as an undocumented 400.
KNOWN: dict[str, str] = {}  # operations with an accepted, documented deviation
CLIENT = make_client()
TALLY = Tally()
BOUNDED = settings(
    deadline=None,
    database=None,
    derandomize=True,  # the suite is reproducible; the long run explores
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


def test_the_schema_lists_every_api_route() -> None:
    expected = {"POST /api/preview", "POST /api/validate", "POST /api/render", "GET /api/schema",
                "GET /api/examples", "GET /api/examples/{name}", "GET /healthz"}  # fmt: skip
    assert expected <= set(OPERATIONS)


@pytest.mark.parametrize("mode", MODES, ids=[m.value for m in MODES])
@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_schemathesis(key: str, mode: Any, request: pytest.FixtureRequest) -> None:
    operation = OPERATIONS[key]
    if key in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[key], strict=False))
    if mode.value == "negative" and not has_inputs(operation):
        pytest.skip("nothing to make invalid")
    params = parameter_names(operation)
    examples = 15 if key in KNOWN else 40 if operation.method.upper() == "POST" else 15

    @settings(BOUNDED, max_examples=examples)
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        response = case.call()
        TALLY.add(key, response.status_code)
        sent = case.body if isinstance(case.body, dict) else None
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        check_answer(response.status_code, content_type, response.content, sent, params)
        case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

    check()


ROUTES = st.sampled_from(
    ["/api/preview", "/api/validate", "/api/render?format=svg", "/api/render?format=png",
     "/api/render?format=pdf", "/api/render?format=png&scale=10"]
)  # fmt: skip


@settings(BOUNDED, max_examples=250)
@given(spec=near_valid_specs(), route=ROUTES)
def test_near_valid_specs_are_answered_or_refused_in_place(
    spec: dict[str, Any], route: str
) -> None:
    body = json.dumps(spec).encode()  # ensure_ascii: lone surrogates travel as escapes
    r = CLIENT.post(route, content=body)
    TALLY.add("near-valid " + route.split("?")[0], r.status_code)
    error = check_answer(r.status_code, r.headers["content-type"], r.content, spec,
                         frozenset({"format", "scale"}))  # fmt: skip
    if error is not None and len(body) <= 1_000_000:
        assert all(e["loc"] != "body" for e in error["errors"]), error
    if r.status_code == 200 and route.startswith("/api/render"):
        assert r.content.startswith((b"<?xml", b"<svg", b"\x89PNG", b"%PDF")), r.content[:20]


def test_locations_are_resolved_against_what_was_sent() -> None:
    spec = {"layers": [{"type": "input", "units": 3}, {"type": "repeat", "layers": [{}]}]}
    assert loc_exists(spec, "layers[1].layers[0].type")
    assert loc_exists(spec, "layers[0].units")
    assert not loc_exists(spec, "layers[5].units")
    assert not loc_exists(spec, "options.fcnn.node_fill")
    assert not loc_exists(spec, "")


def test_print_the_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this file: how many requests were fuzzed, by route and status."""
    assert TALLY.total > 0
    with capsys.disabled():
        print(f"\nfuzzed {TALLY.total} requests, none answered 5xx:")
        for line in TALLY.lines():
            print("  " + line)
