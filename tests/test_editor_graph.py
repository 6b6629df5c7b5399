"""The editor's graph features in real Chromium: picking a layer's inputs (skip
connections, repeat blocks) and importing Caffe and Keras model files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser import EditorPage, chromium, control_id, editor, editor_server
from tests.conftest import load
from tests.import_support import LENET_PARAMS, LENET_PROTOTXT
from tests.test_import_keras import MNIST_LAYERS, MNIST_PARAMS, keras2_sequential

__all__ = ["chromium", "editor", "editor_server"]  # fixtures, imported for pytest

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/editor-shots")
CHAIN = {
    "style": "lenet",
    "title": "Chain",
    "layers": [
        {"type": "input", "height": 32, "width": 32, "channels": 8},
        {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"},
        {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"},
    ],
}


def edges(editor: EditorPage) -> list[tuple[str, str]]:
    """(from, to) of every edge the graph style drew."""
    return [
        (str(a), str(b))
        for a, b in editor.page.evaluate(
            "() => [...document.querySelectorAll('#canvas svg g.edges g.edge')]"
            ".map(g => [g.dataset.from, g.dataset.to])"
        )
    ]


def choices(editor: EditorPage, loc: str) -> list[str]:
    """The names offered by the inputs pick list at `loc`, in order."""
    boxes = editor.page.locator(f"#{control_id(loc)}-error").locator("xpath=..")
    return list(boxes.locator("input[type=checkbox]").evaluate_all("bs => bs.map(b => b.value)"))


def pick(editor: EditorPage, loc: str, name: str) -> None:
    """Open the pick list at `loc` (if closed) and tick or untick `name`."""
    summary = editor.control(loc)
    if summary.evaluate("s => !s.parentElement.open"):
        summary.click()
    field = summary.locator("xpath=../..")
    field.locator(f"input[type=checkbox][value='{name}']").click()
    editor.settle()


def test_skip_connection_in_the_graph_and_lenet_styles(editor: EditorPage) -> None:
    editor.open()
    editor.set_json(CHAIN)
    editor.show_tab("layers")
    page = editor.page
    page.locator("#style").select_option("graph")
    editor.settle()
    assert edges(editor) == [("input1", "conv1"), ("conv1", "conv2")]
    page.locator("#add-type").select_option("add")
    page.locator("#add-layer").click()
    editor.settle()

    loc = "layers[3].inputs"
    summary = editor.control(loc)
    assert summary.evaluate("s => s.tagName") == "SUMMARY"
    assert "the previous layer" in summary.inner_text()
    assert choices(editor, loc) == ["input1", "conv1", "conv2"]  # the server's default names
    pick(editor, loc, "conv1")
    layers = editor.spec()["layers"]
    assert layers[3]["inputs"] == ["conv1"]
    assert layers[1]["name"] == "conv1"  # the source is named, so the link stays put
    # the pick list stays open and keeps the focus through the re-render
    assert editor.control(loc).evaluate("s => s.parentElement.open")
    assert page.evaluate("document.activeElement.value") == "conv1"
    pick(editor, loc, "conv2")
    layers = editor.spec()["layers"]
    assert layers[3] == {"type": "add", "inputs": ["conv1", "conv2"]}
    assert layers[2]["name"] == "conv2"
    assert editor.error(loc).inner_text() == ""
    assert "conv1, conv2" in editor.control(loc).inner_text()

    drawn = edges(editor)
    assert ("conv1", "add1") in drawn and ("conv2", "add1") in drawn  # the skip edge
    assert len(drawn) == 4
    assert page.locator("#canvas svg g.layer.add[data-name=add1]").count() == 1
    assert editor.layer_groups() == 4

    page.locator("#style").select_option("lenet")
    editor.settle()
    skip = page.locator("#canvas svg g.skips g.skip")
    assert skip.count() == 1
    assert (skip.get_attribute("data-from"), skip.get_attribute("data-to")) == ("conv1", "add1")
    assert editor.layer_groups() == 4

    # each tick was one undoable edit: undo drops conv2 (and the name it wrote) only
    page.locator("#style").select_option("graph")
    editor.settle()
    for _ in range(3):  # the two style switches, then the second tick
        page.locator("#undo").click()
    editor.settle()
    layers = editor.spec()["layers"]
    assert layers[3]["inputs"] == ["conv1"] and "name" not in layers[2]
    assert editor.page_errors == [] and editor.console_errors == []


def test_pick_list_with_the_keyboard_keeps_the_order(editor: EditorPage) -> None:
    editor.open()
    spec = dict(CHAIN, style="graph")
    spec["layers"] = [*CHAIN["layers"], {"type": "concat", "inputs": ["conv2", "input1"]}]
    spec["layers"][2] = dict(spec["layers"][2], name="conv2")
    editor.set_json(spec)
    editor.show_tab("layers")
    page = editor.page
    loc = "layers[3].inputs"
    editor.control(loc).focus()
    assert not editor.control(loc).evaluate("s => s.parentElement.open")
    page.keyboard.press("Enter")  # opens the list
    assert editor.control(loc).evaluate("s => s.parentElement.open")
    page.keyboard.press("Tab")  # input1
    page.keyboard.press("Tab")  # conv1
    assert page.evaluate("document.activeElement.value") == "conv1"
    page.keyboard.press("Space")
    editor.settle()
    # a new pick goes after the ones already there: concat keeps its channel order
    assert editor.spec()["layers"][3]["inputs"] == ["conv2", "input1", "conv1"]
    # focus comes back to the same checkbox once the form is rebuilt
    page.wait_for_function("() => document.activeElement?.value === 'conv1'", timeout=2000)
    page.keyboard.press("Space")
    editor.settle()
    assert editor.spec()["layers"][3]["inputs"] == ["conv2", "input1"]
    assert editor.page.locator("#canvas svg g.layer.concat").count() == 1
    assert editor.spec()["layers"][1]["name"] == "conv1"  # the name written stays


def test_pick_list_inside_a_repeat_block(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    page.locator("#example").select_option("resnet_block")
    editor.settle()
    spec = load("resnet_block")
    assert editor.spec() == spec
    loc = "layers[1].layers[5].inputs"  # the block's `add`
    assert choices(editor, loc) == ["x", "@input", "conv_a", "bn_a", "relu_a", "conv_b", "bn_b"]
    checked = editor.control(loc).locator("xpath=..").locator("input:checked")
    assert checked.evaluate_all("bs => bs.map(b => b.value)") == ["@input", "bn_b"]
    # the layer after the block offers the block by name; its defaults match the server's
    shapes = page.evaluate("() => window.nnsketchEditor.shapes")
    top = {s["loc"]: s["name"] for s in shapes if s["loc"].count("[") == 1}
    assert choices(editor, "layers[3].inputs") == ["x", "stage1", top["layers[2]"]]
    # rewire the add to relu_a: still one edge per copy into the sum, drawn by the server
    pick(editor, loc, "@input")
    pick(editor, loc, "relu_a")
    assert editor.spec()["layers"][1]["layers"][5]["inputs"] == ["bn_b", "relu_a"]
    drawn = edges(editor)
    assert any(a.endswith("relu_a") and b.endswith("sum") for a, b in drawn), drawn
    assert editor.error(loc).inner_text() == ""


def test_a_bad_input_is_reported_beside_the_pick_list(editor: EditorPage) -> None:
    editor.open()
    spec = dict(CHAIN, style="graph")
    spec["layers"] = [*CHAIN["layers"], {"type": "add", "inputs": ["conv1", "nope"]}]
    spec["layers"][1] = dict(spec["layers"][1], name="conv1")
    editor.set_json(spec)
    editor.show_tab("layers")
    loc = "layers[3].inputs"
    assert "no layer named 'nope'" in editor.error(loc).inner_text()
    assert editor.control(loc).get_attribute("aria-invalid") == "true"
    assert editor.page.locator(".banner[data-key=spec]").count() == 0
    odd = editor.control(loc).locator("xpath=..").locator(".inputs-choice.odd input")
    assert odd.evaluate_all("bs => bs.map(b => [b.value, b.checked])") == [["nope", True]]
    pick(editor, loc, "nope")  # untick the unknown name: the error goes
    assert editor.spec()["layers"][3]["inputs"] == ["conv1"]
    # an add needs two inputs: that error sits beside the pick list too
    assert "at least 2" in editor.error(loc).inner_text()
    assert "nope" not in editor.error(loc).inner_text()


def import_file(editor: EditorPage, path: Path) -> None:
    editor.page.locator("#import-file").set_input_files(str(path))
    editor.page.wait_for_function("() => !document.getElementById('import-file').value")
    editor.settle()


def test_import_caffe_and_keras_models(editor: EditorPage, tmp_path: Path) -> None:
    editor.open()
    page = editor.page
    before = editor.spec()
    prototxt = tmp_path / "lenet.prototxt"
    prototxt.write_text(LENET_PROTOTXT, encoding="utf-8")
    import_file(editor, prototxt)
    spec = editor.spec()
    assert spec["title"] == "LeNet" and spec["style"] == "lenet"
    names = [layer["name"] for layer in spec["layers"]]
    assert names == ["data", "conv1", "pool1", "conv2", "pool2", "ip1", "ip2", "prob"]
    assert editor.rows().count() == 8
    assert editor.control("layers[1].filters").input_value() == "20"
    assert editor.layer_groups() >= 7
    assert f"{LENET_PARAMS:,} parameters" in page.locator("#totals").inner_text()
    assert "Imported lenet.prototxt (Caffe)" in page.locator("#status").inner_text()
    assert page.locator(".banner[data-key=import]").count() == 0

    keras = tmp_path / "mnist.json"
    keras.write_text(json.dumps(keras2_sequential("mnist_cnn", [28, 28, 1], MNIST_LAYERS)))
    import_file(editor, keras)
    spec = editor.spec()
    assert spec["title"] == "mnist_cnn"
    assert [layer["type"] for layer in spec["layers"]][:3] == ["input", "conv", "pool"]
    assert editor.rows().count() == len(spec["layers"])
    assert f"{MNIST_PARAMS:,} parameters" in page.locator("#totals").inner_text()
    assert "(Keras)" in page.locator("#status").inner_text()

    # each import is one undoable edit
    page.locator("#undo").click()
    editor.settle()
    assert editor.spec()["title"] == "LeNet"
    page.locator("#undo").click()
    editor.settle()
    assert editor.spec() == before


def test_import_warnings_and_errors(editor: EditorPage, tmp_path: Path) -> None:
    editor.open()
    page = editor.page
    odd = tmp_path / "odd.prototxt"
    odd.write_text(
        LENET_PROTOTXT.replace('type: "Softmax"', 'type: "FancySoftmax"'), encoding="utf-8"
    )
    import_file(editor, odd)
    banner = page.locator(".banner[data-key=import]")
    assert "warning" in (banner.get_attribute("class") or "")
    assert "FancySoftmax" in banner.inner_text()
    assert "1 warning" in page.locator("#status").inner_text()
    good = editor.spec()
    svg = editor.svg_markup()

    garbage = tmp_path / "garbage.prototxt"
    garbage.write_bytes(b"\x00\x01 not a model {{{")
    import_file(editor, garbage)
    banner = page.locator(".banner[data-key=import]")
    assert "garbage.prototxt could not be imported" in banner.inner_text()
    assert "NUL" in banner.inner_text()
    assert "error" in (banner.get_attribute("class") or "")
    assert editor.spec() == good  # the work is kept ...
    assert editor.svg_markup() == svg  # ... and so is its diagram
    assert "unchanged" in page.locator("#status").inner_text()
    assert not page.locator("#undo").is_disabled()


def test_screenshot_graph_block_with_the_pick_list_open(editor: EditorPage) -> None:
    editor.open()
    page = editor.page
    page.locator("#example").select_option("resnet_block")
    editor.settle()
    loc = "layers[1].layers[5].inputs"
    editor.control(loc).click()
    editor.control(loc).scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "graph-inputs-1280.png"))
    # the open list fits the side panel: nothing sticks out sideways
    boxes: Any = page.evaluate(
        """(id) => {
          const side = document.querySelector('.side').getBoundingClientRect();
          const list = document.getElementById(id).parentElement.getBoundingClientRect();
          const labels = [...document.getElementById(id).parentElement
            .querySelectorAll('.inputs-choice')].map(l => l.getBoundingClientRect());
          return {side: [side.left, side.right], list: [list.left, list.right],
                  labels: labels.map(r => [r.left, r.right, r.width])};
        }""",
        control_id(loc),
    )
    left, right = boxes["side"]
    assert left <= boxes["list"][0] and boxes["list"][1] <= right
    assert all(left <= a and b <= right and w > 40 for a, b, w in boxes["labels"])
    side_scroll = page.evaluate(
        "() => { const p = document.getElementById('panel-layers'); "
        "return p.scrollWidth - p.clientWidth; }"
    )
    assert side_scroll <= 0
