"""Calls made through skillbank, recorded as native trajectories (the material skills come from).

A skill call becomes a trajectory with task ``"skill:<name>"``: its inner tool calls with their
results, the outcome, and in ``metadata`` the skill's arguments, version, status, value or error.
A failed call keeps its trace: it is the material a new version is learned from. Host tools
called directly (through the MCP server) are grouped per session into one trajectory each.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from skills_runtime.export.attribution import Attribution
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.trajectory.model import Outcome, ToolCall, ToolSchema, Trajectory

__all__ = ["SessionRecorder", "skill_call_trajectory", "tool_call"]


def tool_call(
    name: str,
    arguments: Any,
    *,
    result: Any = None,
    error: str | None = None,
    mutates: bool | None = None,
) -> ToolCall:
    """One recorded tool call; a failed call keeps its error text as the result."""
    if isinstance(arguments, Mapping):
        return ToolCall(
            name=name,
            arguments=_json(dict(arguments)),
            result=_json(error if error is not None else result),
            is_error=error is not None,
            mutates=mutates,
        )
    return ToolCall(
        name=name,
        raw_arguments=json.dumps(arguments, default=str),
        result=_json(error if error is not None else result),
        is_error=error is not None,
        mutates=mutates,
    )


def skill_call_trajectory(
    outcome: ToolOutcome,
    *,
    skill: str,
    arguments: Mapping[str, Any],
    schemas: Iterable[ToolSchema] = (),
    attribution: Attribution | None = None,
) -> Trajectory:
    """The trajectory of one skill call (id, task ``skill:<name>``, inner calls, outcome).

    ``attribution`` (how the call counts for the skill's reliability) is kept in the metadata.
    """
    declared = {schema.name: schema for schema in schemas}
    calls = tuple(
        tool_call(
            str(call.get("name")),
            call.get("arguments"),
            result=call.get("result"),
            error=call.get("error"),
            mutates=declared[call["name"]].mutates if call.get("name") in declared else None,
        )
        for call in outcome.tool_calls
    )
    used = [declared[name] for name in dict.fromkeys(c.name for c in calls) if name in declared]
    return Trajectory(
        id=outcome.trajectory_id or new_trajectory_id(skill),
        task=f"skill:{skill}",
        calls=calls,
        outcome=Outcome.SUCCESS if outcome.ok else Outcome.FAILURE,
        tool_schemas=tuple(used),
        metadata=_json(
            {
                "recorded_by": "skillbank",
                "skill": skill,
                "version": outcome.version,
                "arguments": dict(arguments),
                "status": outcome.status,
                "value": outcome.value,
                "error": outcome.error,
                "seconds": round(outcome.seconds, 6),
                **({} if attribution is None else {"attribution": attribution.to_json()}),
            }
        ),
    )


def new_trajectory_id(label: str) -> str:
    """A fresh trajectory id naming what it records."""
    return f"{label}-{uuid.uuid4().hex[:16]}"


class SessionRecorder:
    """Host tool calls grouped per client session, each group one trajectory.

    Thread-safe: the MCP server appends from worker threads and flushes from its event loop.
    """

    def __init__(self, *, task_prefix: str = "session") -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, list[ToolCall]] = {}
        self._ids: dict[str, str] = {}
        self._schemas: dict[str, dict[str, ToolSchema]] = {}
        self._task_prefix = task_prefix

    def add(self, session: str, call: ToolCall, *, schema: ToolSchema | None = None) -> str:
        """Append one call to ``session``'s trajectory; return that trajectory's id."""
        with self._lock:
            self._calls.setdefault(session, []).append(call)
            if schema is not None:
                self._schemas.setdefault(session, {})[schema.name] = schema
            return self._ids.setdefault(session, new_trajectory_id(self._task_prefix))

    def sessions(self) -> list[str]:
        """Sessions with calls not yet flushed."""
        with self._lock:
            return list(self._calls)

    def snapshot(self, session: str) -> Trajectory | None:
        """The trajectory of ``session`` so far (None when it has no calls)."""
        with self._lock:
            return self._trajectory(session)

    def flush(self, session: str) -> Trajectory | None:
        """Take ``session``'s trajectory out of the recorder (None when it has no calls)."""
        # One critical section: a call added between reading and removing would be lost.
        with self._lock:
            trajectory = self._trajectory(session)
            self._calls.pop(session, None)
            self._ids.pop(session, None)
            self._schemas.pop(session, None)
        return trajectory

    def _trajectory(self, session: str) -> Trajectory | None:
        calls = self._calls.get(session)
        if not calls:
            return None
        return Trajectory(
            id=self._ids[session],
            task=f"{self._task_prefix}:{session}",
            calls=tuple(calls),
            tool_schemas=tuple(self._schemas.get(session, {}).values()),
            metadata={"recorded_by": "skillbank", "session": session},
        )


def _json(value: Any) -> Any:
    """A JSON-only copy (anything else becomes its string form)."""
    return json.loads(json.dumps(value, default=str))
