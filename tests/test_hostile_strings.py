"""Hostile strings in every text field: refused with a located 4xx, or drawn as inert
text, in the API's SVG, in that SVG opened as a page in Chromium, and in the editor
(preview, inline errors, form, share links and autosave)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import TestClient, assert_error, assert_error_body, make_client
from tests.browser import SMALL, EditorPage, chromium, editor, editor_server
from tests.hostile import (
    KITCHEN_SINK,
    PAYLOAD_IDS,
    PAYLOADS,
    accepted_text,
    assert_inert_svg,
    inject,
    link_fragment,
    located_at,
    shows,
    text_locations,
)

__all__ = ["chromium", "editor", "editor_server"]  # fixtures, imported for pytest

LOCATIONS = text_locations()
FREE_TEXT = [loc for loc in LOCATIONS if loc == "title" or loc.endswith(".label")]
SWITCHES = [loc for loc in LOCATIONS if loc == "style" or loc.endswith(".type")]
CONSTRAINED = [loc for loc in LOCATIONS if loc not in FREE_TEXT and loc not in SWITCHES]
STYLES = ("graph", "lenet", "fcnn", "alexnet")
BODY_BUDGET = 800_000  # bytes of payload per request, well under max_body_bytes
GROUPS = [PAYLOADS[i : i + 12] for i in range(0, len(PAYLOADS), 12)]  # one spec each


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


def post(client: TestClient, route: str, spec: dict[str, Any]) -> Any:
    # ensure_ascii keeps a lone surrogate sendable as the JSON escape \ud800
    return client.post(route, content=json.dumps(spec).encode())


def batches(locs: list[str], text: str) -> Iterator[list[str]]:
    """The locations in groups small enough that one request stays under the body limit."""
    size = max(1, BODY_BUDGET // max(1, len(text)))
    for i in range(0, len(locs), size):
        yield locs[i : i + size]


def with_text(locs: list[str], text: str, spec: dict[str, Any] = KITCHEN_SINK) -> dict[str, Any]:
    for loc in locs:
        spec = inject(spec, loc, text)
    return spec


def test_the_corpus_reaches_every_kind_of_text_field() -> None:
    assert len(PAYLOADS) >= 30
    assert {"title", "style", "options.font_family", "options.background"} <= set(LOCATIONS)
    for field in ("name", "label", "color", "inputs", "type", "function", "kind", "mode",
                  "padding", "activation", "rounding", "output_padding"):  # fmt: skip
        assert any(loc.endswith(f".{field}") for loc in LOCATIONS), field
    assert any(loc.startswith("layers[12].layers[0].") for loc in LOCATIONS)  # inside a repeat
    for style in STYLES:
        assert any(loc.startswith(f"options.{style}.") for loc in LOCATIONS), style


@pytest.mark.parametrize("text", [p for _, p in PAYLOADS], ids=PAYLOAD_IDS)
def test_constrained_fields_refuse_each_payload_at_its_location(
    client: TestClient, text: str
) -> None:
    """Names, colors, enums, references, fonts: every one refuses, each located."""
    for group in batches(CONSTRAINED, text):
        r = post(client, "/api/validate", with_text(group, text))
        assert r.status_code == 200, r.text[:300]
        errors = assert_error_body(r.json(), 422)
        missing = [loc for loc in group if not located_at(errors, loc)]
        assert not missing, f"accepted or not located: {missing}"
    for loc in SWITCHES:
        r = post(client, "/api/render?format=svg", inject(KITCHEN_SINK, loc, text))
        assert_error(r, 422)
        assert located_at(r.json()["errors"], loc), (loc, r.json())


@pytest.mark.parametrize("text", [p for _, p in PAYLOADS], ids=PAYLOAD_IDS)
def test_free_text_is_refused_located_or_drawn_as_inert_text(client: TestClient, text: str) -> None:
    """Titles and labels: inert text in the SVG of every style, or a located 422."""
    for group in batches(FREE_TEXT, text):
        spec = with_text(group, text)
        for style in STYLES:
            r = post(client, "/api/render?format=svg", {**spec, "style": style})
            if not accepted_text(text):
                assert_error(r, 422)
                missing = [loc for loc in group if not located_at(r.json()["errors"], loc)]
                assert not missing, missing
                continue
            assert r.status_code == 200, r.text[:300]
            assert r.headers["content-type"] == "image/svg+xml"
            assert r.headers["content-security-policy"].startswith("default-src 'none'")
            disposition = r.headers["content-disposition"]
            assert disposition.isascii() and disposition.count('"') == 2
            assert "\r" not in disposition and "\n" not in disposition
            root = assert_inert_svg(r.text)
            assert shows(root, text), f"{style}: the title should appear as text"


@pytest.mark.parametrize("text", [p for _, p in PAYLOADS], ids=PAYLOAD_IDS)
def test_query_and_path_values_are_refused_located(client: TestClient, text: str) -> None:
    body = json.dumps(KITCHEN_SINK).encode()
    for name in ("background", "format"):
        # surrogatepass: a lone surrogate goes out as the invalid UTF-8 it would be
        query = urllib.parse.urlencode({name: text[:2000]}, errors="surrogatepass")
        r = client.post(f"/api/render?format=png&{query}", content=body)
        assert_error(r, 422, name)
    path = urllib.parse.quote(text[:2000], safe="", errors="surrogatepass")
    r = client.get(f"/api/examples/{path}")
    assert r.status_code in (404, 422), r.status_code
    assert_error_body(r.json(), r.status_code)
    # a payload as a field name is an unknown field, named in the error
    key = text[:100]
    errors = assert_error_body(post(client, "/api/validate", {**KITCHEN_SINK, key: 1}).json(), 422)
    if "\ud800" in key:  # pydantic cannot read the key at all: the message quotes it instead
        assert any(repr(key)[1:-1] in e["msg"] for e in errors), errors
    else:
        assert located_at(errors, key), errors


# -- in Chromium: the SVG opened as a page, and the editor --------------------------------------


def _watch(page: Any, seen: list[str]) -> None:
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}"))
    page.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))


@pytest.mark.browser
def test_every_accepted_svg_is_silent_in_chromium(
    client: TestClient, chromium: Any, editor_server: str
) -> None:
    """The SVG as a page of its own (no CSP to help): nothing runs, nothing loads."""
    context = chromium.new_context(viewport=SMALL)
    page = context.new_page()
    seen: list[str] = []
    requests: list[str] = []
    _watch(page, seen)
    page.on("request", lambda r: requests.append(r.url))
    svgs: dict[str, str] = {}
    for n, group in enumerate(GROUPS):
        for style in STYLES:
            r = post(client, "/api/render?format=svg", {**_hostile_spec(group), "style": style})
            assert r.status_code == 200, r.text[:200]
            svgs[f"group{n}-{style}"] = r.text
    url = f"{editor_server}/hostile.svg"
    current = {"svg": ""}
    page.route(url, lambda route: route.fulfill(status=200, content_type="image/svg+xml",
                                                body=current["svg"]))  # fmt: skip
    try:
        for key, svg in svgs.items():
            current["svg"] = svg
            requests.clear()
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.localName") == "svg", key
            assert page.evaluate("document.querySelectorAll('text').length") > 0, key
            assert page.evaluate("typeof window.__pwned") == "undefined", key
            assert requests == [url], (key, requests)
            assert seen == [], (key, seen)
    finally:
        context.close()


def _no_injected_markup(editor: EditorPage) -> None:
    page = editor.page
    report = page.evaluate(
        """() => ({
          pwned: typeof window.__pwned,
          imgs: document.querySelectorAll('img, iframe, object, embed, foreignObject').length,
          scripts: [...document.scripts].filter(s => !s.src).length,
          handlers: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
            .filter(a => a.name.toLowerCase().startsWith('on'))
            .map(a => el.localName + ' ' + a.name)),
          svgScripts: document.querySelectorAll('#canvas script').length,
        })"""
    )
    assert report == {"pwned": "undefined", "imgs": 0, "scripts": 0, "handlers": [],
                      "svgScripts": 0}, report  # fmt: skip
    assert editor.dialogs == [] and editor.console_errors == [] and editor.page_errors == []


def _hostile_spec(group: list[tuple[str, str]]) -> dict[str, Any]:
    """Payloads spread over titles and labels (drawn) and colors and names (refused)."""
    spec = json.loads(json.dumps(KITCHEN_SINK))
    texts = [t for _, t in group]
    spec["title"] = next(t for t in texts if accepted_text(t))
    for i, layer in enumerate(spec["layers"]):
        text = texts[i % len(texts)]
        if accepted_text(text):
            layer["label"] = text
    return spec


def _with_refusals(spec: dict[str, Any], group: list[tuple[str, str]]) -> dict[str, Any]:
    texts = [t for _, t in group if len(t) < 1000]
    for i, layer in enumerate(spec["layers"][: len(texts)]):
        layer["color"] = texts[i]
    spec["options"] = {"font_family": texts[0], "graph": {"direction": texts[-1]}}
    return spec


@pytest.mark.browser
def test_the_editor_shows_hostile_text_and_errors_as_text(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    for group in GROUPS:
        spec = _hostile_spec(group)
        editor.set_json(spec)
        assert editor.spec() == spec
        texts = editor.svg_texts()
        assert spec["title"] in texts, "the title is drawn as text"
        _no_injected_markup(editor)
        # refused values: their errors (which quote them) are shown as text too
        editor.set_json(_with_refusals(spec, group))
        assert "stale" in (page.locator("#stage").get_attribute("class") or "")
        assert "is not a CSS color" in (editor.error("layers[0].color").text_content() or "")
        _no_injected_markup(editor)
        editor.show_tab("layers")
        assert editor.control("layers[0].color").input_value() == group[0][1][:1000]
        _no_injected_markup(editor)
    editor.show_tab("options")
    _no_injected_markup(editor)


@pytest.mark.browser
def test_hostile_links_and_autosave_open_as_text(editor: EditorPage) -> None:
    page = editor.page
    spec = _hostile_spec(GROUPS[0])
    editor.open("#" + link_fragment(spec))
    assert editor.spec() == spec
    _no_injected_markup(editor)
    page.wait_for_timeout(50)
    spec2 = _with_refusals(_hostile_spec(GROUPS[1]), GROUPS[1])
    page.evaluate(
        "(spec) => localStorage.setItem('nnsketch.editor.v1', JSON.stringify({version: 1, spec}))",
        spec2,
    )
    page.goto(editor.base + "/")
    editor.wait_ready()
    assert editor.spec() == spec2
    _no_injected_markup(editor)
