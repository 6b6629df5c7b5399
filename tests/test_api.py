"""Every route of the HTTP API, every export format, the page and static files."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

import nnsketch
from nnsketch.examples import list_examples, load_example
from nnsketch.export import png_size
from nnsketch.limits import LIMITS
from nnsketch.web.security import PAGE_CSP
from tests.api_support import TestClient, assert_error, make_client
from tests.checks import assert_png_not_blank, parse_svg, png_pixels, svg_texts
from tests.conftest import ROOT, load


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return make_client(tmp_path_factory.mktemp("site"))


def test_page_renders_the_template_with_its_context(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == PAGE_CSP
    html = r.text
    assert f"<title>nnsketch {nnsketch.__version__}</title>" in html
    assert f'data-max-layers="{LIMITS.max_layers}"' in html
    assert re.findall(r'data-name="([^"]+)"', html) == [e["name"] for e in list_examples()]
    # titles go through autoescaping, not raw
    assert "Keras MNIST CNN" in html


def test_page_csp_allows_only_same_origin_scripts_and_styles() -> None:
    directives = dict(d.strip().split(" ", 1) for d in PAGE_CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"
    assert "unsafe-inline" not in PAGE_CSP
    assert directives["frame-ancestors"] == "'none'"


def test_static_urls_carry_a_content_hash_and_hashed_urls_cache_forever(
    client: TestClient,
) -> None:
    url = re.search(r'src="(/static/app\.js\?v=([0-9a-f]+))"', client.get("/").text)
    assert url is not None
    body = client.app.state.static_hashes.directory.joinpath("app.js").read_bytes()  # type: ignore[attr-defined]
    assert url.group(2) == hashlib.sha256(body).hexdigest()[:12]
    fresh = client.get(url.group(1))
    assert fresh.status_code == 200 and fresh.content == body
    assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert fresh.headers["x-content-type-options"] == "nosniff"
    for stale in ("/static/app.js", "/static/app.js?v=000000000000"):
        assert client.get(stale).headers["cache-control"] == "no-cache"


def test_static_hash_follows_file_changes(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    before = client.app.state.static_hashes.url("app.js")  # type: ignore[attr-defined]
    (tmp_path / "static" / "app.js").write_text("// changed, and longer\n", encoding="utf-8")
    after = client.app.state.static_hashes.url("app.js")  # type: ignore[attr-defined]
    assert before != after
    assert client.get(after).headers["cache-control"].endswith("immutable")


def test_static_files_outside_the_directory_are_not_served(client: TestClient) -> None:
    for path in ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/nope.js"):
        assert_error(client.get(path), 404, "")


@pytest.mark.skipif(
    not (ROOT / "templates" / "editor.html").is_file(), reason="the editor page is not there yet"
)
def test_the_real_editor_page_and_its_assets_are_served() -> None:
    client = make_client()
    r = client.get("/")
    assert r.status_code == 200
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text)
    assert urls, "the page loads no static files"
    for url in urls:
        asset = client.get(url.replace("&amp;", "&"))
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"].endswith("immutable"), url


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "version": nnsketch.__version__}


def _expected_analysis(spec: dict[str, Any]) -> dict[str, Any]:
    net = nnsketch.analyze(nnsketch.load_spec(spec))
    return {
        "ok": True,
        "shapes": [info.summary() for info in net.layers],
        "total_params": net.total_params,
        "total_non_trainable": net.total_non_trainable,
        "total_macs": net.total_macs,
    }


def test_preview_gives_the_svg_shapes_and_totals(client: TestClient, example: dict) -> None:
    r = client.post("/api/preview", json=example)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == [
        "ok",
        "svg",
        "shapes",
        "total_params",
        "total_non_trainable",
        "total_macs",
    ]
    assert {k: v for k, v in body.items() if k != "svg"} == _expected_analysis(example)
    assert body["svg"] == nnsketch.build(example).svg
    root = parse_svg(body["svg"])
    assert root.get("viewBox")
    rows = body["shapes"]
    # repeat blocks expand, so there is at least one row per spec layer
    assert [row["index"] for row in rows] == list(range(len(rows)))
    assert len(rows) >= len(example["layers"])
    assert all(isinstance(row["params"], int) and row["output"] for row in rows)


def test_preview_totals_match_the_published_counts(client: TestClient) -> None:
    assert client.post("/api/preview", json=load("lenet5")).json()["total_params"] == 61_706
    assert client.post("/api/validate", json=load("vgg16")).json()["total_params"] == 138_357_544


def test_preview_is_deterministic(client: TestClient) -> None:
    spec = load("alexnet")
    first = client.post("/api/preview", json=spec).content
    assert all(client.post("/api/preview", json=spec).content == first for _ in range(3))


def test_validate_is_preview_without_the_svg(client: TestClient, example: dict) -> None:
    r = client.post("/api/validate", json=example)
    assert r.status_code == 200
    assert r.json() == _expected_analysis(example)


def test_validate_reports_an_impossible_shape_at_its_field(client: TestClient) -> None:
    spec = load("lenet5")
    spec["layers"][3]["kernel"] = 40  # the input to this conv is 14x14
    for route in ("/api/validate", "/api/preview"):
        r = client.post(route, json=spec)
        assert r.status_code == 200
        body = r.json()
        assert body["ok"] is False and "svg" not in body
        assert [e["loc"] for e in body["errors"]] == ["layers[3].kernel"]


def test_render_svg(client: TestClient) -> None:
    spec = load("lenet5")
    r = client.post("/api/render?format=svg", json=spec)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert r.headers["content-disposition"] == 'attachment; filename="LeNet-5.svg"'
    assert r.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    assert r.text == nnsketch.build(spec).svg
    assert "LeNet-5" in svg_texts(parse_svg(r.text)) or "<title>LeNet-5</title>" in r.text


def test_render_defaults_to_svg(client: TestClient) -> None:
    r = client.post("/api/render", json=load("small_mlp"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.headers["content-disposition"] == 'attachment; filename="A-small-MLP.svg"'


@pytest.mark.parametrize("scale", [1, 2.5])
def test_render_png_has_the_scaled_size_and_is_not_blank(client: TestClient, scale: float) -> None:
    spec = load("alexnet")
    r = client.post(f"/api/render?format=png&scale={scale}", json=spec)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == 'attachment; filename="AlexNet.png"'
    assert_png_not_blank(r.content)
    width, height, _ = png_pixels(r.content)
    assert (width, height) == png_size(nnsketch.build(spec).drawing, scale)


def _corner(png: bytes) -> tuple[int, int, int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        pixel = img.convert("RGBA").getpixel((0, 0))
    assert isinstance(pixel, tuple)
    return pixel  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("background", "corner"),
    [
        (None, 0),
        ("transparent", 0),
        ("white", (255, 255, 255, 255)),
        ("%23ff0000", (255, 0, 0, 255)),
        ("rgb(0,%200,%20255)", (0, 0, 255, 255)),
    ],
)
def test_render_png_background(client: TestClient, background: str | None, corner: Any) -> None:
    query = "format=png" + (f"&background={background}" if background else "")
    r = client.post(f"/api/render?{query}", json=load("lenet5"))
    assert r.status_code == 200
    pixel = _corner(r.content)
    if corner == 0:
        assert pixel[3] == 0, "the background should stay transparent"
    else:
        assert pixel == corner


def test_render_pdf(client: TestClient) -> None:
    r = client.post("/api/render?format=pdf&background=white", json=load("vgg16"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="VGG-16.pdf"'
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("LeNet-5", "LeNet-5"),
        ("My net: v2 (final)", "My-net-v2-final"),
        ("Réseau à convolution", "Reseau-a-convolution"),
        ("残差ネットワーク", "diagram"),
        ("", "diagram"),
        ('"; filename=evil.exe', "filename-evil-exe"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_download_names_are_ascii_slugs_of_the_title(
    client: TestClient, title: str, stem: str
) -> None:
    spec = {**load("small_mlp"), "title": title}
    r = client.post("/api/render?format=svg", json=spec)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="{stem}.svg"'


def test_schema(client: TestClient) -> None:
    r = client.get("/api/schema")
    assert r.status_code == 200
    schema = r.json()
    assert schema == nnsketch.spec_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "layers" in schema["required"]


def test_examples_list_and_each_example(client: TestClient) -> None:
    listed = client.get("/api/examples").json()
    assert listed == list_examples()
    assert {"lenet5", "alexnet", "vgg16", "mlp"} <= {e["name"] for e in listed}
    for entry in listed:
        assert set(entry) == {"name", "title", "style", "layers"}
        spec = client.get(f"/api/examples/{entry['name']}").json()
        assert spec == load_example(entry["name"])
        assert len(spec["layers"]) == entry["layers"]
        assert client.post("/api/validate", json=spec).json()["ok"] is True


@pytest.mark.parametrize("name", ["nope", "LENET5", "lenet5.json", "a" * 64])
def test_unknown_example_is_404(client: TestClient, name: str) -> None:
    assert_error(client.get(f"/api/examples/{name}"), 404, "", "no example named", "lenet5")


def test_example_paths_cannot_leave_the_examples(client: TestClient) -> None:
    assert_error(client.get("/api/examples/..%2F..%2Fpyproject.toml"), 404, "")
    assert_error(client.get("/api/examples/" + "a" * 65), 422, "name", "at most 64")


def test_openapi_documents_every_route_with_examples(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    expected = {
        ("/", "get"),
        ("/healthz", "get"),
        ("/api/preview", "post"),
        ("/api/validate", "post"),
        ("/api/render", "post"),
        ("/api/schema", "get"),
        ("/api/examples", "get"),
        ("/api/examples/{name}", "get"),
    }
    documented = {(p, m) for p, ops in paths.items() for m in ops}
    assert expected <= documented
    for path, method in documented:
        assert paths[path][method].get("summary"), (path, method)
    schemas = doc["components"]["schemas"]
    for path in ("/api/preview", "/api/validate", "/api/render"):
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": "#/components/schemas/Spec"}
        assert set(body["examples"]) >= {"lenet5", "mlp", "impossible"}
        for example in body["examples"].values():
            assert example["value"]["layers"]
        assert paths[path]["post"]["responses"]["422"]
    params = {p["name"] for p in paths["/api/render"]["post"]["parameters"]}
    assert params == {"format", "scale", "background"}
    # every $ref resolves inside the document
    refs = set(re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', r_text(client)))
    assert refs and refs <= set(schemas)


def r_text(client: TestClient) -> str:
    return client.get("/openapi.json").text


def test_docs_page_allows_its_inline_script_by_hash_only(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "/openapi.json" in r.text


def test_docs_assets_are_served_locally(client: TestClient) -> None:
    r = client.get("/docs")
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
