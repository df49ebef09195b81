"""Compact JSON text of values, made by the C encoder without ``JSONEncoder``'s Python layers.

``JSONEncoder.encode`` wraps the C encoder in two Python calls and builds it anew for every
value; on the small values of a tool call that wrapping costs more than the encoding. These
functions build the same C encoder (a fresh one per value, so its circular-reference check
starts empty, as ``JSONEncoder``'s does) and give the same text and the same errors as
``json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=...)``.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

__all__ = ["compact", "compact_ascii"]


def _default(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _encoder(*, ensure_ascii: bool) -> Callable[[Any], str]:
    make = getattr(json.encoder, "c_make_encoder", None)  # not in the typeshed stubs
    if make is None:  # an interpreter without the C accelerator: the plain encoder
        return json.JSONEncoder(
            separators=(",", ":"), allow_nan=False, ensure_ascii=ensure_ascii
        ).encode
    strings = (
        json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return strings(value)
        chunks = make({}, _default, strings, None, ":", ",", False, False, False)(value, 0)
        return "".join(chunks)

    return encode


compact_ascii = _encoder(ensure_ascii=True)
"""Compact JSON text, non-ASCII characters escaped (the form frames carry)."""

compact = _encoder(ensure_ascii=False)
"""Compact JSON text, characters as they are (the form sizes are counted in)."""
