"""Skills as tools for agents: schema conversions for OpenAI, Anthropic and MCP."""

from __future__ import annotations

from skills_runtime.export.pytypes import Docstring, UnsupportedType, parse_docstring, type_schema

__all__ = ["Docstring", "UnsupportedType", "parse_docstring", "type_schema"]
