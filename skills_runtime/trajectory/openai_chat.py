"""OpenAI Chat Completions transcripts: ``{"messages": [...]}`` or a bare list of messages.

Assistant messages carry ``tool_calls`` (``id``, ``function.name``, ``function.arguments`` as a
JSON *string*); results come back as ``role: "tool"`` messages paired on ``tool_call_id``. Several
calls in one assistant message are parallel calls; they keep their order. Content is a string or a
list of parts. The first user message is the task; system and developer messages go to metadata.
The legacy ``function_call`` / ``role: "function"`` pair is read too (paired by order and name).
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
    transcript,
)
from skills_runtime.trajectory.model import Trajectory

__all__ = ["parse_openai_chat"]

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def parse_openai_chat(record: Any, ctx: RecordContext) -> Trajectory:
    """An OpenAI Chat transcript as a trajectory (raises :class:`Malformed` when it cannot be)."""
    record, messages = transcript(record, what="chat messages")
    log = CallLog(ctx)
    turns = Turns()
    system: list[str] = []
    for index, message in enumerate(messages):
        where = f"message {index}"
        role = message.get("role")
        content = message.get("content")
        if role in ("system", "developer"):
            system.append(text_of(content))
        elif role == "user":
            turns.request(text_of(content))
        elif role == "assistant":
            text = text_of(content)
            if text:
                turns.answer(text)
            _read_calls(message, where, log, ctx, turns.current)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                ctx.note(f"{where}: tool message without a string 'tool_call_id'")
                call_id = None
            log.result(
                where=where,
                call_id=call_id,
                result=result_of_content(content),
                is_error=message.get("is_error") is True,
                position=index,
            )
        elif role == "function":
            log.result(
                where=where,
                call_id=None,
                result=result_of_content(content),
                is_error=False,
                position=index,
            )
        else:
            raise Malformed(f"{where}: unknown role {role!r}; expected one of {list(_ROLES)}")
    return assemble(
        record,
        ctx,
        log=log,
        turns=turns,
        transcript_keys=frozenset({"messages"}),
        system=system,
    )


def _read_calls(
    message: dict[str, Any], where: str, log: CallLog, ctx: RecordContext, turn: int
) -> None:
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise Malformed(f"{where}: 'tool_calls' must be a list, got {describe(tool_calls)}")
    for position, tool_call in enumerate(tool_calls):
        at = f"{where}: tool_calls[{position}]"
        if not isinstance(tool_call, dict):
            raise Malformed(f"{at}: expected an object, got {describe(tool_call)}")
        kind = tool_call.get("type", "function")
        if kind != "function":
            ctx.note(f"{at}: tool call type {kind!r} is not supported (skipped)")
            continue
        call_id = tool_call.get("id")
        if not isinstance(call_id, str):
            ctx.note(f"{at}: no string 'id'; its result cannot be paired")
            call_id = None
        _read_function(tool_call.get("function"), at, call_id, log, ctx, turn)
    legacy = message.get("function_call")
    if legacy is not None:
        _read_function(legacy, f"{where}: function_call", None, log, ctx, turn)


def _read_function(
    function: Any, at: str, call_id: str | None, log: CallLog, ctx: RecordContext, turn: int
) -> None:
    if not isinstance(function, dict):
        raise Malformed(f"{at}.function: expected an object, got {describe(function)}")
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise Malformed(f"{at}.function.name must be a non-empty string, got {describe(name)}")
    arguments, raw = parse_arguments(function.get("arguments"), ctx, f"{at}.function.arguments")
    log.call(
        where=at, name=name, arguments=arguments, raw_arguments=raw, call_id=call_id, turn=turn
    )
