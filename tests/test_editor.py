"""The browser editor, driven in real Chromium against the real server."""

from __future__ import annotations

import io
import json
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser import LARGE, SMALL, EditorPage, chromium, control_id, editor, editor_server
from tests.conftest import load

__all__ = ["chromium", "editor", "editor_server"]  # fixtures, imported for pytest

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/editor-shots")
SVG_NS = "{http://www.w3.org/2000/svg}"
XSS = '<img src=x onerror="window.__pwned=1">'


def without_aborts(failed: list[str]) -> list[str]:
    """Superseded previews are aborted on purpose; anything else is a failure."""
    return [f for f in failed if "ERR_ABORTED" not in f]


def test_page_loads_clean_with_form_and_preview(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    spec = load("lenet5")
    assert editor.spec() == spec
    assert editor.rows().count() == len(spec["layers"])
    assert editor.layer_groups() == len(spec["layers"])
    styles = page.evaluate(
        "fetch('/api/schema').then(r => r.json()).then(s => s.properties.style.enum)"
    )
    assert page.locator("#style option").all_inner_texts() == styles  # from the schema
    assert {"fcnn", "lenet", "alexnet"} <= set(styles)
    examples = page.locator("#example option").all_inner_texts()
    assert any(t.startswith("AlexNet") for t in examples)
    assert "61,706 parameters" in page.locator("#totals").inner_text()
    assert (
        page.locator("#layers > li").nth(1).locator("[data-role=shape]").inner_text() == "28×28×6"
    )
    assert page.locator("#layers > li").nth(1).locator("[data-role=params]").inner_text() == (
        "156 params"
    )
    # every control has a <label>
    unlabeled = page.evaluate(
        "() => [...document.querySelectorAll('input, select, textarea')]"
        ".filter(c => !c.labels || c.labels.length === 0).map(c => c.id || c.outerHTML)"
    )
    assert unlabeled == []
    assert editor.console_errors == []
    assert editor.failed == []


def test_changing_filters_redraws_the_preview(editor: EditorPage) -> None:
    editor.open()
    before = editor.svg_markup()
    editor.set_field("layers[1].filters", "12")
    assert editor.svg_markup() != before
    assert editor.layer_groups() == 8
    assert any("12@28×28" in t for t in editor.svg_texts()), editor.svg_texts()
    row = editor.rows().nth(1)
    assert row.locator("[data-role=shape]").inner_text() == "28×28×12"
    assert row.locator("[data-role=params]").inner_text() == "312 params"  # 5*5*1*12 + 12
    assert editor.spec()["layers"][1]["filters"] == 12


@pytest.mark.parametrize(
    ("loc", "value", "words"),
    [("layers[1].kernel", "100", "kernel"), ("layers[1].filters", "0", "greater than")],
)
def test_invalid_value_shows_inline_error_and_keeps_the_diagram(
    editor: EditorPage, loc: str, value: str, words: str
) -> None:
    editor.open()
    good = editor.svg_markup()
    editor.set_field(loc, value)
    error = editor.error(loc)
    assert words in error.inner_text().lower()
    assert editor.control(loc).get_attribute("aria-invalid") == "true"
    assert editor.control(loc).input_value() == value  # the input is never reset
    assert editor.svg_markup() == good  # the last good diagram stays ...
    assert "stale" in (editor.page.locator("#stage").get_attribute("class") or "")
    assert editor.page.locator("#stale-note").is_visible()  # ... marked as out of date
    assert editor.page.locator("#tab-layers .badge").inner_text() == "1"

    editor.set_field(loc, "5")
    assert error.inner_text() == ""
    assert editor.control(loc).get_attribute("aria-invalid") is None
    assert "stale" not in (editor.page.locator("#stage").get_attribute("class") or "")
    assert editor.layer_groups() == 8


def test_add_duplicate_delete_and_reorder_layers(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    page.locator("#add-type").select_option("dense")
    page.locator("#add-layer").click()
    editor.settle()
    assert editor.rows().count() == 9
    assert editor.layer_groups() == 9
    assert editor.spec()["layers"][-1] == {"type": "dense", "units": 10}  # nearest dense layer
    assert page.evaluate("document.activeElement.id") == "f-layers_8__type"

    editor.rows().nth(1).locator("button.dup").click()
    editor.settle()
    layers = editor.spec()["layers"]
    assert len(layers) == 10 and layers[1] == layers[2]
    assert editor.layer_groups() == 10

    editor.rows().nth(2).locator("button.del").click()
    editor.settle()
    assert editor.rows().count() == 9
    editor.rows().nth(8).locator("button.del").click()
    editor.settle()
    assert editor.spec() == load("lenet5")

    # reorder with the buttons ...
    editor.rows().nth(5).locator("button.up").click()
    editor.settle()
    assert [layer["type"] for layer in editor.spec()["layers"]][4:6] == ["dense", "pool"]
    # ... and with the keyboard: Alt+ArrowDown moves the focused row back
    editor.control("layers[4].units").focus()
    page.keyboard.press("Alt+ArrowDown")
    editor.settle()
    assert editor.spec() == load("lenet5")
    assert page.evaluate("document.activeElement.id") == "f-layers_5__units"  # focus follows
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    editor.settle()
    assert editor.spec()["layers"][3] == load("lenet5")["layers"][5]


def test_type_change_keeps_shared_fields(editor: EditorPage) -> None:
    editor.open()
    editor.control("layers[1].type").select_option("pool")
    editor.settle()
    layer = editor.spec()["layers"][1]
    assert layer == {"type": "pool", "kernel": 5}  # kernel carries over, filters do not
    assert editor.control("layers[1].mode").is_visible()
    assert editor.control("layers[1].filters").count() == 0


def test_json_pane_round_trip_and_syntax_error(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    # form -> JSON
    editor.control("title").fill("From the form")
    editor.settle()
    editor.show_tab("json")
    assert json.loads(editor.json_text())["title"] == "From the form"
    # JSON -> form and preview
    spec = load("lenet5")
    spec["title"] = "From JSON"
    spec["layers"][1]["filters"] = 10
    editor.set_json(spec)
    assert editor.spec() == spec
    editor.show_tab("layers")
    assert editor.control("title").input_value() == "From JSON"
    assert editor.control("layers[1].filters").input_value() == "10"
    assert any("10@28×28" in t for t in editor.svg_texts())
    # a syntax error: reported with line and column, nothing reset
    editor.show_tab("json")
    good_svg = editor.svg_markup()
    broken = '{\n  "style": "lenet",\n  "title" "x",\n  "layers": []\n}\n'
    page.locator("#json").fill(broken)
    message = page.locator("#json-error").inner_text()
    assert "line 3, column 11" in message, message
    assert editor.json_text() == broken
    assert editor.spec() == spec
    assert editor.svg_markup() == good_svg
    page.locator("#json").fill("[1, 2]")
    assert "must be a JSON object" in page.locator("#json-error").inner_text()
    assert editor.spec() == spec
    page.locator("#json").fill(broken)
    page.locator("#json-goto").click()
    assert page.evaluate("document.getElementById('json').selectionStart") == broken.index('"x"')
    # the form still edits the last valid spec, and leaves the broken text alone
    editor.show_tab("layers")
    editor.control("title").fill("Still works")
    editor.settle()
    assert editor.spec()["title"] == "Still works"
    editor.show_tab("json")
    assert editor.json_text() == broken
    page.locator("#json-revert").click()
    assert json.loads(editor.json_text())["title"] == "Still works"


def test_undo_redo_with_the_keyboard(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    title = editor.control("title")
    title.click()
    page.keyboard.press("End")
    page.keyboard.type(" v2")  # three input events, one undo step
    editor.settle()
    assert editor.spec()["title"] == "LeNet-5 v2"
    page.keyboard.press("Control+z")
    editor.settle()
    assert editor.spec()["title"] == "LeNet-5"
    assert title.input_value() == "LeNet-5"
    page.keyboard.press("Control+Shift+z")
    editor.settle()
    assert title.input_value() == "LeNet-5 v2"

    editor.rows().nth(3).locator("button.del").click()
    editor.settle()
    assert editor.rows().count() == 7
    page.keyboard.press("Control+z")
    editor.settle()
    assert editor.rows().count() == 8
    assert editor.layer_groups() == 8
    page.locator("#undo").click()
    editor.settle()
    assert editor.spec() == load("lenet5")
    page.locator("#redo").click()
    page.locator("#redo").click()
    editor.settle()
    assert editor.rows().count() == 7
    assert editor.spec()["title"] == "LeNet-5 v2"


def _download(editor: EditorPage, button: str) -> tuple[str, bytes]:
    with editor.page.expect_download() as info:
        editor.page.locator(button).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_downloads_in_every_format(editor: EditorPage) -> None:
    editor.open()
    name, data = _download(editor, "#dl-svg")
    assert name == "LeNet-5.svg"
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    groups = [g for g in root.iter(f"{SVG_NS}g") if "layer" in (g.get("class") or "").split()]
    assert len(groups) == 8

    editor.page.locator("#png-scale").select_option("2")
    name, data = _download(editor, "#dl-png")
    assert name == "LeNet-5.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    width = float(root.get("width") or 0)
    with Image.open(io.BytesIO(data)) as image:
        assert abs(image.width - 2 * width) <= 2
        assert image.convert("RGBA").getpixel((0, 0))[3] == 255  # white background
    editor.page.locator("#png-scale").select_option("1")
    editor.page.locator("#transparent").check()
    _, data = _download(editor, "#dl-png")
    with Image.open(io.BytesIO(data)) as image:
        assert abs(image.width - width) <= 1
        rgba = image.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0  # transparent corner
        assert rgba.getextrema()[3][1] == 255  # but something is drawn

    name, data = _download(editor, "#dl-pdf")
    assert name == "LeNet-5.pdf" and data.startswith(b"%PDF-")

    name, data = _download(editor, "#dl-json")
    assert name == "LeNet-5.json"
    assert json.loads(data) == load("lenet5")
    assert editor.console_errors == []


def test_autosave_restores_the_work_after_reload(editor: EditorPage) -> None:
    editor.open()
    editor.set_field("layers[1].filters", "9")
    editor.set_field("title", "Autosaved")
    expected = editor.spec()
    editor.page.reload()
    editor.wait_ready()
    assert editor.spec() == expected
    assert editor.control("title").input_value() == "Autosaved"
    assert any("9@28×28" in t for t in editor.svg_texts())


def test_copy_link_restores_the_spec_exactly(editor: EditorPage, chromium: Any) -> None:
    editor.open()
    spec = load("alexnet")
    spec["title"] = "Shared ünïcode ✓ <b>"
    spec["options"] = {"alexnet": {"azimuth": -20.5}}
    editor.set_json(spec)
    editor.page.locator("#copy-link").click()
    link = editor.page.locator("#share-link")
    editor.page.wait_for_function(
        "() => document.getElementById('share-link').value.includes('#spec=')"
    )
    url = link.input_value()
    assert url.startswith(editor.base + "/#spec=")

    # the fragment wins over what this context autosaved
    editor.set_field("title", "Changed after copying")
    other = editor.page.context.new_page()
    view = EditorPage(other, editor.base)
    view.watch(other)
    other.goto(url)
    view.wait_ready()
    assert view.spec() == spec
    assert other.evaluate("location.hash") == ""
    drawn = view.layer_groups()
    assert drawn >= 1

    # and a fresh context (no storage at all) opens it the same way
    context = chromium.new_context(viewport=SMALL)
    try:
        fresh = EditorPage(context.new_page(), editor.base)
        fresh.watch(fresh.page)
        fresh.page.goto(url)
        fresh.wait_ready()
        assert fresh.spec() == spec
        assert fresh.layer_groups() == drawn
        assert fresh.page_errors == [] and fresh.console_errors == []
    finally:
        context.close()


def test_markup_in_a_label_stays_text(editor: EditorPage) -> None:
    editor.open()
    editor.set_field("layers[0].label", XSS)
    editor.set_field("title", XSS)
    page = editor.page
    assert sum(XSS in t for t in editor.svg_texts()) == 2  # the label and the title
    assert page.locator("#canvas img, #layers img, img").count() == 0
    assert editor.control("layers[0].label").input_value() == XSS
    editor.show_tab("json")
    assert json.loads(editor.json_text())["layers"][0]["label"] == XSS
    editor.page.reload()
    editor.wait_ready()
    assert any(XSS in t for t in editor.svg_texts())
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert editor.dialogs == []
    assert editor.console_errors == []


def test_corrupt_link_and_storage_are_reported_and_ignored(editor: EditorPage) -> None:
    editor.open("#spec=not-a-deflate-stream")
    banner = editor.page.locator(".banner[data-key=link]")
    assert "could not be opened" in banner.inner_text()
    assert editor.spec() == load("lenet5")  # the page works with the default
    assert editor.layer_groups() == 8
    editor.set_field("layers[1].filters", "7")
    assert any("7@28×28" in t for t in editor.svg_texts())

    editor.page.evaluate("localStorage.setItem('nnsketch.editor.v1', '{not json')")
    editor.page.goto(editor.base + "/")
    editor.wait_ready()
    assert "autosaved" in editor.page.locator(".banner[data-key=storage]").inner_text()
    assert editor.layer_groups() == 8


def test_server_unreachable_keeps_the_diagram_and_recovers(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    good = editor.svg_markup()
    page.route("**/api/preview", lambda route: route.abort())
    editor.control("layers[1].filters").fill("11")
    status = page.locator("#status")
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('retrying')"
    )
    assert "unreachable" in status.inner_text().lower()
    assert editor.svg_markup() == good
    assert "stale" in (page.locator("#stage").get_attribute("class") or "")
    assert editor.control("layers[1].filters").input_value() == "11"
    page.unroute("**/api/preview")
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('up to date')"
    )
    editor.settle()
    assert any("11@28×28" in t for t in editor.svg_texts())
    assert "stale" not in (page.locator("#stage").get_attribute("class") or "")


def test_hover_shows_a_tooltip_and_click_jumps_to_the_row(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    group = page.locator('#canvas g.layer[data-layer="3"]')
    group.hover()
    tooltip = page.locator("#tooltip")
    assert tooltip.is_visible()
    text = tooltip.inner_text()
    assert "conv" in text and "16" in text and "params" in text
    group.click()
    assert page.evaluate("document.activeElement.closest('li')?.dataset.index") == "3"
    # a row under the pointer or focus highlights its layer in the diagram
    editor.control("layers[5].units").focus()
    assert page.locator('#canvas g.layer.highlight[data-layer="5"]').count() == 1
    assert page.locator("#canvas g.layer.highlight").count() == 1
    # a layer drawn folded into its producer (alexnet: norm after conv) lights the producer
    page.locator("#example").select_option("alexnet")
    editor.settle()
    if page.locator('#canvas g.layer[data-name="norm1"]').count() == 0:
        editor.control("layers[2].kind").focus()
        names = page.evaluate(
            "[...document.querySelectorAll('#canvas g.layer.highlight')].map(g => g.dataset.name)"
        )
        assert names == ["conv1"]


def test_zoom_and_pan(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    svg = page.locator("#canvas svg")
    fit_width = svg.bounding_box()["width"]
    page.locator("#zoom-in").click()
    assert svg.bounding_box()["width"] == pytest.approx(fit_width * 1.25, rel=0.01)
    page.locator("#zoom-out").click()
    page.locator("#zoom-out").click()
    assert svg.bounding_box()["width"] == pytest.approx(fit_width * 0.8, rel=0.01)
    box = page.locator("#stage").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = svg.bounding_box()
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy + 30, steps=4)
    page.mouse.up()
    after = svg.bounding_box()
    assert after["x"] - before["x"] == pytest.approx(60, abs=1)
    assert after["y"] - before["y"] == pytest.approx(30, abs=1)
    page.mouse.wheel(0, -200)
    assert svg.bounding_box()["width"] > after["width"]
    page.locator("#zoom-fit").click()
    assert svg.bounding_box()["width"] == pytest.approx(fit_width, rel=0.01)
    # the zoom survives an edit once the user has zoomed
    page.locator("#zoom-in").click()
    zoomed = svg.bounding_box()["width"]
    editor.set_field("title", "LeNet-5!")
    assert page.locator("#canvas svg").bounding_box()["width"] == pytest.approx(zoomed, rel=0.05)


def test_style_switch_and_options_panel(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    editor.show_tab("options")
    assert editor.control("options.lenet.scale_factor").is_visible()
    assert editor.control("options.fcnn.node_diameter").count() == 0
    page.locator("#style").select_option("fcnn")
    editor.settle()
    assert editor.spec()["style"] == "fcnn"
    assert editor.control("options.fcnn.node_diameter").is_visible()
    assert editor.control("options.lenet.scale_factor").count() == 0
    slider = page.locator(f"#{control_id('options.fcnn.node_diameter')}-range")
    slider.evaluate(
        "s => { s.value = '30'; s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    editor.settle()
    assert editor.spec()["options"]["fcnn"]["node_diameter"] == 30
    assert editor.control("options.fcnn.node_diameter").input_value() == "30"
    editor.control("options.font_size").fill("100")
    editor.settle()
    assert "48" in editor.error("options.font_size").inner_text()
    assert page.locator("#tab-options .badge").inner_text() == "1"
    editor.control("options.font_size").fill("14")
    editor.settle()
    assert editor.error("options.font_size").inner_text() == ""
    # a color through its text box and its picker
    editor.control("options.fcnn.node_fill").fill("red")
    editor.settle()
    picker = page.locator(f"#{control_id('options.fcnn.node_fill')}-picker")
    assert picker.input_value() == "#ff0000"
    # every step undoes back to the start (typing into one field is one step)
    for _ in range(8):
        if page.locator("#undo").is_disabled():
            break
        page.keyboard.press("Control+z")
    editor.settle()
    assert editor.spec() == load("lenet5")


def test_loading_an_example_and_opening_a_file(editor: EditorPage, tmp_path: Path) -> None:
    editor.open()
    page = editor.page
    page.locator("#example").select_option("mlp")
    editor.settle()
    assert editor.spec() == load("mlp")
    assert page.locator("#style").input_value() == "fcnn"
    spec = load("small_mlp")
    spec["title"] = "Opened from a file"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    page.locator("#open-file").set_input_files(str(path))
    page.wait_for_function("() => window.nnsketchEditor.spec.title === 'Opened from a file'")
    editor.settle()
    assert editor.spec() == spec
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "style": fcnn\n}', encoding="utf-8")
    page.locator("#open-file").set_input_files(str(bad))
    banner = page.locator(".banner[data-key=file]")
    assert "line 2, column 12" in banner.inner_text()
    assert editor.spec() == spec
    # drag and drop a file onto the page
    spec["title"] = "Dropped"
    transfer = page.evaluate_handle(
        """(text) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], 'drop.json', {type: 'application/json'}));
            return dt;
        }""",
        json.dumps(spec),
    )
    page.dispatch_event("body", "dragenter", {"dataTransfer": transfer})
    assert page.locator("#drop-overlay").is_visible()
    page.dispatch_event("body", "drop", {"dataTransfer": transfer})
    page.wait_for_function("() => window.nnsketchEditor.spec.title === 'Dropped'")
    assert page.locator("#drop-overlay").is_hidden()


LATENCY_JS = """async (n) => {
  const input = document.getElementById('f-title');
  const canvas = document.getElementById('canvas');
  const times = [];
  for (let i = 0; i < n; i++) {
    const shown = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no preview within 5 s')), 5000);
      const observer = new MutationObserver(() => {
        if (canvas.querySelector('svg')) {
          observer.disconnect(); clearTimeout(timer); resolve(performance.now());
        }
      });
      observer.observe(canvas, {childList: true});
    });
    input.value = `Latency ${i}`;
    const start = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    times.push((await shown) - start);
  }
  return times;
}"""


def test_input_to_preview_latency(editor: EditorPage, capsys: pytest.CaptureFixture[str]) -> None:
    """50 edits per style's example; prints p50/p95 (no timing assertion)."""
    editor.open()
    lines = []
    for name in ("mlp", "lenet5", "alexnet"):
        editor.page.locator("#example").select_option(name)
        editor.settle()
        editor.page.evaluate(LATENCY_JS, 5)  # warm up
        times = sorted(editor.page.evaluate(LATENCY_JS, 50))
        p50 = statistics.median(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        lines.append(f"{name:8s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {times[-1]:6.1f} ms")
        assert len(times) == 50
    with capsys.disabled():
        print("\ninput -> preview latency (50 edits each):\n  " + "\n  ".join(lines))


def _layout_ok(page: Any) -> None:
    """Side panel left of the preview, nothing wider than the window, rows not clipped."""
    report = page.evaluate(
        """() => {
          const side = document.querySelector('.side').getBoundingClientRect();
          const stage = document.getElementById('stage').getBoundingClientRect();
          const overflow = [...document.querySelectorAll('.row-head, .topbar, .preview-toolbar')]
            .filter(n => n.scrollWidth > n.clientWidth + 1).map(n => n.className);
          const clipped = [...document.querySelectorAll('.row-head > *')]
            .filter(n => {
              const row = n.closest('li').getBoundingClientRect();
              return n.getBoundingClientRect().right > row.right;
            })
            .map(n => n.className);
          return {side: [side.left, side.right],
                  stage: [stage.left, stage.right, stage.width, stage.height],
                  scroll: document.documentElement.scrollWidth - innerWidth,
                  vscroll: document.documentElement.scrollHeight - innerHeight, overflow, clipped};
        }"""
    )
    assert report["side"][1] <= report["stage"][0] + 1, report
    assert report["stage"][2] > 500 and report["stage"][3] > 400, report
    assert report["scroll"] <= 0 and report["vscroll"] <= 0, report
    assert report["overflow"] == [] and report["clipped"] == [], report


@pytest.mark.parametrize("viewport", [SMALL, LARGE], ids=["1280x800", "1920x1080"])
def test_layout_and_screenshots(editor: EditorPage, viewport: dict[str, int]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = editor.page
    size = f"{viewport['width']}x{viewport['height']}"
    page.set_viewport_size(viewport)
    editor.open()
    _layout_ok(page)
    page.screenshot(path=SHOTS / f"default-{size}.png")
    names = page.evaluate(
        "[...document.querySelectorAll('#example option')].map(o => o.value).filter(v => v)"
    )
    for name in names:
        page.locator("#example").select_option(name)
        editor.settle()
        _layout_ok(page)
        page.screenshot(path=SHOTS / f"example-{name}-{size}.png")
        assert editor.layer_groups() >= 1
    page.locator("#example").select_option("lenet5")
    editor.settle()
    editor.set_field("layers[1].kernel", "100")
    editor.set_field("layers[3].filters", "0")
    _layout_ok(page)
    page.screenshot(path=SHOTS / f"error-{size}.png")
    editor.show_tab("options")
    page.screenshot(path=SHOTS / f"options-{size}.png")
    editor.show_tab("json")
    page.screenshot(path=SHOTS / f"json-{size}.png")


BLOCK = {
    "style": "graph",
    "title": "Blocks",
    "layers": [
        {"type": "input", "height": 16, "width": 16, "channels": 8, "name": "x"},
        {"type": "repeat", "name": "stage", "count": 2, "layers": [
            {"type": "conv", "filters": 8, "kernel": 3, "padding": 1, "name": "c"},
            {"type": "add", "inputs": ["@input", "c"], "name": "sum"},
        ]},
        {"type": "flatten"},
        {"type": "dense", "units": 10},
    ],
}  # fmt: skip


def test_nested_block_rows_edit_in_place(editor: EditorPage) -> None:
    editor.open()
    editor.set_json(BLOCK)
    editor.show_tab("layers")
    page = editor.page
    nested = page.locator('#layers li[data-loc="layers[1].layers[0]"]')
    assert nested.locator("[data-role=shape]").inner_text() == "16×16×8"
    assert "×2" in nested.locator("[data-role=params]").inner_text()  # one per copy
    assert "@input, c" in editor.control("layers[1].layers[1].inputs").inner_text()
    editor.set_field("layers[1].count", "3")
    editor.set_field("layers[1].layers[0].filters", "0")
    assert "greater than" in editor.error("layers[1].layers[0].filters").inner_text()
    editor.set_field("layers[1].layers[0].filters", "8")
    assert editor.error("layers[1].layers[0].filters").inner_text() == ""
    # the block's add picks its inputs from '@input' and the block's own layers
    picks = editor.control("layers[1].layers[1].inputs").locator("xpath=..")
    boxes = picks.locator("input[type=checkbox]")
    assert boxes.evaluate_all("bs => bs.map(b => [b.value, b.checked])") == [
        ["x", False],
        ["@input", True],
        ["c", True],
    ]
    block = editor.spec()["layers"][1]
    assert block["count"] == 3 and block["layers"][1]["inputs"] == ["@input", "c"]
    # structural edits inside the block
    nested.locator("button.dup").click()
    editor.settle()
    copy = editor.spec()["layers"][1]["layers"][1]
    assert copy["name"] == "c_2" and copy["type"] == "conv"
    page.keyboard.press("Alt+ArrowDown")
    editor.settle()
    assert [layer["name"] for layer in editor.spec()["layers"][1]["layers"]] == ["c", "sum", "c_2"]
    assert page.evaluate("document.activeElement.id") == "f-layers_1__layers_2__type"
    page.locator('#layers li[data-loc="layers[1].layers[2]"] button.del').click()
    editor.settle()
    assert editor.spec()["layers"][1]["layers"] == [
        {**BLOCK["layers"][1]["layers"][0]},
        {**BLOCK["layers"][1]["layers"][1]},
    ]
    assert editor.error("layers[1].layers[0].filters").inner_text() == ""
    assert editor.layer_groups() >= 4


def test_keyboard_alone(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-layers_0__type"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    # edit a field with the keyboard, reach the row buttons, move the row
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "f-layers_1__filters":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("8")
    editor.settle()
    assert editor.spec()["layers"][1]["filters"] == 8
    page.keyboard.press("Alt+ArrowDown")
    editor.settle()
    assert editor.spec()["layers"][2]["type"] == "conv"
    # tabs follow the arrow keys
    page.locator("#tab-layers").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#panel-options").is_visible()
    assert page.evaluate("document.activeElement.id") == "tab-options"
    page.keyboard.press("End")
    assert page.locator("#panel-json").is_visible()
    # the preview zooms and pans from the keyboard
    page.locator("#stage").focus()
    before = page.locator("#zoom-level").inner_text()
    page.keyboard.press("+")
    assert page.locator("#zoom-level").inner_text() != before
    box = page.locator("#canvas svg").bounding_box()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#canvas svg").bounding_box()["x"] == pytest.approx(box["x"] + 40, abs=1)
    page.keyboard.press("0")
    assert page.locator("#zoom-level").inner_text() == before
