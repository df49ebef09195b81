"""The isolation layer: real worker processes in a warm pool."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import Any

import pytest

from sandbox import (
    ConfigurationError,
    ExecutorClosed,
    Limits,
    ProcessPool,
    RunResult,
    Tool,
    run,
    run_trusted,
)

SMALL = Limits(wall_seconds=4.0, cpu_seconds=1.0, memory_mb=256, output_bytes=4_000)

ORDER_SKILL = """
def check_order(tools, order_id: str) -> dict:
    order = tools.get_order(order_id=order_id)
    if order["status"] != "delivered":
        raise SkillPrecondition(f"order status is {order['status']!r}")
    print("checked", order_id)
    return {"order": order_id, "user": order["user_id"]}
"""


def test_a_tool_calling_skill_returns_its_value_and_records_the_call(
    pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    result = pool.run(ORDER_SKILL, entry="check_order", args={"order_id": "A1"}, tools=order_tools)
    assert result.status == "ok"
    assert result.value == {"order": "A1", "user": "u1"}
    assert result.output == "checked A1\n"
    [record] = result.tool_calls
    assert (record.name, record.arguments, record.error) == ("get_order", {"order_id": "A1"}, None)
    assert record.result == {"order_id": "A1", "status": "delivered", "user_id": "u1"}
    assert result.stats["wall_seconds"] >= 0
    assert result.stats["max_rss_kib"] > 0


def test_results_survive_a_json_round_trip(
    pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    result = pool.run(ORDER_SKILL, entry="check_order", args={"order_id": "A1"}, tools=order_tools)
    assert RunResult.from_dict(json.loads(result.to_json())) == result


def test_a_raising_skill_is_an_error_result(pool: ProcessPool) -> None:
    result = pool.run("def f():\n    raise ValueError('nope')", entry="f", args={})
    assert (result.status, result.error) == ("error", {"type": "ValueError", "message": "nope"})


def test_arguments_that_break_the_schema_are_refused_as_tool_errors(
    pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    source = "def f(tools):\n    return tools.get_order(order_id=5)"
    result = pool.run(source, entry="f", args={}, tools=order_tools)
    assert result.status == "error"
    assert result.error is not None
    assert result.error["type"] == "ToolError"
    assert "do not match its schema at order_id" in result.error["message"]
    assert result.tool_calls[0].error == result.error["message"]


def test_a_non_json_return_value_is_an_invalid_result(pool: ProcessPool) -> None:
    result = pool.run("def f():\n    return {1, 2}", entry="f", args={})
    assert result.status == "error"
    assert result.error is not None
    assert result.error["type"] == "InvalidResult"


def test_no_state_survives_between_calls(pool: ProcessPool) -> None:
    source = "cache = {}\n\ndef f(k):\n    cache[k] = 1\n    return sorted(cache)\n"
    results = [pool.run(source, entry="f", args={"k": k}).value for k in "abc"]
    assert results == [["a"], ["b"], ["c"]]


def test_concurrent_callers_get_their_own_results(pool: ProcessPool) -> None:
    source = "def f(n):\n    return sum(i * i for i in range(n))"
    results: dict[int, Any] = {}

    def worker(n: int) -> None:
        results[n] = pool.run(source, entry="f", args={"n": n}).value

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 13)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: sum(i * i for i in range(n)) for n in range(1, 13)}


def test_a_worker_is_replaced_after_its_call_quota() -> None:
    with ProcessPool(size=1, limits=SMALL, max_calls_per_worker=2) as small:
        assert small.warm()
        first = set(small.worker_pids())
        for _ in range(2):
            assert small.run("def f():\n    return 1", entry="f", args={}).value == 1
        assert small.wait_for(lambda stats: stats.recycled == 1 and stats.stopping == 0, timeout=30)
        assert set(small.worker_pids()) != first
        assert small.run("def f():\n    return 2", entry="f", args={}).value == 2


def test_a_closed_pool_refuses_calls_and_kills_its_workers() -> None:
    small = ProcessPool(size=1, limits=SMALL)
    small.close()
    assert small.worker_pids() == ()
    with pytest.raises(ExecutorClosed):
        small.run("def f():\n    return 1", entry="f", args={})


def test_a_call_asking_for_more_memory_gets_a_dedicated_worker(pool: ProcessPool) -> None:
    assert pool.warm()
    before = set(pool.worker_pids())
    result = pool.run(
        "def f():\n    return len('x' * 300_000_000)",
        entry="f",
        args={},
        limits=Limits(memory_mb=1024, cpu_seconds=2.0, wall_seconds=5.0),
    )
    assert (result.status, result.value) == ("ok", 300_000_000)
    assert pool.wait_for(lambda stats: stats.dedicated == stats.stopping == 0, timeout=30)
    assert set(pool.worker_pids()) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"args": {"x": object()}}, "args must be JSON values"),
        ({"args": {"tools": 1}}, "must not contain 'tools'"),
        ({"entry": "not a name"}, "must be a function name"),
        ({"tools": ["nope"]}, "must be sandbox.Tool values"),
    ],
)
def test_host_misuse_raises_configuration_error(
    pool: ProcessPool, kwargs: dict[str, Any], message: str
) -> None:
    call: dict[str, Any] = {"entry": "f", "args": {}, **kwargs}
    with pytest.raises(ConfigurationError, match=message):
        pool.run("def f():\n    return 1", **call)


def test_trusted_targets_run_in_a_worker_with_the_bridge(
    pool: ProcessPool, order_tools: tuple[Tool, ...]
) -> None:
    payload = {"source": ORDER_SKILL, "entry": "check_order", "args": {"order_id": "B2"}}
    result = run_trusted("sandbox_targets:run_skill", payload, tools=order_tools, executor=pool)
    assert (result.status, result.value) == ("ok", {"order": "B2", "user": "u1"})
    assert [call.name for call in result.tool_calls] == ["get_order"]


def test_hypothesis_runs_inside_the_worker(pool: ProcessPool) -> None:
    result = pool.run_trusted(
        "sandbox_targets:hypothesis_in_worker", None, limits=Limits(cpu_seconds=20, wall_seconds=30)
    )
    assert (result.status, result.value) == ("ok", {"examples": 20})


def test_a_failing_trusted_target_is_an_error_result(pool: ProcessPool) -> None:
    result = pool.run_trusted("sandbox_targets:raises", {})
    assert (result.status, result.error) == (
        "error",
        {"type": "KeyError", "message": "'missing thing'"},
    )


def test_async_tools_are_run_to_completion_in_the_host(pool: ProcessPool) -> None:
    async def lookup(key: str) -> str:
        return key.upper()

    tool = Tool.from_function(lookup)
    result = pool.run(
        "def f(tools):\n    return tools.lookup(key='a')", entry="f", args={}, tools=[tool]
    )
    assert (result.status, result.value) == ("ok", "A")


def test_run_uses_the_given_executor(pool: ProcessPool) -> None:
    result = run("def f(x):\n    return x + 1", entry="f", args={"x": 1}, executor=pool)
    assert result.value == 2


def test_closing_the_pool_during_a_call_ends_that_call_as_crashed() -> None:
    small = ProcessPool(size=1, limits=SMALL)

    def close_pool() -> str:
        small.close()
        return "closed"

    tool = Tool("close_pool", close_pool, {"type": "object"})
    result = small.run(
        "def f(tools):\n    return tools.close_pool()", entry="f", args={}, tools=[tool]
    )
    assert result.status == "crashed"
    assert result.error is not None
    assert result.error["type"] == "WorkerCrashed"
    assert small.worker_pids() == ()


def test_a_pool_closed_during_a_call_never_uses_fd_numbers_the_host_reuses() -> None:
    small = ProcessPool(size=1, limits=SMALL)
    # Pipes the host opens right after the close, as another thread could: they get the lowest
    # free fd numbers, which are the ones a closed worker's pipes just released.
    opened: list[tuple[int, int]] = []

    def close_then_open() -> str:
        small.close()
        opened.extend(os.pipe() for _ in range(4))
        return "closed"

    tool = Tool("close_then_open", close_then_open, {"type": "object"})
    try:
        result = small.run(
            "def f(tools):\n    return tools.close_then_open()", entry="f", args={}, tools=[tool]
        )
        stray = []
        for read_end, _ in opened:
            os.set_blocking(read_end, False)
            with contextlib.suppress(BlockingIOError):
                stray.append(os.read(read_end, 1 << 16))
    finally:
        for pair in opened:
            for fd in pair:
                os.close(fd)
    assert result.status == "crashed", result
    assert stray == []


def test_a_worker_loads_none_of_the_host_side_of_the_sandbox(pool: ProcessPool) -> None:
    # Each start would pay for them: the pool, the tool schemas (jsonschema), the bridge, and
    # libcst (annotations are stripped from the ast tree).
    host_side = [
        "jsonschema",
        "asyncio",
        "libcst",
        "sandbox.pool",
        "sandbox.tools",
        "sandbox.bridge",
    ]
    result = pool.run_trusted("sandbox_targets:host_side_modules", host_side)
    assert (result.status, result.value) == ("ok", [])
