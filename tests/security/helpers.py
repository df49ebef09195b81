"""Shared expectations of the attack suite: exact outcomes and an unharmed host."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox import Limits, ProcessPool, RunResult, Tool

ENV_SECRET_NAME = "SKILLBANK_PLANTED_SECRET"
ENV_SECRET = "env-secret-6f1d2c"
HOST_SECRET = "host-global-secret-93ab7e"

# The wall clock is far above the CPU limit so that a CPU bomb ends on CPU even when the machine
# is busy and the worker gets a fraction of a core (the verdict kind is asserted exactly).
ATTACK_LIMITS = Limits(
    wall_seconds=10.0,
    cpu_seconds=1.0,
    memory_mb=256,
    output_bytes=4_000,
    result_bytes=100_000,
    max_tool_calls=5,
    tool_seconds=1.0,
)

#: Generous ceiling for any single attack (limits plus respawn on a busy machine).
CEILING_SECONDS = 30.0


def _secret_tool(order_id: str) -> dict[str, Any]:
    # Holds a host secret in its closure scope; only the JSON result may reach the skill.
    _ = HOST_SECRET
    return {"order_id": order_id, "status": "delivered"}


def grant() -> tuple[Tool, ...]:
    """The tools granted to attacks."""
    schema = {
        "type": "object",
        "properties": {"order_id": {"type": "string"}},
        "required": ["order_id"],
        "additionalProperties": False,
    }
    return (Tool("get_order", _secret_tool, schema),)


def attack(
    pool: ProcessPool,
    source: str,
    expected: tuple[str, Any],
    canary: Path,
    *,
    tools: Iterable[Tool] = (),
    limits: Limits | None = None,
) -> RunResult:
    """Run an attack, assert its exact outcome, and assert the host is unharmed."""
    started = time.monotonic()
    result = pool.run(source, entry="f", args={}, tools=tools or grant(), limits=limits)
    assert time.monotonic() - started < CEILING_SECONDS
    status, detail = expected
    assert result.status == status, result
    if status == "rejected":
        assert result.rejection is not None
        assert detail in result.rejection.message, result.rejection
    elif status == "limit":
        assert result.limit == detail, result
    elif status == "error":
        assert result.error is not None
        assert result.error["type"] == detail, result.error
    else:
        assert result.value == detail
    assert_unharmed(pool, result, canary)
    return result


def assert_unharmed(pool: ProcessPool, result: RunResult, canary: Path) -> None:
    """No planted secret in the result, the canary intact, the pool still serving."""
    document = result.to_json()
    assert ENV_SECRET not in document
    assert HOST_SECRET not in document
    assert canary.read_text() == "untouched"
    normal = pool.run("def f(x):\n    return x * 2", entry="f", args={"x": 21})
    assert (normal.status, normal.value) == ("ok", 42)


def cases(table: dict[str, tuple[str, tuple[str, Any]]]) -> list[Any]:
    """``pytest.param`` values from ``{id: (source, expected)}``."""
    import pytest

    return [pytest.param(source, expected, id=name) for name, (source, expected) in table.items()]
