"""Exported OpenAI tools are what the openai SDK's own types accept, loose and strict.

The SDK's TypedDicts (``FunctionToolParam`` for Responses, ``ChatCompletionFunctionToolParam``
for Chat Completions) are validated with pydantic, which enforces their ``Required`` keys (the
Responses type requires ``strict``); keys the types do not declare are refused too.
"""

from __future__ import annotations

from typing import Any, get_type_hints

import pytest
from openai.types.chat import ChatCompletionFunctionToolParam
from openai.types.responses import FunctionToolParam
from openai.types.shared_params import FunctionDefinition
from pydantic import TypeAdapter

from skills_runtime.export.strict import openai_strict_violations
from skills_runtime.toolkit import Toolkit


def _conforms(value: dict[str, Any], kind: Any) -> None:
    TypeAdapter(kind).validate_python(value)
    declared = set(get_type_hints(kind))
    assert set(value) <= declared, f"keys the SDK type does not declare: {set(value) - declared}"


def _declared(toolkit: Toolkit, format: str, *, strict: bool, meta: bool) -> list[dict[str, Any]]:
    if meta:
        return toolkit.meta_tools(format, strict=strict)  # type: ignore[arg-type]
    return toolkit.tools(format, strict=strict)  # type: ignore[arg-type]


@pytest.mark.parametrize("meta", [False, True], ids=["skills", "meta-tools"])
@pytest.mark.parametrize("strict", [False, True], ids=["loose", "strict"])
def test_responses_tools_fit_the_sdk_type_and_always_say_strict(
    toolkit: Toolkit, strict: bool, meta: bool
) -> None:
    tools = _declared(toolkit, "openai-responses", strict=strict, meta=meta)
    assert tools
    for tool in tools:
        _conforms(tool, FunctionToolParam)
        assert isinstance(tool["strict"], bool)
        if not strict:
            assert tool["strict"] is False


@pytest.mark.parametrize("meta", [False, True], ids=["skills", "meta-tools"])
@pytest.mark.parametrize("strict", [False, True], ids=["loose", "strict"])
def test_chat_tools_fit_the_sdk_type(toolkit: Toolkit, strict: bool, meta: bool) -> None:
    for tool in _declared(toolkit, "openai", strict=strict, meta=meta):
        _conforms(tool, ChatCompletionFunctionToolParam)
        _conforms(tool["function"], FunctionDefinition)


@pytest.mark.parametrize("format", ["openai", "openai-responses"])
def test_strict_meta_tools_keep_every_strict_rule(toolkit: Toolkit, format: str) -> None:
    for tool in toolkit.meta_tools(format, strict=True):  # type: ignore[arg-type]
        body = tool.get("function", tool)
        assert body["strict"] is True, body["name"]
        assert openai_strict_violations(body["parameters"]) == [], body["name"]


def test_strict_anthropic_meta_tools_carry_no_keyword_strict_mode_rejects(
    toolkit: Toolkit,
) -> None:
    for tool in toolkit.meta_tools("anthropic", strict=True):
        assert tool["strict"] is True
        schema = tool["input_schema"]
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) <= set(schema["properties"])
        for spec in schema["properties"].values():
            assert "default" not in spec


def test_search_skills_without_k_or_with_null_k_returns_the_default_number(
    toolkit: Toolkit,
) -> None:
    without = toolkit.execute("search_skills", {"query": "order"})
    null = toolkit.execute("search_skills", {"query": "order", "k": None})
    assert without.ok
    assert null.ok
    assert without.value == null.value
