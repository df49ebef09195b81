"""A warm pool of isolated worker processes, safe for concurrent callers in the host."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sandbox._request import RequestExecutor
from sandbox.bridge import ToolBridge
from sandbox.errors import ConfigurationError, ExecutorClosed
from sandbox.isolation import IsolationReport
from sandbox.limits import Limits
from sandbox.process import Worker
from sandbox.result import RunResult
from sandbox.tools import Tool

__all__ = ["ProcessPool"]


def _kill_all(workers: list[Worker]) -> None:
    for worker in list(workers):
        worker.kill()


class ProcessPool(RequestExecutor):
    """Pre-started ``python -I`` workers that serve many calls each, one call at a time.

    Each call gets a fresh namespace; a worker is replaced after a limit breach, a crash, a
    trusted run, or ``max_calls_per_worker`` calls. Workers exit when the host closes their
    pipe (the pool is closed, or the host process dies).

    Args:
        size: Number of workers kept warm.
        limits: Default limits of calls; ``limits.memory_mb`` is also each worker's hard
            address-space cap (a call asking for more gets a dedicated worker).
        max_calls_per_worker: Calls a worker serves before it is replaced.
    """

    def __init__(
        self, *, size: int = 2, limits: Limits | None = None, max_calls_per_worker: int = 500
    ) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigurationError(f"ProcessPool size must be an int >= 1, got {size!r}")
        if max_calls_per_worker < 1:
            raise ConfigurationError(
                f"max_calls_per_worker must be >= 1, got {max_calls_per_worker!r}"
            )
        self.limits = limits if limits is not None else Limits()
        self.size = size
        self.max_calls_per_worker = max_calls_per_worker
        self._lock = threading.Condition()
        self._closed = False
        self._all: list[Worker] = []
        self._idle: list[Worker] = []
        self._finalizer = weakref.finalize(self, _kill_all, self._all)
        with self._lock:
            for _ in range(size):
                self._idle.append(self._spawn())

    def _spawn(self, memory_mb: int | None = None) -> Worker:
        worker = Worker(memory_mb=memory_mb or self.limits.memory_mb)
        self._all.append(worker)
        return worker

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def worker_pids(self) -> tuple[int, ...]:
        """Process ids of the live workers (for monitoring)."""
        with self._lock:
            return tuple(worker.pid for worker in self._all if worker.alive)

    def isolation(self) -> IsolationReport:
        """Which kernel hardening measures this pool's workers run under (see docs/sandbox.md).

        Asks an idle worker (waiting for one if all are busy); every worker of a pool is started
        the same way, so one speaks for all.

        Raises:
            ExecutorClosed: The pool was closed.
        """
        worker = self._checkout(None)
        try:
            worker.wait_ready()
            report = worker.isolation
        finally:
            self._checkin(worker, retire=not worker.alive, dedicated=False)
        return report

    def close(self) -> None:
        """Kill every worker; further calls raise :class:`ExecutorClosed`."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._idle.clear()
            self._lock.notify_all()
        for worker in workers:
            worker.kill()

    def _execute(
        self, request: dict[str, Any], tools: tuple[Tool, ...], limits: Limits, *, trusted: bool
    ) -> RunResult:
        dedicated = limits.memory_mb > self.limits.memory_mb
        worker = self._checkout(limits.memory_mb if dedicated else None)
        result: RunResult | None = None
        try:
            result = worker.run(request, ToolBridge(tools, limits), limits)
        finally:
            # A trusted run's worker goes too, so modules the target imported do not outlive it.
            retire = (
                dedicated
                or trusted
                or result is None
                or result.status in ("limit", "crashed")
                or worker.calls >= self.max_calls_per_worker
            )
            self._checkin(worker, retire=retire, dedicated=dedicated)
        return result

    def _checkout(self, memory_mb: int | None) -> Worker:
        with self._lock:
            if memory_mb is not None:
                if self._closed:
                    raise ExecutorClosed("this ProcessPool is closed; create a new one")
                return self._spawn(memory_mb)
            while not self._idle:
                if self._closed:
                    raise ExecutorClosed("this ProcessPool is closed; create a new one")
                self._lock.wait()
            if self._closed:
                raise ExecutorClosed("this ProcessPool is closed; create a new one")
            return self._idle.pop()

    def _checkin(self, worker: Worker, *, retire: bool, dedicated: bool) -> None:
        if retire:
            worker.kill()
        with self._lock:
            if retire:
                self._all.remove(worker)
            if self._closed:
                worker.kill()
                return
            if dedicated:
                return
            self._idle.append(self._spawn() if retire else worker)
            self._lock.notify()
