"""Helpers every importer shares: the record context, JSON text, content parts, ids, outcomes.

A record is one trajectory in some source format. Importers raise :class:`Malformed` when a record
cannot become a trajectory at all, and call :meth:`RecordContext.note` for what they could keep
(arguments kept raw, a call without result); both end up as located problems.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.trajectory.model import Outcome, ToolSchema
from skills_runtime.trajectory.schemas import parse_tool_schema

__all__ = [
    "Malformed",
    "RecordContext",
    "describe",
    "loads_strict",
    "outcome_of",
    "parse_arguments",
    "result_of_content",
    "text_of",
    "tool_schemas_of",
    "trajectory_id",
]

_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
_PREVIEW = 80


class Malformed(Exception):
    """A record that cannot become a trajectory; the message says where inside it and why."""


@dataclass
class RecordContext:
    """Where a record came from, and the problems found in it so far (messages, in order)."""

    default_id: str
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        """Report something wrong that was kept (the trajectory still imports)."""
        self.notes.append(message)


def describe(value: Any) -> str:
    """A short description of a value for messages: its JSON type and a preview."""
    kind = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    return kind if len(text) > _PREVIEW else f"{kind} {text}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads_strict(text: str) -> Any:
    """``json.loads`` without the NaN/Infinity extension (standard JSON only).

    Raises:
        ValueError: The text is not standard JSON (``json.JSONDecodeError`` is a ``ValueError``).
        RecursionError: The text nests deeper than the interpreter can parse.
    """
    return json.loads(text, parse_constant=_reject_constant)


def parse_arguments(
    value: Any, ctx: RecordContext, where: str
) -> tuple[dict[str, Any], str | None]:
    """Arguments as an object, from an object or a JSON string; invalid JSON is kept raw.

    An empty string counts as no arguments (models emit it for tools without parameters).
    """
    if isinstance(value, dict):
        return value, None
    if value is None:
        return {}, None
    if not isinstance(value, str):
        raise Malformed(f"{where} must be an object or a JSON string, got {describe(value)}")
    if not value.strip():
        return {}, None
    try:
        parsed = loads_strict(value)
    except (ValueError, RecursionError) as error:
        ctx.note(f"{where} is not valid JSON (kept raw): {error}; text: {_preview(value)}")
        return {}, value
    if not isinstance(parsed, dict):
        ctx.note(f"{where} is JSON but not an object (kept raw): {describe(parsed)}")
        return {}, value
    return parsed, None


def _preview(text: str) -> str:
    return repr(text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…")


def json_text_value(text: str) -> Any:
    """A tool's text result: a JSON object or array when it is one, else the text unchanged.

    Scalars stay text on purpose: ids such as ``"1008292230"`` and amounts such as ``"41.92"``
    must keep their type, as in the native τ-bench recordings, so data flow still matches them.
    """
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return text
    try:
        return loads_strict(stripped)
    except (ValueError, RecursionError):
        return text


def text_of(content: Any) -> str:
    """The text of message content: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, dict)
            and part.get("type", "text") in _TEXT_PART_TYPES
            and isinstance(part.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def result_of_content(content: Any) -> Any:
    """A tool result from message content: text (parsed when JSON), or the parts as they are."""
    if content is None:
        return None
    if isinstance(content, str):
        return json_text_value(content)
    if isinstance(content, list) and all(
        isinstance(part, dict)
        and part.get("type", "text") in _TEXT_PART_TYPES
        and isinstance(part.get("text"), str)
        for part in content
    ):
        return json_text_value(text_of(content))
    return content


def trajectory_id(record: Mapping[str, Any], ctx: RecordContext, *keys: str) -> str:
    """The record's own id (the first of ``keys`` present), else the derived default."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return ctx.default_id


def outcome_of(record: Mapping[str, Any], ctx: RecordContext) -> Outcome:
    """What the record says of its outcome: ``outcome``, else ``success``, else ``reward``.

    Nothing is assumed: a record that says nothing (a ground-truth task, a bare transcript) has
    an unknown outcome. A reward counts only when it is exactly 1 (success) or 0 (failure).
    """
    if "outcome" in record:
        value = record["outcome"]
        if isinstance(value, bool):
            return Outcome.SUCCESS if value else Outcome.FAILURE
        if isinstance(value, str) and value.lower() in Outcome._value2member_map_:
            return Outcome(value.lower())
        allowed = sorted(member.value for member in Outcome)
        ctx.note(f"outcome {value!r} is not one of {allowed} (kept as unknown)")
        return Outcome.UNKNOWN
    success = record.get("success")
    if isinstance(success, bool):
        return Outcome.SUCCESS if success else Outcome.FAILURE
    reward = record.get("reward")
    if isinstance(reward, int | float) and not isinstance(reward, bool):
        if reward == 1:
            return Outcome.SUCCESS
        if reward == 0:
            return Outcome.FAILURE
    return Outcome.UNKNOWN


def tool_schemas_of(value: Any, ctx: RecordContext, where: str) -> tuple[ToolSchema, ...]:
    """Tool declarations from a list in any supported format; bad entries are reported, skipped."""
    if value is None:
        return ()
    if not isinstance(value, list):
        ctx.note(f"{where} must be a list, got {describe(value)} (ignored)")
        return ()
    schemas: list[ToolSchema] = []
    for index, entry in enumerate(value):
        try:
            schemas.append(parse_tool_schema(entry))
        except ValueError as error:
            ctx.note(f"{where}[{index}]: {error} (skipped)")
    return tuple(schemas)


def transcript(record: Any, *, what: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A transcript record (``{"messages": [...]}`` or a bare list) and its messages.

    Args:
        record: The record as read.
        what: What the messages are, for the error (``"chat messages"``).

    Returns:
        The record as an object, and its messages (every one an object).

    Raises:
        Malformed: The record is not a transcript, or a message is not an object.
    """
    if isinstance(record, list):
        record = {"messages": record}
    if not isinstance(record, dict) or not isinstance(record.get("messages"), list):
        raise Malformed(f"expected 'messages': a list of {what}")
    for index, message in enumerate(record["messages"]):
        if not isinstance(message, dict):
            raise Malformed(f"message {index}: expected an object, got {describe(message)}")
    return record, record["messages"]
