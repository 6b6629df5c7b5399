"""Editor benchmark: time from an input event to the updated preview, in real Chromium.

Starts the real server on a free loopback port, opens the editor in headless
Debian Chromium through Playwright, loads each style's example and makes
`--edits` edits to a numeric layer field (filters or units). By default every
edit sets a new value, so no answer can come from the server's response cache
(the uncached, worst case); `--alternate` flips between two values instead, as
undo/redo does, which the cache answers. Each edit is timed inside
the page: performance.now() just before dispatching the `input` event, and again
when a MutationObserver on the preview container sees the new <svg> (and at the
next animation frame, when it can be painted).

    python benchmarks/editor.py [--edits 50] [--alternate] [--quick] [--save] [--json PATH]
"""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from _common import (
    ROOT,
    Report,
    Table,
    arg_parser,
    load_examples,
    measure,
    median,
    ms,
    percentile,
    running_server,
    skipped,
    styles,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every selector the benchmark relies on, in one place (templates/editor.html, static/*.js).
SELECTORS = {
    "preview": "#canvas",  # the container whose child <svg> is swapped on each preview
    "preview_svg": "#canvas > svg",
    "example": "#example",  # <select> of examples; 'change' loads one
    "layers": "#layers",  # the layer rows; numeric fields are <input type=number data-loc=...>
}
PREVIEW_ENDPOINT = "/api/preview"  # what the editor posts the spec to on every input
FIELD_NAMES = ("filters", "units")  # layer fields whose edit always redraws the picture
PREFERRED_EXAMPLE = {
    "fcnn": "mlp",
    "lenet": "lenet5",
    "alexnet": "alexnet",
    "graph": "resnet_block",
}
P95_TARGET_S = 0.016

FIND_FIELD_JS = """([layers, names]) => {
  for (const input of document.querySelectorAll(`${layers} input[type=number][data-loc]`)) {
    const key = input.dataset.loc.split(".").pop();
    if (names.includes(key) && input.value !== "" && Number.isFinite(Number(input.value))) {
      return {loc: input.dataset.loc, value: Number(input.value)};
    }
  }
  return null;
}"""

# One edit: stamp, set the value, dispatch `input`, resolve when the new <svg> lands.
EDIT_JS = """async ([preview, endpoint, loc, value]) => {
  const input = document.querySelector(`input[type=number][data-loc="${loc}"]`);
  const box = document.querySelector(preview);
  if (!input || !box) throw new Error(`missing ${input ? preview : loc}`);
  const before = box.querySelector("svg");
  return await new Promise((resolve, reject) => {
    let t0 = 0;
    const timer = setTimeout(() => { obs.disconnect(); reject(new Error("no preview in 10 s")); },
                             10000);
    const obs = new MutationObserver(() => {
      const svg = box.querySelector("svg");
      if (!svg || svg === before) return;
      const tDom = performance.now();
      obs.disconnect();
      clearTimeout(timer);
      // The request's own timing: where between the event and the swap the time went.
      const req = performance.getEntriesByType("resource")
        .filter((e) => e.name.includes(endpoint) && e.startTime >= t0).pop();
      requestAnimationFrame(() => resolve({
        dom: tDom - t0, frame: performance.now() - t0,
        before_fetch: req ? req.startTime - t0 : null,
        request: req ? req.responseEnd - req.startTime : null,
        after_response: req ? tDom - req.responseEnd : null,
        changed: !before || before.outerHTML !== svg.outerHTML,
        bytes: svg.outerHTML.length,
      }));
    });
    obs.observe(box, {childList: true, subtree: true});
    performance.clearResourceTimings();
    t0 = performance.now();
    input.value = String(value);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  });
}"""


def example_for(style: str, examples: dict[str, dict[str, Any]]) -> str | None:
    name = PREFERRED_EXAMPLE.get(style)
    if name in examples and examples[name].get("style") == style:
        return name
    return next((n for n, s in examples.items() if s.get("style") == style), None)


def load_example(page: Any, name: str, title: str) -> None:
    """Choose the example and wait until its diagram is the one on screen."""
    page.select_option(SELECTORS["example"], name)
    page.wait_for_function(
        """([sel, title]) => {
             const t = document.querySelector(sel + " > title");
             return t && t.textContent === title;
           }""",
        arg=[SELECTORS["preview_svg"], title],
        timeout=15000,
    )


def bench_style(
    page: Any, style: str, name: str, title: str, edits: int, alternate: bool = False
) -> dict[str, Any]:
    load_example(page, name, title)
    page.wait_for_function(
        FIND_FIELD_JS, arg=[SELECTORS["layers"], list(FIELD_NAMES)], timeout=10000
    )
    field = page.evaluate(FIND_FIELD_JS, [SELECTORS["layers"], list(FIELD_NAMES)])
    base = int(field["value"])
    if alternate:
        values = [base + 1 if i % 2 == 0 else base for i in range(edits + 3)]
    else:
        values = [base + 1 + i for i in range(edits + 3)]
    args = [SELECTORS["preview"], PREVIEW_ENDPOINT, field["loc"]]
    samples = [page.evaluate(EDIT_JS, [*args, v]) for v in values]
    samples = samples[3:]  # the first edits warm up the server and the page
    parts = {
        key: [s[key] / 1e3 for s in samples if s[key] is not None]
        for key in ("before_fetch", "request", "after_response")
    }
    return {
        "style": style,
        "example": name,
        "field": field["loc"],
        "edits": len(samples),
        "dom": [s["dom"] / 1e3 for s in samples],
        "frame": [s["frame"] / 1e3 for s in samples],
        "changed": sum(1 for s in samples if s["changed"]),
        "svg_chars": samples[-1]["bytes"] if samples else 0,
        **parts,
    }


def table(rows: list[dict[str, Any]]) -> Table:
    t = Table(
        [
            "style",
            "example",
            "field edited",
            "edits",
            "preview changed",
            "to DOM p50 ms",
            "to DOM p95 ms",
            "to next frame p50 ms",
            "to next frame p95 ms",
            "p95 ≤ 16 ms",
        ],
        title="Input event to updated preview (headless Chromium)",
    )
    for r in rows:
        if "skipped" in r:
            t.add(
                r["style"], r.get("example", "–"), "–", "–", "–", "–", "–", "–", "–", r["skipped"]
            )
            continue
        p95 = percentile(r["dom"], 95)
        t.add(
            r["style"],
            r["example"],
            f"`{r['field']}`",
            r["edits"],
            f"{r['changed']}/{r['edits']}",
            ms(median(r["dom"])),
            ms(p95),
            ms(median(r["frame"])),
            ms(percentile(r["frame"], 95)),
            "yes" if p95 <= P95_TARGET_S else "**no**",
        )
    return t


def breakdown(rows: list[dict[str, Any]], examples: dict[str, dict[str, Any]]) -> Table:
    """Medians of the parts of one edit, from the browser's resource timing."""
    from nnsketch.render import build

    t = Table(
        ["style", "event to fetch ms", "request ms", "of which render in-process ms",
         "response to DOM ms", "to DOM ms"],
        title="Where an edit's time goes (medians; request = fetch start to response end)",
    )  # fmt: skip
    for r in rows:
        if "skipped" in r or not r["request"]:
            continue
        spec = examples[r["example"]]
        render = median(measure(lambda spec=spec: build(spec).svg, 30, budget=1.0))
        t.add(
            r["style"], ms(median(r["before_fetch"])), ms(median(r["request"])), ms(render),
            ms(median(r["after_response"])), ms(median(r["dom"])),
        )  # fmt: skip
    return t


def main(argv: list[str] | None = None) -> int:
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50, help="timed edits per style")
    parser.add_argument(
        "--alternate", action="store_true", help="flip between two values (cache hits)"
    )
    args: argparse.Namespace = parser.parse_args(argv)
    edits = min(args.edits, 5) if args.quick else args.edits
    report = Report("editor", f"Editor benchmark ({edits} edits per style)")
    chromium = shutil.which("chromium")
    if chromium is None:
        report.add(skipped("chromium not found on PATH (apt-get install chromium)"))
        report.finish(args)
        return 0
    if not (ROOT / "static" / "editor.js").is_file():
        report.add(skipped("editor not available (static/editor.js is missing)"))
        report.finish(args)
        return 0
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.add(skipped("playwright is not installed in this environment"))
        report.finish(args)
        return 0

    examples = load_examples()
    rows: list[dict[str, Any]] = []
    page_errors: list[str] = []
    with running_server() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.goto(server.url + "/", wait_until="load")
            page.wait_for_selector(SELECTORS["preview_svg"], timeout=15000)
            for style in styles():
                name = example_for(style, examples)
                if name is None:
                    rows.append(
                        {"style": style, "skipped": skipped(f"no example in the {style} style")}
                    )
                    continue
                title = examples[name].get("title") or name
                rows.append(bench_style(page, style, name, title, edits, args.alternate))
                print(f"  {style}: done", flush=True)
        finally:
            browser.close()
    report.table(table(rows))
    report.table(breakdown(rows, examples))
    if page_errors:
        report.add("Page errors: " + "; ".join(page_errors[:5]))
    report.data["rows"] = rows
    report.data["page_errors"] = page_errors
    report.finish(args)
    return 1 if page_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
