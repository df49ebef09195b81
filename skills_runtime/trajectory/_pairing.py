"""Pairing tool calls with their results by call id, keeping whatever does not pair.

Transcripts carry calls and results in separate messages. A call without a result stays a call
(``paired=False``); a result without a call becomes an :class:`OrphanResult`. Both are reported.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.trajectory._record import RecordContext
from skills_runtime.trajectory.model import OrphanResult, ToolCall

__all__ = ["CallLog"]


@dataclass
class _Pending:
    where: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str | None
    call_id: str | None
    turn: int = 0
    result: Any = None
    is_error: bool = False
    paired: bool = False


@dataclass
class CallLog:
    """Calls in transcript order; results attach to the earliest unanswered call with their id."""

    ctx: RecordContext
    _calls: list[_Pending] = field(default_factory=list)
    _waiting: dict[str | None, deque[_Pending]] = field(default_factory=dict)
    _orphans: list[OrphanResult] = field(default_factory=list)

    def call(
        self,
        *,
        where: str,
        name: str,
        arguments: dict[str, Any],
        raw_arguments: str | None,
        call_id: str | None,
        turn: int = 0,
    ) -> None:
        """Record a call, in order (``turn``: the request it serves)."""
        pending = _Pending(where, name, arguments, raw_arguments, call_id, turn)
        if call_id is not None and self._waiting.get(call_id):
            self.ctx.note(f"{where}: call id {call_id!r} is used by an earlier unanswered call")
        self._calls.append(pending)
        self._waiting.setdefault(call_id, deque()).append(pending)

    def result(
        self, *, where: str, call_id: str | None, result: Any, is_error: bool, position: int
    ) -> None:
        """Attach a result to its call, or keep it as an orphan (reported)."""
        waiting = self._waiting.get(call_id)
        if waiting:
            pending = waiting.popleft()
            pending.result, pending.is_error, pending.paired = result, is_error, True
            return
        self.ctx.note(
            f"{where}: result for call id {call_id!r} has no matching call (kept as orphan)"
        )
        self._orphans.append(
            OrphanResult(call_id=call_id or "", result=result, is_error=is_error, position=position)
        )

    def finish(self) -> tuple[tuple[ToolCall, ...], tuple[OrphanResult, ...]]:
        """The calls (unanswered ones reported) and the orphan results."""
        calls: list[ToolCall] = []
        for pending in self._calls:
            if not pending.paired:
                self.ctx.note(
                    f"{pending.where}: call of {pending.name!r} (id {pending.call_id!r}) has no "
                    "result (kept as unpaired)"
                )
            calls.append(
                ToolCall(
                    name=pending.name,
                    arguments=pending.arguments,
                    result=pending.result,
                    is_error=pending.is_error,
                    call_id=pending.call_id,
                    raw_arguments=pending.raw_arguments,
                    paired=pending.paired,
                    turn=pending.turn,
                )
            )
        return tuple(calls), tuple(self._orphans)
