"""JSON Schemas of trusted host functions: Python type hints and Google-style docstrings.

Host tools are the embedding application's own code, so their annotations may be evaluated
(``typing.get_type_hints``). Skill sources are untrusted and never go through this module: their
schemas come from the libcst tree (``skills_runtime.checking``). Both build schemas with the same
constructors (``skills_runtime.schema_types``, where the mapping is tabled); a missing annotation
means ``Any``.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skills_runtime.checking.docstring import argument_entry, section_name
from skills_runtime.errors import ConfigurationError
from skills_runtime.schema_types import (
    any_of,
    any_schema,
    array_of,
    enum_of,
    literal_json_type,
    nullable,
    object_of,
    scalar_schema,
)

__all__ = ["Docstring", "UnsupportedType", "parse_docstring", "type_schema"]

_SCALARS: dict[Any, str] = {
    **{kind: kind.__name__ for kind in (str, int, float, bool)},
    type(None): "None",
    None: "None",
}


class UnsupportedType(ConfigurationError, TypeError):
    """A host tool's annotation has no JSON Schema in the supported mapping."""


def type_schema(annotation: Any, *, where: str = "annotation") -> dict[str, Any]:
    """The JSON Schema of a (evaluated) Python type annotation.

    Args:
        annotation: The annotation object, as returned by ``typing.get_type_hints``.
        where: Names the annotation in error messages (e.g. ``"parameter 'zip' of 'get_user'"``).

    Raises:
        UnsupportedType: When the annotation is outside the supported mapping.
    """
    if annotation is Any or annotation is inspect.Parameter.empty or annotation is object:
        return any_schema()
    if annotation in _SCALARS:
        return scalar_schema(_SCALARS[annotation])
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation in (list, tuple):
        return array_of()
    if annotation is dict:
        return object_of()
    if origin in (list, tuple, set, frozenset):
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            raise UnsupportedType(
                f"{where}: fixed-length tuple {annotation!r} is not supported; "
                "use list[X] or tuple[X, ...]"
            )
        item = arguments[0] if arguments else Any
        return array_of(type_schema(item, where=where))
    if origin is dict:
        key, value = arguments if arguments else (str, Any)
        if key is not str:
            raise UnsupportedType(f"{where}: dict keys must be str in JSON, got {key!r}")
        return object_of(type_schema(value, where=where))
    if origin is typing.Literal:
        return _literal_schema(arguments, where=where)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in arguments if a is not type(None)]
        schemas = [type_schema(member, where=where) for member in members]
        if any(not schema for schema in schemas):
            return any_schema()  # Any already admits everything
        inner = schemas[0] if len(schemas) == 1 else any_of(schemas)
        return nullable(inner) if len(members) < len(arguments) else inner
    if origin is typing.Annotated:
        return type_schema(arguments[0], where=where)
    raise UnsupportedType(
        f"{where}: annotation {annotation!r} has no JSON Schema; use str, int, float, bool, None, "
        "list[...], dict[str, ...], Literal[...], X | None or Any"
    )


def _literal_schema(values: tuple[Any, ...], *, where: str) -> dict[str, Any]:
    for value in values:
        if literal_json_type(value) is None:
            raise UnsupportedType(f"{where}: Literal value {value!r} is not a JSON scalar")
    return enum_of(values)


@dataclass(frozen=True)
class Docstring:
    """The parts of a Google-style docstring a tool schema uses."""

    summary: str = ""
    description: str = ""
    arguments: tuple[tuple[str, str], ...] = ()
    returns: str = ""

    def argument(self, name: str) -> str:
        """The description of argument ``name`` (empty when the docstring does not say)."""
        return dict(self.arguments).get(name, "")


def parse_docstring(function: Callable[..., Any]) -> Docstring:
    """Summary, body, ``Args:`` descriptions and ``Returns:`` text of a function's docstring."""
    text = inspect.getdoc(function) or ""
    if not text:
        return Docstring()
    body: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = body
    for line in text.splitlines():
        header = section_name(line)
        if header in {"Args", "Arguments", "Parameters", "Returns", "Raises"}:
            current = sections.setdefault(header, [])
            continue
        current.append(line)
    description = "\n".join(body).strip()
    summary = description.split("\n\n", 1)[0].replace("\n", " ").strip()
    arg_lines = sections.get("Args") or sections.get("Arguments") or sections.get("Parameters")
    returns = " ".join(line.strip() for line in sections.get("Returns", []) if line.strip())
    return Docstring(summary, description, _parse_args(arg_lines or []), returns)


def _parse_args(lines: list[str]) -> tuple[tuple[str, str], ...]:
    entries: list[tuple[str, list[str]]] = []
    indent: int | None = None
    for line in lines:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if indent is None:
            indent = depth
        found = argument_entry(line.strip())
        if found and depth <= indent:
            entries.append((found[0].lstrip("*"), [found[1]]))
        elif entries:
            entries[-1][1].append(line.strip())
    return tuple((name, " ".join(part for part in parts if part)) for name, parts in entries)
