"""The native JSONL format of the benchmark recordings, read as-is and written back.

One object per trajectory::

    {"task_id": ..., "instruction": ..., "split": ...,
     "steps": [{"tool", "arguments", "result", "is_error", "mutates_db", ...}],
     "tool_schemas": [<OpenAI function tools>], ...every other field...}

A multi-turn trajectory adds ``"turns": [{"request", "answer"}, ...]`` and, per step after the
first request, ``"turn": k``.

``task_id`` (else ``id``) becomes the id, ``instruction`` the task, ``steps`` the calls; every
other top-level field goes to ``metadata`` (and every other step field to the call's metadata).
What the recordings do not carry but a :class:`Trajectory` can hold is written with extra keys:
``outcome``, ``orphan_results``, and per step ``call_id``, ``raw_arguments``, ``paired``.
Metadata keys that collide with these names travel in a nested ``metadata`` object, so
``parse_native(dump_native(t)) == t`` for every trajectory.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.trajectory._record import (
    Malformed,
    RecordContext,
    describe,
    outcome_of,
    parse_arguments,
    tool_schemas_of,
    trajectory_id,
)
from skills_runtime.trajectory.model import OrphanResult, ToolCall, Trajectory, Turn
from skills_runtime.trajectory.schemas import dump_tool_schema

__all__ = ["dump_native", "parse_native"]

_RECORD_KEYS = frozenset(
    {
        "task_id",
        "instruction",
        "steps",
        "tool_schemas",
        "outcome",
        "orphan_results",
        "metadata",
        "turns",
    }
)
_STEP_KEYS = frozenset(
    {
        "tool",
        "arguments",
        "result",
        "is_error",
        "mutates_db",
        "call_id",
        "raw_arguments",
        "paired",
        "metadata",
        "turn",
    }
)


def parse_native(record: Any, ctx: RecordContext) -> Trajectory:
    """A native record as a trajectory (raises :class:`Malformed` when it cannot be one)."""
    if not isinstance(record, dict):
        raise Malformed(f"a native record must be an object, got {describe(record)}")
    if "steps" not in record:
        raise Malformed(
            "a native record needs 'steps' (a list of tool calls); "
            f"keys: {sorted(map(str, record))}"
        )
    steps = record["steps"]
    if not isinstance(steps, list):
        raise Malformed(f"'steps' must be a list, got {describe(steps)}")
    instruction = record.get("instruction")
    if instruction is not None and not isinstance(instruction, str):
        raise Malformed(f"'instruction' must be a string, got {describe(instruction)}")
    identity = trajectory_id(record, ctx, "task_id", "id")
    # ``id`` is metadata unless it served as the trajectory id.
    id_used = "task_id" not in record and "id" in record and identity == str(record["id"])
    consumed = _RECORD_KEYS | {"id"} if id_used else _RECORD_KEYS
    return Trajectory(
        id=identity,
        task=instruction or "",
        calls=tuple(_parse_step(step, index, ctx) for index, step in enumerate(steps)),
        outcome=outcome_of(record, ctx),
        tool_schemas=tool_schemas_of(record.get("tool_schemas"), ctx, "tool_schemas"),
        orphan_results=_parse_orphans(record.get("orphan_results"), ctx),
        metadata=_metadata(record, consumed),
        turns=_parse_turns(record.get("turns")),
    )


def _parse_turns(value: Any) -> tuple[Turn, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise Malformed(f"'turns' must be a list of {{request, answer}}, got {describe(value)}")
    turns = []
    for index, entry in enumerate(value):
        request = entry.get("request") if isinstance(entry, dict) else None
        answer = entry.get("answer", "") if isinstance(entry, dict) else None
        if not isinstance(request, str) or not isinstance(answer, str):
            raise Malformed(
                f"turns[{index}]: expected an object with a string 'request' (and 'answer'), "
                f"got {describe(entry)}"
            )
        turns.append(Turn(request=request, answer=answer))
    return tuple(turns)


def _metadata(source: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    metadata = {key: value for key, value in source.items() if key not in known}
    nested = source.get("metadata")
    if isinstance(nested, dict):
        metadata.update(nested)
    elif "metadata" in source:
        metadata["metadata"] = nested
    return metadata


def _parse_step(step: Any, index: int, ctx: RecordContext) -> ToolCall:
    where = f"step {index}"
    if not isinstance(step, dict):
        raise Malformed(f"{where}: expected an object, got {describe(step)}")
    tool = step.get("tool")
    if not isinstance(tool, str) or not tool:
        raise Malformed(f"{where}: 'tool' must be a non-empty string, got {describe(tool)}")
    arguments, raw = parse_arguments(step.get("arguments"), ctx, f"{where}: arguments")
    kept_raw = step.get("raw_arguments")
    if kept_raw is not None:
        if not isinstance(kept_raw, str):
            raise Malformed(f"{where}: 'raw_arguments' must be a string, got {describe(kept_raw)}")
        ctx.note(f"{where}: arguments of {tool!r} were not valid JSON (kept raw)")
        raw = kept_raw
    paired = step.get("paired", "result" in step)
    flags = {key: step.get(key) for key in ("is_error", "paired", "mutates_db")}
    for key, value in flags.items():
        if value is not None and not isinstance(value, bool):
            raise Malformed(f"{where}: {key!r} must be true or false, got {describe(value)}")
    call_id = step.get("call_id")
    if call_id is not None and not isinstance(call_id, str):
        raise Malformed(f"{where}: 'call_id' must be a string, got {describe(call_id)}")
    if not paired:
        ctx.note(f"{where}: call of {tool!r} has no result (kept as unpaired)")
    turn = step.get("turn", 0)
    if isinstance(turn, bool) or not isinstance(turn, int) or turn < 0:
        raise Malformed(f"{where}: 'turn' must be a whole number >= 0, got {describe(turn)}")
    return ToolCall(
        name=tool,
        arguments=arguments,
        result=step.get("result"),
        is_error=bool(step.get("is_error", False)),
        call_id=call_id,
        mutates=step.get("mutates_db"),
        raw_arguments=raw,
        paired=bool(paired),
        metadata=_metadata(step, _STEP_KEYS),
        turn=turn,
    )


def _parse_orphans(value: Any, ctx: RecordContext) -> tuple[OrphanResult, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise Malformed(f"'orphan_results' must be a list, got {describe(value)}")
    orphans = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise Malformed(f"orphan_results[{index}]: expected an object, got {describe(entry)}")
        orphan = OrphanResult.model_validate(entry)
        ctx.note(f"orphan_results[{index}]: result for call id {orphan.call_id!r} has no call")
        orphans.append(orphan)
    return tuple(orphans)


def dump_native(trajectory: Trajectory) -> dict[str, Any]:
    """A trajectory as a native record (a JSON-serialisable dict); ``parse_native`` reads it back.

    Args:
        trajectory: The trajectory to write.

    Returns:
        The record, with ``outcome`` always written and the optional keys only when they carry
        something.
    """
    record: dict[str, Any] = {"task_id": trajectory.id}
    record.update(_spread(trajectory.metadata, _RECORD_KEYS))
    record["instruction"] = trajectory.task
    record["steps"] = [_dump_step(call) for call in trajectory.calls]
    record["tool_schemas"] = [dump_tool_schema(schema) for schema in trajectory.tool_schemas]
    record["outcome"] = trajectory.outcome.value
    if trajectory.turns:
        record["turns"] = [turn.model_dump(mode="json") for turn in trajectory.turns]
    if trajectory.orphan_results:
        record["orphan_results"] = [
            orphan.model_dump(mode="json") for orphan in trajectory.orphan_results
        ]
    return record


def _spread(metadata: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    """Metadata as top-level keys, with the ones that collide nested under ``metadata``."""
    spread = {key: value for key, value in metadata.items() if key not in reserved}
    nested = {key: value for key, value in metadata.items() if key in reserved}
    if nested:
        spread["metadata"] = nested
    return spread


def _dump_step(call: ToolCall) -> dict[str, Any]:
    step: dict[str, Any] = {"tool": call.name, "arguments": call.arguments}
    if call.paired or call.result is not None:
        step["result"] = call.result
    step["is_error"] = call.is_error
    if call.mutates is not None:
        step["mutates_db"] = call.mutates
    if call.call_id is not None:
        step["call_id"] = call.call_id
    if call.raw_arguments is not None:
        step["raw_arguments"] = call.raw_arguments
    if not call.paired:
        step["paired"] = False
    if call.turn:
        step["turn"] = call.turn
    step.update(_spread(call.metadata, _STEP_KEYS))
    return step
