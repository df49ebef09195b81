"""Run untrusted skill code: RestrictedPython inside isolated, limited worker processes.

``run(source, entry=..., args=...)`` returns a :class:`RunResult`; nothing a skill does raises.
Tools live in the host and are reached through a capability-checked bridge. See docs/sandbox.md
for what each layer guarantees and what it does not.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sandbox.display import inert_text
from sandbox.errors import (
    ConfigurationError,
    ExecutorClosed,
    MissingEntry,
    PoolBusy,
    SandboxError,
    SkillPrecondition,
    ToolError,
)
from sandbox.isolation import IsolationReport
from sandbox.limits import LIMIT_KINDS, Limits
from sandbox.pool_config import PoolConfig, PoolStats
from sandbox.result import Rejection, RunResult, ToolCallRecord
from sandbox.safe_builtins import SKILL_BUILTINS

if TYPE_CHECKING:
    from sandbox.executor import Executor, default_executor
    from sandbox.inprocess import InProcessExecutor
    from sandbox.pool import ProcessPool
    from sandbox.tools import Tool, load_tools, schema_for_function

# Loaded on first use. A worker process imports this package too (to reach sandbox._worker) and
# needs none of the host's side: the pool, the executors, the tool schemas (jsonschema) and the
# bridge (asyncio) would cost every worker start about a third of its time and memory.
_ON_FIRST_USE = {
    "Executor": "sandbox.executor",
    "default_executor": "sandbox.executor",
    "InProcessExecutor": "sandbox.inprocess",
    "ProcessPool": "sandbox.pool",
    "Tool": "sandbox.tools",
    "load_tools": "sandbox.tools",
    "schema_for_function": "sandbox.tools",
}


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ON_FIRST_USE})


__all__ = [
    "LIMIT_KINDS",
    "SKILL_BUILTINS",
    "ConfigurationError",
    "Executor",
    "ExecutorClosed",
    "InProcessExecutor",
    "IsolationReport",
    "Limits",
    "MissingEntry",
    "PoolBusy",
    "PoolConfig",
    "PoolStats",
    "ProcessPool",
    "Rejection",
    "RunResult",
    "SandboxError",
    "SkillPrecondition",
    "Tool",
    "ToolCallRecord",
    "ToolError",
    "default_executor",
    "inert_text",
    "isolation_report",
    "load_tools",
    "run",
    "run_trusted",
    "schema_for_function",
]


def run(
    source: str,
    *,
    entry: str,
    args: Mapping[str, Any],
    tools: Iterable[Tool] = (),
    limits: Limits | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Run restricted ``source`` by calling its function ``entry`` with ``args``.

    Args:
        source: Skill module source (annotations allowed; they are stripped before compiling).
        entry: Name of the function to call.
        args: Keyword arguments, JSON values. The skill receives ``tools`` as its parameter
            named ``tools`` when it declares one.
        tools: Host tools granted for this call.
        limits: Limits of the call; ``None`` uses the executor's (``Limits()`` for the default).
        executor: Where to run; ``None`` uses the shared warm ``ProcessPool`` (see
            :func:`default_executor`).

    Returns:
        The result; never raises for anything the skill did.

    Raises:
        ConfigurationError: Bad arguments from the host (not JSON, unknown option values).
    """
    from sandbox.executor import default_executor

    chosen = executor if executor is not None else default_executor()
    return chosen.run(source, entry=entry, args=args, tools=tools, limits=limits)


def run_trusted(
    target: str,
    payload: Any,
    *,
    tools: Iterable[Tool] = (),
    limits: Limits | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Run a TRUSTED function ``"package.module:function"`` as ``function(payload, tools)``.

    The module is imported only inside the worker, where it may import normally; skill code it
    runs through :mod:`sandbox.restricted` stays restricted. Its JSON return value is
    ``RunResult.value``.
    """
    from sandbox.executor import default_executor

    chosen = executor if executor is not None else default_executor()
    return chosen.run_trusted(target, payload, tools=tools, limits=limits)


def isolation_report(*, executor: Executor | None = None) -> IsolationReport:
    """Which kernel hardening measures the workers of ``executor`` run under.

    Every measure is best-effort (see docs/sandbox.md, "Layer 2b"): this says what holds on this
    machine. ``None`` asks the shared pool; an executor that is not a :class:`ProcessPool` (the
    in-process one) has no process isolation at all, and the report says so.
    """
    from sandbox.executor import default_executor
    from sandbox.pool import ProcessPool

    chosen = executor if executor is not None else default_executor()
    if isinstance(chosen, ProcessPool):
        return chosen.isolation()
    return IsolationReport.unavailable(
        f"{type(chosen).__name__} runs code in the host process: no process isolation"
    )
