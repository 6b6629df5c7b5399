"""Every size limit in one settings object.

The limits keep any single request bounded in CPU time and memory. Each error that
enforces one quotes the limit's name and value, and the README lists them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds on what one spec may ask for."""

    max_body_bytes: int = 1_000_000
    max_layers: int = 1000
    max_dimension: int = 100_000
    max_units: int = 10_000_000
    max_text_length: int = 200
    max_nodes_drawn: int = 5_000
    max_edges_drawn: int = 50_000
    max_skips_drawn: int = 1_000
    max_png_pixels: int = 8_000_000
    max_scale: float = 10.0
    max_primitives: int = 50_000
    max_export_items: int = 4_000


LIMITS = Limits()
