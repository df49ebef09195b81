"""The host side of the tool bridge: grant check, schema validation, budget, recording.

Only JSON crosses: arguments arrive as decoded JSON, results leave as a fresh JSON round trip,
errors as strings. The bridge never compares, hashes, prints or calls anything that came from
the skill other than plain decoded JSON.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import time
from collections.abc import Coroutine, Iterable
from typing import Any

import jsonschema

from sandbox.limits import Limits
from sandbox.result import ToolCallRecord
from sandbox.tools import Tool

__all__ = ["ToolBridge"]


class ToolBridge:
    """Runs a skill's tool calls for one call, within that call's budget.

    Args:
        tools: The tools granted for this call.
        limits: ``max_tool_calls`` and ``tool_seconds`` are enforced here.
    """

    def __init__(self, tools: Iterable[Tool], limits: Limits) -> None:
        self._tools = {tool.name: tool for tool in tools}
        self._limits = limits
        self._records: list[ToolCallRecord] = []
        self.tool_seconds = 0.0
        #: Which budget was exceeded ("tool_calls" or "tool_time"); the call must end.
        self.exceeded: str | None = None

    @property
    def records(self) -> tuple[ToolCallRecord, ...]:
        """Every call made so far."""
        return tuple(self._records)

    def call(self, name: Any, arguments: Any) -> tuple[bool, Any]:
        """Run one tool call.

        Args:
            name: Tool name sent by the skill.
            arguments: Decoded JSON arguments sent by the skill.

        Returns:
            ``(True, json_value)`` or ``(False, error_message)``.
        """
        name = name if isinstance(name, str) else repr(name)
        if self.exceeded is not None:
            return self._fail(name, arguments, "the tool budget of this call is exhausted")
        if len(self._records) >= self._limits.max_tool_calls:
            self.exceeded = "tool_calls"
            return self._fail(
                name, arguments, f"more than {self._limits.max_tool_calls} tool calls"
            )
        tool = self._tools.get(name)
        if tool is None:
            return self._fail(
                name,
                arguments,
                f"tool {name!r} is not granted to this skill; granted: {sorted(self._tools)}",
            )
        if not isinstance(arguments, dict):
            return self._fail(name, arguments, f"arguments of tool {name!r} must be an object")
        try:
            problem = jsonschema.exceptions.best_match(tool.validator.iter_errors(arguments))
        except RecursionError:
            return self._fail(name, arguments, f"arguments of tool {name!r} nest too deeply")
        if problem is not None:
            where = "/".join(str(part) for part in problem.absolute_path) or "arguments"
            return self._fail(
                name,
                arguments,
                f"arguments of tool {name!r} do not match its schema at {where}: {problem.message}",
            )
        started = time.perf_counter()
        try:
            value = tool.function(**arguments)
            if inspect.isawaitable(value):
                value = _run_to_completion(value)
            fresh = json.loads(json.dumps(value, allow_nan=False))
            ok, outcome = True, fresh
        except (TypeError, ValueError, RecursionError) as exc:
            ok, outcome = False, f"tool {name!r} failed: {type(exc).__name__}: {exc}"
        except Exception as exc:
            ok, outcome = False, f"tool {name!r} failed: {type(exc).__name__}: {exc}"
        duration = time.perf_counter() - started
        self.tool_seconds += duration
        self._records.append(
            ToolCallRecord(
                name=name,
                arguments=arguments,
                result=outcome if ok else None,
                error=None if ok else outcome,
                duration_seconds=round(duration, 6),
            )
        )
        if self.tool_seconds > self._limits.tool_seconds:
            self.exceeded = "tool_time"
        return ok, outcome

    def _fail(self, name: str, arguments: Any, message: str) -> tuple[bool, str]:
        self._records.append(ToolCallRecord(name=name, arguments=arguments, error=message))
        return False, message


def _run_to_completion(awaitable: Any) -> Any:
    """Run an awaitable from sync code, also when this thread already runs an event loop."""

    async def wrapper() -> Any:
        return await awaitable

    coroutine: Coroutine[Any, Any, Any] = wrapper()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
