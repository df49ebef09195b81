"""What the three transcript formats share once their calls are paired: metadata and assembly."""

from __future__ import annotations

from typing import Any

from skills_runtime.trajectory._pairing import CallLog
from skills_runtime.trajectory._record import (
    RecordContext,
    outcome_of,
    tool_schemas_of,
    trajectory_id,
)
from skills_runtime.trajectory.model import Trajectory

__all__ = ["assemble"]

_CONSUMED = frozenset({"id", "task_id", "tools", "outcome"})


def assemble(
    record: dict[str, Any],
    ctx: RecordContext,
    *,
    log: CallLog,
    task: str,
    transcript_keys: frozenset[str],
    system: list[str],
    final_response: str | None,
) -> Trajectory:
    """A trajectory from a transcript record whose messages have been read into ``log``.

    Every top-level field that is neither the transcript, the id, the tools nor the outcome goes
    to metadata; ``system`` (the joined system prompts) and ``final_response`` (the last text the
    assistant wrote) are added when present.
    """
    calls, orphans = log.finish()
    metadata = {
        key: value
        for key, value in record.items()
        if key not in _CONSUMED and key not in transcript_keys
    }
    if system:
        metadata["system"] = "\n\n".join(system)
    if final_response:
        metadata["final_response"] = final_response
    return Trajectory(
        id=trajectory_id(record, ctx, "id", "task_id"),
        task=task,
        calls=calls,
        outcome=outcome_of(record, ctx),
        tool_schemas=tool_schemas_of(record.get("tools"), ctx, "tools"),
        orphan_results=orphans,
        metadata=metadata,
    )
