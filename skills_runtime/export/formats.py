"""One tool declaration, four provider shapes: OpenAI Chat, OpenAI Responses, Anthropic, MCP.

Every shape is built from the same :class:`ToolSpec`, whose ``parameters`` is the JSON Schema the
skill's signature yields (``skills_runtime.checking``) or a host tool's signature yields
(``skills_runtime.tools``). Nothing here invents types: conversions only reshape and, in strict
mode, tighten.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from skills_runtime.errors import InvalidInput
from skills_runtime.export.names import tool_name
from skills_runtime.export.strict import anthropic_strict, openai_strict

__all__ = ["FORMATS", "Format", "ToolSpec", "export_tool", "export_tools", "parse_format"]

Format = Literal["openai", "openai-responses", "anthropic", "mcp"]
FORMATS: tuple[str, ...] = get_args(Format)


@dataclass(frozen=True)
class ToolSpec:
    """A tool as an agent sees it, before any provider's shape.

    Attributes:
        name: The skill's (or host tool's) own name; exports make it provider-safe.
        description: What the tool does, for the model.
        parameters: JSON Schema object of the arguments.
        read_only: True when calling it changes nothing (no granted tool mutates); None unknown.
        meta: Extra JSON data for MCP ``_meta`` (e.g. the skill version).
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    read_only: bool | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def exported_name(self) -> str:
        """The name as providers accept it (``^[a-zA-Z0-9_-]{1,64}$``)."""
        return tool_name(self.name)


def parse_format(value: str) -> Format:
    """Validate a format name given by a user.

    Raises:
        InvalidInput: Naming the formats there are.
    """
    aliases = {"openai-chat": "openai", "responses": "openai-responses", "claude": "anthropic"}
    value = aliases.get(value, value)
    if value not in FORMATS:
        raise InvalidInput(f"unknown tool format {value!r}; choose one of {list(FORMATS)}")
    return value  # type: ignore[return-value]  # checked against FORMATS just above


def export_tool(spec: ToolSpec, *, format: Format, strict: bool = False) -> dict[str, Any]:
    """The declaration of one tool in a provider's shape.

    Args:
        spec: The tool.
        format: ``openai`` (Chat Completions), ``openai-responses``, ``anthropic`` or ``mcp``.
        strict: Emit the provider's strict form when the schema has one (OpenAI and Anthropic).
    """
    parameters = copy.deepcopy(dict(spec.parameters))
    name = spec.exported_name
    if format in ("openai", "openai-responses"):
        converted = openai_strict(parameters) if strict else None
        body: dict[str, Any] = {
            "name": name,
            "description": spec.description,
            "parameters": converted.schema if converted else parameters,
        }
        if strict:
            assert converted is not None
            body["strict"] = converted.strict
        if format == "openai":
            return {"type": "function", "function": body}
        # The Responses API's FunctionToolParam requires ``strict``: say false, not nothing.
        return {"type": "function", **body, "strict": bool(body.get("strict", False))}
    if format == "anthropic":
        tool: dict[str, Any] = {"name": name, "description": spec.description}
        if strict:
            result = anthropic_strict(parameters)
            tool["input_schema"] = result.schema
            if result.strict:
                tool["strict"] = True
        else:
            tool["input_schema"] = parameters
        return tool
    if format == "mcp":
        mcp_tool: dict[str, Any] = {
            "name": name,
            "description": spec.description,
            "inputSchema": parameters,
        }
        if spec.read_only is not None:
            mcp_tool["annotations"] = {"readOnlyHint": spec.read_only}
        if spec.meta:
            mcp_tool["_meta"] = copy.deepcopy(dict(spec.meta))
        return mcp_tool
    raise InvalidInput(f"unknown tool format {format!r}; choose one of {list(FORMATS)}")


def export_tools(
    specs: Iterable[ToolSpec], *, format: Format, strict: bool = False
) -> list[dict[str, Any]]:
    """Declarations of many tools in one provider's shape."""
    return [export_tool(spec, format=format, strict=strict) for spec in specs]
