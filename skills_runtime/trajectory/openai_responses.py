"""OpenAI Responses items: ``{"input": [...], "output": [...]}`` or a bare list of items.

``function_call`` items (``call_id``, ``name``, ``arguments`` as a JSON string) pair with
``function_call_output`` items (``call_id``, ``output``). ``message`` items (also the short form
``{"role", "content"}``) give the task (the first user message) and the system prompts;
``reasoning`` and other items are tolerated. ``input`` may also be the task as a plain string, and
a top-level ``instructions`` is a system prompt.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.trajectory._messages import Turns, assemble
from skills_runtime.trajectory._pairing import CallLog
from skills_runtime.trajectory._record import (
    Malformed,
    RecordContext,
    describe,
    parse_arguments,
    result_of_content,
    text_of,
)
from skills_runtime.trajectory.model import Trajectory

__all__ = ["ITEM_TYPES", "parse_openai_responses"]

ITEM_TYPES = frozenset({"message", "function_call", "function_call_output", "reasoning"})


def parse_openai_responses(record: Any, ctx: RecordContext) -> Trajectory:
    """OpenAI Responses items as a trajectory (raises :class:`Malformed` when they cannot be)."""
    if isinstance(record, list):
        record = {"input": record}
    if not isinstance(record, dict) or not ({"input", "output"} & set(record)):
        raise Malformed("expected 'input' and/or 'output': lists of OpenAI Responses items")
    turns = Turns()
    items: list[tuple[str, Any]] = []
    for key in ("input", "output"):
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, str) and key == "input":
            turns.request(value)
        elif isinstance(value, list):
            items.extend((f"{key}[{index}]", item) for index, item in enumerate(value))
        else:
            raise Malformed(f"'{key}' must be a list of items, got {describe(value)}")
    log = CallLog(ctx)
    instructions = record.get("instructions")
    system: list[str] = [instructions] if isinstance(instructions, str) and instructions else []
    for position, (where, item) in enumerate(items):
        if not isinstance(item, dict):
            raise Malformed(f"{where}: expected an object, got {describe(item)}")
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "message":
            role, text = item.get("role"), text_of(item.get("content"))
            if role == "user":
                turns.request(text)
            elif role in ("system", "developer"):
                system.append(text)
            elif role == "assistant" and text:
                turns.answer(text)
        elif kind == "function_call":
            name = item.get("name")
            if not isinstance(name, str) or not name:
                raise Malformed(f"{where}: function_call 'name' must be a non-empty string")
            call_id = _call_id(item, where, ctx)
            arguments, raw = parse_arguments(item.get("arguments"), ctx, f"{where}.arguments")
            log.call(
                where=where,
                name=name,
                arguments=arguments,
                raw_arguments=raw,
                call_id=call_id,
                turn=turns.current,
            )
        elif kind == "function_call_output":
            log.result(
                where=where,
                call_id=_call_id(item, where, ctx),
                result=result_of_content(item.get("output")),
                is_error=item.get("is_error") is True,
                position=position,
            )
        elif kind is None:
            raise Malformed(
                f"{where}: an item needs a 'type' (or a 'role'), got keys {sorted(map(str, item))}"
            )
    return assemble(
        record,
        ctx,
        log=log,
        turns=turns,
        transcript_keys=frozenset({"input", "output", "instructions"}),
        system=system,
    )


def _call_id(item: dict[str, Any], where: str, ctx: RecordContext) -> str | None:
    call_id = item.get("call_id")
    if isinstance(call_id, str):
        return call_id
    ctx.note(f"{where}: no string 'call_id'; it cannot be paired")
    return None
