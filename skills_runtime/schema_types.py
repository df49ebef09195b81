"""JSON Schema constructors for the allowed types: one spelling for skills and for host tools.

Two front-ends read types: ``skills_runtime.checking.typeexpr`` from the libcst tree of an
untrusted skill (never evaluated), ``skills_runtime.export.pytypes`` from the evaluated hints of a
trusted host function. Both build their schemas only with these constructors, so a skill's
``int | None`` and a host tool's ``Optional[int]`` give the same schema, byte for byte:

=====================  ==========================================================
``str`` ``int``        ``{"type": "string"}``, ``{"type": "integer"}``
``float`` ``bool``     ``{"type": "number"}``, ``{"type": "boolean"}``
``None``               ``{"type": "null"}``
``list[X]``            ``{"type": "array", "items": X}``
``dict[str, X]``       ``{"type": "object", "additionalProperties": X}``
``Literal[a, b]``      ``{"type": ..., "enum": [a, b]}``
``X | None``           ``{"type": [X, "null"]}`` (``anyOf`` for composite X)
``Any``                ``{}`` (any JSON value)
=====================  ==========================================================

Every constructor returns a fresh dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "SCALAR_TYPES",
    "any_of",
    "any_schema",
    "array_of",
    "enum_of",
    "literal_json_type",
    "nullable",
    "object_of",
    "scalar_schema",
]

#: The JSON type of each scalar, by its Python spelling.
SCALAR_TYPES: dict[str, str] = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "None": "null",
}

_NULL = "null"


def any_schema() -> dict[str, Any]:
    """``Any``: every JSON value."""
    return {}


def scalar_schema(python_name: str) -> dict[str, Any]:
    """``str``, ``int``, ``float``, ``bool`` or ``None``, by its Python spelling."""
    return {"type": SCALAR_TYPES[python_name]}


def array_of(items: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``list[items]`` (``None``: a list of anything, written without ``items``)."""
    if items is None:
        return {"type": "array"}
    return {"type": "array", "items": dict(items)}


def object_of(values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``dict[str, values]`` (``None``: a map of anything, written without its value schema)."""
    if values is None:
        return {"type": "object"}
    return {"type": "object", "additionalProperties": dict(values)}


def literal_json_type(value: object) -> str | None:
    """The JSON type of a ``Literal`` value (``None`` when it is not a JSON scalar)."""
    if value is None:
        return _NULL
    return _LITERAL_TYPES.get(type(value))


_LITERAL_TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def enum_of(values: Iterable[Any]) -> dict[str, Any]:
    """``Literal[values]``: each value once (in order), typed by the sorted set of JSON types.

    Args:
        values: JSON scalars (see :func:`literal_json_type`); at least one.
    """
    unique: list[Any] = []
    seen: set[tuple[type, Any]] = set()
    for value in values:
        if (type(value), value) not in seen:  # 1 and True are different literals
            seen.add((type(value), value))
            unique.append(value)
    types = sorted({str(literal_json_type(value)) for value in unique})
    return {"type": types[0] if len(types) == 1 else types, "enum": unique}


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema | None``: a type list for a plain type or enum, else ``anyOf`` with null."""
    if not schema:
        return any_schema()  # Any already admits null
    json_type = schema.get("type")
    if isinstance(json_type, str) and set(schema) <= {"type", "enum"}:
        result: dict[str, Any] = {"type": [json_type, _NULL]}
        if "enum" in schema:
            result["enum"] = [*schema["enum"], None]
        return result
    return any_of([schema, scalar_schema("None")])


def any_of(schemas: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A union of the ``schemas`` (in order)."""
    return {"anyOf": [dict(schema) for schema in schemas]}
