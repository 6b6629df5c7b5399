"""The benchmark scripts keep working: each runs on its smallest size (--quick) and
its results say what the issue asks for. Nothing here asserts a time."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

from _common import Table, fit_exponent, percentile, require_loopback  # noqa: E402
from _stringjoin import write_svg_join  # noqa: E402

EXAMPLE_FILES = sorted((ROOT / "examples").glob("*.json"))


def run(
    script: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[str, dict[str, Any]]:
    """Run a benchmark with --quick; its stdout and its --json results."""
    out = tmp_path / f"{script}.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), "--quick", "--json", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout, json.loads(out.read_text())


def assert_header(stdout: str, tables: bool = True) -> None:
    """Every report opens with a title and the machine line, and prints Markdown tables."""
    lines = stdout.splitlines()
    assert lines[0].startswith("## ")
    machine = lines[2]
    assert os.uname().machine in machine and "Python " in machine and "cores" in machine
    if not tables:
        return
    assert any(line.startswith("| ") for line in lines)
    assert any(set(line) <= set("|-") and line.count("|") > 2 for line in lines)


def seconds(values: list[float]) -> bool:
    return bool(values) and all(math.isfinite(v) and v > 0 for v in values)


# --- the shared helpers -------------------------------------------------------------


def test_percentile_interpolates_between_ranks() -> None:
    data = [4.0, 1.0, 3.0, 2.0]
    assert percentile(data, 0) == 1.0
    assert percentile(data, 100) == 4.0
    assert percentile(data, 50) == 2.5
    assert percentile(list(range(101)), 95) == 95.0
    assert math.isnan(percentile([], 50))


def test_growth_exponent_recovers_a_power_law() -> None:
    work = [10.0, 100.0, 1000.0]
    assert fit_exponent(work, [3e-6 * w**2 for w in work]) == pytest.approx(2.0)
    assert fit_exponent(work, [5e-4 * w for w in work]) == pytest.approx(1.0)
    assert math.isnan(fit_exponent([10.0], [1.0]))


def test_table_is_markdown_with_aligned_columns() -> None:
    t = Table(["a", "long header"], title="T")
    t.add("x", 1)
    t.add("longer cell", "2")
    lines = t.markdown().splitlines()
    assert lines[0] == "### T"
    assert len({len(line) for line in lines[2:]}) == 1
    assert lines[3].startswith("|--") and lines[4] == "| x           | 1           |"


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.10", "8.8.8.8"])
def test_load_targets_must_be_loopback(host: str) -> None:
    with pytest.raises(SystemExit, match="only loopback"):
        require_loopback(host)
    assert require_loopback("127.0.0.1") == "127.0.0.1"


def test_string_join_writer_is_well_formed_and_escapes_text() -> None:
    from xml.etree import ElementTree

    import nnsketch

    spec = json.loads((ROOT / "examples" / "lenet5.json").read_text())
    spec["title"] = 'a <b> & "c"'
    svg = write_svg_join(nnsketch.build(spec).drawing)
    root = ElementTree.fromstring(svg.split("?>", 1)[1])
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'a <b> & "c"'


# --- the scripts --------------------------------------------------------------------


def test_render_covers_every_example_and_style(tmp_path: Path) -> None:
    from nnsketch.styles import STYLES

    stdout, data = run("render", tmp_path)
    assert_header(stdout)
    rows = data["rows"]
    pairs = {(r["example"], r["style"]) for r in rows}
    natives = {(p.stem, json.loads(p.read_text()).get("style", "lenet")) for p in EXAMPLE_FILES}
    assert natives <= pairs  # every example in its own style
    assert {s for _, s in pairs} == set(STYLES)  # every style
    drawn = [r for r in rows if "refused" not in r]
    assert drawn, "every pair was refused"
    for r in drawn:
        assert r["same_elements"], f"string join differs from svgwrite for {r['example']}"
        assert 0 < r["primitives"] <= r["elements"] and r["svg_bytes"] > 0
        assert seconds(r["full"])
        for key in ("validate", "analyze", "layout", "svgwrite", "join"):
            assert seconds([r[key]]), key
    converted = [r for r in drawn if "png1_bytes" in r or "png1_refused" in r]
    assert {r["style"] for r in converted} == set(STYLES)
    for r in converted:
        for key in ("png1", "png2", "pdf"):  # timed, or refused by a limit that is named
            assert seconds([r[key]]) or r[f"{key}_refused"].startswith("refused (max_"), key
    assert "full / svgwrite" in stdout and "svgwrite / join" in stdout
    assert "Targets (reported, not asserted)" in stdout


def test_scaling_reports_growth_and_the_fcnn_outcome(tmp_path: Path) -> None:
    stdout, data = run("scaling", tmp_path)
    assert_header(stdout)
    cases = {(c["series"], c["size"]): c for c in data["cases"]}
    for series in ("lenet chain", "alexnet chain"):
        small, big = cases[(series, 10)], cases[(series, 100)]
        assert small["layers"] == 10 and big["layers"] == 100
        assert big["primitives"] > small["primitives"] and seconds(big["times"])
    mlp = cases[("fcnn 10 layers", 10)]
    assert mlp["pairs"] == 9 and mlp["edge_paths"] == mlp["pairs"]  # one <path> per layer pair
    huge = cases[("fcnn 10 layers", 1000)]
    if "refused" in huge:
        assert "max_" in huge["refused"]  # the message names the limit
        assert "refused up front by LimitError" in stdout
    else:
        assert huge["edge_paths"] == huge["pairs"] == 9 and huge["svg_bytes"] < 5_000_000
    assert "k (time ~ work^k)" in stdout
    graph = [c for c in data["cases"] if c["series"] == "graph DAG"]
    assert graph or "skipped: graph style not available" in stdout


def test_server_load_has_no_errors(tmp_path: Path) -> None:
    stdout, data = run("server", tmp_path, "--seconds", "1")
    assert_header(stdout)
    levels = data["levels"]
    assert [lv["clients"] for lv in levels] == [1, 8, 64]
    for lv in levels:
        assert lv["error_count"] == 0, lv["errors"]
        assert lv["requests"] > 0 and seconds(lv["svg_latencies"])
        assert lv["rss_before_kib"] > 0 and lv["rss_after_kib"] > 0
    assert "req/s" in stdout and "RSS after" in stdout


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_editor_times_each_edit_to_a_new_preview(tmp_path: Path) -> None:
    stdout, data = run("editor", tmp_path, "--edits", "3")
    assert_header(stdout, tables=bool(data.get("rows")))
    if not data.get("rows"):
        assert "skipped: editor not available" in stdout
        return
    assert data["page_errors"] == []
    timed = [r for r in data["rows"] if "skipped" not in r]
    assert timed
    for r in timed:
        assert r["edits"] == 3 and r["changed"] == 3, r  # every edit redrew the picture
        assert seconds(r["dom"]) and all(f >= d for f, d in zip(r["frame"], r["dom"], strict=True))


def test_peers_skip_cleanly_when_not_installed(tmp_path: Path) -> None:
    hide = tmp_path / "hide"
    hide.mkdir()
    for name in ("torch", "keras", "visualkeras", "torchview"):
        (hide / f"{name}.py").write_text("raise ImportError('hidden by the smoke test')\n")
    env = {**os.environ, "PYTHONPATH": str(hide)}
    pictures = tmp_path / "pictures"
    stdout, data = run("peers", tmp_path, "--out-dir", str(pictures), env=env)
    assert_header(stdout, tables=False)
    assert "skipped: visualkeras: torch is not available" in stdout
    assert "skipped: torchview: torch is not available" in stdout
    assert "--install" in stdout
    assert data["rows"] == [] and not pictures.exists()
