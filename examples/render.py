"""Native recordings as the logs real agents leave: no effect labels, OpenAI or Anthropic shapes.

Benchmark recordings say which calls change state (``mutates_db`` per step, ``x_mutates_db`` per
tool); real logs never do. These functions take a native record (a dict, as in
``../shared/data``) and give what a user would really have:

- ``strip_labels``: the same record without any effect flag;
- ``to_openai_chat``: an OpenAI Chat Completions transcript, where a failed call is only the text
  of its tool message (the API has no error flag) and tools are declared without labels;
- ``to_anthropic``: an Anthropic Messages transcript, with ``is_error`` on failed results as the
  API allows.

Used by ``bench/unlabelled.py`` and the tests that learn without labels.
"""

from __future__ import annotations

import copy
import json
from typing import Any

__all__ = ["strip_labels", "to_anthropic", "to_openai_chat"]

_LABELS = ("mutates_db", "x_mutates_db", "mutates")


def strip_labels(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a native record with every effect label removed."""
    clean = copy.deepcopy(record)
    for step in clean.get("steps", []):
        for key in _LABELS:
            step.pop(key, None)
    for schema in clean.get("tool_schemas", []):
        for key in _LABELS:
            schema.pop(key, None)
            if isinstance(schema.get("function"), dict):
                schema["function"].pop(key, None)
    return clean


def _text(result: Any) -> str:
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)


def _kept(record: dict[str, Any]) -> dict[str, Any]:
    """The record's own fields (split, ids...) that a logger would keep beside the transcript."""
    dropped = {"steps", "tool_schemas", "instruction", "task_id", *_LABELS}
    return {key: value for key, value in record.items() if key not in dropped}


def to_openai_chat(record: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI Chat transcript of a native record (one tool call per assistant message)."""
    clean = strip_labels(record)
    messages: list[dict[str, Any]] = [{"role": "user", "content": clean.get("instruction", "")}]
    for index, step in enumerate(clean["steps"]):
        call_id = f"call_{index}"
        arguments = json.dumps(step.get("arguments", {}), ensure_ascii=False)
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": step["tool"], "arguments": arguments},
                    }
                ],
            }
        )
        messages.append(
            {"role": "tool", "tool_call_id": call_id, "content": _text(step.get("result"))}
        )
    return {
        "id": clean.get("task_id"),
        **_kept(clean),
        "tools": clean.get("tool_schemas", []),
        "messages": messages,
    }


def to_anthropic(record: dict[str, Any]) -> dict[str, Any]:
    """The Anthropic Messages transcript of a native record (one tool use per message)."""
    clean = strip_labels(record)
    messages: list[dict[str, Any]] = [{"role": "user", "content": clean.get("instruction", "")}]
    for index, step in enumerate(clean["steps"]):
        use_id = f"toolu_{index:03d}"
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": use_id,
                        "name": step["tool"],
                        "input": step.get("arguments", {}),
                    }
                ],
            }
        )
        block: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": use_id,
            "content": _text(step.get("result")),
        }
        if step.get("is_error"):
            block["is_error"] = True
        messages.append({"role": "user", "content": [block]})
    tools = [
        {
            "name": schema["function"]["name"],
            "description": schema["function"].get("description", ""),
            "input_schema": schema["function"].get("parameters", {}),
        }
        for schema in clean.get("tool_schemas", [])
    ]
    return {"id": clean.get("task_id"), **_kept(clean), "tools": tools, "messages": messages}
