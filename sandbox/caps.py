"""Bounded copies of what a skill sends: the host keeps previews, never unbounded values.

A skill decides how big its tool arguments, its error messages and its printed text are. The
host keeps them in ``RunResult`` (and its callers store them), so every value kept is cut to a
byte budget first, and a cut value says that it was cut and how big it was. Sizes are bytes of
compact UTF-8 JSON, the form in which the value crossed the pipe.
"""

from __future__ import annotations

from typing import Any

from sandbox._json import compact

__all__ = [
    "TRUNCATED",
    "json_bytes",
    "json_text",
    "keep_text",
    "keep_value",
    "keep_value_sized",
    "keep_value_text",
]

TRUNCATED = "[truncated: {size} bytes]"
"""The marker that ends a cut value (``size`` is the whole value's size in bytes)."""


_ENCODE = compact


def json_text(value: Any) -> str:
    """``value`` as compact JSON text, the form sizes are counted in (raises if not JSON)."""
    return _ENCODE(value)


def _json_text(value: Any) -> str:
    try:
        return _ENCODE(value)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return repr(value)
    except Exception:  # e.g. an int past the interpreter's int-to-str limit
        return f"<{type(value).__name__}>"


def json_bytes(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON (a value that is not JSON counts as its repr)."""
    return len(_json_text(value).encode("utf-8", "surrogatepass"))


def _cut(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits in ``max_bytes``."""
    encoded = text[:max_bytes].encode("utf-8", "surrogatepass")[:max_bytes]
    return encoded.decode("utf-8", "ignore")


def keep_text(text: str, max_bytes: int) -> str:
    """``text`` itself when it fits in ``max_bytes`` of UTF-8, else a prefix and the marker."""
    if len(text) * 4 <= max_bytes:
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= max_bytes:
        return text
    marker = "… " + TRUNCATED.format(size=size)
    return _cut(text, max(max_bytes - len(marker.encode("utf-8")), 0)) + marker


def keep_value(value: Any, max_bytes: int) -> tuple[Any, bool]:
    """``(value, False)`` when its JSON fits in ``max_bytes``, else ``(preview, True)``.

    The preview is a string: the start of the value's JSON text and the marker. It is a record
    of what was sent, not the value (a caller that needs the value has it elsewhere).
    """
    kept, cut, _ = keep_value_sized(value, max_bytes)
    return kept, cut


def _is_short_scalar(value: Any) -> bool:
    """Values kept whole whatever the budget (a few bytes each)."""
    if value is None or isinstance(value, bool | float):
        return True
    return isinstance(value, int) and abs(value) < 10**18


def keep_value_sized(value: Any, max_bytes: int) -> tuple[Any, bool, int]:
    """:func:`keep_value`, and the JSON bytes of what is kept (its text is built once)."""
    if value is None:
        return None, False, 4  # null: the most common value kept (no result, no error)
    if _is_short_scalar(value):
        return value, False, json_bytes(value)
    return keep_value_text(value, _json_text(value), max_bytes)


def keep_value_text(value: Any, text: str, max_bytes: int) -> tuple[Any, bool, int]:
    """:func:`keep_value_sized` of a value whose :func:`json_text` is already known."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= max_bytes or _is_short_scalar(value):
        return value, False, size
    marker = "… " + TRUNCATED.format(size=size)
    preview = _cut(text, max(max_bytes - len(marker.encode("utf-8")), 0)) + marker
    return preview, True, json_bytes(preview)
