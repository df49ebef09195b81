"""The host side of the tool bridge: grant check, schema validation, budget, recording.

Only JSON crosses: arguments arrive as decoded JSON, results leave as their JSON text (to a
worker) or a fresh decoding of it (in this process and in the records), errors as strings. The
bridge never compares, hashes, prints or calls anything that came from the skill other than
plain decoded JSON. What it keeps of each call is bounded by ``Limits`` (``argument_bytes``,
``record_bytes``, ``records_bytes``, ``message_bytes``), refused calls included: a skill cannot
make the host hold more than that, however many calls it makes.
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

from sandbox._protocol import encode_text
from sandbox.caps import json_bytes, json_text, keep_text, keep_value_sized, keep_value_text
from sandbox.limits import Limits
from sandbox.result import ToolCallRecord
from sandbox.tools import Tool

__all__ = ["ToolBridge", "not_granted", "schema_problem"]

# Tool answers of these types are never awaitable (the check is skipped for them).
_PLAIN = frozenset((dict, list, str, int, float, bool, type(None)))

_NAME_CHARS = 100
"""Longest tool name quoted in messages and records (a skill chooses the name it sends)."""


def schema_problem(name: str, validator: Any, arguments: Any) -> str | None:
    """Why ``arguments`` do not fit a tool's schema, worded as the bridge says it; or ``None``.

    Shared with anything that imitates the bridge (the verifier's fake tools), so that a skill
    sees the same text in a test as in production.
    """
    if not isinstance(arguments, dict):
        return f"arguments of tool {name!r} must be an object"
    try:
        problem = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
    except RecursionError:
        return f"arguments of tool {name!r} nest too deeply"
    if problem is None:
        return None
    where = "/".join(str(part) for part in problem.absolute_path) or "arguments"
    return f"arguments of tool {name!r} do not match its schema at {where}: {problem.message}"


def not_granted(name: str, granted: Iterable[str]) -> str:
    """The bridge's message for a call of a tool the skill was not granted."""
    return f"tool {name!r} is not granted to this skill; granted: {sorted(granted)}"


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
        self._kept_bytes = 0
        self.tool_seconds = 0.0
        # The call answered by reply() whose record is not made yet (see settle()).
        self._pending: tuple[str, Any, str | None, str, float] | None = None
        #: Which budget was exceeded ("tool_calls" or "tool_time"); the call must end.
        self.exceeded: str | None = None

    @property
    def records(self) -> tuple[ToolCallRecord, ...]:
        """Every call made so far."""
        self.settle()
        return tuple(self._records)

    def call(self, name: Any, arguments: Any) -> tuple[bool, Any]:
        """Run one tool call.

        Args:
            name: Tool name sent by the skill.
            arguments: Decoded JSON arguments sent by the skill.

        Returns:
            ``(True, json_value)`` or ``(False, error_message)``.
        """
        ok, outcome, _ = self._call(name, arguments)
        return ok, outcome

    def reply(self, name: Any, arguments: Any) -> bytes:
        """Run one tool call; the answer as the JSON a worker receives.

        ``{"value": ...}`` or ``{"error": "..."}``: the value's JSON text is the one made when
        the tool answered, not encoded again. The call's record is made by :meth:`settle`, so
        that the worker can have its answer first (``records`` and the next call settle too).
        """
        self.settle()
        ok, outcome, text = self._call(name, arguments, defer=True)
        if ok and text is not None:
            # Lone surrogates pass as they are: frames are decoded with "surrogatepass" too.
            return b'{"value":%s}' % text.encode("utf-8", "surrogatepass")
        return encode_text({"error": outcome})

    def settle(self) -> None:
        """Make the record of the call answered by :meth:`reply`, if it is still pending."""
        pending, self._pending = self._pending, None
        if pending is not None:
            name, arguments, arguments_text, text, duration = pending
            self._record(
                name,
                arguments,
                result=json.loads(text),
                error=None,
                duration=duration,
                refused=False,
                arguments_text=arguments_text,
                result_text=text,
            )

    def _call(
        self, name: Any, arguments: Any, *, defer: bool = False
    ) -> tuple[bool, Any, str | None]:
        """``(ok, value or message, the value's JSON text)`` of one tool call.

        With ``defer``, a successful call's value is not decoded (``None`` in its place) and
        its record is left pending for :meth:`settle`.
        """
        name = name if isinstance(name, str) else "<not a name>"
        if len(name) > _NAME_CHARS:
            name = name[:_NAME_CHARS] + "…"
        if self.exceeded is not None:
            return self._fail(name, arguments, "the tool budget of this call is exhausted")
        if len(self._records) >= self._limits.max_tool_calls:
            self.exceeded = "tool_calls"
            return self._fail(
                name, arguments, f"more than {self._limits.max_tool_calls} tool calls"
            )
        tool = self._tools.get(name)
        if tool is None:
            return self._fail(name, arguments, not_granted(name, self._tools))
        try:
            arguments_text: str | None = json_text(arguments)
        except (TypeError, ValueError, RecursionError):
            arguments_text = None  # not JSON: only from a caller in this process; sized as repr
        size = (
            len(arguments_text.encode("utf-8", "surrogatepass"))
            if arguments_text is not None
            else json_bytes(arguments)
        )
        if size > self._limits.argument_bytes:
            return self._fail(
                name,
                arguments,
                f"arguments of tool {name!r} are {size} bytes of JSON; the limit is "
                f"{self._limits.argument_bytes}",
            )
        # The quick check answers for plain schemas; jsonschema for the rest, and for the message.
        problem = (
            None if tool.plain_check(arguments) else schema_problem(name, tool.validator, arguments)
        )
        if problem is not None:
            return self._fail(name, arguments, problem)
        started = time.perf_counter()
        text: str | None = None
        try:
            value = tool.function(**arguments)
            if type(value) not in _PLAIN and inspect.isawaitable(value):
                value = _run_to_completion(value)
            text = json_text(value)
            ok, outcome = True, None if defer else json.loads(text)
        except Exception as exc:
            text = None
            message = keep_text(str(exc), self._limits.message_bytes)
            ok, outcome = False, f"tool {name!r} failed: {type(exc).__name__}: {message}"
        duration = time.perf_counter() - started
        self.tool_seconds += duration
        if self.tool_seconds > self._limits.tool_seconds:
            self.exceeded = "tool_time"
        if ok and defer and text is not None:
            self._pending = (name, arguments, arguments_text, text, duration)
            return ok, outcome, text
        self._record(
            name,
            arguments,
            result=outcome if ok else None,
            error=None if ok else outcome,
            duration=duration,
            refused=False,
            arguments_text=arguments_text,
            result_text=text,
        )
        return ok, outcome, text

    def _fail(self, name: str, arguments: Any, message: str) -> tuple[bool, str, None]:
        message = keep_text(message, self._limits.message_bytes)
        self._record(name, arguments, result=None, error=message, duration=0.0, refused=True)
        return False, message, None

    def _record(
        self,
        name: str,
        arguments: Any,
        *,
        result: Any,
        error: str | None,
        duration: float,
        refused: bool,
        arguments_text: str | None = None,
        result_text: str | None = None,
    ) -> None:
        """Keep a bounded copy of one call: per value, then for all records of the call.

        ``arguments_text`` and ``result_text`` are the values' JSON texts when already made.
        """
        budget = min(self._limits.record_bytes, self._limits.records_bytes - self._kept_bytes)
        budget = max(budget, 0)
        truncated = False
        kept: list[Any] = []
        for value, text in ((arguments, arguments_text), (result, result_text), (error, None)):
            value, cut, size = (
                keep_value_sized(value, budget)
                if text is None
                else keep_value_text(value, text, budget)
            )
            truncated = truncated or cut
            kept.append(value)
            self._kept_bytes += size
        self._records.append(
            ToolCallRecord(
                name=name,
                arguments=kept[0],
                result=kept[1],
                error=kept[2],
                duration_seconds=round(duration, 6),
                refused=refused,
                truncated=truncated,
            )
        )


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
