"""MCP logs: the JSON-RPC 2.0 messages a client and a server exchanged, as a proxy keeps them.

A record is ``{"messages": [...], ...}`` (or a bare list of messages) where each message is a
JSON-RPC object, or an object carrying one under ``message`` (a proxy's envelope with direction
and time). What is read:

- ``tools/list`` responses give the tool declarations, with their ``inputSchema`` and
  ``annotations`` (``readOnlyHint``, ``destructiveHint`` ...) exactly as the server sent them;
- ``tools/call`` requests are the calls (``params.name``, ``params.arguments``), paired with the
  response of the same JSON-RPC id: the result is ``structuredContent`` when present, else the
  text content (parsed when it is JSON); ``isError`` or a JSON-RPC ``error`` marks a failed call;
- everything else (``initialize``, notifications, other methods) is protocol, not calls.

The protocol does not carry the user's words: the task is the record's ``instruction`` (or
``task``, or ``request``) field, and every other field goes to metadata.
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
    tool_schemas_of,
    transcript,
)
from skills_runtime.trajectory.model import Trajectory

__all__ = ["parse_mcp_log"]

_TASK_KEYS = ("instruction", "task", "request")


def _message(entry: dict[str, Any], where: str) -> dict[str, Any]:
    inner = entry.get("message")
    message = inner if isinstance(inner, dict) else entry
    if message.get("jsonrpc") != "2.0":
        raise Malformed(f'{where}: not a JSON-RPC 2.0 message (no "jsonrpc": "2.0")')
    return message


def _key(value: Any) -> str | None:
    """A request id as the call id: JSON-RPC ids are strings or whole numbers."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def _call_result(result: Any, where: str) -> tuple[Any, bool]:
    if not isinstance(result, dict):
        raise Malformed(f"{where}: a tools/call result must be an object, got {describe(result)}")
    is_error = result.get("isError") is True
    if "structuredContent" in result and result["structuredContent"] is not None:
        return result["structuredContent"], is_error
    return result_of_content(result.get("content")), is_error


def parse_mcp_log(record: Any, ctx: RecordContext) -> Trajectory:
    """An MCP JSON-RPC log as a trajectory (raises :class:`Malformed` when it cannot be)."""
    record, entries = transcript(record, what="JSON-RPC messages")
    log = CallLog(ctx)
    pending: dict[str, str] = {}  # id -> method of the requests still waiting for a response
    declared: list[Any] = []
    for index, entry in enumerate(entries):
        where = f"message {index}"
        message = _message(entry, where)
        method = message.get("method")
        key = _key(message.get("id"))
        if isinstance(method, str):
            if key is None:
                continue  # a notification: nothing answers it
            if key in pending:
                ctx.note(f"{where}: request id {message.get('id')!r} is reused before its answer")
            pending[key] = method
            if method == "tools/call":
                _read_call(message, where, key, log, ctx)
            continue
        if key is None or key not in pending:
            ctx.note(f"{where}: a response to no request of this log (id {message.get('id')!r})")
            continue
        answered = pending.pop(key)
        if "error" in message:
            error = message["error"]
            text = error.get("message") if isinstance(error, dict) else None
            if answered == "tools/call":
                log.result(
                    where=where,
                    call_id=key,
                    result=text if isinstance(text, str) else error,
                    is_error=True,
                    position=index,
                )
            continue
        result = message.get("result")
        if answered == "tools/list":
            tools = result.get("tools") if isinstance(result, dict) else None
            if not isinstance(tools, list):
                raise Malformed(f"{where}: a tools/list result needs 'tools', a list")
            declared.extend(tools)
        elif answered == "tools/call":
            value, is_error = _call_result(result, where)
            log.result(where=where, call_id=key, result=value, is_error=is_error, position=index)
    turns = Turns()
    task = next((record[k] for k in _TASK_KEYS if isinstance(record.get(k), str)), "")
    turns.request(task)
    if "tools" not in record and declared:
        record = {**record, "tools": declared}
    trajectory = assemble(
        record,
        ctx,
        log=log,
        turns=turns,
        transcript_keys=frozenset({"messages", *_TASK_KEYS}),
        system=[],
    )
    if declared and "tools" in record and record["tools"] is not declared:
        extra = tool_schemas_of(declared, ctx, "tools/list")
        known = {schema.name for schema in trajectory.tool_schemas}
        more = tuple(schema for schema in extra if schema.name not in known)
        trajectory = trajectory.model_copy(update={"tool_schemas": trajectory.tool_schemas + more})
    return trajectory


def _read_call(
    message: dict[str, Any], where: str, key: str, log: CallLog, ctx: RecordContext
) -> None:
    params = message.get("params")
    if not isinstance(params, dict):
        raise Malformed(f"{where}: a tools/call request needs 'params', an object")
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise Malformed(f"{where}: tools/call params.name must be a non-empty string")
    arguments, raw = parse_arguments(params.get("arguments"), ctx, f"{where}.params.arguments")
    log.call(where=where, name=name, arguments=arguments, raw_arguments=raw, call_id=key)
