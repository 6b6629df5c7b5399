"""The command line: exit codes, located errors on stderr, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nnsketch.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_render_each_format(tmp_path, capsys) -> None:
    for ext, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        out = tmp_path / f"lenet.{ext}"
        assert main(["render", str(ROOT / "examples/lenet5.json"), "-o", str(out)]) == 0
        assert out.read_bytes().startswith(magic)


def test_render_dpi_and_background(tmp_path) -> None:
    out = tmp_path / "x.png"
    args = ["render", str(ROOT / "examples/mlp.json"), "-o", str(out), "--dpi", "192"]
    assert main([*args, "--background", "white"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_validate_reports_located_errors(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    layers = [
        {"type": "input", "height": 8, "width": 8},
        {"type": "conv", "filters": 2, "kernel": 9},
    ]
    bad.write_text(json.dumps({"layers": layers}))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "layers[1].kernel" in err and "does not fit" in err


def test_validate_ok_and_summary(capsys) -> None:
    assert main(["validate", str(ROOT / "examples/lenet5.json")]) == 0
    assert "61,706" in capsys.readouterr().out
    assert main(["summary", "--json", str(ROOT / "examples/alexnet.json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["params"] == 62_378_344


def test_missing_file_and_bad_json(tmp_path, capsys) -> None:
    assert main(["render", str(tmp_path / "nope.json")]) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope\n}")
    assert main(["validate", str(bad)]) == 1
    assert "line 2" in capsys.readouterr().err


def test_schema_and_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nnsketch", "schema"], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["title"] == "nnsketch spec"


def test_stdin_to_stdout(monkeypatch, capsys) -> None:
    import io

    spec = (ROOT / "examples/small_mlp.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(spec)))
    assert main(["render", "-"]) == 0
    assert capsys.readouterr().out.startswith("<?xml")
