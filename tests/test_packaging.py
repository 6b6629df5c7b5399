"""A non-editable install carries the templates, static files and examples."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return next(out.glob("nnsketch-*.whl"))


def test_wheel_contains_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for sub in ("templates", "static", "examples"):
        expected = {f"nnsketch/{p.relative_to(ROOT).as_posix()}"
                    for p in (ROOT / sub).rglob("*") if p.is_file()}  # fmt: skip
        assert expected and expected <= names, sub
    assert "nnsketch/py.typed" in names


def test_installed_copy_finds_resources(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    code = (
        "import nnsketch, nnsketch.resources as r, nnsketch.examples as e;"
        f"assert nnsketch.__file__.startswith({str(target)!r}), nnsketch.__file__;"
        "print(r.resource_dir('templates'), r.resource_dir('static'), len(e.example_names()))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    templates, static, count = out.stdout.split()
    assert templates.startswith(str(target)) and static.startswith(str(target))
    assert int(count) >= 5
