"""OpenAPI descriptions of the API routes: summaries, example bodies and responses.

The handlers read the raw body themselves (so hostile JSON never reaches FastAPI's
own parser), which means the request schema is declared here, pointing at the
spec's JSON Schema that `openapi.install` adds to the components.
"""

from __future__ import annotations

from typing import Any

from ..examples import load_example

SPEC_REF = {"$ref": "#/components/schemas/Spec"}

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "status", "errors"],
    "properties": {
        "ok": {"const": False},
        "status": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "string", "examples": ["layers[3].kernel"]},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "index": {"type": "integer"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "output": {"type": "array", "items": {"type": "integer"}},
        "output_text": {"type": "string"},
        "params": {"type": "integer"},
        "non_trainable": {"type": "integer"},
        "macs": {"type": "integer"},
    },
}
_ANALYSIS: dict[str, Any] = {
    "shapes": {"type": "array", "items": _ROW},
    "total_params": {"type": "integer"},
    "total_non_trainable": {"type": "integer"},
    "total_macs": {"type": "integer"},
}

COMPONENTS: dict[str, Any] = {
    "Error": _ERROR_SCHEMA,
    "Validation": {
        "type": "object",
        "properties": {"ok": {"const": True}, **_ANALYSIS},
    },
    "Preview": {
        "type": "object",
        "properties": {"ok": {"const": True}, "svg": {"type": "string"}, **_ANALYSIS},
    },
}


def _bad_kernel() -> dict[str, Any]:
    spec = load_example("lenet5")
    spec["layers"][1]["kernel"] = 40
    return spec


def _request_body() -> dict[str, Any]:
    examples = {
        name: {"summary": summary, "value": value}
        for name, summary, value in (
            ("lenet5", "LeNet-5 in the lenet style", load_example("lenet5")),
            ("mlp", "A multilayer perceptron in the fcnn style", load_example("small_mlp")),
            ("alexnet", "AlexNet in the 3D alexnet style", load_example("alexnet")),
            ("impossible", "A kernel larger than its input (an error)", _bad_kernel()),
        )
    }
    return {
        "required": True,
        "description": "the spec, as a JSON object (at most 1 MB)",
        "content": {"application/json": {"schema": SPEC_REF, "examples": examples}},
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


_SPEC_ERRORS = {
    "413": _error("the body or the drawing is over a limit (the message names it)"),
    "422": _error("malformed JSON, a non-object body, or a bad query value"),
}


def _route(summary: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "description": description, **extra}


def _spec_route(summary: str, description: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return _route(
        summary,
        description,
        openapi_extra={"requestBody": _request_body()},
        responses={200: ok, **_SPEC_ERRORS},
        **extra,
    )


def _either(name: str, description: str) -> dict[str, Any]:
    schema = {"oneOf": [{"$ref": f"#/components/schemas/{name}"}, ERROR_REF]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PREVIEW = _spec_route(
    "Preview a spec: SVG, shapes and totals",
    "What the live editor calls on every edit. Always 200 for a JSON object: either "
    "`ok: true` with the SVG, every layer's output shape and parameter count, or "
    "`ok: false` with located errors (the same shape as every API error).",
    _either("Preview", "the picture and the analysis, or located errors"),
)
VALIDATE = _spec_route(
    "Validate a spec: shapes, parameters, or located errors",
    "Like preview without the SVG. Always 200 for a JSON object, so an editor can "
    "show problems beside the fields they name (`loc` like `layers[3].kernel`).",
    _either("Validation", "the analysis, or located errors"),
)
RENDER = _spec_route(
    "Render a spec to SVG, PNG or PDF",
    "Returns the file with a `Content-Disposition` name made from the spec's title.",
    {
        "description": "the file",
        "content": {
            "image/svg+xml": {"schema": {"type": "string"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    },
)
SCHEMA = _route(
    "The spec's JSON Schema",
    "Draft 2020-12 schema of the request body the other routes take.",
    responses={200: {"description": "JSON Schema", "content": {"application/json": {}}}},
)
EXAMPLES = _route(
    "The example specs",
    "Name, title, style and layer count of each spec in `examples/`.",
)
EXAMPLE = _route(
    "One example spec",
    "The spec, ready to send to preview or render.",
    responses={
        404: _error("no example has that name"),
        422: _error("the name is longer than 64 characters"),
    },
)
