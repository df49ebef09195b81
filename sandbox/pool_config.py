"""How a :class:`~sandbox.ProcessPool` is sized and how long calls may queue: one frozen value.

The defaults follow the machine: a pool keeps one worker started and grows to two per core
under load, so a laptop and a large server get a sensible pool without configuration.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.errors import ConfigurationError

__all__ = ["PoolConfig", "PoolStats"]


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _default_max_workers() -> int:
    return 2 * _cores()


@dataclass(frozen=True, kw_only=True)
class PoolConfig:
    """Sizing, recycling and queueing of a worker pool.

    Attributes:
        min_workers: Workers kept started even when no call comes.
        max_workers: Most calls running at once (default: two per core the process may use);
            the pool grows towards it while calls wait and shrinks back when they stop.
        spare_workers: Started workers kept beyond those serving calls, so that a worker
            replaced after its call quota, a limit or a crash is taken over at once, never
            started inside someone's call. ``0`` starts replacements only when needed.
        max_calls_per_worker: Calls a worker serves before it is replaced. The replacement is
            started in the background; until it is ready the old worker goes on serving. A
            start costs about 0.2-0.3 s of CPU (a busy pool on 2 cores makes 2,000 calls a
            second): at 500 calls a worker, starts would take half the machine.
        idle_seconds: A worker beyond ``min_workers`` (and the spares) unused this long stops.
        max_waiting: Calls that may wait for a worker when all are busy; one more is refused
            with :class:`~sandbox.PoolBusy`.
        wait_seconds: How long a call may wait for a worker before it is refused.
    """

    min_workers: int = 1
    max_workers: int = field(default_factory=_default_max_workers)
    spare_workers: int = 1
    max_calls_per_worker: int = 10_000
    idle_seconds: float = 60.0
    max_waiting: int = 256
    wait_seconds: float = 30.0

    def __post_init__(self) -> None:
        lowest = {"min_workers": 1, "max_workers": 1, "spare_workers": 0,
                  "max_calls_per_worker": 1, "max_waiting": 0}  # fmt: skip
        for name, least in lowest.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigurationError(
                    f"PoolConfig.{name} must be an int >= {least}, got {value!r}"
                )
        for name in ("idle_seconds", "wait_seconds"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ConfigurationError(
                    f"PoolConfig.{name} must be a finite number >= 0, got {value!r}"
                )
        if self.min_workers > self.max_workers:
            raise ConfigurationError(
                f"PoolConfig.min_workers ({self.min_workers}) is above max_workers "
                f"({self.max_workers}); raise max_workers or lower min_workers"
            )

    @classmethod
    def fixed(cls, size: int, **options: Any) -> PoolConfig:
        """A pool of exactly ``size`` workers serving calls (plus the spares)."""
        return cls(min_workers=size, max_workers=size, **options)

    def to_dict(self) -> dict[str, Any]:
        """The configuration as a JSON object."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class PoolStats:
    """A snapshot of a pool: its workers now, and counters of what happened since it started.

    Attributes:
        workers: Live workers that serve calls (idle, busy or starting; not those retiring).
        idle: Started workers free to take a call.
        busy: Workers running a call.
        starting: Workers started in the background that have not said hello yet.
        stopping: Workers taken out of service that the keeper has not killed yet.
        dedicated: Workers of their own for calls asking for more memory than the pool's cap.
        waiting: Calls waiting for a worker right now.
        started: Workers started so far.
        recycled: Workers retired at their call quota, handed over to a started successor.
        replaced: Workers lost to a limit, a crash, or retired after a trusted run.
        trimmed: Workers stopped because they stayed idle.
        start_failures: Workers that never said hello.
        calls: Calls that got a worker.
        waited_for_start: Calls that waited because no started worker was free although the
            pool had room to grow (a worker start landed on their latency).
        queued: Calls that waited because every worker the pool may run was busy.
        refused: Calls refused with :class:`~sandbox.PoolBusy` (queue full or wait too long).
        peak_busy: Most workers busy at once.
        peak_workers: Most live workers at once.
    """

    workers: int
    idle: int
    busy: int
    starting: int
    stopping: int
    dedicated: int
    waiting: int
    started: int
    recycled: int
    replaced: int
    trimmed: int
    start_failures: int
    calls: int
    waited_for_start: int
    queued: int
    refused: int
    peak_busy: int
    peak_workers: int

    def to_dict(self) -> dict[str, int]:
        """The snapshot as a JSON object."""
        return asdict(self)
