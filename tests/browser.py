"""Fixtures for the editor tests: the real server in a subprocess and Chromium.

One uvicorn process and one browser serve the whole session; each test gets a
fresh browser context (empty localStorage, no cookies), so tests stay
independent and the suite stays fast.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SMALL = {"width": 1280, "height": 800}
LARGE = {"width": 1920, "height": 1080}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def editor_server() -> Iterator[str]:
    """Base URL of a real nnsketch server (uvicorn in a subprocess)."""
    port = _free_port()
    code = (
        "import uvicorn; uvicorn.run('nnsketch.web.app:create_app', factory=True, "
        f"host='127.0.0.1', port={port}, log_level='warning')"
    )
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the server did not start:\n{log.read().decode(errors='replace')}")
                time.sleep(0.05)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One browser for the session. pytest makes a fixture per module that imports
    this one, and Playwright's sync API runs once per thread, so they share it."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium is not installed")
    if not _SHARED:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        _SHARED.update(pw=pw, browser=browser, users=0)
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED["browser"].close()
            _SHARED["pw"].stop()
            _SHARED.clear()


def control_id(loc: str) -> str:
    """The id the editor gives the control of a spec location (see static/fields.js)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", loc)


@dataclass
class EditorPage:
    """A page of the editor plus what it logged: console errors, failed requests, dialogs."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def open(self, suffix: str = "") -> None:
        self.page.goto(f"{self.base}/{suffix}")
        self.wait_ready()

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            "() => { const e = window.nnsketchEditor; return e && e.spec && e.client.shown > 0; }"
        )
        self.settle()

    def settle(self) -> None:
        """Wait until the newest preview request has been answered and shown."""
        self.page.wait_for_function(
            "() => { const e = window.nnsketchEditor, c = e.client;"
            " return e.pending === 0 && c.shown === c.seq && c.inFlight.size === 0; }"
        )

    def spec(self) -> dict[str, Any]:
        return dict(self.page.evaluate("() => window.nnsketchEditor.spec"))

    def control(self, loc: str) -> Any:
        return self.page.locator(f"#{control_id(loc)}")

    def error(self, loc: str) -> Any:
        return self.page.locator(f"#{control_id(loc)}-error")

    def reveal(self, loc: str) -> Any:
        """The control of `loc`, with its tab shown."""
        control = self.control(loc)
        panel = control.evaluate("c => c.closest('[role=tabpanel]')?.id ?? ''")
        if panel and not control.is_visible():
            self.show_tab(panel.removeprefix("panel-"))
        return control

    def set_field(self, loc: str, value: str) -> None:
        self.reveal(loc).fill(value)
        self.settle()

    def svg_markup(self) -> str:
        """The preview's SVG without what hover and zoom change (highlight class, style)."""
        return str(
            self.page.evaluate(
                """() => {
                  const svg = document.querySelector('#canvas svg');
                  if (!svg) return '';
                  const copy = svg.cloneNode(true);
                  copy.removeAttribute('style');
                  for (const g of copy.querySelectorAll('.highlight')) {
                    g.classList.remove('highlight');
                  }
                  return copy.outerHTML;
                }"""
            )
        )

    def layer_groups(self) -> int:
        return int(self.page.locator("#canvas svg g.layer").count())

    def svg_texts(self) -> list[str]:
        return list(
            self.page.evaluate(
                "() => [...document.querySelectorAll('#canvas svg text')].map(t => t.textContent)"
            )
        )

    def rows(self) -> Any:
        return self.page.locator("#layers > li")

    def json_text(self) -> str:
        return str(self.page.locator("#json").input_value())

    def show_tab(self, name: str) -> None:
        self.page.locator(f"#tab-{name}").click()

    def set_json(self, spec: dict[str, Any]) -> None:
        self.show_tab("json")
        self.page.locator("#json").fill(json.dumps(spec, indent=2))
        self.settle()


@pytest.fixture
def editor(chromium: Any, editor_server: str) -> Iterator[EditorPage]:
    """A fresh context (empty storage) with one page of the editor, not yet opened."""
    context = chromium.new_context(viewport=SMALL, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    ed = EditorPage(page, editor_server)
    ed.watch(page)
    try:
        yield ed
    finally:
        context.close()
    assert not ed.page_errors, ed.page_errors
