"""Serving many calls at once: exact recording through the outcome writer, and a clear busy
answer (not a collapse) when more calls arrive than the sandbox's workers and queue can take."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp import Client

import sandbox
from export import hosttools
from skill_registry import Registry
from skills_runtime.export import OutcomeWriter, ToolOutcome
from skills_runtime.export.mcp_server import SkillServer
from skills_runtime.toolkit import Toolkit
from skills_runtime.tools import Toolset

LIMITS = sandbox.Limits(wall_seconds=120.0, cpu_seconds=5.0)
OWNER = {"first_name": "Ada", "last_name": "L", "order_id": "#W1"}
# A mix like an agent's: values, a skill that raises, a guard that refuses (the order is Ada's).
CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("order_status", {"order_id": "#W1"}, "ok"),
    ("order_status", {"order_id": "#W2", "verbose": True}, "ok"),
    ("refund_everything", {"order_id": "#W2"}, "error"),
    ("cancel_for_customer", {**OWNER, "first_name": "Bob"}, "error"),
]


class HeldShop:
    """The test shop, whose order lookup waits until the test lets it go."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.toolset = Toolset("shop")

        def get_order_details(order_id: str) -> dict[str, Any]:
            """The order's owner, status and items.

            Args:
                order_id: The order id, e.g. "#W1".
            """
            self.entered.release()
            self.release.wait(timeout=120)
            return dict(hosttools.ORDERS[order_id])

        self.toolset.add(get_order_details)

    def wait_inside(self) -> None:
        assert self.entered.acquire(timeout=120), "the held call never reached its tool"


@pytest.fixture
def held() -> Iterator[HeldShop]:
    shop = HeldShop()
    yield shop
    shop.release.set()


def _recorded(registry: Registry, name: str) -> list[str]:
    return sorted(t.id for t in registry.trajectories(source=f"outcome:{name}@1"))


def test_concurrent_calls_through_the_writer_are_each_recorded_exactly_once(
    registry: Registry,
) -> None:
    outcomes: list[ToolOutcome] = []
    lock = threading.Lock()
    with (
        sandbox.ProcessPool(limits=LIMITS, config=sandbox.PoolConfig.fixed(2)) as pool,
        OutcomeWriter(registry, max_batch=8) as writer,
    ):
        toolkit = Toolkit(registry, hosttools.toolset, executor=pool, writer=writer)

        def agent(index: int) -> None:
            for name, arguments, _ in CALLS[index % 2 :] + CALLS[: index % 2]:
                outcome = toolkit.execute(name, arguments)
                with lock:
                    outcomes.append(outcome)

        threads = [threading.Thread(target=agent, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Closing the writer stored everything handed over.
    assert len(outcomes) == 8 * len(CALLS)
    assert writer.written == len(outcomes)
    assert writer.failed == 0
    assert 1 <= writer.batches <= len(outcomes)
    assert Counter(o.status for o in outcomes) == Counter({"ok": 16, "error": 16})
    for name in {name for name, _, _ in CALLS}:
        made = sorted(o.trajectory_id or "" for o in outcomes if o.name == name)
        assert _recorded(registry, name) == made
        assert registry.reliability(name).uses == len(made)
    # The guard refusals count as the skill working, and are counted apart.
    cancel = registry.reliability("cancel_for_customer")
    assert (cancel.successes, cancel.refusals) == (8, 8)


def test_a_record_handed_over_after_close_is_stored_by_its_caller(registry: Registry) -> None:
    writer = OutcomeWriter(registry)
    writer.close()
    toolkit = Toolkit(registry, hosttools.toolset, writer=writer, limits=LIMITS)
    outcome = toolkit.execute("order_status", {"order_id": "#W1"})
    assert outcome.ok
    assert _recorded(registry, "order_status") == [outcome.trajectory_id]


@pytest.mark.anyio
async def test_concurrent_sessions_get_every_call_answered_and_recorded_once(
    registry: Registry,
) -> None:
    results: list[tuple[str, Any]] = []
    with (
        sandbox.ProcessPool(limits=LIMITS, config=sandbox.PoolConfig.fixed(2)) as pool,
        OutcomeWriter(registry) as writer,
    ):
        toolkit = Toolkit(registry, hosttools.toolset, executor=pool, writer=writer)
        server = SkillServer(toolkit, poll_seconds=None)

        async def session() -> None:
            async with (
                Client(server, raise_exceptions=True) as client,
                anyio.create_task_group() as calls,
            ):
                for name, arguments, _ in CALLS * 3:
                    calls.start_soon(call, client, name, arguments)

        async def call(client: Client, name: str, arguments: dict[str, Any]) -> None:
            result = await client.call_tool(name, arguments)
            results.append((name, result))

        async with anyio.create_task_group() as sessions:
            for _ in range(4):
                sessions.start_soon(session)
        assert await anyio.to_thread.run_sync(writer.flush, 60.0)
    assert len(results) == 4 * 3 * len(CALLS)
    statuses = Counter(
        "ok" if not result.is_error else result.structured_content["status"]
        for _, result in results
    )
    assert statuses == Counter({"ok": 24, "error": 24})
    for name in {name for name, _, _ in CALLS}:
        made = sum(1 for called, _ in results if called == name)
        assert len(_recorded(registry, name)) == made
        assert registry.reliability(name).uses == made
    assert server.admission.refused == 0


@pytest.mark.anyio
async def test_a_call_beyond_the_bounds_is_answered_busy_and_the_server_keeps_serving(
    registry: Registry, held: HeldShop
) -> None:
    config = sandbox.PoolConfig.fixed(1, max_waiting=0)
    with sandbox.ProcessPool(limits=LIMITS, config=config) as pool:
        assert pool.warm()
        server = SkillServer(Toolkit(registry, held.toolset, executor=pool), poll_seconds=None)
        async with Client(server, raise_exceptions=True) as client:
            first: list[Any] = []

            async def held_call() -> None:
                first.append(await client.call_tool("order_status", {"order_id": "#W1"}))

            async with anyio.create_task_group() as group:
                group.start_soon(held_call)
                await anyio.to_thread.run_sync(held.wait_inside)
                busy = await client.call_tool("order_status", {"order_id": "#W2"})
                held.release.set()
            after = await client.call_tool("order_status", {"order_id": "#W2"})
    assert busy.is_error
    assert busy.structured_content["status"] == "busy"
    text = busy.content[0].text
    assert "skillbank is busy: all 1 sandbox workers are busy" in text
    assert "nothing ran; retry in" in text
    assert [r.is_error for r in (*first, after)] == [False, False]
    assert server.admission.refused == 1
    # The refused call never ran, so it is not recorded; the two that ran are.
    assert registry.reliability("order_status").uses == 2


def test_the_toolkit_answers_busy_when_the_pool_refuses_a_call(
    registry: Registry, held: HeldShop
) -> None:
    config = sandbox.PoolConfig.fixed(1, max_waiting=0)
    with sandbox.ProcessPool(limits=LIMITS, config=config) as pool:
        assert pool.warm()
        toolkit = Toolkit(registry, held.toolset, executor=pool)
        holder = threading.Thread(
            target=toolkit.execute, args=("order_status", {"order_id": "#W1"})
        )
        holder.start()
        held.wait_inside()
        busy = toolkit.execute("order_status", {"order_id": "#W2"})
        held.release.set()
        holder.join()
    assert busy.status == "busy"
    assert busy.content().startswith("Error (busy) in 'order_status'. Busy: skillbank is busy:")
    assert registry.reliability("order_status").uses == 1
