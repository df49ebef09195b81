"""Anthropic Messages transcripts: ``{"system": ..., "messages": [...]}`` with content blocks.

Assistant messages carry ``tool_use`` blocks (``id``, ``name``, ``input`` as an object); user
messages carry ``tool_result`` blocks paired on ``tool_use_id``, with ``is_error`` and content as
a string or a list of blocks. ``text``, ``thinking``, ``redacted_thinking`` and other blocks are
tolerated. Every user message with text opens a request (the first is the task); the calls after
it serve it. The top-level ``system`` goes to metadata.
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

__all__ = ["parse_anthropic"]


def parse_anthropic(record: Any, ctx: RecordContext) -> Trajectory:
    """An Anthropic transcript as a trajectory (raises :class:`Malformed` when it cannot be)."""
    record, messages = transcript(record, what="Anthropic messages")
    log = CallLog(ctx)
    turns = Turns()
    for index, message in enumerate(messages):
        where = f"message {index}"
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise Malformed(f"{where}: role must be 'user' or 'assistant', got {describe(role)}")
        blocks = _blocks(message.get("content"), where)
        text = text_of(blocks)
        if role == "user" and text:
            turns.request(text)
        if role == "assistant" and text:
            turns.answer(text)
        for position, block in enumerate(blocks):
            _read_block(block, f"{where}: content[{position}]", index, log, ctx, turns.current)
    system = record.get("system")
    return assemble(
        record,
        ctx,
        log=log,
        turns=turns,
        transcript_keys=frozenset({"messages", "system"}),
        system=[text_of(system)] if system else [],
    )


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise Malformed(f"{where}: content must be a string or a list, got {describe(content)}")
    for position, block in enumerate(content):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise Malformed(f"{where}: content[{position}] is not a typed block: {describe(block)}")
    return content


def _read_block(
    block: dict[str, Any], at: str, index: int, log: CallLog, ctx: RecordContext, turn: int
) -> None:
    kind = block["type"]
    if kind == "tool_use":
        name = block.get("name")
        if not isinstance(name, str) or not name:
            raise Malformed(f"{at}: tool_use 'name' must be a non-empty string")
        call_id = block.get("id")
        if not isinstance(call_id, str):
            ctx.note(f"{at}: tool_use without a string 'id'; its result cannot be paired")
            call_id = None
        arguments, raw = parse_arguments(block.get("input"), ctx, f"{at}.input")
        log.call(
            where=at, name=name, arguments=arguments, raw_arguments=raw, call_id=call_id, turn=turn
        )
    elif kind == "tool_result":
        call_id = block.get("tool_use_id")
        if not isinstance(call_id, str):
            ctx.note(f"{at}: tool_result without a string 'tool_use_id'")
            call_id = None
        log.result(
            where=at,
            call_id=call_id,
            result=result_of_content(block.get("content")),
            is_error=block.get("is_error") is True,
            position=index,
        )
    # text, thinking, redacted_thinking, images, server tools: nothing to pair.
