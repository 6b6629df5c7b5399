"""Bad input gets a clear, located answer in the one error shape, never a 5xx;
hostile text never turns into markup; every response carries the security headers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsketch.layers import LAYER_TYPES
from tests.api_support import TestClient, assert_error, assert_error_body, make_client
from tests.checks import SVG_NS, parse_svg
from tests.conftest import load

SPEC_ROUTES = ("/api/preview", "/api/validate", "/api/render?format=svg")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return make_client(tmp_path_factory.mktemp("site"))


def small(**changes: Any) -> dict[str, Any]:
    return {**load("small_mlp"), **changes}


# -- bodies that are not a spec at all: 422 on every route ---------------------------------

UNREADABLE: list[tuple[str, bytes, str]] = [
    ("empty", b"", "empty"),
    ("whitespace", b"  \n ", "empty"),
    ("syntax", b'{"layers": [}', "line 1, column 13"),
    ("syntax on line 3", b'{\n  "style": "fcnn",\n  "layers": [,]\n}', "line 3, column 14"),
    ("trailing comma", b'{"layers": [],}', "line 1"),
    ("array", b"[1, 2]", "got an array"),
    ("string", b'"lenet"', "got a string"),
    ("number", b"42", "got a number"),
    ("null", b"null", "got null"),
    ("NaN", b'{"layers": [{"type": "dense", "units": NaN}]}', "NaN"),
    ("Infinity", b'{"layers": [{"type": "dense", "units": Infinity}]}', "Infinity"),
    ("-Infinity", b'{"title": -Infinity, "layers": []}', "-Infinity"),
    ("float overflow", b'{"layers": [{"type": "dense", "units": 1e309}]}', "1e309"),
    ("huge integer", b'{"layers": [{"type": "dense", "units": ' + b"9" * 5000 + b"}]}", "digits"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("deep objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
    ("latin-1", '{"title": "Réseau", "layers": []}'.encode("latin-1"), "not UTF-8"),
    ("binary", bytes(range(256)), "UTF-8"),
    ("utf-16", '{"layers": []}'.encode("utf-16"), "UTF-8"),
]


@pytest.mark.parametrize("route", SPEC_ROUTES)
@pytest.mark.parametrize(
    ("body", "fragment"), [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE]
)
def test_unreadable_bodies_are_422_with_a_message(
    client: TestClient, route: str, body: bytes, fragment: str
) -> None:
    r = client.post(route, content=body, headers={"content-type": "application/json"})
    assert_error(r, 422, "", fragment)


def test_json_is_read_whatever_the_content_type(client: TestClient) -> None:
    body = json.dumps(small()).encode()
    for ctype in ("text/plain", "application/octet-stream", "application/json; charset=utf-8"):
        r = client.post("/api/validate", content=body, headers={"content-type": ctype})
        assert r.json()["ok"] is True, ctype


# -- well-formed specs with problems: 200 ok:false on preview/validate, 422 on render -------

INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("wrong type", small(title=5), "title", "string"),
    ("unknown top-level field", small(colour="red"), "colour", "unknown field"),
    (
        "unknown layer field",
        small(layers=[{"type": "input", "units": 4}, {"type": "dense", "units": 2, "unit": 3}]),
        "layers[1].unit",
        "unknown field",
    ),
    (
        "unknown layer type",
        small(layers=[{"type": "input", "units": 4}, {"type": "lstm", "units": 2}]),
        "layers[1].type",
        "unknown layer type 'lstm'",
    ),
    (
        "missing layer type",
        small(layers=[{"type": "input", "units": 4}, {"units": 2}]),
        "layers[1].type",
        "missing",
    ),
    ("unknown style", small(style="isometric"), "style", "got 'isometric'"),
    ("no layers", small(layers=[]), "layers", "at least 1"),
    (
        "impossible shape",
        {
            **load("lenet5"),
            "layers": [*load("lenet5")["layers"][:3], {"type": "conv", "filters": 4, "kernel": 15}],
        },
        "layers[3].kernel",
        "",
    ),
    (
        "zero kernel",
        {
            **load("lenet5"),
            "layers": [load("lenet5")["layers"][0], {"type": "conv", "filters": 4, "kernel": 0}],
        },
        "layers[1].kernel",
        "kernel must be between 1",
    ),
    (
        "bad color",
        small(layers=[{"type": "input", "units": 4, "color": "url(#x)"}]),
        "layers[0].color",
        "not a CSS color",
    ),
    (
        "duplicate names",
        small(
            layers=[
                {"type": "input", "units": 4, "name": "a"},
                {"type": "dense", "units": 2, "name": "a"},
            ]
        ),
        "layers[1].name",
        "already used",
    ),
    ("control character", small(title="a\x00b"), "title", "control character"),
]
INVALID_IDS = [i[0] for i in INVALID]


@pytest.mark.parametrize(("spec", "loc", "fragment"), [i[1:] for i in INVALID], ids=INVALID_IDS)
def test_invalid_specs_are_located_on_validate_and_preview(
    client: TestClient, spec: dict[str, Any], loc: str, fragment: str
) -> None:
    for route in ("/api/validate", "/api/preview"):
        r = client.post(route, json=spec)
        assert r.status_code == 200
        assert_error_body(r.json(), 422, loc, fragment)


@pytest.mark.parametrize(("spec", "loc", "fragment"), [i[1:] for i in INVALID], ids=INVALID_IDS)
def test_invalid_specs_are_422_on_render_with_the_same_errors(
    client: TestClient, spec: dict[str, Any], loc: str, fragment: str
) -> None:
    validated = client.post("/api/validate", json=spec).json()["errors"]
    for fmt in ("svg", "png", "pdf"):
        r = client.post(f"/api/render?format={fmt}", json=spec)
        assert assert_error(r, 422, loc, fragment) == validated


# -- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "loc", "fragment"),
    [
        ("format=gif", 422, "format", "'svg', 'png' or 'pdf'"),
        ("format=", 422, "format", ""),
        ("format=png&scale=0", 422, "scale", "positive"),
        ("format=png&scale=-2", 422, "scale", "positive"),
        ("format=png&scale=nan", 422, "scale", "positive"),
        ("format=png&scale=inf", 422, "scale", "positive"),
        ("format=png&scale=abc", 422, "scale", "number"),
        ("format=png&scale=1000", 413, "scale", "max_scale"),
        ("format=png&background=url(http://x)", 422, "background", "not a CSS color"),
        ("format=png&background=%22%3E%3Cscript%3E", 422, "background", "not a CSS color"),
        ("format=pdf&background=" + "a" * 65, 422, "background", "64"),
    ],
)
def test_bad_query_values_name_the_parameter(
    client: TestClient, query: str, status: int, loc: str, fragment: str
) -> None:
    assert_error(client.post(f"/api/render?{query}", json=small()), status, loc, fragment)


# -- routing ----------------------------------------------------------------------------------


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/nothing"), 404, "", "no such")
    assert_error(client.get("/api/preview"), 405, "", "method")
    assert_error(client.delete("/api/examples"), 405, "", "method")


def test_the_error_shape_is_pinned(client: TestClient) -> None:
    r = client.post("/api/render?format=svg", json=small(layers=[{"type": "lstm"}]))
    assert r.status_code == 422
    assert r.json() == {
        "ok": False,
        "status": 422,
        "errors": [
            {
                "loc": "layers[0].type",
                "msg": "unknown layer type 'lstm'; use one of: " + ", ".join(LAYER_TYPES),
            }
        ],
    }


# -- hostile text -----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "]]><script>x</script><![CDATA[",
    "&amp; &lt; &#x3C;script&#x3E;",
    "<!-- comment --><?xml-stylesheet href='http://evil/x.css'?>",
    "Réseau 残差 🧠 \u202etxt.exe",
    "<a xlink:href='javascript:alert(1)'>x</a>",
]


def assert_safe_svg(svg: str) -> ET.Element:
    """No script, no event handlers, no external references, no foreign content."""
    root = parse_svg(svg)
    for el in root.iter():
        tag = el.tag.removeprefix(SVG_NS)
        assert tag not in ("script", "foreignObject", "iframe", "image", "use", "a"), tag
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), (tag, name)
            if local in ("href", "src"):
                assert value.startswith("#"), (tag, name, value)
            assert "javascript:" not in value.lower()
            assert "url(" not in value.lower() or "url(#" in value.lower()
    assert "<!--" not in svg and "<![CDATA[" not in svg and "<?xml-stylesheet" not in svg
    return root


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_titles_and_labels_stay_text(client: TestClient, text: str) -> None:
    for style, spec in (
        ("fcnn", load("small_mlp")),
        ("lenet", load("lenet5")),
        ("alexnet", load("alexnet")),
    ):
        spec["title"] = text
        spec["layers"][0]["label"] = text
        spec["layers"][1]["name"] = "n1"
        preview = client.post("/api/preview", json=spec).json()
        assert preview["ok"] is True, (style, preview)
        rendered = client.post("/api/render?format=svg", json=spec)
        assert rendered.status_code == 200
        assert rendered.text == preview["svg"]
        root = assert_safe_svg(rendered.text)
        all_text = ["".join(el.itertext()) for el in root.iter()]
        assert any(text in t for t in all_text), (style, "the label should appear verbatim")
        disposition = rendered.headers["content-disposition"]
        assert disposition.isascii() and disposition.count('"') == 2


def test_every_example_svg_is_safe(client: TestClient, example: dict[str, Any]) -> None:
    assert_safe_svg(client.post("/api/preview", json=example).json()["svg"])


def test_hostile_page_context_is_escaped(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    example_dir = tmp_path / "templates"
    (example_dir / "editor.html").write_text(
        "{{ examples[0].title }}|{{ '<b>' }}", encoding="utf-8"
    )
    assert client.get("/").text.endswith("|&lt;b&gt;")


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/healthz"),
        ("GET", "/api/schema"),
        ("GET", "/api/examples"),
        ("GET", "/api/examples/nope"),
        ("GET", "/static/app.js"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("POST", "/api/preview"),
        ("POST", "/api/render?format=png"),
        ("POST", "/api/render?format=svg"),
        ("POST", "/api/render?format=gif"),
    ],
)
def test_security_headers_on_every_response(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path, json=small() if method == "POST" else None)
    assert r.status_code < 500
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if r.headers["content-type"] == "image/svg+xml":
        assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'")
    elif path != "/" and path != "/docs":
        assert csp.startswith("default-src 'none'")


# -- property: no body ever produces a 5xx -----------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["same", "valid", "relu", "#fff", "red", "max", "ceil", "global", "+1"]),
)
_json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_dims = st.one_of(
    st.integers(min_value=-3, max_value=300), st.lists(st.integers(-1, 40), max_size=3)
)
_layer_fields = st.sampled_from(
    ["units", "filters", "kernel", "stride", "padding", "height", "width", "channels", "depth",
     "dilation", "groups", "rate", "name", "label", "inputs", "global", "mode", "scale",
     "output_padding", "color", "kind", "rounding", "function", "bias", "activation"]
)  # fmt: skip
_layers = st.fixed_dictionaries(
    {"type": st.sampled_from([*LAYER_TYPES, "lstm", ""])},
    optional={"units": _dims},
).flatmap(
    lambda base: st.dictionaries(_layer_fields, _dims | _json_values, max_size=4).map(
        lambda extra: {**base, **extra}
    )
)
_specs = st.fixed_dictionaries(
    {"layers": st.lists(_layers, min_size=0, max_size=6)},
    optional={
        "style": st.sampled_from(["fcnn", "lenet", "alexnet", "3d"]),
        "title": st.text(max_size=40),
        "options": st.dictionaries(
            st.sampled_from(["fcnn", "lenet", "alexnet", "seed", "x"]),
            st.dictionaries(st.text(max_size=12), _json_values, max_size=3) | _json_values,
            max_size=2,
        ),
    },
)


def _mutate(spec: dict[str, Any], edits: list[tuple[int, str, Any]]) -> dict[str, Any]:
    """An example with a few layer fields replaced or removed (None removes)."""
    layers = [dict(layer) for layer in spec["layers"]]
    for index, field, value in edits:
        layer = layers[index % len(layers)]
        if value is None:
            layer.pop(field, None)
        else:
            layer[field] = value
    return {**spec, "layers": layers}


_small_values = st.one_of(
    st.none(), st.integers(-2, 70), st.sampled_from(["same", "valid", "relu", [3, 3], [1, 2]])
)
_mutated = st.builds(
    _mutate,
    st.sampled_from(["lenet5", "small_mlp", "mnist_cnn", "alexnet", "resnet_block"]).map(load),
    st.lists(st.tuples(st.integers(0, 30), _layer_fields, _small_values), max_size=3),
)
_bodies = st.one_of(
    _mutated.map(lambda s: json.dumps(s).encode()),
    _specs.map(lambda s: json.dumps(s).encode()),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    _specs.map(lambda s: json.dumps(s).encode()).flatmap(
        lambda b: st.integers(0, max(0, len(b) - 1)).map(lambda n: b[:n])
    ),
)


_PROPERTY_CLIENT = make_client()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_bodies, route=st.sampled_from([*SPEC_ROUTES, "/api/render?format=png"]))
def test_no_body_ever_gets_a_server_error(body: bytes, route: str) -> None:
    r = _PROPERTY_CLIENT.post(route, content=body)
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.headers["content-type"] == "application/json":
        payload = r.json()
        if payload.get("ok") is False:
            assert_error_body(payload, payload["status"])
        elif r.status_code == 200 and not route.startswith("/api/render"):
            assert payload["ok"] is True and payload["shapes"]
