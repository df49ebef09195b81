"""Back-pressure for a server of skills: how many calls run at once, how many may wait, how long.

The bounds are the sandbox pool's (``max_workers`` running, ``max_waiting`` waiting for at most
``wait_seconds``), kept in the event loop: a waiting call is a suspended task, not a thread
parked in the pool, so a crowd of agents costs no threads and is served first come, first
served. A call beyond the bounds is answered at once with a busy result that says when to retry;
the server keeps serving the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio

import sandbox

__all__ = ["Admission", "Refused"]


@dataclass(frozen=True)
class Refused:
    """Why a call was not admitted (its text goes to the agent); nothing ran."""

    why: str


class Admission:
    """At most ``running`` calls at once; up to ``waiting`` more wait, each for ``wait_seconds``.

    Args:
        running: Calls admitted at once (threads running skills).
        waiting: Calls that may wait for a turn; one more is refused at once.
        wait_seconds: How long a call may wait for its turn before it is refused.
        retry_after: Seconds after which a refused call may try again (an estimate).
    """

    def __init__(
        self,
        *,
        running: int,
        waiting: int,
        wait_seconds: float,
        retry_after: Callable[[], float] = lambda: 1.0,
    ) -> None:
        self.running = running
        self.waiting = waiting
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.limiter = anyio.CapacityLimiter(running)
        """Pass it to ``anyio.to_thread.run_sync`` for admitted calls."""
        self._turns = anyio.Semaphore(running)
        self._in_line = 0
        self.admitted = 0
        """Calls admitted so far."""
        self.refused = 0
        """Calls refused so far (queue full or waited too long)."""
        self.peak_in_line = 0
        """Most calls waiting at once."""

    @classmethod
    def for_pool(cls, pool: sandbox.ProcessPool) -> Admission:
        """The bounds of ``pool`` (its ``max_workers``, ``max_waiting`` and ``wait_seconds``)."""
        config = pool.config
        return cls(
            running=config.max_workers,
            waiting=config.max_waiting,
            wait_seconds=config.wait_seconds,
            retry_after=pool.retry_after,
        )

    async def enter(self) -> Refused | None:
        """Wait for a turn; ``None`` when admitted (then call :meth:`leave`), else why not."""
        if not self._in_line:
            try:
                self._turns.acquire_nowait()
            except anyio.WouldBlock:
                pass
            else:
                self.admitted += 1
                return None
        if self._in_line >= self.waiting:
            return self._refuse(
                f"all {self.running} sandbox workers are busy and {self._in_line} calls are "
                "already waiting (the most allowed)"
            )
        self._in_line += 1
        self.peak_in_line = max(self.peak_in_line, self._in_line)
        try:
            with anyio.move_on_after(self.wait_seconds):
                await self._turns.acquire()
                self.admitted += 1
                return None
        finally:
            self._in_line -= 1
        return self._refuse(
            f"no sandbox worker became free within {self.wait_seconds:g} s "
            f"({self._in_line} calls still waiting)"
        )

    def leave(self) -> None:
        """Give an admitted call's turn back."""
        self._turns.release()

    def _refuse(self, why: str) -> Refused:
        self.refused += 1
        retry = self.retry_after()
        return Refused(f"{why}; nothing ran; retry in {retry:g} s")
