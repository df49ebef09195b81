"""Tool declarations in the shapes agents see them: OpenAI Chat, OpenAI Responses, Anthropic.

``parse_tool_schema`` accepts each shape and returns one :class:`ToolSchema`; ``dump_tool_schema``
writes the OpenAI function-tool shape the native format uses. Whether a tool writes comes from a
``mutates`` flag or the ``x_mutates_db`` extension of the τ-bench schema files.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory.model import ToolSchema

__all__ = ["dump_tool_schema", "parse_tool_schema"]

_MUTATES_KEYS = ("mutates", "x_mutates_db")


def parse_tool_schema(declaration: Any) -> ToolSchema:
    """A tool declaration in any supported shape, as a :class:`ToolSchema`.

    Accepted shapes: OpenAI Chat ``{"type": "function", "function": {"name", "description",
    "parameters"}}``, OpenAI Responses ``{"type": "function", "name", "parameters"}``, Anthropic
    ``{"name", "description", "input_schema"}``.

    Raises:
        InvalidInput: The declaration has none of these shapes, or its fields have wrong types.
    """
    if not isinstance(declaration, dict):
        raise InvalidInput(
            f"a tool declaration must be an object, got {type(declaration).__name__}"
        )
    body = declaration.get("function")
    if not isinstance(body, dict):
        body = declaration
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidInput(
            "a tool declaration needs a non-empty string 'name' (OpenAI: function.name, "
            f"Anthropic: name); got keys {sorted(map(str, declaration))}"
        )
    description = body.get("description")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise InvalidInput(f"tool {name!r}: 'description' must be a string")
    parameters = body.get("parameters", body.get("input_schema"))
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise InvalidInput(f"tool {name!r}: the parameters schema must be an object")
    mutates: bool | None = None
    for source in (body, declaration):
        for key in _MUTATES_KEYS:
            if isinstance(source.get(key), bool):
                mutates = source[key]
    return ToolSchema(name=name, description=description, parameters=parameters, mutates=mutates)


def dump_tool_schema(schema: ToolSchema) -> dict[str, Any]:
    """The OpenAI function-tool shape of a declaration (``x_mutates_db`` when known)."""
    document: dict[str, Any] = {
        "type": "function",
        "function": {
            "name": schema.name,
            "description": schema.description,
            "parameters": schema.parameters,
        },
    }
    if schema.mutates is not None:
        document["x_mutates_db"] = schema.mutates
    return document
