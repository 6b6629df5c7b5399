"""`POST /api/import`: a model file (multipart upload) in, an nnsketch spec out.

The body limit middleware caps the upload at `max_body_bytes`; the multipart
parser is limited to one file and a few fields; the import itself runs in the
render pool under a time and size budget. The answer is
``{"ok": true, "format": "caffe", "spec": {...}, "warnings": [...]}`` or the
API's one error shape, located at ``file`` (the upload) or ``body``.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ..errors import NnsketchError, SpecError
from ..importers import Budget, ModelFileError, read_model
from ..limits import LIMITS
from .docs import ERROR_REF
from .work import RenderPool

log = logging.getLogger("nnsketch.web")
router = APIRouter(prefix="/api", tags=["api"])

IMPORT_SECONDS = 5.0
"""Parse budget of one upload; with the size limit it bounds the CPU one request takes."""
_MAX_FIELDS = 8


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


_DOCS: dict[str, Any] = {
    "summary": "Import a Caffe, Keras or ONNX model file as a spec",
    "description": "Send the file as `multipart/form-data` in a field named `file`. The "
    "format comes from the file name's extension (.prototxt, .json, .keras, .onnx) or is "
    "sniffed from the bytes. The spec that comes back is a normal spec: preview, edit and "
    "render it like any other. `warnings` lists what was approximated (unknown layer "
    "types drawn as pass-through boxes, assumed input sizes, parameter counts that "
    "differ from the file's).",
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
    "responses": {
        200: {
            "description": "the spec and the importer's warnings",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "ok": {"const": True},
                            "format": {"enum": ["caffe", "keras", "onnx", "nnsketch"]},
                            "spec": {"$ref": "#/components/schemas/Spec"},
                            "warnings": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                }
            },
        },
        413: _error("the upload or the model is over a limit (the message names it)"),
        422: _error("not a model file, a format that cannot be read, or a hostile file"),
        501: _error("the server lacks the optional package the format needs (onnx)"),
    },
}


def _import(
    data: bytes, filename: str | None, fmt: str | None, style: str | None, fold: bool | None
) -> bytes:
    budget = Budget(
        max_bytes=LIMITS.max_body_bytes,
        max_nodes=4 * LIMITS.max_layers,
        max_seconds=IMPORT_SECONDS,
    )
    try:
        result = read_model(data, filename, format=fmt, style=style, fold=fold, budget=budget)
    except NnsketchError:
        raise
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        raise ModelFileError.file(f"the file could not be read ({type(exc).__name__})") from None
    except Exception as exc:
        log.exception("import of %r failed", filename)
        raise ModelFileError.file(
            f"the file could not be imported ({type(exc).__name__})"
        ) from None
    return json.dumps(result.as_json(), ensure_ascii=False, separators=(",", ":")).encode()


@router.post("/import", **_DOCS)
async def import_model(
    request: Request,
    style: Annotated[
        Literal["fcnn", "lenet", "alexnet", "graph"] | None,
        Query(
            description="the spec's style; default: graph for branches, lenet/alexnet "
            "for CNN chains, fcnn for MLPs"
        ),
    ] = None,
    fold: Annotated[
        bool | None,
        Query(
            description="fold activations into their layers (default: yes; norm and "
            "dropout boxes too above 100 layers)"
        ),
    ] = None,
    format: Annotated[
        Literal["caffe", "keras", "onnx"] | None,
        Query(description="the file's format when its name does not say"),
    ] = None,
) -> Response:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise SpecError.at(
            "body", "send the model file as multipart/form-data in a field named 'file'"
        )
    try:
        form = await request.form(
            max_files=1, max_fields=_MAX_FIELDS, max_part_size=LIMITS.max_body_bytes
        )
    except (MultiPartException, HTTPException) as exc:
        # Starlette turns its multipart errors into a bare 400; answer in our shape.
        reason = getattr(exc, "message", None) or getattr(exc, "detail", "") or "malformed"
        raise SpecError.at("body", f"the multipart body cannot be read: {reason}") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise SpecError.at("file", "no file: send the model in a multipart field named 'file'")
        data = await upload.read()
        filename = upload.filename
    finally:
        await form.close()
    pool: RenderPool = request.app.state.render_pool
    body = await pool.run(_import, data, filename, format, style, fold)
    return Response(body, media_type="application/json")
