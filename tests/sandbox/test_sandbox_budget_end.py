"""A spent tool budget ends the call without ending the worker: no start waits for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Limits, ProcessPool, Tool

BUDGET = Limits(wall_seconds=10.0, cpu_seconds=5.0, max_tool_calls=3)

SPENDS = "def f(tools):\n    while True:\n        tools.get_order(order_id='A1')\n"
SWALLOWS = (
    "def f(tools):\n"
    "    n = 0\n"
    "    while True:\n"
    "        try:\n"
    "            tools.get_order(order_id='A1')\n"
    "        except:\n"
    "            n += 1\n"
    "        finally:\n"
    "            n += 1\n"
)
FINE = "def f(tools):\n    return tools.get_order(order_id='A1')['status']\n"


@pytest.fixture
def lone_pool() -> Iterator[ProcessPool]:
    pool = ProcessPool(size=1, limits=BUDGET)
    assert pool.warm()
    yield pool
    pool.close()


@pytest.mark.parametrize("source", [SPENDS, SWALLOWS], ids=["spends", "swallows"])
def test_a_skill_past_its_tool_budget_ends_in_a_limit_and_its_worker_serves_on(
    lone_pool: ProcessPool, order_tools: tuple[Tool, ...], source: str
) -> None:
    before = lone_pool.worker_pids()
    result = lone_pool.run(source, entry="f", args={}, tools=order_tools)
    assert (result.status, result.limit) == ("limit", "tool_calls")
    assert len(result.tool_calls) == 4  # three served, the fourth refused
    assert result.tool_calls[-1].refused
    after = lone_pool.run(FINE, entry="f", args={}, tools=order_tools)
    assert (after.status, after.value) == ("ok", "delivered")
    assert lone_pool.worker_pids() == before
    assert lone_pool.stats().replaced == 0


def test_a_worker_that_calls_on_after_the_end_is_killed(
    lone_pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    result = lone_pool.run_trusted(
        "sandbox_targets:calls_on_after_its_end", {"calls": 10}, tools=order_tools
    )
    assert (result.status, result.limit) == ("limit", "tool_calls")
    assert len(result.tool_calls) == 4  # its calls after the end were never served


def test_a_worker_that_does_not_answer_after_the_end_is_killed(
    lone_pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    result = lone_pool.run_trusted(
        "sandbox_targets:computes_on_after_its_end", {}, tools=order_tools
    )
    assert (result.status, result.limit) == ("limit", "tool_calls")
    assert result.stats["wall_seconds"] < BUDGET.wall_seconds  # killed, not waited for
