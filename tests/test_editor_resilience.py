"""The editor when things go wrong, in real Chromium: the real server going away and
coming back mid-edit, a server that answers slowly or never, and damaged autosave
entries and share links of every kind. Each time the editor says what happened,
keeps the last diagram and the user's input, and works on; never a blank page.
(tests/test_editor.py covers an aborted preview, a non-JSON autosave and a
non-deflate link; these are the other ways.)"""

from __future__ import annotations

import contextlib
import json
import signal
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import SMALL, EditorPage, chromium, editor, editor_server
from tests.conftest import load
from tests.hostile import link_fragment, raw_fragment
from tests.live_server import LiveServer

__all__ = ["chromium", "editor", "editor_server"]  # fixtures, imported for pytest

pytestmark = pytest.mark.browser
KEY = "nnsketch.editor.v1"


def status(editor: EditorPage) -> str:
    return str(editor.page.locator("#status").inner_text())


def wait_status(editor: EditorPage, text: str, timeout: float = 15_000) -> None:
    editor.page.wait_for_function(
        "(t) => document.getElementById('status').textContent.includes(t)", arg=text,
        timeout=timeout,
    )  # fmt: skip


def is_stale(editor: EditorPage) -> bool:
    return "stale" in (editor.page.locator("#stage").get_attribute("class") or "")


def assert_working(editor: EditorPage) -> None:
    """Not a blank page: the form, a drawn diagram, and an edit that redraws it."""
    assert editor.rows().count() >= 1
    assert editor.layer_groups() >= 1
    before = editor.svg_markup()
    editor.set_field("title", "Still editing")
    assert editor.svg_markup() != before
    assert "Still editing" in editor.svg_texts()
    assert editor.page_errors == []


# -- the server goes away and comes back -------------------------------------------------------


@pytest.fixture
def own_server() -> Iterator[LiveServer]:
    live = LiveServer().start()
    try:
        yield live
    finally:
        live.close()


def test_server_down_mid_edit_keeps_everything_and_recovers_in_place(
    chromium: Any, own_server: LiveServer
) -> None:
    context = chromium.new_context(viewport=SMALL)
    context.set_default_timeout(15_000)
    try:
        editor = EditorPage(context.new_page(), own_server.url)
        editor.watch(editor.page)
        editor.open()
        editor.set_field("layers[1].filters", "9")
        good = editor.svg_markup()
        own_server.stop(signal.SIGKILL)
        editor.control("layers[1].filters").fill("11")
        editor.control("title").fill("Edited while offline")
        wait_status(editor, "unreachable")
        assert "edits are kept" in status(editor)
        assert editor.svg_markup() == good  # the last diagram stays, marked out of date
        assert is_stale(editor)
        assert editor.control("layers[1].filters").input_value() == "11"
        assert editor.control("title").input_value() == "Edited while offline"
        assert editor.spec()["layers"][1]["filters"] == 11
        time.sleep(1.0)  # a few retries fail
        back = LiveServer(port=own_server.port).start()
        try:
            wait_status(editor, "up to date", timeout=20_000)
            editor.settle()
            assert not is_stale(editor)
            texts = editor.svg_texts()
            assert "Edited while offline" in texts and any("11@" in t for t in texts), texts
            assert editor.page_errors == []
        finally:
            back.close()
    finally:
        context.close()


# -- a slow server and one that never answers --------------------------------------------------


def release(routes: list[Any], how: str) -> None:
    """Answer (or drop) held requests; those the editor already aborted are skipped."""
    from playwright.sync_api import Error

    for route in routes:
        with contextlib.suppress(Error):
            getattr(route, how)()


def test_a_slow_server_is_reported_and_its_answer_shown(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    held: list[Any] = []
    page.route("**/api/preview", lambda route: held.append(route))
    good = editor.svg_markup()
    editor.control("layers[1].filters").fill("12")
    wait_status(editor, "slow")
    assert editor.svg_markup() == good and is_stale(editor)
    assert editor.control("layers[1].filters").input_value() == "12"
    page.unroute("**/api/preview")
    release(held, "continue_")
    wait_status(editor, "up to date")
    editor.settle()
    assert any("12@" in t for t in editor.svg_texts())
    assert not is_stale(editor)


def test_a_server_that_never_answers_is_given_up_on_and_retried(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    page.evaluate("window.nnsketchEditor.client.timeoutMs = 1500")
    held: list[Any] = []
    page.route("**/api/preview", lambda route: held.append(route))  # never answered
    editor.control("layers[1].filters").fill("14")
    wait_status(editor, "not answering")
    assert "edits are kept" in status(editor)
    assert editor.control("layers[1].filters").input_value() == "14"
    page.unroute("**/api/preview")
    wait_status(editor, "up to date", timeout=20_000)
    editor.settle()
    assert any("14@" in t for t in editor.svg_texts())
    release(held, "abort")


# -- damaged autosave entries --------------------------------------------------------------------

STORAGE = [
    ("no spec", json.dumps({"version": 1}), "no spec"),
    ("spec is a list", json.dumps({"version": 1, "spec": [1, 2]}), "no spec"),
    ("null", "null", "no spec"),
    ("truncated", json.dumps({"version": 1, "spec": load("lenet5")})[:-40], "unreadable"),
]
BROKEN_SPECS = [
    ("layers is text", {"style": "lenet", "layers": "oops"}),
    ("layers hold junk", {"style": "lenet", "layers": [None, 5, "x", [], {"type": 7}]}),
    ("style is a number", {"style": 42, "title": {"a": 1}, "layers": [{"type": "input"}]}),
    ("options are a list", {"layers": [{"type": "input", "units": 3}], "options": [1, 2]}),
    (
        "a repeat of junk",
        {"layers": [{"type": "input", "units": 3}, {"type": "repeat", "layers": "x"}]},
    ),
    ("empty object", {}),
]


def _store(editor: EditorPage, raw: str) -> None:
    editor.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, raw])
    editor.page.goto(editor.base + "/")


def test_unreadable_autosave_is_reported_and_ignored(editor: EditorPage) -> None:
    editor.open()
    for name, raw, words in STORAGE:
        _store(editor, raw)
        editor.wait_ready()
        banner = editor.page.locator(".banner[data-key=storage]")
        assert words in banner.inner_text(), (name, banner.inner_text())
        assert editor.spec() == load("lenet5"), name
        assert editor.layer_groups() == 8 and editor.page_errors == [], name
    assert_working(editor)


def test_an_autosaved_spec_of_the_wrong_shape_opens_with_errors(editor: EditorPage) -> None:
    """A readable entry whose spec is wrong: shown with its errors, never a blank page;
    the user can start over from an example."""
    editor.open()
    for name, spec in BROKEN_SPECS:
        _store(editor, json.dumps({"version": 1, "spec": spec}))
        editor.page.wait_for_function(
            "() => { const e = window.nnsketchEditor; return e && e.spec && e.client.seq > 0; }"
        )
        editor.settle()
        assert editor.page_errors == [], (name, editor.page_errors)
        assert editor.spec() == spec, name
        problems = editor.page.locator("#problems-summary").inner_text()
        assert "problem" in problems, (name, problems)
        assert editor.page.locator("#example").is_enabled()
    editor.page.locator("#example").select_option("lenet5")
    editor.settle()
    assert editor.spec() == load("lenet5")
    assert_working(editor)


def test_storage_that_throws_still_lets_the_user_work(editor: EditorPage) -> None:
    editor.page.add_init_script(
        "Storage.prototype.getItem = () => { throw new DOMException('no', 'SecurityError'); };"
        "Storage.prototype.setItem = () => { throw new DOMException('no', 'QuotaExceededError'); };"
    )
    editor.open()
    banner = editor.page.locator(".banner[data-key=storage]")
    assert "not available" in banner.inner_text()
    assert_working(editor)


# -- damaged share links -----------------------------------------------------------------------

PACKER = zlib.compressobj(9, zlib.DEFLATED, -15)
BOMB = PACKER.compress(b" " * 200_000_000) + PACKER.flush()  # 200 MB of spaces, ~200 kB packed
LINKS = [
    ("empty", "spec=", "empty"),
    ("not base64url", "spec=@@@***", "damaged"),
    ("truncated", link_fragment(load("alexnet"))[:-30], "damaged"),
    ("not UTF-8", raw_fragment(b"\xff\xfe\xfa{}"), "damaged"),
    ("not JSON", raw_fragment(b"{'style': 'lenet'}"), "not valid JSON"),
    ("an array", raw_fragment(b"[1, 2, 3]"), "not a JSON object"),
    ("a deflate bomb", "spec=" + __import__("base64").urlsafe_b64encode(BOMB).decode().rstrip("="),
     "too large"),
]  # fmt: skip


def test_damaged_links_are_reported_and_ignored(editor: EditorPage) -> None:
    for name, fragment, words in LINKS:
        started = time.monotonic()
        editor.open("#" + fragment)
        banner = editor.page.locator(".banner[data-key=link]")
        assert words in banner.inner_text(), (name, banner.inner_text())
        assert time.monotonic() - started < 10, name
        assert editor.spec() == load("lenet5"), name
        assert editor.page.evaluate("location.hash") == "", name  # a reload will not repeat it
        assert editor.layer_groups() == 8 and editor.page_errors == [], name
    assert_working(editor)


def test_a_damaged_link_opened_mid_edit_changes_nothing(editor: EditorPage) -> None:
    editor.open()
    editor.set_field("title", "Mine")
    before = editor.spec()
    editor.page.evaluate("(f) => { location.hash = f; }", raw_fragment(b"[1]"))
    editor.page.wait_for_function("() => location.hash === ''")
    assert "not a JSON object" in editor.page.locator(".banner[data-key=link]").inner_text()
    assert editor.spec() == before
    good = link_fragment({**load("small_mlp"), "title": "From a link"})
    editor.page.evaluate("(f) => { location.hash = f; }", good)
    editor.page.wait_for_function("() => window.nnsketchEditor.spec.title === 'From a link'")
    editor.settle()
    assert editor.page.locator(".banner[data-key=link]").count() == 0
    assert "From a link" in editor.svg_texts()
