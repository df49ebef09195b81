"""Telling the format of a record from its shape.

Signals, strongest first: native records have ``steps``; MCP logs are JSON-RPC 2.0 messages
(``"jsonrpc": "2.0"``); Anthropic content has ``tool_use``,
``tool_result`` or ``thinking`` blocks (or a top-level ``system``); Responses items have types
such as ``function_call``; Chat messages have ``tool_calls``, ``role: "tool"`` or system messages.
A transcript of plain text only reads the same in every format and is taken as OpenAI Chat.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMATS", "detect_format", "looks_like_transcript"]

FORMATS = ("auto", "native", "openai-chat", "openai-responses", "anthropic", "mcp")
"""The values of ``format`` accepted by the importers."""

_ANTHROPIC_BLOCKS = frozenset(
    {"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use"}
)
_RESPONSES_ITEMS = frozenset({"function_call", "function_call_output", "reasoning"})
_RESPONSES_PARTS = frozenset({"input_text", "output_text", "refusal"})


def detect_format(record: Any) -> str | None:
    """The format of one record (never ``"auto"``), or None when nothing fits."""
    if isinstance(record, dict):
        if "steps" in record:
            return "native"
        if "messages" in record:
            messages = record["messages"]
            return _transcript_format(messages if isinstance(messages, list) else [], record)
        if "input" in record or "output" in record:
            return "openai-responses"
        return None
    if looks_like_transcript(record):
        return _transcript_format(record, {})
    return None


def looks_like_transcript(value: Any) -> bool:
    """Whether a list is one transcript (messages or items) rather than a list of records."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(entry, dict)
            and ("role" in entry or "type" in entry or _is_jsonrpc(entry))
            and not {"steps", "messages"} & set(entry)
            # A Responses record has input/output; a function_call_output item has a type.
            and ("type" in entry or not {"input", "output"} & set(entry))
            for entry in value
        )
    )


def _is_jsonrpc(entry: Any) -> bool:
    if isinstance(entry, dict) and isinstance(entry.get("message"), dict):
        entry = entry["message"]
    return isinstance(entry, dict) and entry.get("jsonrpc") == "2.0"


def _transcript_format(entries: list[Any], record: dict[str, Any]) -> str:
    if entries and all(_is_jsonrpc(entry) for entry in entries):
        return "mcp"
    messages = [entry for entry in entries if isinstance(entry, dict)]
    blocks = [
        block
        for message in messages
        if isinstance(message.get("content"), list)
        for block in message["content"]
        if isinstance(block, dict)
    ]
    block_types = {block.get("type") for block in blocks}
    if block_types & _ANTHROPIC_BLOCKS or "system" in record:
        return "anthropic"
    item_types = {message.get("type") for message in messages}
    if item_types & _RESPONSES_ITEMS or block_types & _RESPONSES_PARTS:
        return "openai-responses"
    if "tools" in record and _anthropic_tools(record["tools"]):
        return "anthropic"
    return "openai-chat"


def _anthropic_tools(tools: Any) -> bool:
    return isinstance(tools, list) and any(
        isinstance(tool, dict) and "input_schema" in tool for tool in tools
    )
