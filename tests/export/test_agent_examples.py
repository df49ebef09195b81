"""The example agent loops, driven by scripted model stand-ins (there is no LLM endpoint here).

The stand-ins only replay a fixed script of responses shaped like the SDKs' objects; the toolkit,
the sandbox, the host tools and the registry underneath are real.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from examples import agent_anthropic, agent_openai
from skills_runtime.toolkit import Toolkit


@dataclass
class _Obj:
    """An SDK-like object: attributes plus ``model_dump``."""

    data: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            value = self.data[name]
        except KeyError:
            raise AttributeError(name) from None
        # The SDKs hand tool-use input over as a plain dict.
        return value if name == "input" else _wrap(value)

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        return {k: v for k, v in self.data.items() if not (exclude_none and v is None)}


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return _Obj(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


class _Script:
    def __init__(self, responses: list[dict[str, Any]]) -> None:
        self.responses = responses
        self.requests: list[dict[str, Any]] = []

    def create(self, **request: Any) -> _Obj:
        self.requests.append(json.loads(json.dumps(request, default=lambda o: asdict(o))))
        return _Obj(self.responses.pop(0))


ARGS = {"order_id": "#W2"}


def test_openai_chat_loop_answers_tool_calls_with_skill_results(toolkit: Toolkit) -> None:
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "order_status", "arguments": json.dumps(ARGS)},
    }
    script = _Script(
        [
            {
                "choices": [
                    {"message": {"role": "assistant", "content": None, "tool_calls": [call]}}
                ]
            },
            {
                "choices": [
                    {
                        "message": {
                            "role": "assistant",
                            "content": "It was delivered.",
                            "tool_calls": None,
                        }
                    }
                ]
            },
        ]
    )
    client = _Obj({"chat": {"completions": None}})
    client.data["chat"] = _Obj({"completions": script})
    answer = agent_openai.run_chat(
        client, toolkit, "status of #W2?", model="m", strict=True, meta=False, turns=4
    )
    assert answer == "It was delivered."
    tool_message = script.requests[1]["messages"][-1]
    assert tool_message == {"role": "tool", "tool_call_id": "c1", "content": "delivered"}
    assert all(tool["function"]["strict"] for tool in script.requests[0]["tools"])


def test_openai_responses_loop_uses_the_meta_tools(toolkit: Toolkit) -> None:
    run = {
        "type": "function_call",
        "call_id": "f1",
        "name": "run_skill",
        "arguments": json.dumps({"name": "order_status", "arguments": ARGS}),
    }
    script = _Script(
        [{"output": [run], "output_text": ""}, {"output": [], "output_text": "Delivered."}]
    )
    client = _Obj({"responses": script})
    client.data["responses"] = script
    answer = agent_openai.run_responses(
        client, toolkit, "status of #W2?", model="m", strict=False, meta=True, turns=4
    )
    assert answer == "Delivered."
    assert [tool["name"] for tool in script.requests[0]["tools"]] == ["search_skills", "run_skill"]
    assert script.requests[1]["input"][-1] == {
        "type": "function_call_output",
        "call_id": "f1",
        "output": "delivered",
    }


def test_anthropic_loop_reports_a_wrong_call_as_an_error_result(toolkit: Toolkit) -> None:
    wrong = {"type": "tool_use", "id": "t1", "name": "order_status", "input": {"order": "#W2"}}
    script = _Script(
        [
            {"content": [wrong], "stop_reason": "tool_use"},
            {"content": [{"type": "text", "text": "Let me fix that."}], "stop_reason": "end_turn"},
        ]
    )
    client = _Obj({"messages": script})
    client.data["messages"] = script
    answer = agent_anthropic.run(
        client, toolkit, "status of #W2?", model="m", strict=False, meta=False, turns=4
    )
    assert answer == "Let me fix that."
    (result,) = script.requests[1]["messages"][-1]["content"]
    assert result["tool_use_id"] == "t1"
    assert result["is_error"] is True
    assert "order_id" in result["content"]
