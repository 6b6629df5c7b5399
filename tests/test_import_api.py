"""Importing over HTTP (`POST /api/import`, multipart) and on the command line
(`nnsketch import`): the answer shapes, limits, errors and exit codes."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

import pytest

import nnsketch
from nnsketch.cli import main
from nnsketch.importers import sniff_format
from nnsketch.limits import LIMITS
from tests.api_support import TestClient, assert_error, make_client
from tests.import_support import LENET_PARAMS, LENET_PROTOTXT, RESNET_BLOCK_PROTOTXT
from tests.test_import_keras import RESIDUAL_NODES, RESIDUAL_PARAMS, keras2_functional


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


def _installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def upload(client: TestClient, name: str, data: bytes, query: str = "") -> object:
    return client.post(f"/api/import{query}", files={"file": (name, data)})


def test_prototxt_upload_gives_a_spec_and_warnings(client: TestClient) -> None:
    r = upload(client, "lenet.prototxt", LENET_PROTOTXT.encode())
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"ok", "format", "spec", "warnings"}
    assert body["ok"] is True and body["format"] == "caffe" and body["warnings"] == []
    net = nnsketch.build(body["spec"]).network
    assert net.total_params == LENET_PARAMS
    # the spec goes straight back into the other routes
    preview = client.post("/api/preview", json=body["spec"]).json()
    assert preview["ok"] is True and preview["total_params"] == LENET_PARAMS


def test_keras_upload_and_style_choice(client: TestClient) -> None:
    model = keras2_functional("res", {"img": [32, 32, 3]}, RESIDUAL_NODES, "dense")
    r = upload(client, "model.json", json.dumps(model).encode(), "?style=lenet")
    body = r.json()
    assert body["format"] == "keras" and body["spec"]["style"] == "lenet"
    assert nnsketch.build(body["spec"]).network.total_params == RESIDUAL_PARAMS


def test_format_is_sniffed_without_an_extension(client: TestClient) -> None:
    body = upload(client, "upload", RESNET_BLOCK_PROTOTXT.encode()).json()
    assert body["format"] == "caffe" and body["spec"]["style"] == "graph"
    body = upload(client, "upload.txt", LENET_PROTOTXT.encode(), "?format=caffe").json()
    assert body["format"] == "caffe"


def test_sniffing() -> None:
    assert sniff_format(b"PK\x03\x04rest") == "keras"
    assert sniff_format(b'\xef\xbb\xbf  {"class_name": "Sequential"}') == "keras"
    assert sniff_format(b'# a net\nname: "x"\nlayer { }') == "caffe"
    assert sniff_format(b"\x08\x07\x12\x07pytorch") == "onnx"
    assert sniff_format(b"hello world") is None
    assert sniff_format(bytes([0xFF, 0xFE, 0x00, 0x01])) is None


def test_onnx_upload(client: TestClient) -> None:
    pytest.importorskip("onnx", reason="the onnx package is an optional extra")
    from tests.test_import_onnx import cnn

    data, _ = cnn()
    body = upload(client, "net.onnx", data).json()
    assert body["ok"] is True and body["format"] == "onnx"
    assert len(body["spec"]["layers"]) == 11


def test_upload_over_the_body_limit_is_413() -> None:
    small = make_client(max_body_bytes=4_000)
    r = upload(small, "big.prototxt", (LENET_PROTOTXT + "#" * 5_000).encode())
    assert_error(r, 413, "body", "max_body_bytes")
    r = upload(make_client(), "huge.prototxt", b"#" * (LIMITS.max_body_bytes + 10))
    assert_error(r, 413, "body", "max_body_bytes")


def test_wrong_or_hostile_files_are_422_with_the_reason(client: TestClient) -> None:
    cases = [
        ("model.onnx", LENET_PROTOTXT.encode(), "not a valid ONNX file"),
        ("model.json", LENET_PROTOTXT.encode(), "not valid JSON"),
        ("notes.txt", b"just some text\nnothing else", "cannot tell the model format"),
        ("model.pt", b"PK\x03\x04" + bytes(50), "pickles"),
        ("deep.prototxt", b"layer {" * 100_000, "nest more than 32"),
        ("garbage.bin", bytes(range(256)) * 500, "cannot tell the model format"),
        ("empty.prototxt", b"", "empty"),
    ]
    for name, data, fragment in cases:
        status = 422
        if name.endswith(".onnx") and not _installed("onnx"):
            status, fragment = 501, "pip install"  # the server names the missing extra
        start = time.monotonic()
        r = upload(client, name, data)
        assert time.monotonic() - start < 2.0, name
        assert_error(r, status, "file", fragment)


def test_a_model_over_the_layer_budget_is_413(client: TestClient) -> None:
    header = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
    laughs = header + 'layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n' * 5_000
    assert len(laughs) < LIMITS.max_body_bytes
    r = upload(client, "laughs.prototxt", laughs.encode())
    assert_error(r, 413, "file", "import limit")


def test_request_shape_errors(client: TestClient) -> None:
    assert_error(
        client.post("/api/import", content=b"{}", headers={"content-type": "application/json"}),
        422,
        "body",
        "multipart/form-data",
    )
    assert_error(client.post("/api/import", files={"other": ("x", b"1")}), 422, "file", "'file'")
    r = upload(client, "lenet.prototxt", LENET_PROTOTXT.encode(), "?style=cubist")
    assert_error(r, 422, "style")


def test_openapi_documents_the_import_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    route = doc["paths"]["/api/import"]["post"]
    assert route["summary"]
    assert "multipart/form-data" in route["requestBody"]["content"]
    assert {"413", "422"} <= set(route["responses"])


def test_missing_optional_packages_are_named(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    r = upload(client, "net.onnx", b"\x08\x07" + bytes(20))
    assert_error(r, 501, "file", "pip install", "onnx")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(nnsketch.NnsketchError, match="pip install torch"):
        nnsketch.from_torch(object(), (1, 3))


# -- command line ---------------------------------------------------------------------------


def test_cli_import_writes_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "lenet.prototxt"
    model.write_text(LENET_PROTOTXT, encoding="utf-8")
    out = tmp_path / "lenet.json"
    assert main(["import", str(model), "-o", str(out)]) == 0
    assert "431,080 parameters" in capsys.readouterr().err
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert nnsketch.build(spec).network.total_params == LENET_PARAMS
    # and the written spec renders with the existing subcommands
    assert main(["render", str(out), "-o", str(tmp_path / "lenet.svg"), "--style", "graph"]) == 0


def test_cli_import_to_stdout_with_style_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "odd.prototxt"
    header = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
    model.write_text(header + 'layer { name: "x" type: "Weird" bottom: "data" top: "x" }\n')
    assert main(["import", str(model), "--style", "graph", "--no-fold"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["style"] == "graph"
    assert "warning: Weird" in captured.err


def test_cli_import_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "missing.prototxt")]) == 1
    assert "no such model file" in capsys.readouterr().err
    bad = tmp_path / "bad.prototxt"
    bad.write_text("layer {\n  name: 'x'\n")
    assert main(["import", str(bad)]) == 1
    assert "ends before the closing" in capsys.readouterr().err
    h5 = tmp_path / "model.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n")
    assert main(["import", str(h5)]) == 1
    assert "to_json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(bad), "--style", "cubist"])
    assert exit_info.value.code == 2
