"""The workers of one pool: handed to calls, started and stopped by a thread of their own.

No call waits for housekeeping. A keeper thread starts workers in the background (the pool's
minimum, spares, successors, growth under load), waits for their hello, and kills the workers
that retire; a call only ever takes a worker that has said hello. A worker at its call quota
hands over to a started successor: while none is ready it goes on serving (preferred last).

Calls beyond ``max_workers`` queue first-come first-served, at most ``max_waiting`` of them and
for at most ``wait_seconds``; past either bound the caller gets :class:`~sandbox.PoolBusy`.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable

from sandbox.errors import ExecutorClosed, PoolBusy
from sandbox.pool_config import PoolConfig, PoolStats
from sandbox.process import Worker

__all__ = ["Keeper", "StartFailed"]

_HELLO_SECONDS = 60.0
_FIRST_BACKOFF = 0.05
_MAX_BACKOFF = 5.0
_TRIM_CHECK_SECONDS = 1.0


class StartFailed(Exception):
    """No worker could be started for a waiting call (the message says why)."""


class _Waiter:
    """One call waiting for a worker, woken alone when one is handed to it."""

    __slots__ = ("condition", "failure", "worker")

    def __init__(self, lock: threading.Lock) -> None:
        self.condition = threading.Condition(lock)
        self.worker: Worker | None = None
        self.failure: str | None = None


class Keeper:
    """Hands started workers to calls and keeps the right number of them started.

    Args:
        config: Sizing, recycling and queueing.
        memory_mb: Address-space cap of every worker.
    """

    def __init__(self, config: PoolConfig, *, memory_mb: int) -> None:
        self.config = config
        self.memory_mb = memory_mb
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._watchers = 0  # threads in wait_for, woken by every change
        self._closed = False
        self._idle: list[Worker] = []  # started and free; the most recently used last
        self._busy: set[Worker] = set()
        self._due: set[Worker] = set()  # past their quota, serving until a successor is ready
        self._starting: list[Worker] = []
        self._stopping: list[Worker] = []
        self._dedicated: set[Worker] = set()
        self._waiters: deque[_Waiter] = deque()
        self._last_used: dict[Worker, float] = {}
        self._taken_at: dict[Worker, float] = {}
        self._service_seconds = 0.0
        self._start_problem: str | None = None
        self._next_start = 0.0
        self._backoff = _FIRST_BACKOFF
        self._counts = dict.fromkeys(
            ("started", "recycled", "replaced", "trimmed", "start_failures", "calls",
             "waited_for_start", "queued", "refused", "peak_busy", "peak_workers"),
            0,
        )  # fmt: skip
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._thread = threading.Thread(target=self._keep, name="sandbox-pool-keeper", daemon=True)
        self._thread.start()

    # -- calls --------------------------------------------------------------------------------

    def checkout(self) -> Worker:
        """A started worker for one call, waiting in line when none is free.

        Raises:
            ExecutorClosed: The pool was closed.
            PoolBusy: The queue is full, or no worker became free within ``wait_seconds``.
            StartFailed: No worker is running and starting one failed.
        """
        config = self.config
        deadline = time.monotonic() + config.wait_seconds
        with self._lock:
            if self._closed:
                raise ExecutorClosed("this ProcessPool is closed; create a new one")
            if not self._waiters and self._idle and len(self._busy) < config.max_workers:
                return self._hand(self._take_idle())
            if len(self._waiters) >= config.max_waiting:
                raise self._refuse(
                    f"all {len(self._busy)} sandbox workers are busy and {len(self._waiters)} "
                    "calls are already waiting (the most allowed)"
                )
            waiter = _Waiter(self._lock)
            self._waiters.append(waiter)
            self._counts[
                "queued" if len(self._busy) >= config.max_workers else "waited_for_start"
            ] += 1
            self._nudge()
            self._changed.notify_all()
            while waiter.worker is None and waiter.failure is None and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                waiter.condition.wait(remaining)
            if waiter.worker is not None:
                return waiter.worker
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
            if self._closed:
                raise ExecutorClosed("this ProcessPool is closed; create a new one")
            if waiter.failure is not None:
                raise StartFailed(waiter.failure)
            raise self._refuse(
                f"no sandbox worker became free within {config.wait_seconds:g} s "
                f"({len(self._busy)} busy, {len(self._waiters)} calls waiting)"
            )

    def checkin(self, worker: Worker, *, retire: bool) -> None:
        """Take a worker back after a call; ``retire`` stops it (dead, or unfit to go on)."""
        with self._lock:
            self._busy.discard(worker)
            taken = self._taken_at.pop(worker, None)
            if taken is not None:
                now = time.monotonic()
                self._service_seconds += (now - taken - self._service_seconds) * 0.05
            if self._closed:
                self._forget(worker)
                retire = True
            elif retire or not worker.alive:
                self._stop(worker)
                self._counts["replaced"] += 1
            elif worker.calls < self.config.max_calls_per_worker:
                self._offer(worker)
                if not self._stopping and not self._waiters:
                    return  # the common case: nothing more to hand out, stop or start
            elif self._has_successor():
                self._stop(worker)
                self._counts["recycled"] += 1
            else:
                self._due.add(worker)  # the keeper starts its successor; it serves on till then
                self._offer(worker)
            # A worker stopped above frees a turn: a started one may now go to a waiting call.
            self._dispatch()
            self._nudge()
        if self._closed:
            worker.kill()

    def lone(self) -> bool:
        """Whether at most one call holds a worker, none waits and no worker is starting.

        Read without the lock: a hint for how to wait, not a decision that needs to be exact.
        """
        return len(self._busy) <= 1 and not self._waiters and not self._starting

    def dedicated(self, memory_mb: int) -> Worker:
        """A worker of its own for one call that needs a higher memory cap (started now)."""
        with self._lock:
            if self._closed:
                raise ExecutorClosed("this ProcessPool is closed; create a new one")
        worker = Worker(memory_mb=memory_mb)
        with self._lock:
            self._dedicated.add(worker)
            closed = self._closed
        if closed:
            worker.kill()
        return worker

    def release_dedicated(self, worker: Worker) -> None:
        """Stop a dedicated worker after its call (in the background)."""
        with self._lock:
            self._dedicated.discard(worker)
            if self._closed:
                closed = True
            else:
                closed = False
                self._stopping.append(worker)
                self._wake()
        if closed:
            worker.kill()

    def retry_after(self) -> float:
        """Seconds after which a refused call is likely to find a free worker (at least 1)."""
        with self._lock:
            return self._retry_after_locked()

    # -- observing ----------------------------------------------------------------------------

    def stats(self) -> PoolStats:
        """A snapshot of the workers and the counters."""
        with self._lock:
            return self._stats_locked()

    def wait_for(self, condition: Callable[[PoolStats], bool], *, timeout: float) -> bool:
        """Block until ``condition(stats)`` holds or ``timeout`` passes; whether it held."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition(self._stats_locked()):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return condition(self._stats_locked())
                self._watchers += 1
                try:
                    self._changed.wait(remaining)
                finally:
                    self._watchers -= 1
            return True

    def pids(self) -> tuple[int, ...]:
        """Process ids of every live worker the pool owns (also starting and stopping ones)."""
        with self._lock:
            owned = [
                *self._idle, *self._busy, *self._starting, *self._stopping, *self._dedicated
            ]  # fmt: skip
        return tuple(dict.fromkeys(worker.pid for worker in owned if worker.alive))

    def close(self) -> None:
        """Refuse further calls, kill every worker, and stop the keeper thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [*self._idle, *self._busy, *self._stopping, *self._dedicated]
            self._idle.clear()
            self._stopping.clear()
            for waiter in self._waiters:
                waiter.condition.notify()
            self._changed.notify_all()
            self._wake()
        for worker in workers:
            worker.kill()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    # -- under the lock -----------------------------------------------------------------------

    def _hand(self, worker: Worker) -> Worker:
        self._busy.add(worker)
        self._taken_at[worker] = time.monotonic()
        self._counts["calls"] += 1
        self._counts["peak_busy"] = max(self._counts["peak_busy"], len(self._busy))
        return worker

    def _take_idle(self) -> Worker:
        """The most recently used free worker that is not past its quota (else any)."""
        for index in range(len(self._idle) - 1, -1, -1):
            if self._idle[index] not in self._due:
                return self._idle.pop(index)
        return self._idle.pop()

    def _has_successor(self) -> bool:
        return any(worker not in self._due for worker in self._idle)

    def _offer(self, worker: Worker) -> None:
        """A free worker: to the first waiting call, else to the free ones."""
        self._last_used[worker] = time.monotonic()
        self._idle.append(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._waiters and self._idle and len(self._busy) < self.config.max_workers:
            waiter = self._waiters.popleft()
            waiter.worker = self._hand(self._take_idle())
            waiter.condition.notify()
        if self._watchers:  # most calls change the pool with nobody watching it
            self._changed.notify_all()

    def _stop(self, worker: Worker) -> None:
        """Take a worker out of service; the keeper kills it."""
        self._forget(worker)
        self._stopping.append(worker)

    def _forget(self, worker: Worker) -> None:
        self._busy.discard(worker)
        self._due.discard(worker)
        self._last_used.pop(worker, None)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)

    def _live(self) -> int:
        return len(self._idle) + len(self._busy) + len(self._starting) - len(self._due)

    def _wanted(self) -> int:
        config = self.config
        demand = len(self._busy) + len(self._waiters)
        return min(max(demand, config.min_workers), config.max_workers) + config.spare_workers

    def _retry_after_locked(self) -> float:
        service = max(self._service_seconds, 0.001)
        queue = (len(self._waiters) + 1) * service / self.config.max_workers
        return float(max(1, math.ceil(queue)))

    def _refuse(self, why: str) -> PoolBusy:
        self._counts["refused"] += 1
        retry = self._retry_after_locked()
        return PoolBusy(
            f"{why}; nothing ran; retry in {retry:g} s",
            retry_after=retry,
            waiting=len(self._waiters),
        )

    def _stats_locked(self) -> PoolStats:
        return PoolStats(
            workers=self._live(),
            idle=len(self._idle),
            busy=len(self._busy),
            starting=len(self._starting),
            stopping=len(self._stopping),
            dedicated=len(self._dedicated),
            waiting=len(self._waiters),
            **self._counts,
        )

    def _nudge(self) -> None:
        """Wake the keeper if it has a worker to stop or to start (not after every call)."""
        if self._stopping or self._wanted() > self._live():
            self._wake()

    def _wake(self) -> None:
        """Wake the keeper thread (called with the lock held)."""
        if self._wake_write >= 0:
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self._wake_write, b"!")

    # -- the keeper thread --------------------------------------------------------------------

    def _keep(self) -> None:
        try:
            while self._tend():
                pass
        finally:
            with self._lock:
                leftovers = [*self._starting, *self._stopping]
                self._starting.clear()
                self._stopping.clear()
            for worker in leftovers:
                worker.kill()
            with self._lock:
                os.close(self._wake_read)
                os.close(self._wake_write)
                self._wake_read = self._wake_write = -1

    def _tend(self) -> bool:
        """One round: stop, start, trim, then wait for hellos or news. False when closed."""
        now = time.monotonic()
        with self._lock:
            if self._closed:
                return False
            self._trim(now)
            stopping, self._stopping = self._stopping, []
            starts = max(0, self._wanted() - self._live()) if now >= self._next_start else 0
        for worker in stopping:
            worker.kill()
        for _ in range(starts):
            if not self._start_one():
                break
        with self._lock:
            starting = list(self._starting)
            timeout = self._timeout(now)
            if self._stopping or (
                self._wanted() > self._live() and time.monotonic() >= self._next_start
            ):
                timeout = 0.0
        fds = [self._wake_read, *(worker.ready_fd for worker in starting)]
        try:
            readable, _, _ = select.select(fds, [], [], timeout)
        except (OSError, ValueError):
            readable = []
        if self._wake_read in readable:
            with contextlib.suppress(BlockingIOError, OSError):
                os.read(self._wake_read, 4096)
        now = time.monotonic()
        for worker in starting:
            if worker.ready_fd in readable:
                self._started(worker, worker.wait_ready())
            elif now - worker.started_at > _HELLO_SECONDS:
                worker.kill()
                self._started(worker, f"the worker did not say hello within {_HELLO_SECONDS:g} s")
        return True

    def _start_one(self) -> bool:
        try:
            worker = Worker(memory_mb=self.memory_mb)
        except OSError as error:
            self._failed(f"the worker process could not be started ({error})")
            return False
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._starting.append(worker)
                self._counts["started"] += 1
                self._counts["peak_workers"] = max(self._counts["peak_workers"], self._live())
        if closed:
            worker.kill()
        return not closed

    def _started(self, worker: Worker, problem: str | None) -> None:
        with self._lock:
            with contextlib.suppress(ValueError):
                self._starting.remove(worker)
            if problem is None and not self._closed:
                self._start_problem = None
                self._backoff = _FIRST_BACKOFF
                self._offer(worker)
                self._hand_over()
                self._dispatch()
                return
        worker.kill()
        if problem is not None:
            self._failed(problem)

    def _failed(self, problem: str) -> None:
        """A start failed: try again later, and tell waiting calls if nothing else can serve."""
        with self._lock:
            self._counts["start_failures"] += 1
            self._start_problem = problem
            self._next_start = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, _MAX_BACKOFF)
            if not (self._idle or self._busy or self._starting):
                while self._waiters:
                    waiter = self._waiters.popleft()
                    waiter.failure = problem
                    waiter.condition.notify()
            self._changed.notify_all()

    def _hand_over(self) -> None:
        """Free workers past their quota retire now that a successor is free."""
        for worker in [w for w in self._idle if w in self._due]:
            if not self._has_successor():
                return
            self._stop(worker)
            self._counts["recycled"] += 1

    def _trim(self, now: float) -> None:
        """Stop workers idle longer than ``idle_seconds`` while more are live than wanted."""
        for worker in list(self._idle):
            if self._live() <= self._wanted():
                return
            if worker in self._due:
                continue
            if now - self._last_used.get(worker, now) >= self.config.idle_seconds:
                self._stop(worker)
                self._counts["trimmed"] += 1

    def _timeout(self, now: float) -> float | None:
        """How long the keeper may sleep: until a start is due, an idle worker may be trimmed,
        or a start retried; ``None`` when nothing is pending."""
        moments: list[float] = []
        if self._starting:
            moments.append(min(w.started_at for w in self._starting) + _HELLO_SECONDS)
        if self._wanted() > self._live():
            moments.append(self._next_start)
        if self._live() > self._wanted() and self._idle:
            moments.append(now + max(min(self.config.idle_seconds, _TRIM_CHECK_SECONDS), 0.05))
        elif self._live() > self.config.min_workers + self.config.spare_workers:
            # Calls do not wake the keeper for trimming: it looks by itself while above rest.
            moments.append(now + _TRIM_CHECK_SECONDS)
        if not moments:
            return None
        return max(0.0, min(moments) - now)
