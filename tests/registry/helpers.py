"""Shared helpers of the registry tests: realistic sources, schemas and passing evidence."""

from __future__ import annotations

from typing import Any

from skill_registry import Provenance, Registry, VersionRecord

PROVENANCE = Provenance(synthesizer="skillbank.synthesis", synthesizer_version="0.1.0")


def source_of(name: str, body: str = "return tools.get_order_details(order_id=order_id)") -> str:
    """A small typed skill source."""
    return (
        f"def {name}(tools, order_id: str) -> dict:\n"
        f'    """Look an order up.\n\n    Args:\n        order_id: The order.\n    """\n'
        f"    {body}\n"
    )


def schema_of(*parameters: str) -> dict[str, Any]:
    """A parameters + return JSON schema with string parameters."""
    return {
        "parameters": {
            "type": "object",
            "properties": {p: {"type": "string"} for p in parameters},
            "required": list(parameters),
        },
        "returns": {"type": "object"},
    }


def add(
    registry: Registry,
    name: str = "get_order",
    *,
    body: str = "return tools.get_order_details(order_id=order_id)",
    summary: str = "Look up an order by its id",
    tools: tuple[str, ...] = ("get_order_details",),
    **kwargs: Any,
) -> VersionRecord:
    """Add a version with sensible defaults."""
    kwargs.setdefault("provenance", PROVENANCE)
    return registry.add_version(
        name,
        source=source_of(name, body),
        schema=schema_of("order_id"),
        summary=summary,
        tools=tools,
        **kwargs,
    )


def pass_gates(registry: Registry, record: VersionRecord) -> None:
    """Store passing check and verify reports at the version's content hash."""
    registry.record_report(record.content_hash, kind="check", passed=True, report={"findings": []})
    registry.record_report(record.content_hash, kind="verify", passed=True, report={"replays": 3})
