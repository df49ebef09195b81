"""Results as data: what one sandboxed call did, JSON-serialisable end to end."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Rejection", "RunResult", "Status", "ToolCallRecord"]

Status = Literal["ok", "error", "rejected", "limit", "crashed"]
LimitKind = Literal["wall", "cpu", "memory", "output", "result_size", "tool_calls", "tool_time"]


@dataclass(frozen=True)
class Rejection:
    """Why source was refused before it ran.

    Attributes:
        line: 1-based line of the offending construct, when one is known.
        message: What was refused and what to do instead.
    """

    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The rejection as a JSON object."""
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call a skill made, as the host saw it.

    The host keeps bounded copies (``Limits.record_bytes`` per value, ``Limits.records_bytes``
    per call): a value past its budget is kept as a preview string ending in
    ``[truncated: N bytes]`` and ``truncated`` is set.

    Attributes:
        name: The tool name the skill asked for (granted or not).
        arguments: The JSON arguments the skill sent.
        result: The JSON value returned to the skill (``None`` when the call failed).
        error: Why the call failed, as the skill saw it in ``ToolError``; ``None`` on success.
        duration_seconds: Host time spent on the call.
        refused: The bridge refused the call before the tool ran (not granted, arguments
            invalid or too large, budget exhausted): nothing can have been written. False for
            every call that reached the tool, whether it succeeded or raised.
        truncated: Some value of this record is a preview, not the whole value.
    """

    name: str
    arguments: Any
    result: Any = None
    error: str | None = None
    duration_seconds: float = 0.0
    refused: bool = False
    truncated: bool = False

    @property
    def tool_failed(self) -> bool:
        """The tool ran and raised (by the bridge's own record, not by any exception's type)."""
        return self.error is not None and not self.refused

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON object."""
        return {
            "name": self.name,
            "arguments": self.arguments,
            "result": self.result,
            "error": self.error,
            "duration_seconds": self.duration_seconds,
            "refused": self.refused,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class RunResult:
    """The outcome of one call; never an exception for anything the skill did.

    Attributes:
        status: ``ok`` (value is the return value), ``error`` (the skill raised), ``rejected``
            (the source was refused before running), ``limit`` (a limit was exceeded; see
            ``limit``), ``crashed`` (the worker died for a reason the harness did not classify).
        value: The JSON return value when ``status == "ok"``.
        error: ``{"type", "message"}`` when the skill raised or the worker crashed.
        limit: Which limit ended the call when ``status == "limit"``.
        rejection: Why the source was refused when ``status == "rejected"``.
        tool_calls: Every tool call made, in order.
        output: Text the skill printed (capped by ``Limits.output_bytes``).
        stats: Measurements by the host: ``wall_seconds``, ``cpu_seconds``, ``max_rss_kib``,
            ``tool_seconds`` and, for worker runs, ``worker_calls``.
    """

    status: Status
    value: Any = None
    error: dict[str, str] | None = None
    limit: LimitKind | None = None
    rejection: Rejection | None = None
    tool_calls: tuple[ToolCallRecord, ...] = ()
    output: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the call returned a value."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON object."""
        return {
            "status": self.status,
            "value": self.value,
            "error": self.error,
            "limit": self.limit,
            "rejection": None if self.rejection is None else self.rejection.to_dict(),
            "tool_calls": [call.to_dict() for call in self.tool_calls],
            "output": self.output,
            "stats": dict(self.stats),
        }

    def to_json(self) -> str:
        """The result as a JSON document."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        """Rebuild a result from :meth:`to_dict` output."""
        rejection = data.get("rejection")
        return cls(
            status=data["status"],
            value=data.get("value"),
            error=data.get("error"),
            limit=data.get("limit"),
            rejection=None if rejection is None else Rejection(**rejection),
            tool_calls=tuple(ToolCallRecord(**call) for call in data.get("tool_calls", ())),
            output=data.get("output", ""),
            stats=dict(data.get("stats", {})),
        )
