"""Render a native trajectory as the transcript an OpenAI or Anthropic agent would have produced.

The recorder writes every trajectory three times so the importers can be seen (and tested) to read
the same calls from each format. The transcripts are what the APIs exchange: an OpenAI Chat
``messages`` list with ``tool_calls`` and ``role: "tool"`` results, and an Anthropic ``messages``
list with ``tool_use`` / ``tool_result`` blocks. The tool declarations travel in ``tools``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["SYSTEM_PROMPT", "to_anthropic", "to_openai_chat"]

SYSTEM_PROMPT = (
    "You are the customer-service agent of an online bookshop. Identify the customer by email "
    "before reading or changing their orders, and make only the change they asked for."
)


def _text(result: Any) -> str:
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)


def _closing(line: dict[str, Any]) -> str:
    if line["outcome"] == "success":
        return "Done: your request has been carried out."
    return "I'm sorry, the shop could not do that: " + _text(line["steps"][-1]["result"])


def _declarations(line: dict[str, Any]) -> list[dict[str, Any]]:
    """The tools, with the write flag the native format keeps per step."""
    writes = {step["tool"]: step["mutates_db"] for step in line["steps"]}
    return [
        {**schema, "x_mutates_db": writes.get(schema["function"]["name"], False)}
        for schema in line["tool_schemas"]
    ]


def to_openai_chat(line: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI Chat Completions transcript of a native trajectory (one tool call per turn)."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": line["instruction"]},
    ]
    for index, step in enumerate(line["steps"]):
        call_id = f"call_{line['task_id']}_{index}"
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": step["tool"],
                            "arguments": json.dumps(step["arguments"], ensure_ascii=False),
                        },
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": _text(step["result"])})
    messages.append({"role": "assistant", "content": _closing(line)})
    return {
        "id": line["task_id"],
        "split": line["split"],
        "outcome": line["outcome"],
        "messages": messages,
        "tools": _declarations(line),
    }


def to_anthropic(line: dict[str, Any]) -> dict[str, Any]:
    """The Anthropic Messages transcript of a native trajectory (one tool use per turn)."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": line["instruction"]}]
    for index, step in enumerate(line["steps"]):
        use_id = f"toolu_{line['task_id'].replace('-', '_')}_{index}"
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": use_id,
                        "name": step["tool"],
                        "input": step["arguments"],
                    }
                ],
            }
        )
        result: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": use_id,
            "content": _text(step["result"]),
        }
        if step["is_error"]:
            result["is_error"] = True
        messages.append({"role": "user", "content": [result]})
    messages.append({"role": "assistant", "content": [{"type": "text", "text": _closing(line)}]})
    tools = [
        {
            "name": schema["function"]["name"],
            "description": schema["function"]["description"],
            "input_schema": schema["function"]["parameters"],
            "x_mutates_db": schema["x_mutates_db"],
        }
        for schema in _declarations(line)
    ]
    return {
        "id": line["task_id"],
        "split": line["split"],
        "outcome": line["outcome"],
        "system": SYSTEM_PROMPT,
        "messages": messages,
        "tools": tools,
    }
