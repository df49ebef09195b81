"""Reading the example domains' recorded logs in tests: their calls, and the SDKs' own checks.

Each reader returns the calls of one record as :class:`Seen` values, in order, from the raw
format (not through skillbank's importer, which the tests compare against). The validators use
the SDKs' own types: OpenAI's and Anthropic's message params (extra keys forbidden, so a field the
API does not have, such as an error flag on an OpenAI tool message, fails), and MCP's JSON-RPC and
result models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mcp.types
from anthropic.types import MessageParam, ToolUnionParam
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolUnionParam
from pydantic import ConfigDict, TypeAdapter

_STRICT = ConfigDict(extra="forbid")
_OPENAI_MESSAGE = TypeAdapter(ChatCompletionMessageParam, config=_STRICT)
_OPENAI_TOOL = TypeAdapter(ChatCompletionToolUnionParam, config=_STRICT)
_ANTHROPIC_MESSAGE = TypeAdapter(MessageParam, config=_STRICT)
_ANTHROPIC_TOOL = TypeAdapter(ToolUnionParam, config=_STRICT)
_CLIENT_REQUEST = TypeAdapter(mcp.types.ClientRequest)
_CLIENT_NOTIFICATION = TypeAdapter(mcp.types.ClientNotification)


@dataclass(frozen=True)
class Seen:
    """One tool call as a log shows it."""

    tool: str
    arguments: dict[str, Any]
    text: str
    failed: bool


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def openai_calls(record: dict[str, Any], *, failed_prefix: str) -> list[Seen]:
    """Calls of a Chat Completions record; a result is a failure when its text says so."""
    results = {m["tool_call_id"]: m["content"] for m in record["messages"] if m["role"] == "tool"}
    return [
        Seen(
            call["function"]["name"],
            json.loads(call["function"]["arguments"]),
            results[call["id"]],
            results[call["id"]].startswith(failed_prefix),
        )
        for message in record["messages"]
        if message["role"] == "assistant"
        for call in message.get("tool_calls") or []
    ]


def anthropic_calls(record: dict[str, Any]) -> list[Seen]:
    """Calls of a Messages record; failures are the ``is_error`` tool results."""
    results = {
        block["tool_use_id"]: block
        for message in record["messages"]
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
    }
    return [
        Seen(
            block["name"],
            block["input"],
            results[block["id"]]["content"],
            results[block["id"]].get("is_error", False),
        )
        for message in record["messages"]
        if message["role"] == "assistant"
        for block in message["content"]
        if block["type"] == "tool_use"
    ]


def mcp_calls(record: dict[str, Any]) -> list[tuple[Seen, dict[str, Any]]]:
    """``tools/call`` requests of a JSON-RPC log, each with its response's result."""
    responses = {m["id"]: m for m in record["messages"] if "result" in m or "error" in m}
    calls = []
    for message in record["messages"]:
        if message.get("method") != "tools/call":
            continue
        result = responses[message["id"]]["result"]
        text = "\n".join(part["text"] for part in result["content"] if part["type"] == "text")
        params = message["params"]
        calls.append((Seen(params["name"], params["arguments"], text, result["isError"]), result))
    return calls


def final_text(record: dict[str, Any]) -> str:
    """The last assistant message's text (OpenAI or Anthropic)."""
    content = record["messages"][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


def check_openai(record: dict[str, Any]) -> None:
    for message in record["messages"]:
        _OPENAI_MESSAGE.validate_python(message)
    for tool in record["tools"]:
        _OPENAI_TOOL.validate_python(tool)


def check_anthropic(record: dict[str, Any]) -> None:
    for message in record["messages"]:
        _ANTHROPIC_MESSAGE.validate_python(message)
    for tool in record["tools"]:
        _ANTHROPIC_TOOL.validate_python(tool)


def check_mcp(record: dict[str, Any]) -> None:
    """Every message a JSON-RPC envelope; requests, results and notifications MCP's own types."""
    requests: dict[Any, str] = {}
    for message in record["messages"]:
        envelope = mcp.types.jsonrpc_message_adapter.validate_python(message)
        if isinstance(envelope, mcp.types.JSONRPCRequest):
            _CLIENT_REQUEST.validate_python({"method": envelope.method, "params": envelope.params})
            assert envelope.id not in requests, f"request id {envelope.id} used twice"
            requests[envelope.id] = envelope.method
        elif isinstance(envelope, mcp.types.JSONRPCNotification):
            _CLIENT_NOTIFICATION.validate_python(
                {"method": envelope.method, "params": envelope.params}
            )
        elif isinstance(envelope, mcp.types.JSONRPCResponse):
            method = requests.pop(envelope.id)
            model = {
                "initialize": mcp.types.InitializeResult,
                "tools/list": mcp.types.ListToolsResult,
                "tools/call": mcp.types.CallToolResult,
            }[method]
            model.model_validate(envelope.result)
        else:
            raise AssertionError(f"unexpected JSON-RPC error in a log: {message}")
    assert not requests, f"requests without a response: {requests}"


def retried(calls: list[Seen]) -> int:
    """Failed calls followed later by a successful call of the same tool."""
    return sum(
        1
        for index, call in enumerate(calls)
        if call.failed and any(c.tool == call.tool and not c.failed for c in calls[index + 1 :])
    )


def repeated(calls: list[Seen]) -> int:
    """Calls made again with exactly the same arguments after succeeding."""
    seen: set[str] = set()
    count = 0
    for call in calls:
        key = json.dumps([call.tool, call.arguments], sort_keys=True)
        if not call.failed and key in seen:
            count += 1
        if not call.failed:
            seen.add(key)
    return count
