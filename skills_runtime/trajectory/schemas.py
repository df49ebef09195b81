"""Tool declarations in the shapes agents see them: OpenAI Chat, OpenAI Responses, Anthropic, MCP.

``parse_tool_schema`` accepts each shape and returns one :class:`ToolSchema`; ``dump_tool_schema``
writes the OpenAI function-tool shape the native format uses. A source may say whether a tool
writes (a ``mutates`` flag or the ``x_mutates_db`` extension of the τ-bench schema files) and an
MCP server may annotate it (``annotations``: ``readOnlyHint``, ``destructiveHint`` ...); both are
kept as hints for deciding effects, never required.
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
    ``{"name", "description", "input_schema"}``, MCP ``{"name", "description", "inputSchema",
    "annotations"}``.

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
    parameters = body.get("parameters", body.get("input_schema", body.get("inputSchema")))
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise InvalidInput(f"tool {name!r}: the parameters schema must be an object")
    mutates: bool | None = None
    for source in (body, declaration):
        for key in _MUTATES_KEYS:
            if isinstance(source.get(key), bool):
                mutates = source[key]
    annotations = body.get("annotations", declaration.get("annotations"))
    if annotations is None:
        annotations = {}
    if not isinstance(annotations, dict):
        raise InvalidInput(f"tool {name!r}: 'annotations' must be an object")
    return ToolSchema(
        name=name,
        description=description,
        parameters=parameters,
        mutates=mutates,
        annotations=annotations,
    )


def dump_tool_schema(schema: ToolSchema) -> dict[str, Any]:
    """The OpenAI function-tool shape of a declaration (``x_mutates_db`` and ``annotations`` when
    known)."""
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
    if schema.annotations:
        document["annotations"] = schema.annotations
    return document
