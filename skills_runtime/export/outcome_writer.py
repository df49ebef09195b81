"""Recording skill calls from one writer thread, many per transaction, so callers never wait.

A registry write is a transaction with a disk sync (``synchronous=FULL``: a few milliseconds),
behind the registry's one lock, which every call's own read of the skill also takes. Recorded
inline, it bounds a server's calls per second and makes concurrent callers queue on that lock.
With an :class:`OutcomeWriter`, a call hands its record over and returns; one thread drains the
queue and stores whatever has accumulated in one ``Registry.record_outcomes`` transaction.

Nothing is dropped: the queue is bounded, and when the registry falls that far behind a caller
waits for room (back-pressure, not loss). :meth:`OutcomeWriter.flush` waits until everything
handed over is stored, :meth:`OutcomeWriter.close` flushes and stops the thread; a record handed
over after ``close`` is stored by its caller directly.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill_registry import Registry

__all__ = ["OutcomeWriter", "Use"]

logger = logging.getLogger(__name__)

Use = Callable[[], Mapping[str, Any]]
"""Builds one use for ``Registry.record_outcomes`` (called on the writer thread, so the work of
shaping a call's trajectory is not the caller's either)."""

_STOP = object()


class OutcomeWriter:
    """One thread storing skill-call records in a registry, in batches.

    Args:
        registry: Where outcomes and their trajectories go.
        max_pending: Records that may wait to be stored; a caller handing over one more waits.
        max_batch: Most records stored in one transaction.
    """

    def __init__(
        self, registry: Registry, *, max_pending: int = 10_000, max_batch: int = 500
    ) -> None:
        self.registry = registry
        self.max_batch = max_batch
        self._queue: queue.Queue[Any] = queue.Queue(max_pending)
        self._done = threading.Condition()
        self._gate = threading.Lock()
        self._closed = False
        self.submitted = 0
        """Records handed over so far."""
        self.written = 0
        """Records stored so far."""
        self.failed = 0
        """Records that could not be stored (each logged with its reason)."""
        self.batches = 0
        """Transactions written so far."""
        self.largest_batch = 0
        """Most records stored in one transaction."""
        self._thread = threading.Thread(target=self._drain, name="skillbank-outcomes", daemon=True)
        self._thread.start()

    def submit(self, use: Use) -> None:
        """Hand over one record; returns at once unless ``max_pending`` records are waiting."""
        # The gate orders hand-overs against close(): nothing is queued behind the stop mark.
        with self._gate:
            if not self._closed:
                with self._done:
                    self.submitted += 1
                self._queue.put(use)
                return
        self._write([use])

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record handed over so far is stored (or failed); whether it was."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._done:
            target = self.submitted
            while self.written + self.failed < target:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._done.wait(remaining)
            return True

    def pending(self) -> int:
        """Records handed over and not stored yet."""
        with self._done:
            return self.submitted - self.written - self.failed

    def close(self) -> None:
        """Store everything handed over, then stop the thread (idempotent)."""
        with self._gate:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    def __enter__(self) -> OutcomeWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the writer thread --------------------------------------------------------------------

    def _drain(self) -> None:
        stop = False
        while not stop:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stop = True
                batch = [use for use in batch if use is not _STOP]
            if batch:
                written, failed = self._write(batch)
                with self._done:
                    self.written += written
                    self.failed += failed
                    self._done.notify_all()

    def _write(self, batch: list[Use]) -> tuple[int, int]:
        """Store a batch in one transaction; one by one when that fails. (written, failed)"""
        uses: list[Mapping[str, Any]] = []
        failed = 0
        for build in batch:
            try:
                uses.append(build())
            except Exception:  # a record that cannot be built is logged, never kept in line
                logger.exception("could not build the record of a skill call")
                failed += 1
        if not uses:
            return 0, failed
        try:
            self.registry.record_outcomes(uses)
        except Exception:
            logger.warning("storing %d skill calls at once failed; storing each alone", len(uses))
            return self._write_each(uses, failed)
        with self._done:
            self.batches += 1
            self.largest_batch = max(self.largest_batch, len(uses))
        return len(uses), failed

    def _write_each(self, uses: list[Mapping[str, Any]], failed: int) -> tuple[int, int]:
        written = 0
        for use in uses:
            try:
                self.registry.record_outcomes([use])
                written += 1
            except Exception:  # recording must never take the server down
                logger.exception("could not record the call of skill %r", use.get("name"))
                failed += 1
        return written, failed
