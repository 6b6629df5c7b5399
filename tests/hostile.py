"""The hostile-string corpus shared by the API, SVG and browser tests: script and
SVG injection payloads, the spec locations that take text, and the checks that a
payload was either refused at its location or stayed inert text.

Every payload that would run sets `window.__pwned` or talks (alert, console), so
a browser test only has to watch for those.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import typing
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from typing import Any

from pydantic import BaseModel

from nnsketch.layers import Layer
from nnsketch.limits import LIMITS
from nnsketch.options import Options
from tests.checks import SVG_NS, parse_svg

PWN = "window.__pwned=1"
PAYLOADS: list[tuple[str, str]] = [
    ("script", f"<script>{PWN}</script>"),
    ("script-svg", f'<svg xmlns="http://www.w3.org/2000/svg"><script>{PWN}</script></svg>'),
    ("onload", f'"><svg onload="{PWN}">'),
    ("onerror-img", f'<img src=x onerror="{PWN}">'),
    ("quote-break", f"' onmouseover='{PWN}' x='"),
    ("dquote-break", f'" onfocus="{PWN}" autofocus="'),
    ("javascript-url", f"javascript:{PWN}"),
    ("anchor", f'<a href="javascript:{PWN}">click</a>'),
    ("xlink", f"<a xlink:href='javascript:{PWN}'><text>x</text></a>"),
    ("use-external", "<use href='http://127.0.0.1:9/x.svg#a'/>"),
    ("foreign-object", f"<foreignObject><iframe src='javascript:{PWN}'></iframe></foreignObject>"),
    ("css-url", "red;background:url(http://127.0.0.1:9/x.png)"),
    ("css-url-fn", "url(javascript:alert(1))"),
    ("css-expression", "expression(alert(1))"),
    ("style-close", f"</style><script>{PWN}</script><style>"),
    ("css-import", "@import url(http://127.0.0.1:9/x.css);"),
    ("entity-lt", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("entity-num", f"&#60;script&#62;{PWN}&#60;/script&#62;"),
    ("entity-hex", f"&#x3C;svg/onload={PWN}&#x3E;"),
    ("entity-xxe", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;'),
    ("cdata-close", f"]]><script>{PWN}</script><![CDATA["),
    ("comment-close", f"--><script>{PWN}</script><!--"),
    ("pi-stylesheet", "<?xml-stylesheet href='http://127.0.0.1:9/x.css'?>"),
    ("close-svg", f"</text></g></svg><script>{PWN}</script>"),
    ("template", "{{7*7}} ${7*7} {% raw %} <%= 7*7 %>"),
    ("bidi", "\u202egnp.exe\u202c \u2066isolated\u2069 \u200fRTL"),
    ("zero-width", "a\u200bb\u200cc\u200dd\ufeffe\u2060f"),
    ("combining", "Z\u0351\u0352\u0353a\u0301\u0302l\u0303g\u0304o"),
    ("emoji", "🧠👩‍💻🏳️‍🌈" * 3),
    ("nul", "a\x00b"),
    ("escape-seq", "\x1b[31mred\x1b[0m"),
    ("lone-surrogate", "\ud800x"),
    ("big-label", "A" * 100_000),
    ("big-script", f"<script>{PWN}</script>" * 4_000),
]
PAYLOAD_IDS = [name for name, _ in PAYLOADS]


# -- a spec with one layer of every type, and every place it takes text -----------------------

KITCHEN_SINK: dict[str, Any] = {
    "style": "graph",
    "title": "Every layer type",
    "layers": [
        {"type": "input", "height": 16, "width": 16, "channels": 4, "name": "x"},
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu",
         "name": "c1"},
        {"type": "norm", "kind": "batch", "name": "bn"},
        {"type": "activation", "function": "relu", "name": "act"},
        {"type": "dropout", "name": "drop"},
        {"type": "add", "inputs": ["x", "drop"], "name": "sum"},
        {"type": "multiply", "inputs": ["x", "sum"], "name": "gate"},
        {"type": "concat", "inputs": ["x", "gate"], "name": "cat"},
        {"type": "pool", "kernel": 2, "mode": "max", "rounding": "floor", "name": "p1"},
        {"type": "upsample", "mode": "nearest", "name": "up"},
        {"type": "pool", "kernel": 2, "name": "p2"},
        {"type": "deconv", "filters": 8, "kernel": 2, "stride": 2, "padding": "valid",
         "output_padding": 0, "name": "dc"},
        {"type": "repeat", "count": 2, "name": "stage", "layers": [
            {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "name": "rc"},
            {"type": "add", "inputs": ["@input", "rc"], "name": "rsum"},
        ]},
        {"type": "flatten", "name": "flat"},
        {"type": "dense", "units": 10, "activation": "softmax", "name": "fc"},
        {"type": "softmax", "name": "prob"},
    ],
    "options": {},
}  # fmt: skip


def _takes_text(annotation: Any) -> bool:
    """A field whose JSON value may be a string (free text, a name, a color, an enum)."""
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return any(isinstance(a, str) for a in typing.get_args(annotation))
    return any(_takes_text(a) for a in typing.get_args(annotation))


def _text_fields(model: type[BaseModel]) -> list[str]:
    return [
        f.alias or name
        for name, f in model.model_fields.items()
        if not (isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel))
        and _takes_text(f.annotation)
    ]


def _layer_models() -> dict[str, type[BaseModel]]:
    union = typing.get_args(typing.get_args(Layer)[0])
    return {m.model_fields["type"].default: m for m in union}


def text_locations(spec: dict[str, Any] = KITCHEN_SINK) -> list[str]:
    """Every location in `spec` (and its options) whose value may be text, found from
    the pydantic models, so a new text field is covered without an edit here."""
    locs = [f for f in _text_fields(type_of_spec()) if f not in ("layers", "options")]
    models = _layer_models()
    for i, layer in enumerate(spec["layers"]):
        locs += [f"layers[{i}].{f}" for f in _text_fields(models[layer["type"]])]
        if layer["type"] == "repeat":
            inner = layer["layers"][0]
            locs += [f"layers[{i}].layers[0].{f}" for f in _text_fields(models[inner["type"]])]
    locs += [f"options.{f}" for f in _text_fields(Options)]
    for section, field in Options.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            locs += [f"options.{section}.{f}" for f in _text_fields(model)]
    return locs


def type_of_spec() -> type[BaseModel]:
    from nnsketch.spec import Spec

    return Spec


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parts(loc: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PART.findall(loc)]


def inject(spec: dict[str, Any], loc: str, text: str) -> dict[str, Any]:
    """A copy of `spec` with `text` at `loc` (a list field gets it as its first item)."""
    out = copy.deepcopy(spec)
    node: Any = out
    parts = _parts(loc)
    for part in parts[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    last = parts[-1]
    current = node.get(last) if isinstance(node, dict) else None
    node[last] = [text, *current[1:]] if isinstance(current, list) else (
        [text, "x"] if last == "inputs" else text)  # fmt: skip
    return out


def located_at(errors: list[dict[str, str]], loc: str) -> bool:
    """Some error points at `loc`, inside it, or at the list that holds it."""
    for e in errors:
        at = e["loc"]
        if at == loc or at.startswith((f"{loc}[", f"{loc}.")) or loc.startswith(f"{at}["):
            return True
    return False


# -- what a safe SVG looks like ----------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "image", "use", "a", "animate", "set",
                  "animateTransform", "animateMotion", "style", "handler", "feImage", "object",
                  "embed", "link", "meta"}  # fmt: skip
RAW_MARKERS = ("<!DOCTYPE", "<!ENTITY", "<![CDATA[", "<?xml-stylesheet", "<!--")


def assert_inert_svg(svg: str) -> ET.Element:
    """Nothing that runs, loads or restyles: no scripts or foreign content, no event
    attributes, no references outside the file, no DTD, comment or CDATA section."""
    root = parse_svg(svg)
    for el in root.iter():
        tag = el.tag.removeprefix(SVG_NS)
        assert el.tag.startswith(SVG_NS) or el is root, f"foreign element {el.tag}"
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), (tag, name, value[:80])
            assert local not in ("href", "src", "style") or value.startswith("#"), (tag, name)
            low = value.lower()
            assert "javascript:" not in low and "expression(" not in low, (tag, name)
            assert "url(" not in low or re.fullmatch(r"url\(#[\w.-]+\)", low), (tag, name)
    for marker in RAW_MARKERS:
        assert marker not in svg, marker
    return root


def svg_strings(root: ET.Element) -> list[str]:
    """The text of every element, and every attribute value."""
    out = ["".join(el.itertext()) for el in root.iter()]
    out += [v for el in root.iter() for v in el.attrib.values()]
    return out


def shows(root: ET.Element, text: str) -> bool:
    """`text` (as the spec normalizes it) appears verbatim as text in the SVG."""
    wanted = unicodedata.normalize("NFC", text)
    return any(wanted in s for s in svg_strings(root))


def accepted_text(text: str) -> bool:
    """Would the spec accept `text` in a free-text field (title, label)?"""
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]", text)
    return bad is None and len(text) <= LIMITS.max_text_length


# -- the editor's share links -------------------------------------------------------------------


def link_fragment(spec: Any) -> str:
    """'spec=' + base64url(deflate-raw(JSON)), as the editor's copy-link writes it."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(json.dumps(spec).encode()) + packer.flush()
    return "spec=" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def raw_fragment(data: bytes) -> str:
    """A fragment carrying arbitrary bytes, deflated like a real link."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    return "spec=" + base64.urlsafe_b64encode(packed).decode().rstrip("=")
