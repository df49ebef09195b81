"""What one tool call by an agent produced, shaped so a model can act on it.

Every call an agent makes through the toolkit ends in a :class:`ToolOutcome`, never in an
exception: a wrong argument, an unknown skill, a skill that raised or hit a limit all come back as
a result whose text says what was wrong and what is expected, so the model can correct itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["OutcomeStatus", "ToolOutcome"]

OutcomeStatus = Literal[
    "ok",
    "error",
    "rejected",
    "limit",
    "crashed",
    "invalid_arguments",
    "unknown_skill",
    "unavailable",
    "busy",
]
"""``ok`` … ``crashed`` come from the sandbox run; the others mean the skill never ran:
``invalid_arguments`` (the arguments do not fit the schema), ``unknown_skill`` (no such skill in
the states offered), ``unavailable`` (the host lacks a tool the skill needs, or the
registry could not be read), ``busy`` (every sandbox worker was taken and the queue full or too
slow: retry after the time the message names)."""

_MAX_CONTENT = 20_000


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one call, with everything needed to answer the model and to record it.

    Attributes:
        name: The skill (or tool) the call named, as exported.
        status: See :data:`OutcomeStatus`.
        value: The return value when ``status == "ok"``.
        error: ``{"type", "message"}`` for every other status.
        tool_calls: The inner tool calls (``name``, ``arguments``, ``result``, ``error``,
            ``duration_seconds``), in order.
        seconds: Wall time of the call, as the host measured it.
        version: The skill version that ran, when one did.
        trajectory_id: The id of the recorded trajectory, when the call was recorded.
    """

    name: str
    status: OutcomeStatus
    value: Any = None
    error: dict[str, str] | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    seconds: float = 0.0
    version: int | None = None
    trajectory_id: str | None = field(default=None, compare=False)

    @classmethod
    def failure(cls, name: str, status: OutcomeStatus, kind: str, message: str) -> ToolOutcome:
        """An outcome for a call that did not produce a value."""
        return cls(name=name, status=status, error={"type": kind, "message": message})

    @classmethod
    def busy(cls, name: str, why: str) -> ToolOutcome:
        """The answer to a call refused because every sandbox worker was taken: nothing ran."""
        return cls.failure(name, "busy", "Busy", f"skillbank is busy: {why}")

    @property
    def ok(self) -> bool:
        """Whether the call returned a value."""
        return self.status == "ok"

    @property
    def is_error(self) -> bool:
        """Whether the model should read this as an error."""
        return not self.ok

    @property
    def message(self) -> str:
        """One line for a human or a model: the value, or what went wrong."""
        if self.ok:
            return _text(self.value)
        error = self.error or {"type": self.status, "message": ""}
        return f"{error.get('type', 'Error')}: {error.get('message', '')}".strip()

    def content(self) -> str:
        """The text a tool result carries back to the model (capped at 20,000 characters)."""
        text = (
            self.message if self.ok else f"Error ({self.status}) in {self.name!r}. {self.message}"
        )
        if len(text) > _MAX_CONTENT:
            return text[:_MAX_CONTENT] + f"… [truncated, {len(text)} characters in all]"
        return text

    def to_json(self) -> dict[str, Any]:
        """The outcome as a JSON object (the ``skillbank call --json`` document)."""
        return {
            "name": self.name,
            "version": self.version,
            "status": self.status,
            "value": self.value,
            "error": self.error,
            "tool_calls": [dict(call) for call in self.tool_calls],
            "seconds": self.seconds,
            "trajectory_id": self.trajectory_id,
        }


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
