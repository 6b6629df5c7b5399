"""What every fuzzed API answer must satisfy, shared by tests/test_fuzz_api.py and
reliability/fuzz.py: never a 5xx, and every refusal in the one error shape with a
message whose location exists in what was sent."""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

from tests.api_support import assert_error_body

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # schemathesis imports starlette's testclient too
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import (
        max_response_time,
        negative_data_rejection,
        positive_data_acceptance,
    )

# preview/validate answer 200 with located errors for any JSON object (documented), and a
# spec can be valid JSON Schema yet impossible (a kernel larger than its input), so the
# two "accept valid / reject invalid" checks do not apply; timing is measured elsewhere.
EXCLUDED_CHECKS = [negative_data_rejection, positive_data_acceptance, max_response_time]


def loc_exists(data: Any, loc: str) -> bool:
    """`loc` is a location in `data`, or a field missing from an object that is.
    Locations are compared as text, the way the API writes them: keys may hold any
    character, so a location cannot be parsed back into steps."""
    if not loc:
        return False
    nodes = dict(_walk(data))
    if loc in nodes:
        return True
    if isinstance(data, dict) and re.fullmatch(r"[A-Za-z_]\w*", loc):
        return True  # a missing top-level field
    return any(isinstance(v, dict) and loc.startswith(f"{p}.") for p, v in nodes.items())


def _walk(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{prefix}.{key}" if prefix else str(key)
            yield here, value
            yield from _walk(value, here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            here = f"{prefix}[{i}]"
            yield here, value
            yield from _walk(value, here)


def check_answer(
    status: int, content_type: str, body: bytes, sent: Any, params: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Assert the invariants of one answer (`params`: the route's query and path
    parameter names, valid locations too); returns the error body when it is one."""
    assert status < 500, (status, body[:300])
    if not content_type.startswith("application/json"):
        assert status < 400, (status, content_type)
        return None
    payload = json.loads(body)
    if not (isinstance(payload, dict) and payload.get("ok") is False):
        assert status < 400, (status, body[:300])
        return None
    errors = assert_error_body(payload, payload["status"])
    assert payload["status"] >= 400
    if isinstance(sent, dict):
        for e in errors:
            at = e["loc"]
            # JSON the parser refuses has no field yet: its message gives the place instead
            unparsed = at == "" and e["msg"].startswith("invalid JSON")
            located = unparsed or at in params or at == "body" or (at and loc_exists(sent, at))
            assert located, f"error not located in what was sent: {e}"
    return payload


class Tally:
    """Counts of requests by route and status, for the printed figures."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()

    def add(self, route: str, status: int) -> None:
        self.counts[(route, status)] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        by_route: dict[str, Counter[int]] = {}
        for (route, status), n in self.counts.items():
            by_route.setdefault(route, Counter())[status] += n
        return [
            f"{route:32s} {sum(c.values()):6d}  "
            + " ".join(f"{s}:{n}" for s, n in sorted(c.items()))
            for route, c in sorted(by_route.items())
        ]


def load_schema(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return schemathesis.openapi.from_asgi("/openapi.json", app)


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def parameter_names(operation: Any) -> frozenset[str]:
    return frozenset(p.name for p in operation.iter_parameters())


def has_inputs(operation: Any) -> bool:
    """Negative data needs something to break: a body or a parameter."""
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


MODES = list(GenerationMode)
