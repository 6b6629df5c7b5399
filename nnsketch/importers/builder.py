"""`SpecBuilder`: the one way importers turn a model's layers into spec layers.

Importers walk their file in topological order and call `add` with a spec layer
(a dict), the model's tensor names it reads and writes, and, where the file says,
the output shape and parameter count. The builder resolves tensors to producing
layers (an in-place layer simply re-points its tensor), cleans names, validates
each layer and infers its shape at once with the spec's own rules, so importers
can ask for shapes as they go. Where the file's shape differs from the rules'
(an operator the spec has no field for), the layer states the file's size
(``height``/``width``/``depth``), so everything downstream still fits.
`assemble.finish` turns the drafts into the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import SpecError
from ..layers import MERGE_TYPES, Layer
from ..limits import LIMITS
from ..shapes import Shape, infer, override
from ..spec import format_loc
from .common import Budget, ModelFileError, UniqueNames, clean_label, clean_word

LAYER_ADAPTER: TypeAdapter[Any] = TypeAdapter(Layer)


@dataclass(slots=True)
class Draft:
    """One spec layer in the making, with what the model file said about it."""

    name: str
    layer: dict[str, Any]
    inputs: list[str]
    shape: Shape
    source: str
    params: int | None = None
    pad: tuple[int, int] | None = None
    generic: bool = False


@dataclass(slots=True)
class SpecBuilder:
    """Collects drafts in topological order; see the module docstring."""

    fmt: str
    budget: Budget = field(default_factory=Budget)
    drafts: dict[str, Draft] = field(default_factory=dict)
    tensors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unsupported: dict[str, list[str]] = field(default_factory=dict)
    names: UniqueNames = field(default_factory=UniqueNames)
    params_include_stats: bool = True
    """Known counts include running statistics (ONNX initializers) or not (PyTorch)."""
    inplace: bool = False
    """The file writes layers in place (Caffe): draw them folded, as Netscope does."""

    # -- tensors ---------------------------------------------------------------------------

    def has(self, tensor: str) -> bool:
        return tensor in self.tensors

    def producer(self, tensor: str, source: str = "") -> Draft:
        try:
            return self.drafts[self.tensors[tensor]]
        except KeyError:
            where = f"{source}: " if source else ""
            shown = clean_label(tensor, 40)
            raise ModelFileError.file(
                f"{where}its input {shown!r} is not produced by any earlier layer "
                "or declared as an input"
            ) from None

    def shape(self, tensor: str) -> Shape:
        return self.producer(tensor).shape

    def alias(self, output: str, source_tensor: str) -> None:
        """`output` is the same tensor as `source_tensor` (identity, reshape-free ops)."""
        self.tensors[output] = self.producer(source_tensor).name

    def warn(self, msg: str) -> None:
        if msg not in self.warnings:
            self.warnings.append(msg)

    def note_unsupported(self, kind: str, name: str) -> None:
        self.unsupported.setdefault(clean_label(kind, 40), []).append(name)

    # -- layers ----------------------------------------------------------------------------

    def add_input(self, name: str, shape: Shape, output: str, source: str = "") -> Draft:
        for dim in shape.as_list():
            if dim > LIMITS.max_dimension:
                raise ModelFileError.file(
                    f"{source or name}: the input shape {shape} has a dimension over "
                    f"{LIMITS.max_dimension:,} (max_dimension)"
                )
        if shape.spatial:
            fields: dict[str, Any] = {
                "height": shape.height,
                "width": shape.width,
                "channels": shape.channels,
            }
        else:
            if shape.channels > LIMITS.max_units:
                raise ModelFileError.file(
                    f"{source or name}: the input has {shape.channels:,} units, more than "
                    f"{LIMITS.max_units:,} (max_units)"
                )
            fields = {"units": shape.channels}
        return self.add(
            {"type": "input", **fields},
            name=name,
            inputs=[],
            outputs=[output],
            source=source or f"input {name!r}",
        )

    def add(
        self,
        layer: dict[str, Any],
        *,
        name: str,
        inputs: list[str],
        outputs: list[str],
        source: str,
        known: Shape | None = None,
        params: int | None = None,
        pad: tuple[int, int] | None = None,
        generic: bool = False,
    ) -> Draft:
        """Add one layer reading `inputs` and writing `outputs` (tensor names)."""
        self.budget.tick()
        self.budget.check_nodes(len(self.drafts) + 1)
        producers: list[str] = []
        for tensor in inputs:
            p = self.producer(tensor, source).name
            if p not in producers:
                producers.append(p)
        layer = dict(layer)
        if layer["type"] in MERGE_TYPES and len(producers) < 2:
            layer, generic = self._merge_of_one(layer, len(inputs)), True
        elif layer["type"] not in MERGE_TYPES and len(producers) > 1:
            self.warn(f"{source} reads {len(producers)} tensors; only the first is drawn")
            producers = producers[:1]
        if layer["type"] in MERGE_TYPES and len(producers) > 64:
            raise ModelFileError.file(f"{source} combines {len(producers)} inputs, more than 64")
        draft_name = self.names.take(name, layer["type"])
        ins = [self.drafts[p].shape for p in producers]
        shape, layer = self._shape(layer, draft_name, producers, ins, source, known)
        draft = Draft(draft_name, layer, producers, shape, source, params, pad, generic)
        self.drafts[draft_name] = draft
        for tensor in outputs:
            self.tensors[tensor] = draft_name
        return draft

    def passthrough(
        self,
        kind: str,
        *,
        name: str,
        inputs: list[str],
        outputs: list[str],
        source: str,
        known: Shape | None = None,
        params: int | None = None,
        pad: tuple[int, int] | None = None,
        supported: bool = False,
    ) -> Draft:
        """A layer the spec has no type for: an activation-shaped box labelled `kind`."""
        if not supported:
            self.note_unsupported(kind, name)
        layer = {"type": "activation", "function": clean_word(kind), "label": clean_label(kind)}
        return self.add(
            layer,
            name=name,
            inputs=inputs[:1],
            outputs=outputs,
            source=source,
            known=known,
            params=params,
            pad=pad,
            generic=True,
        )

    # -- internals -------------------------------------------------------------------------

    def _merge_of_one(self, layer: dict[str, Any], n_inputs: int) -> dict[str, Any]:
        """`x + x` or a one-input concat: the spec's merges need two distinct layers."""
        label = layer.get("label") or layer["type"]
        return {
            "type": "activation",
            "function": clean_word(layer["type"]),
            "label": clean_label(f"{label} \u00d7{n_inputs}" if n_inputs > 1 else label),
        }

    def _validate(self, layer: dict[str, Any], name: str, source: str) -> Any:
        try:
            return LAYER_ADAPTER.validate_python({**layer, "name": name})
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            loc = format_loc(tuple(err["loc"])[1:]) or "layer"
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise ModelFileError.file(f"{source}: {loc}: {msg}") from None

    def _shape(
        self,
        layer: dict[str, Any],
        name: str,
        producers: list[str],
        ins: list[Shape],
        source: str,
        known: Shape | None,
    ) -> tuple[Shape, dict[str, Any]]:
        model = self._validate(layer, name, source)
        if known is not None:
            _check_known(known, source)
        try:
            inferred: Shape | None = infer(model, ins, producers, name).output
        except SpecError as exc:
            if known is None:
                raise ModelFileError.file(f"{source}: {exc.issues[0].msg}") from None
            inferred = None
        if inferred is not None:
            inferred = override(model, inferred)
            if known is None or _same(known, inferred):
                return inferred, layer
        assert known is not None
        if known.spatial:
            layer.update(height=known.height, width=known.width, depth=known.channels)
            self._validate(layer, name, source)
            return known, layer
        if (inferred is not None and not inferred.spatial) or layer["type"] == "activation":
            layer["depth"] = known.channels
            self._validate(layer, name, source)
            return known, layer
        if inferred is not None:
            return inferred, layer  # a vector in the file, a map here: keep the map
        generic = {
            "type": "activation",
            "function": clean_word(layer["type"]),
            "label": clean_label(layer.get("label") or source),
            "depth": known.channels,
        }
        self.warn(f"{source}: drawn as a pass-through layer of {known.channels} units")
        self._validate(generic, name, source)
        del producers[1:]
        return known, generic


def _same(known: Shape, inferred: Shape) -> bool:
    if known == inferred:
        return True
    # 1x1xC and a vector of C read the same everywhere in the spec (dense, flatten)
    return inferred.spatial and not known.spatial and inferred.size == known.size


def _check_known(shape: Shape, source: str) -> None:
    for dim in shape.as_list():
        if dim < 1 or (dim > LIMITS.max_dimension and shape.spatial):
            raise ModelFileError.file(
                f"{source}: the file's output shape {shape} has a dimension outside "
                f"1..{LIMITS.max_dimension:,} (max_dimension)"
            )
    if not shape.spatial and shape.channels > LIMITS.max_units:
        raise ModelFileError.file(
            f"{source}: the file's output has {shape.channels:,} units, more than "
            f"{LIMITS.max_units:,} (max_units)"
        )
