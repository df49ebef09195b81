"""The public surface, limits, tools and schemas derived from host functions."""

from __future__ import annotations

from typing import Literal

import pytest

import sandbox
from sandbox import ConfigurationError, Limits, Tool, schema_for_function


def test_the_public_surface_is_pinned() -> None:
    assert sorted(sandbox.__all__) == sorted(
        [
            "LIMIT_KINDS", "SKILL_BUILTINS", "ConfigurationError", "Executor", "ExecutorClosed",
            "InProcessExecutor", "IsolationReport", "Limits", "MissingEntry", "PoolBusy",
            "PoolConfig", "PoolStats", "ProcessPool",
            "Rejection", "RunResult", "SandboxError", "SkillPrecondition", "Tool",
            "ToolCallRecord", "ToolError", "default_executor", "inert_text", "isolation_report",
            "load_tools",
            "run", "run_trusted", "schema_for_function",
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    "kwargs",
    [{"cpu_seconds": 0}, {"memory_mb": 8}, {"wall_seconds": float("inf")}, {"output_bytes": True}],
)
def test_unusable_limits_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        Limits(**kwargs)  # type: ignore[arg-type]


def test_limits_are_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        Limits(1.0)  # type: ignore[misc]
    limits = Limits()
    with pytest.raises(AttributeError):
        limits.cpu_seconds = 3  # type: ignore[misc]


@pytest.mark.parametrize("name", ["_private", "not-an-identifier", ""])
def test_tool_names_must_be_public_identifiers(name: str) -> None:
    with pytest.raises(ConfigurationError):
        Tool(name, len)


def test_invalid_tool_schemas_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="not a valid JSON Schema"):
        Tool("t", len, {"type": 5})


def test_schemas_are_derived_from_typed_host_functions() -> None:
    def find(
        name: str, limit: int = 10, tags: list[str] | None = None, kind: Literal["a", "b"] = "a"
    ) -> list[str]:
        return []

    schema = schema_for_function(find)
    assert schema["required"] == ["name"]
    assert schema["properties"]["name"] == {"type": "string"}
    assert schema["properties"]["limit"] == {"type": "integer"}
    assert schema["properties"]["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    }
    assert schema["properties"]["kind"] == {"enum": ["a", "b"]}
    assert schema["additionalProperties"] is False
