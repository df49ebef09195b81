"""The pool's housekeeping: hand-over at the call quota, replacement after a loss, growth and
shrinking within bounds, and back-pressure — asserted on the pool's own counters, not on time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import (
    ConfigurationError,
    Limits,
    PoolBusy,
    PoolConfig,
    ProcessPool,
    RunResult,
    Tool,
)

SMALL = Limits(wall_seconds=4.0, cpu_seconds=1.0, memory_mb=256, output_bytes=4_000)
# Calls that hold a worker while the test looks at the pool: generous wall time, since worker
# starts on a busy machine may take a while and the held calls must not hit a limit meanwhile.
HELD = Limits(wall_seconds=120.0, cpu_seconds=5.0, memory_mb=256)
ONE = "def f():\n    return 1"
HOLD = "def f(tools):\n    return tools.hold()"


class Gate:
    """A host tool that keeps each call inside it until the test opens the gate."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)
        self.tool = Tool("hold", self._hold, {"type": "object"})

    def _hold(self) -> str:
        self.entered.release()
        self.open.wait(timeout=120)
        return "released"

    def wait_inside(self, calls: int) -> None:
        for _ in range(calls):
            assert self.entered.acquire(timeout=120), "a held call never reached its tool"


@pytest.fixture
def gate() -> Iterator[Gate]:
    opened = Gate()
    yield opened
    opened.open.set()


def _in_threads(pool: ProcessPool, count: int, source: str, tools: tuple[Tool, ...]) -> Any:
    results: list[RunResult | BaseException] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            outcome: RunResult | BaseException = pool.run(
                source, entry="f", args={}, tools=tools, limits=HELD
            )
        except BaseException as error:  # collected, so the test sees it
            outcome = error
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_worker_at_its_quota_hands_over_to_a_started_successor() -> None:
    config = PoolConfig.fixed(1, max_calls_per_worker=3, spare_workers=1)
    with ProcessPool(limits=SMALL, config=config) as pool:
        assert pool.warm()
        values = [pool.run(ONE, entry="f", args={}).value for _ in range(10)]
        served = pool.stats()
        # Once the successors are up, no worker past its quota is left serving.
        assert pool.warm()
        assert pool.run(ONE, entry="f", args={}).stats["worker_calls"] <= 3
    assert values == [1] * 10
    assert served.calls == 10
    assert served.recycled >= 1
    # Crossing the quota never made a call wait for a worker to start.
    assert served.waited_for_start == 0
    assert served.queued == 0


def test_waiting_calls_get_the_successor_when_a_worker_past_its_quota_retires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One worker serving, its started successor idle beside it (the pool runs one call at a
    # time), calls waiting: when the busy worker retires at its quota, a waiting call must get
    # the successor at once, not wait for the keeper's next start.
    config = PoolConfig.fixed(1, max_calls_per_worker=2, wait_seconds=10)
    with ProcessPool(limits=SMALL, config=config) as pool:
        assert pool.warm()
        # As on a machine too busy to start a worker soon: the keeper starts no more.
        monkeypatch.setattr(pool._keeper, "_wanted", lambda: 0)
        threads, results = _in_threads(pool, 6, ONE, ())
        for thread in threads:
            thread.join()
        stats = pool.stats()
    assert [getattr(result, "value", result) for result in results] == [1] * 6
    assert (stats.refused, stats.recycled, stats.started) == (0, 1, 2)


def test_a_worker_lost_to_a_limit_or_a_crash_is_replaced_by_a_started_spare() -> None:
    with ProcessPool(limits=SMALL, config=PoolConfig.fixed(1)) as pool:
        assert pool.warm()
        flood = pool.run("def f():\n    while True:\n        print('x' * 1000)", entry="f", args={})
        after_limit = pool.run(ONE, entry="f", args={})
        assert pool.warm()
        crash = pool.run_trusted("sandbox_targets:segfault", None)
        after_crash = pool.run(ONE, entry="f", args={})
        stats = pool.stats()
    assert (flood.status, flood.limit) == ("limit", "output")
    assert crash.status == "crashed"
    assert crash.error is not None
    assert "SIGSEGV" in crash.error["message"]
    assert after_limit.value == after_crash.value == 1
    assert stats.replaced == 2
    assert stats.waited_for_start == 0


def test_the_pool_grows_under_load_within_its_bounds_and_shrinks_back(gate: Gate) -> None:
    config = PoolConfig(
        min_workers=1, max_workers=3, spare_workers=1, idle_seconds=0, max_waiting=8
    )
    with ProcessPool(limits=SMALL, config=config) as pool:
        assert pool.warm()
        assert pool.stats().workers == 2
        threads, results = _in_threads(pool, 5, HOLD, (gate.tool,))
        gate.wait_inside(3)
        assert pool.wait_for(lambda stats: stats.waiting == 2, timeout=60)
        during = pool.stats()
        gate.open.set()
        for thread in threads:
            thread.join()
        assert pool.wait_for(
            lambda stats: stats.workers == 2 and stats.starting == stats.stopping == 0,
            timeout=60,
        )
        after = pool.stats()
    assert [getattr(result, "value", result) for result in results] == ["released"] * 5
    assert (during.busy, during.waiting) == (3, 2)
    assert during.workers <= config.max_workers + config.spare_workers
    assert after.peak_busy == 3
    assert after.peak_workers <= config.max_workers + config.spare_workers
    assert after.trimmed >= 1
    assert after.waited_for_start + after.queued >= 2  # at most three calls ran at once


def test_a_call_beyond_the_queue_bound_is_refused_as_busy_and_the_pool_keeps_serving(
    gate: Gate,
) -> None:
    config = PoolConfig.fixed(1, max_waiting=1)
    with ProcessPool(limits=SMALL, config=config) as pool:
        assert pool.warm()
        threads, results = _in_threads(pool, 2, HOLD, (gate.tool,))
        gate.wait_inside(1)
        assert pool.wait_for(lambda stats: stats.waiting == 1, timeout=60)
        with pytest.raises(PoolBusy) as refused:
            pool.run(ONE, entry="f", args={})
        gate.open.set()
        for thread in threads:
            thread.join()
        assert pool.run(ONE, entry="f", args={}).value == 1
        stats = pool.stats()
    message = str(refused.value)
    assert "busy" in message
    assert "1 calls are already waiting" in message
    assert "nothing ran; retry in" in message
    assert refused.value.retry_after >= 1
    assert [getattr(result, "value", result) for result in results] == ["released"] * 2
    assert stats.refused == 1


def test_a_call_that_waits_too_long_is_refused_as_busy(gate: Gate) -> None:
    config = PoolConfig.fixed(1, wait_seconds=0.05)
    with ProcessPool(limits=SMALL, config=config) as pool:
        assert pool.warm()
        threads, _ = _in_threads(pool, 1, HOLD, (gate.tool,))
        gate.wait_inside(1)
        with pytest.raises(PoolBusy, match=r"no sandbox worker became free within 0\.05 s"):
            pool.run(ONE, entry="f", args={})
        gate.open.set()
        threads[0].join()
        assert pool.run(ONE, entry="f", args={}).value == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_workers": 0}, "min_workers must be an int >= 1"),
        ({"min_workers": 3, "max_workers": 2}, "min_workers \\(3\\) is above max_workers"),
        ({"spare_workers": -1}, "spare_workers must be an int >= 0"),
        ({"max_calls_per_worker": True}, "max_calls_per_worker must be an int"),
        ({"max_waiting": -1}, "max_waiting must be an int >= 0"),
        ({"wait_seconds": float("nan")}, "wait_seconds must be a finite number"),
        ({"idle_seconds": -1}, "idle_seconds must be a finite number"),
    ],
)
def test_unusable_pool_configurations_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PoolConfig(**options)


def test_the_default_pool_is_sized_from_the_machine() -> None:
    import os

    config = PoolConfig()
    assert config.min_workers == 1
    assert config.max_workers == 2 * len(os.sched_getaffinity(0))
    assert PoolConfig.fixed(3).to_dict()["max_workers"] == 3
