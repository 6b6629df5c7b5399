"""Hypothesis strategies for valid specs: chains whose shapes always work out."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

COLORS = st.sampled_from(["#1f77b4", "tomato", "rgb(10, 200, 30)", "steelblue", None])
LABELS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=30),
)


@st.composite
def chain_specs(draw: st.DrawFn, style: str) -> dict[str, Any]:
    """A valid chain: spatial layers while the map is big enough, then dense layers."""
    size = draw(st.integers(1, 256))
    channels = draw(st.integers(1, 512))
    layers: list[dict[str, Any]] = [
        {"type": "input", "height": size, "width": draw(st.integers(1, 256)),
         "channels": channels, "label": draw(LABELS)}
    ]  # fmt: skip
    h = size
    w = layers[0]["width"]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["conv", "pool", "norm", "activation", "dropout"]))
        if kind == "conv":
            k = draw(st.integers(1, max(1, min(h, w, 11))))
            s = draw(st.integers(1, 4))
            layers.append({"type": "conv", "filters": draw(st.integers(1, 4096)), "kernel": k,
                           "stride": s, "color": draw(COLORS), "label": draw(LABELS)})  # fmt: skip
            h, w = (h - k) // s + 1, (w - k) // s + 1
        elif kind == "pool" and min(h, w) >= 2:
            layers.append({"type": "pool", "kernel": 2})
            h, w = h // 2, w // 2
        elif kind in ("norm", "activation", "dropout"):
            layers.append({"type": kind})
    if draw(st.booleans()):
        layers.append({"type": "flatten"})
    for _ in range(draw(st.integers(0, 4))):
        layers.append({"type": "dense", "units": draw(st.integers(1, 5000)),
                       "label": draw(LABELS)})  # fmt: skip
    layers = [{k: v for k, v in layer.items() if v is not None} for layer in layers]
    title = draw(st.one_of(st.just(""), LABELS.filter(bool)))
    return {"style": style, "title": title or "", "layers": layers}
