"""A warm pool of isolated worker processes, safe for concurrent callers in the host."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable

from sandbox._keeper import Keeper, StartFailed
from sandbox._request import Request, RequestExecutor
from sandbox.bridge import ToolBridge
from sandbox.isolation import IsolationReport
from sandbox.limits import Limits
from sandbox.pool_config import PoolConfig, PoolStats
from sandbox.result import RunResult
from sandbox.tools import Tool

__all__ = ["ProcessPool"]


class ProcessPool(RequestExecutor):
    """Pre-started ``python -I`` workers that serve many calls each, one call at a time.

    Each call gets a fresh namespace. A worker is replaced after a limit breach (not after a
    spent tool budget, which it unwinds), a crash, a trusted run, or ``max_calls_per_worker``
    calls; replacements, spares and growth are started in the background, so a call never
    waits for a worker to start unless the pool has none left to give (see
    :class:`PoolConfig`). Workers exit when the host closes their pipe (the
    pool is closed, or the host process dies).

    Args:
        limits: Default limits of calls; ``limits.memory_mb`` is also each worker's hard
            address-space cap (a call asking for more gets a dedicated worker).
        config: Sizing, recycling and queueing (default: sized from this machine's cores).
        size: Shorthand for a fixed number of workers serving calls (``min_workers`` and
            ``max_workers`` of ``config``).
        max_calls_per_worker: Shorthand for ``config.max_calls_per_worker``.
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        config: PoolConfig | None = None,
        size: int | None = None,
        max_calls_per_worker: int | None = None,
    ) -> None:
        chosen = config if config is not None else PoolConfig()
        if size is not None:
            chosen = dataclasses.replace(chosen, min_workers=size, max_workers=size)
        if max_calls_per_worker is not None:
            chosen = dataclasses.replace(chosen, max_calls_per_worker=max_calls_per_worker)
        self.limits = limits if limits is not None else Limits()
        self.config = chosen
        self._keeper = Keeper(chosen, memory_mb=self.limits.memory_mb)
        self._finalizer = weakref.finalize(self, self._keeper.close)

    @property
    def size(self) -> int:
        """Most calls the pool runs at once (``config.max_workers``)."""
        return self.config.max_workers

    @property
    def max_calls_per_worker(self) -> int:
        """Calls a worker serves before it is replaced."""
        return self.config.max_calls_per_worker

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._finalizer.alive

    def worker_pids(self) -> tuple[int, ...]:
        """Process ids of every live worker of the pool (for monitoring)."""
        return self._keeper.pids()

    def stats(self) -> PoolStats:
        """Workers now, and what happened since the pool started (starts, hand-overs, waits)."""
        return self._keeper.stats()

    def warm(self, *, timeout: float = 60.0) -> bool:
        """Wait until the pool's resting workers (minimum and spares) have started.

        A server calls this before taking traffic, so that no first call waits for a start.
        Returns whether they started within ``timeout`` seconds.
        """
        resting = self.config.min_workers + self.config.spare_workers
        # ``workers`` leaves out those past their quota; ``starting`` ones have not said hello.
        return self.wait_for(
            lambda stats: stats.workers - stats.starting >= resting, timeout=timeout
        )

    def wait_for(self, condition: Callable[[PoolStats], bool], *, timeout: float) -> bool:
        """Block until ``condition(self.stats())`` holds (checked on every change of the pool).

        Returns whether it held within ``timeout`` seconds.
        """
        return self._keeper.wait_for(condition, timeout=timeout)

    def retry_after(self) -> float:
        """Seconds after which a call refused as busy is likely to find a free worker."""
        return self._keeper.retry_after()

    def isolation(self) -> IsolationReport:
        """Which kernel hardening measures this pool's workers run under (see docs/sandbox.md).

        Asks a started worker (waiting for one if all are busy); every worker of a pool is
        started the same way, so one speaks for all.

        Raises:
            ExecutorClosed: The pool was closed.
            PoolBusy: No worker became free in time.
        """
        try:
            worker = self._keeper.checkout()
        except StartFailed as failure:
            return IsolationReport.unavailable(str(failure))
        try:
            worker.wait_ready()
            report = worker.isolation
        finally:
            self._keeper.checkin(worker, retire=not worker.alive)
        return report

    def close(self) -> None:
        """Kill every worker; further calls raise :class:`ExecutorClosed`."""
        self._finalizer()

    def _execute(
        self, request: Request, tools: tuple[Tool, ...], limits: Limits, *, trusted: bool
    ) -> RunResult:
        bridge = ToolBridge(tools, limits)
        if limits.memory_mb > self.limits.memory_mb:
            worker = self._keeper.dedicated(limits.memory_mb)
            try:
                return worker.run(request, bridge, limits)
            finally:
                self._keeper.release_dedicated(worker)
        try:
            worker = self._keeper.checkout()
        except StartFailed as failure:
            return RunResult(
                status="crashed", error={"type": "WorkerCrashed", "message": str(failure)}
            )
        result: RunResult | None = None
        try:
            result = worker.run(request, bridge, limits, lone=self._keeper.lone())
        finally:
            # A trusted run's worker goes too, so modules the target imported do not outlive it.
            # A limit the worker complied with (a spent tool budget) leaves it alive and fit;
            # every other limit killed it.
            retire = trusted or result is None or not worker.alive or result.status == "crashed"
            self._keeper.checkin(worker, retire=retire)
        return result
