"""Importers: model files people already have, turned into ordinary nnsketch specs.

`read_model(data, filename)` picks the format from the file name's extension, or
sniffs the bytes, and returns an `Imported` (the spec as a plain dict, warnings
about what was approximated, and the file's parameter total where it has one).
The spec is a normal spec: edit it, render it in any style, save it.

Formats: Caffe prototxt (text), Keras ``model.to_json()`` (and ``.keras`` zips),
ONNX (needs the ``onnx`` package). PyTorch modules are traced in-process with
`nnsketch.from_torch`; pickled checkpoints are refused, since loading one runs
code. Every importer raises `ModelFileError` (422) for files it cannot read and
`ModelTooLarge` (413) for files over the import budget.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .assemble import Imported
from .common import Budget, MissingExtra, ModelFileError, ModelTooLarge, strict_json

__all__ = [
    "FORMATS",
    "Budget",
    "Imported",
    "MissingExtra",
    "ModelFileError",
    "ModelTooLarge",
    "import_file",
    "read_model",
    "sniff_format",
]

FORMATS: dict[str, tuple[str, ...]] = {
    "caffe": (".prototxt",),
    "keras": (".json", ".keras"),
    "onnx": (".onnx",),
}
"""Format name -> file name extensions that select it."""

_REFUSED: dict[str, str] = {
    ".caffemodel": "a binary .caffemodel holds trained weights; import the network's "
    ".prototxt (deploy.prototxt) instead",
    ".h5": "HDF5 Keras files are not read; save the architecture with model.to_json() "
    "or model.save('model.keras')",
    ".hdf5": "HDF5 Keras files are not read; save the architecture with model.to_json()",
    ".pt": "PyTorch files are pickles, and loading one runs code; in Python, call "
    "nnsketch.from_torch(model, input_shape) instead",
    ".pth": "PyTorch files are pickles, and loading one runs code; in Python, call "
    "nnsketch.from_torch(model, input_shape) instead",
    ".pkl": "pickles are never loaded (loading one runs code)",
    ".pb": "TensorFlow graphs are not read; convert the model to ONNX (tf2onnx) first",
    ".tflite": "TensorFlow Lite files are not read; convert the model to ONNX first",
    ".safetensors": "safetensors files hold weights only, not the architecture",
}
_MAX_ZIP_MEMBERS = 64
_MAX_CONFIG_BYTES = 16_000_000


def _extension(filename: str | None) -> str:
    if not filename:
        return ""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _format_for(ext: str) -> str | None:
    for fmt, exts in FORMATS.items():
        if ext in exts:
            return fmt
    return None


_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}


def _looks_like_text(head: bytes) -> bool:
    if any(b in _CONTROL_BYTES for b in head[:512]):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut at the end of the sample
    return True


def sniff_format(data: bytes) -> str | None:
    """The format the bytes look like ('caffe', 'keras', 'onnx'), or None."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        return "keras"
    if not head.strip():
        return None
    if _looks_like_text(head):
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if text.startswith(("{", "[")):
            return "keras"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and ln.strip()[0] != "#"]
        words = ("layer", "layers", "input", "input_dim", "input_shape", "name", "force_backward")
        if lines and lines[0].split(":")[0].split("{")[0].strip() in words:
            return "caffe"
        return None
    if head[0] == 0x08 and len(head) > 4:  # ModelProto field 1 (ir_version), a varint
        return "onnx"
    return None


def _refuse_binary(data: bytes) -> None:
    head = data[:16]
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        raise ModelFileError.file(_REFUSED[".h5"])
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise ModelFileError.file(_REFUSED[".pkl"])


def _keras_config(data: bytes, budget: Budget) -> bytes:
    """config.json from a .keras zip, read without trusting the zip's own sizes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ModelFileError.file(f"the file is not a readable zip archive: {exc}") from None
    if len(members) > _MAX_ZIP_MEMBERS:
        raise ModelTooLarge.file(f"the zip archive has more than {_MAX_ZIP_MEMBERS} members")
    names = {m.filename for m in members}
    if any(n.endswith("data.pkl") for n in names):
        raise ModelFileError.file(_REFUSED[".pt"])
    if "config.json" not in names:
        raise ModelFileError.file("the zip archive has no config.json; is it a .keras file?")
    with archive.open("config.json") as fh:
        config = fh.read(_MAX_CONFIG_BYTES + 1)
    if len(config) > _MAX_CONFIG_BYTES:
        raise ModelTooLarge.file(
            f"config.json unpacks to more than {_MAX_CONFIG_BYTES:,} bytes (the import limit)"
        )
    budget.check_size(len(config), "config.json")
    return config


def _read_json(data: bytes, style: str | None, fold: bool | None, budget: Budget) -> Imported:
    from ..analysis import analyze
    from ..spec import load_spec
    from .keras import read_keras_config

    config = strict_json(data, "the file")
    if (
        isinstance(config, dict)
        and isinstance(config.get("layers"), list)
        and all(isinstance(layer, dict) and "type" in layer for layer in config["layers"])
    ):
        spec = {**config, "style": style} if style is not None else config
        net = analyze(load_spec(spec))  # already a spec: it only has to be a valid one
        return Imported(spec, (), "nnsketch", None, net.total_params)
    return read_keras_config(config, style=style, fold=fold, budget=budget)


def _loader(fmt: str) -> Callable[..., Imported]:
    if fmt == "caffe":
        from .caffe import read_caffe

        return read_caffe
    if fmt == "onnx":
        from .onnx_import import read_onnx

        return read_onnx
    raise ModelFileError.file(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def read_model(
    data: bytes,
    filename: str | None = None,
    *,
    format: str | None = None,
    style: str | None = None,
    fold: bool | None = None,
    budget: Budget | None = None,
) -> Imported:
    """Import a model file's bytes; see the module docstring.

    `format` overrides the extension; `style` picks the spec's style (default:
    graph for branching networks, lenet/alexnet for CNN chains, fcnn for MLPs);
    `fold` folds activations into their layers (None: activations always, norm
    and dropout boxes above 100 layers; False: never; True: always).
    """
    budget = budget or Budget()
    budget.check_size(len(data))
    if not data.strip():
        raise ModelFileError.file("the file is empty")
    ext = _extension(filename)
    if format is None and ext in _REFUSED:
        raise ModelFileError.file(_REFUSED[ext])
    fmt = format or _format_for(ext) or sniff_format(data)
    if fmt is None:
        _refuse_binary(data)
        shown = f"{ext} files" if ext else "this file"
        raise ModelFileError.file(
            f"cannot tell the model format of {shown}; use a .prototxt (Caffe), .json or "
            ".keras (Keras) or .onnx (ONNX) file"
        )
    if fmt == "keras":
        if data[:4] == b"PK\x03\x04":
            data = _keras_config(data, budget)
        return _read_json(data, style, fold, budget)
    return _loader(fmt)(data, style=style, fold=fold, budget=budget)


def import_file(
    source: str | Path | bytes,
    filename: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The spec (a dict) for a model file given as a path or as bytes plus its name."""
    if isinstance(source, bytes):
        return read_model(source, filename, **options).spec
    path = Path(source)
    if not path.is_file():
        raise ModelFileError.file(f"no such model file: {path}")
    budget: Budget = options.pop("budget", None) or Budget()
    budget.check_size(path.stat().st_size)
    return read_model(path.read_bytes(), filename or path.name, budget=budget, **options).spec
