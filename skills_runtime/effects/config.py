"""Declaring effects in a small file: which tools write, which only read, which set context.

TOML (``[effects]`` table) or JSON (an object, or one under ``"effects"``)::

    [effects]
    writes = ["cancel_booking", "book_flight"]
    reads = ["calculate"]
    context = ["cd", "login"]   # writes that set what later calls act on

Every key is optional; a tool may be named once. Unknown keys are refused, so a typo never
passes silently.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skills_runtime.effects.infer import Declared
from skills_runtime.errors import InvalidInput

__all__ = ["KEYS", "load_declared"]

KEYS = ("writes", "reads", "context")


def _names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidInput(f"{where} must be a list of tool names, got {value!r}")
    return frozenset(value)


def declared_from_mapping(data: Mapping[str, Any], *, source: str) -> Declared:
    """A declaration from a mapping with ``writes``/``reads``/``context`` lists."""
    table = data.get("effects", data)
    if not isinstance(table, Mapping):
        raise InvalidInput(f"{source}: 'effects' must be a table of {list(KEYS)}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInput(
            f"{source}: unknown key(s) {unknown} under effects; the keys are {list(KEYS)}"
        )
    lists = {key: _names(table.get(key, []), f"{source}: effects.{key}") for key in KEYS}
    return Declared(
        writes=lists["writes"], reads=lists["reads"], context=lists["context"], source=source
    )


def load_declared(path: str | os.PathLike[str]) -> Declared:
    """Read a declaration file (``.toml``, else JSON).

    Raises:
        InvalidInput: The file is missing, does not parse, or names tools wrongly; the message
            says which file and what to fix.
    """
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(
            f"cannot read the effects file {str(where)!r}: {error.strerror or error}"
        ) from error
    try:
        data = tomllib.loads(text) if where.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        kind = "TOML" if where.suffix == ".toml" else "JSON"
        raise InvalidInput(
            f"the effects file {str(where)!r} is not valid {kind}: {error}"
        ) from error
    if not isinstance(data, Mapping):
        raise InvalidInput(f"the effects file {str(where)!r} must hold an object")
    return declared_from_mapping(data, source=str(where))
