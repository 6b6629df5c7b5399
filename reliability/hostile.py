"""The long hostile-string run: every payload of tests/hostile.py in every text
field of the spec, one request each (the test suite sends them in batches), and
every accepted SVG opened as a page in Chromium with console, dialog and request
listeners that must stay silent.

    python reliability/hostile.py            # ~5,000 requests, ~400 pages

Exits 1 on a payload that is accepted where it should not be, not located, or not inert.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from typing import Any

import _common

from tests.api_support import make_client
from tests.hostile import (
    KITCHEN_SINK,
    PAYLOADS,
    accepted_text,
    assert_inert_svg,
    inject,
    located_at,
    text_locations,
)

STYLES = ("graph", "lenet", "fcnn", "alexnet")


def check_api(svgs: dict[str, str]) -> tuple[int, list[str]]:
    client = make_client()
    failures: list[str] = []
    sent = 0
    for name, text in PAYLOADS:
        for loc in text_locations():
            free = loc == "title" or loc.endswith(".label")
            for style in STYLES if free else ("graph",):
                spec = inject({**KITCHEN_SINK, "style": style}, loc, text)
                r = client.post("/api/render?format=svg", content=json.dumps(spec).encode())
                sent += 1
                if free and accepted_text(text):
                    try:
                        assert r.status_code == 200, r.status_code
                        assert_inert_svg(r.text)
                        svgs[f"{name} {loc} {style}"] = r.text
                    except AssertionError as exc:
                        failures.append(f"{name} at {loc} ({style}): {exc}")
                elif r.status_code != 422 or not located_at(r.json()["errors"], loc):
                    failures.append(f"{name} at {loc}: {r.status_code} {r.text[:200]}")
    return sent, failures


def check_chromium(svgs: dict[str, str], limit: int) -> tuple[int, list[str]]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        return 0, ["Chromium is not installed"]
    failures: list[str] = []
    url = "http://127.0.0.1:9/hostile.svg"  # never reached: the route answers it
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page()
        seen: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: seen.append(f"console: {m.text}"))
        page.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: seen.append(f"error: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        current: dict[str, Any] = {}
        page.route(url, lambda route: route.fulfill(content_type="image/svg+xml",
                                                    body=current["svg"]))  # fmt: skip
        opened = 0
        for key, svg in list(svgs.items())[:limit]:
            current["svg"] = svg
            seen.clear()
            requests.clear()
            page.goto(url)
            opened += 1
            pwned = page.evaluate("typeof window.__pwned") != "undefined"
            if seen or pwned or requests != [url]:
                failures.append(f"{key}: {seen} pwned={pwned} requests={requests}")
        browser.close()
    return opened, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000, help="SVGs to open at most")
    args = parser.parse_args()
    _common.header("Hostile strings in every text field")
    started = time.monotonic()
    svgs: dict[str, str] = {}
    sent, failures = check_api(svgs)
    print(f"{len(PAYLOADS)} payloads x {len(text_locations())} text fields: {sent} requests, "
          f"{len(svgs)} SVGs drawn with the payload as text, {len(failures)} failures")  # fmt: skip
    opened, browser_failures = check_chromium(svgs, args.pages)
    failures += browser_failures
    print(f"{opened} SVGs opened in Chromium: {len(browser_failures)} ran, talked or loaded "
          f"anything; {time.monotonic() - started:.0f} s in all")  # fmt: skip
    for failure in failures[:20]:
        print("FAILED " + failure)
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
