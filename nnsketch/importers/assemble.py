"""From drafts to a spec: fold, order, pick a style, validate, compare parameters.

Folding is lossless for the numbers: a padding-only layer moves into the padding
of the conv or pool it feeds, and an activation that only follows a conv, deconv
or dense layer becomes that layer's ``activation`` field (as Keras writes it and
Netscope draws Caffe's in-place ReLUs). Large graphs also turn on the graph
style's ``fold_inplace``, so norm and dropout boxes join the layer they follow.
The result is validated with `load_spec` and analysed; the file's own parameter
counts, where it has them, are compared with the spec's, layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import analyze
from ..errors import SpecError
from ..limits import LIMITS
from ..spec import load_spec
from .builder import LAYER_ADAPTER, Draft, SpecBuilder
from .common import ModelFileError, ModelTooLarge, clean_label

FOLD_ABOVE = 100
"""Graphs with more layers than this fold norm/dropout boxes unless told otherwise."""
LONG_CHAIN = 48
"""Chains longer than this draw in the graph style: a row of maps would be too wide."""
STYLES = ("fcnn", "lenet", "alexnet", "graph")
_VECTOR_TYPES = frozenset({"input", "dense", "dropout", "activation", "softmax", "norm"})
_HOSTS = frozenset({"conv", "deconv", "dense"})
MAX_PARAM_WARNINGS = 8


@dataclass(frozen=True, slots=True)
class Imported:
    """An imported model: the spec (a plain dict), what was approximated, and totals."""

    spec: dict[str, Any]
    warnings: tuple[str, ...]
    format: str
    file_params: int | None = None
    spec_params: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "format": self.format,
            "spec": self.spec,
            "warnings": list(self.warnings),
        }


def _consumers(drafts: dict[str, Draft]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {name: [] for name in drafts}
    for d in drafts.values():
        for src in d.inputs:
            out[src].append(d.name)
    return out


def _remove(
    drafts: dict[str, Draft], users: dict[str, list[str]], gone: Draft, host: Draft
) -> None:
    """Drop `gone`, whose consumers now read `host` (which fed `gone`)."""
    del drafts[gone.name]
    users[host.name] = [u for u in users[host.name] if u != gone.name]
    for name in users.pop(gone.name):
        d = drafts[name]
        d.inputs = [host.name if src == gone.name else src for src in d.inputs]
        users[host.name].append(name)


def fold_padding(drafts: dict[str, Draft]) -> None:
    users = _consumers(drafts)
    for d in list(drafts.values()):
        if d.pad is None or len(d.inputs) != 1 or len(users[d.name]) != 1:
            continue
        user = drafts[users[d.name][0]]
        padding = user.layer.get("padding", "valid")
        if user.layer["type"] not in ("conv", "pool") or padding == "same":
            continue
        if user.layer.get("global"):
            continue
        ph, pw = (0, 0) if padding == "valid" else _pair(padding)
        new = (ph + d.pad[0], pw + d.pad[1])
        if max(new) > LIMITS.max_dimension:
            continue
        user.layer["padding"] = new[0] if new[0] == new[1] else list(new)
        _remove(drafts, users, d, drafts[d.inputs[0]])


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, list | tuple):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def fold_activations(drafts: dict[str, Draft]) -> None:
    users = _consumers(drafts)
    for d in list(drafts.values()):
        layer = d.layer
        if layer["type"] != "activation" or d.generic or len(d.inputs) != 1:
            continue
        if any(k in layer for k in ("height", "width", "depth", "label", "color")):
            continue
        host = drafts[d.inputs[0]]
        if host.layer["type"] not in _HOSTS or host.layer.get("activation"):
            continue
        if users[host.name] != [d.name]:
            continue
        host.layer["activation"] = layer.get("function", "relu")
        _remove(drafts, users, d, host)


def choose_style(drafts: list[Draft]) -> str:
    """graph for branches and long chains, fcnn for MLPs, lenet or alexnet for CNNs."""
    chain = (
        all(d.inputs == ([drafts[i - 1].name] if i else []) for i, d in enumerate(drafts))
        and sum(d.layer["type"] == "input" for d in drafts) == 1
    )
    if not chain or len(drafts) > LONG_CHAIN:
        return "graph"
    if all(d.layer["type"] in _VECTOR_TYPES for d in drafts) and not drafts[0].shape.spatial:
        return "fcnn"
    first = drafts[0].shape
    big = first.spatial and max(first.height or 0, first.width or 0) >= 100
    return "alexnet" if big else "lenet"


def _defaults_dropped(layer: dict[str, Any], name: str) -> dict[str, Any]:
    """The layer without fields that equal the spec's defaults (stride 1, groups 1, ...)."""
    model = LAYER_ADAPTER.validate_python({**layer, "name": name})
    fields = type(model).model_fields
    kept: dict[str, Any] = {}
    for key, value in layer.items():
        attr = "global_" if key == "global" else key
        if key == "type" or attr not in fields:
            kept[key] = value
            continue
        current, default = getattr(model, attr), fields[attr].default
        if current == default or (default == "valid" and current == (0, 0)):
            continue
        if attr == "stride" and layer["type"] == "pool" and current == model.kernel:
            continue
        kept[key] = value
    return kept


def _layer_json(d: Draft, prev: str | None) -> dict[str, Any]:
    layer = _defaults_dropped(d.layer, d.name)
    out: dict[str, Any] = {"type": layer.pop("type"), "name": d.name}
    moved = ("label",) if out["type"] == "input" else ("label", "height", "width", "depth")
    extra = {k: layer.pop(k) for k in moved if k in layer}
    out.update(layer)
    if out["type"] != "input" and (
        out["type"] in ("add", "concat", "multiply") or d.inputs != ([prev] if prev else [])
    ):
        out["inputs"] = list(d.inputs)
    out.update(extra)
    return out


def _param_warnings(builder: SpecBuilder, spec: dict[str, Any]) -> tuple[int | None, int]:
    net = analyze(load_spec(spec))
    by_name = {info.name: info for info in net.layers}
    known = [d for d in builder.drafts.values() if d.params is not None]
    file_total = sum(d.params or 0 for d in known) if known else None
    off: list[str] = []
    for d in known:
        info = by_name[d.name]
        counted = info.params + (info.non_trainable if builder.params_include_stats else 0)
        if counted != d.params:
            off.append(f"{d.name} (file {d.params:,}, spec {counted:,})")
    if off:
        shown = ", ".join(off[:MAX_PARAM_WARNINGS])
        more = f" and {len(off) - MAX_PARAM_WARNINGS} more" if len(off) > MAX_PARAM_WARNINGS else ""
        builder.warn(f"parameter counts differ from the file's for {shown}{more}")
    return file_total, net.total_params


def finish(
    builder: SpecBuilder, title: str, style: str | None = None, fold: bool | None = None
) -> Imported:
    """The spec for everything added to `builder`, validated; see the module docstring."""
    drafts = builder.drafts
    if not any(d.layer["type"] == "input" for d in drafts.values()):
        raise ModelFileError.file("the model declares no input, so no shapes can be worked out")
    fold_padding(drafts)
    if fold is not False:
        fold_activations(drafts)
    ordered = list(drafts.values())
    if len(ordered) > LIMITS.max_layers:
        raise ModelTooLarge.file(
            f"the model has {len(ordered):,} layers after folding, more than "
            f"{LIMITS.max_layers:,} (max_layers)"
        )
    if style is not None and style not in STYLES:
        raise ModelFileError.file(f"unknown style {style!r}; use one of: {', '.join(STYLES)}")
    chosen = style or choose_style(ordered)
    layers = [_layer_json(d, ordered[i - 1].name if i else None) for i, d in enumerate(ordered)]
    spec: dict[str, Any] = {"style": chosen, "title": clean_label(title, 120), "layers": layers}
    if fold is True or (fold is None and (len(ordered) > FOLD_ABOVE or builder.inplace)):
        spec["options"] = {"graph": {"fold_inplace": True}}
    for kind, names in builder.unsupported.items():
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        builder.warn(f"{kind} is not a spec layer type; drawn as a pass-through box ({shown})")
    try:
        file_params, spec_params = _param_warnings(builder, spec)
    except SpecError as exc:
        issue = exc.issues[0]
        raise ModelFileError.file(
            f"the model maps to a spec the rules reject at {issue.loc}: {issue.msg}"
        ) from None
    return Imported(spec, tuple(builder.warnings), builder.fmt, file_params, spec_params)
