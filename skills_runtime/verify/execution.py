"""One observed call of a skill: what it asked the tools, how it ended, within which limits.

The verdict of every replay and property comes from what this harness observed, never from what
the skill says about itself:

- a skill that swallows the error raised for a runaway loop, a tool budget or the interpreter's
  memory or stack limit is still judged by the flags recorded here (the limit watch makes every
  handler it enters afterwards re-raise, so it cannot carry on either);
- a ``ToolError`` is a tool saying no only when it is the very exception the tools raised in this
  call (by identity): a skill raising ``ToolError`` itself has a bug;
- a guard (``SkillPrecondition``) may stop the skill only before it calls a tool that may write:
  after one, the guard came too late, which is a bug as well.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, Protocol

from sandbox.restricted import LimitReached, LimitWatch
from sandbox.watch import limit_of
from skills_runtime.trajectory.model import canonical_json
from skills_runtime.verify.coverage import StatementCoverage

__all__ = ["Dispatch", "Execution", "SkillRunner", "execute"]

Dispatch = Callable[[str, dict[str, Any]], Any]


class SkillRunner(Protocol):
    """Calls the skill under test with keyword arguments, its tools answering through
    ``dispatch``, under the harness's limit ``watch``."""

    def __call__(self, arguments: Mapping[str, Any], dispatch: Dispatch, watch: LimitWatch) -> Any:
        """Run the skill once."""
        ...


SKILL_FILENAME = "<skill>"


class _LimitExceeded(BaseException):
    """Raised into a skill that ran out of time or tool calls (BaseException: harder to swallow)."""


@dataclass
class Execution:
    """How one call of the skill went.

    ``outcome`` is ``"returned"``, ``"expected_error"`` (a guard's ``SkillPrecondition`` before
    any write, or a ``ToolError`` a tool raised), ``"unexpected_error"`` or ``"limit"``.
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
    guards: tuple[type[BaseException], ...],
    call_seconds: float,
    max_tool_calls: int,
    reads: frozenset[str] = frozenset(),
    coverage: StatementCoverage | None = None,
) -> Execution:
    """Call ``skill(arguments)`` once, with tool calls routed to ``dispatch`` and counted.

    Args:
        skill: The skill under test.
        arguments: Its keyword arguments.
        dispatch: Answers tool calls (recorded tools, fakes); what it raises is a tool saying no.
        guards: Exceptions a skill raises to refuse (``SkillPrecondition``): an expected outcome
            as long as no tool that may write was called before.
        call_seconds: Wall-clock budget, enforced with ``SIGALRM`` when on the main thread.
        max_tool_calls: Tool calls allowed before the call counts as runaway.
        reads: Tools known to only read; any other tool called before a guard fired may have
            written.
        coverage: Records the skill's lines that run, when given.
    """
    execution = Execution()
    watch = LimitWatch()
    raised: list[BaseException] = []
    writes: list[str] = []

    def counted(name: str, kwargs: dict[str, Any]) -> Any:
        execution.calls.append((name, canonical_json(kwargs)))
        if len(execution.calls) > max_tool_calls:
            execution.limit = f"more than {max_tool_calls} tool calls"
            watch.fire("tool_calls", execution.limit)
            raise _LimitExceeded(execution.limit)
        if name not in reads:
            writes.append(name)
        # The tools are the harness's, not the skill's: their time (a fake's draws, a first use
        # of a strategy) is not on the skill's clock, and their frames are not traced.
        remaining = _pause_alarm()
        try:
            with coverage.paused() if coverage is not None else nullcontext():
                return dispatch(name, kwargs)
        except Exception as error:
            raised.append(error)  # the tool's answer: told apart from the skill's by identity
            raise
        finally:
            _resume_alarm(remaining)

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        execution.limit = f"still running after {call_seconds:g} s"
        watch.fire("time", execution.limit)
        raise _LimitExceeded(execution.limit)

    previous = _arm(on_alarm, call_seconds)
    try:
        try:
            with coverage.watching() if coverage is not None else nullcontext():
                execution.value = skill(arguments, counted, watch)
        finally:
            _disarm(previous)
    except _LimitExceeded:
        pass  # the flag set with it is the verdict, whatever the skill did on the way out
    except LimitReached as reached:  # a limit fired; the skill's handlers could not swallow it
        execution.limit = execution.limit or reached.detail
    except guards as error:
        if writes:
            execution.outcome = "unexpected_error"
            execution.error = (
                f"{_describe(error)}, raised after calling {', '.join(dict.fromkeys(writes))}, "
                "which may write: a guard must stop the skill before it writes anything"
            )
        else:
            execution.outcome = "expected_error"
            execution.error = _describe(error)
    except Exception as error:  # anything else the skill raised is what the property looks for
        limit = limit_of(error)  # the interpreter's own memory or stack limit, however wrapped
        if limit is not None:
            execution.limit = limit[1]
        elif any(error is told for told in raised):
            execution.outcome = "expected_error"  # a tool said no, and the skill passed it on
            execution.error = _describe(error)
        else:
            execution.outcome = "unexpected_error"
            execution.error = _describe(error)
            if type(error).__name__ == "ToolError":
                execution.error += " (raised by the skill itself, not by a tool)"
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


def _pause_alarm() -> float:
    try:
        remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    except ValueError:
        return 0.0
    return remaining


def _resume_alarm(remaining: float) -> None:
    if remaining > 0:
        signal.setitimer(signal.ITIMER_REAL, remaining)


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
    if len(message) > _MESSAGE_CHARS:  # a skill's message of megabytes is not kept whole
        message = message[:_MESSAGE_CHARS] + f"… [truncated: {len(message)} characters]"
    return f"{type(error).__name__}: {message}{where}"


_MESSAGE_CHARS = 1_000


def _skill_line(tb: TracebackType | None) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == SKILL_FILENAME:
            line = lineno
    return line
