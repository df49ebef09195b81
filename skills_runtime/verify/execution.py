"""One observed call of a skill: what it asked the tools, how it ended, within which limits.

The verdict of every replay and property comes from what this harness observed, never from what
the skill says about itself: a skill that swallows the error raised for a runaway loop or an
invalid tool call is still judged by the flags recorded here.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

from sandbox.restricted import LimitReached
from sandbox.watch import limit_of
from skills_runtime.trajectory.model import canonical_json

__all__ = ["Dispatch", "Execution", "SkillRunner", "execute"]

Dispatch = Callable[[str, dict[str, Any]], Any]
SkillRunner = Callable[[Mapping[str, Any], Dispatch], Any]
"""Calls the skill under test with keyword arguments, its tools answering through ``dispatch``."""

SKILL_FILENAME = "<skill>"


class _LimitExceeded(BaseException):
    """Raised into a skill that ran out of time or tool calls (BaseException: harder to swallow)."""


@dataclass
class Execution:
    """How one call of the skill went.

    ``outcome`` is ``"returned"``, ``"expected_error"`` (a guard's ``SkillPrecondition`` or a
    ``ToolError`` from a tool), ``"unexpected_error"`` or ``"limit"``.
    """

    outcome: str = "returned"
    value: Any = None
    error: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)
    limit: str | None = None

    def fingerprint(self) -> str:
        """Calls made and how the call ended, canonically: equal for equal behaviour."""
        return canonical_json(
            {
                "calls": [[name, arguments] for name, arguments in self.calls],
                "outcome": self.outcome,
                "value": self.value if self.outcome == "returned" else self.error,
            }
        )


def execute(
    skill: SkillRunner,
    arguments: Mapping[str, Any],
    dispatch: Dispatch,
    *,
    expected: tuple[type[BaseException], ...],
    call_seconds: float,
    max_tool_calls: int,
) -> Execution:
    """Call ``skill(arguments)`` once, with tool calls routed to ``dispatch`` and counted.

    Args:
        skill: The skill under test.
        arguments: Its keyword arguments.
        dispatch: Answers tool calls (recorded tools, fakes).
        expected: Exceptions that are legitimate outcomes (guards, tool failures).
        call_seconds: Wall-clock budget, enforced with ``SIGALRM`` when on the main thread.
        max_tool_calls: Tool calls allowed before the call counts as runaway.
    """
    execution = Execution()

    def counted(name: str, kwargs: dict[str, Any]) -> Any:
        execution.calls.append((name, canonical_json(kwargs)))
        if len(execution.calls) > max_tool_calls:
            execution.limit = f"more than {max_tool_calls} tool calls"
            raise _LimitExceeded(execution.limit)
        return dispatch(name, kwargs)

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        execution.limit = f"still running after {call_seconds:g} s"
        raise _LimitExceeded(execution.limit)

    previous = _arm(on_alarm, call_seconds)
    try:
        try:
            execution.value = skill(arguments, counted)
        finally:
            _disarm(previous)
    except _LimitExceeded:
        pass  # the flag set with it is the verdict, whatever the skill did on the way out
    except LimitReached as reached:  # memory or stack: the skill's handlers cannot swallow it
        execution.limit = reached.detail
    except expected as error:
        execution.outcome = "expected_error"
        execution.error = _describe(error)
    except Exception as error:  # anything else the skill raised is what the property looks for
        limit = limit_of(error)  # the interpreter's own memory or stack limit, however wrapped
        if limit is not None:
            execution.limit = limit[1]
        else:
            execution.outcome = "unexpected_error"
            execution.error = _describe(error)
    if execution.limit is not None:
        execution.outcome = "limit"
        execution.error = execution.limit
        execution.value = None
    return execution


def _arm(handler: Callable[[int, FrameType | None], None], seconds: float) -> Any:
    try:
        previous = signal.signal(signal.SIGALRM, handler)
    except ValueError:  # not the main thread: the sandbox's own wall limit still applies
        return None
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _disarm(previous: Any) -> None:
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def _describe(error: BaseException) -> str:
    """``KeyError: 'status' (line 7)``: the type, the message, and where in the skill."""
    line = _skill_line(error.__traceback__)
    where = f" (line {line})" if line is not None else ""
    message = str(error)
    if isinstance(error, KeyError) and error.args:
        message = repr(error.args[0])
    return f"{type(error).__name__}: {message}{where}"


def _skill_line(tb: TracebackType | None) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == SKILL_FILENAME:
            line = lineno
    return line
