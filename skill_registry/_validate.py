"""Input validation shared by the registry's operations (messages name the value and the fix)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import _queries as q
from .errors import InvalidRecord

__all__ = ["check_name", "json_object", "text"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,199}")


def json_object(value: Any, what: str) -> str:
    if not isinstance(value, Mapping):
        raise InvalidRecord(f"{what} must be a JSON object (a dict), got {type(value).__name__}")
    try:
        text_json = q.canonical_json(dict(value))
        text_json.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        # ValueError covers ints past the int-to-str limit and lone surrogates (UnicodeError).
        raise InvalidRecord(f"{what} is not JSON-serialisable: {error}") from None
    return text_json


def text(value: Any, what: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InvalidRecord(
            f"{what} must be a{'' if empty else ' non-empty'} string, got {value!r}"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidRecord(
            f"{what} is not valid Unicode: a lone surrogate at position {error.start}"
        ) from None
    return value


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidRecord(
            f"skill name {name!r} is not valid: use letters, digits, '_', '.', '-' "
            "(starting with a letter or '_', at most 200 characters)"
        )
    return name
