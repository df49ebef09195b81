"""The executor protocol and the module-level default executor used by ``sandbox.run``."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sandbox.limits import Limits
from sandbox.pool import ProcessPool
from sandbox.result import RunResult
from sandbox.tools import Tool

__all__ = ["Executor", "default_executor"]


class Executor(Protocol):
    """What ``sandbox.run`` needs from an executor (``ProcessPool``, ``InProcessExecutor``)."""

    def run(
        self,
        source: str,
        *,
        entry: str,
        args: Mapping[str, Any],
        tools: Iterable[Tool] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Run restricted source."""
        ...

    def run_trusted(
        self,
        target: str,
        payload: Any,
        *,
        tools: Iterable[Tool] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Run a trusted dotted-path target."""
        ...


_lock = threading.Lock()
_shared: ProcessPool | None = None


def default_executor() -> ProcessPool:
    """The shared ``ProcessPool()`` (sized from the machine), made on first use, closed at exit."""
    global _shared
    with _lock:
        if _shared is None or _shared.closed:
            _shared = ProcessPool()
            atexit.register(_shared.close)
        return _shared
