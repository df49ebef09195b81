"""What the transcript formats share once their calls are paired: turns, metadata, assembly."""

from __future__ import annotations

from typing import Any

from skills_runtime.trajectory._pairing import CallLog
from skills_runtime.trajectory._record import (
    RecordContext,
    outcome_of,
    tool_schemas_of,
    trajectory_id,
)
from skills_runtime.trajectory.model import Trajectory, Turn

__all__ = ["Turns", "assemble"]


class Turns:
    """The user's requests of a transcript, in order, each with the agent's last answer to it.

    A transcript is a conversation: every user message that says something (not only tool
    results) opens a request, and the calls that follow serve it until the next one. Calls
    made before any request serve the first.
    """

    def __init__(self) -> None:
        self._requests: list[str] = []
        self._answers: list[str] = []

    @property
    def current(self) -> int:
        """The index of the request the next call serves."""
        return max(0, len(self._requests) - 1)

    def request(self, text: str) -> None:
        self._requests.append(text)
        self._answers.append("")

    def answer(self, text: str) -> None:
        if not self._requests:
            self.request("")
        self._answers[-1] = text

    @property
    def task(self) -> str:
        """The first request, the trajectory's task."""
        return self._requests[0] if self._requests else ""

    @property
    def final_answer(self) -> str | None:
        answered = [answer for answer in self._answers if answer]
        return answered[-1] if answered else None

    def turns(self) -> tuple[Turn, ...]:
        """Every request with its answer; none for a single request (the task says it all)."""
        if len(self._requests) < 2:
            return ()
        return tuple(
            Turn(request=request, answer=answer)
            for request, answer in zip(self._requests, self._answers, strict=True)
        )


_CONSUMED = frozenset({"id", "task_id", "tools", "outcome"})


def assemble(
    record: dict[str, Any],
    ctx: RecordContext,
    *,
    log: CallLog,
    turns: Turns,
    transcript_keys: frozenset[str],
    system: list[str],
) -> Trajectory:
    """A trajectory from a transcript record whose messages have been read into ``log``.

    Every top-level field that is neither the transcript, the id, the tools nor the outcome goes
    to metadata; ``system`` (the joined system prompts) and ``final_response`` (the last text the
    assistant wrote) are added when present. ``turns`` gives the task (the first request) and
    the requests with their answers.
    """
    calls, orphans = log.finish()
    metadata = {
        key: value
        for key, value in record.items()
        if key not in _CONSUMED and key not in transcript_keys
    }
    if system:
        metadata["system"] = "\n\n".join(system)
    final_response = turns.final_answer
    if final_response:
        metadata["final_response"] = final_response
    return Trajectory(
        id=trajectory_id(record, ctx, "id", "task_id"),
        task=turns.task,
        turns=turns.turns(),
        calls=calls,
        outcome=outcome_of(record, ctx),
        tool_schemas=tool_schemas_of(record.get("tools"), ctx, "tools"),
        orphan_results=orphans,
        metadata=metadata,
    )
