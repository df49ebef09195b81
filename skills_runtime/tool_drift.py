"""Tool drift: when a tool's arguments change, the skills that call it go back to re-verification.

A skill was verified against the tools as they were. The registry remembers each tool's argument
schema; whenever skillbank sees a tool's schema (in the trajectories it learns from, or in the
host's toolset when it starts serving), it hands the registry the schema's *structure*, and the
registry sends every verified or promoted version that calls a changed tool back to ``candidate``
(audit-logged), where it waits for ``skillbank verify``. Descriptions, titles and examples are
left out of the comparison: rewording a docstring is not a change an agent's call can trip on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skill_registry import Registry, VersionRecord
from skills_runtime.trajectory.model import ToolSchema

__all__ = ["record_tool_schemas", "structure"]

_PROSE = frozenset({"description", "title", "examples"})


def structure(schema: Any) -> Any:
    """The parts of a JSON Schema that decide which arguments are valid (prose left out)."""
    if isinstance(schema, dict):
        return {
            key: value if key in ("enum", "const", "default") else structure(value)
            for key, value in schema.items()
            if key not in _PROSE
        }
    if isinstance(schema, list):
        return [structure(item) for item in schema]
    return schema


def record_tool_schemas(
    registry: Registry, schemas: Iterable[ToolSchema] | Mapping[str, Mapping[str, Any]]
) -> list[VersionRecord]:
    """Tell the registry the tools' current schemas; return the versions it sent back.

    Args:
        registry: The registry.
        schemas: Tool declarations, or tool name → argument schema. The first one given for a
            name counts.
    """
    chosen: dict[str, Mapping[str, Any]] = {}
    if isinstance(schemas, Mapping):
        chosen = dict(schemas)
    else:
        for tool in schemas:
            chosen.setdefault(tool.name, tool.parameters)
    demoted: list[VersionRecord] = []
    for name in sorted(chosen):
        demoted += registry.tool_schema_changed(name, structure(dict(chosen[name])))
    return demoted
