"""Fixtures of the sandbox tests: one warm pool of real worker processes, shared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import InProcessExecutor, Limits, ProcessPool, Tool

SMALL = Limits(wall_seconds=4.0, cpu_seconds=1.0, memory_mb=256, output_bytes=4_000)


@pytest.fixture(scope="session")
def pool() -> Iterator[ProcessPool]:
    """A shared warm pool with small limits."""
    with ProcessPool(size=2, limits=SMALL) as shared:
        yield shared


@pytest.fixture
def inprocess() -> InProcessExecutor:
    """The in-process executor (trusted code only)."""
    return InProcessExecutor(limits=SMALL)


def _get_order(order_id: str) -> dict[str, object]:
    return {"order_id": order_id, "status": "delivered", "user_id": "u1"}


ORDER_SCHEMA = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}},
    "required": ["order_id"],
    "additionalProperties": False,
}


@pytest.fixture
def order_tools() -> tuple[Tool, ...]:
    """One read tool with a strict schema."""
    return (Tool("get_order", _get_order, ORDER_SCHEMA),)
