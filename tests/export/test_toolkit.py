"""The Toolkit: skills offered by state, exported per provider, executed, errors as tool results."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from export import hosttools, skills
from skill_registry import Registry
from skills_runtime.export.formats import FORMATS
from skills_runtime.export.strict import openai_strict_violations
from skills_runtime.toolkit import Toolkit

# What agents called the cancel skill with, as observed in its source trajectories: the task
# inputs of each trajectory (an optional argument is sometimes left out).
OBSERVED_CANCEL_ARGUMENTS: list[dict[str, Any]] = [
    {"first_name": "Ada", "last_name": "L", "order_id": "#W1", "reason": "mistake"},
    {"first_name": "Bob", "last_name": "Li", "order_id": "#W2", "reason": "no longer needed"},
    {"first_name": "Ada", "last_name": "L", "order_id": "#W1"},
]


def _parameters(tool: dict[str, Any], format: str) -> dict[str, Any]:
    if format == "openai":
        return tool["function"]["parameters"]
    if format == "openai-responses":
        return tool["parameters"]
    if format == "anthropic":
        return tool["input_schema"]
    return tool["inputSchema"]


def _name(tool: dict[str, Any]) -> str:
    return tool["function"]["name"] if "function" in tool else tool["name"]


def test_only_skills_in_the_offered_states_are_listed(registry: Registry) -> None:
    skills.store(registry, skills.STATUS.replace("order_status", "draft_status"), promote=False)
    names = [entry.name for entry in Toolkit(registry, hosttools.toolset).skills()]
    assert names == ["cancel_for_customer", "count_forever", "order_status", "refund_everything"]
    drafts = Toolkit(registry, hosttools.toolset, states=("draft",)).skills()
    assert [entry.name for entry in drafts] == ["draft_status"]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("format", FORMATS)
def test_exported_schemas_accept_every_observed_argument_set(
    toolkit: Toolkit, format: str, strict: bool
) -> None:
    tools = {_name(tool): tool for tool in toolkit.tools(format, strict=strict)}  # type: ignore[arg-type]
    schema = _parameters(tools["cancel_for_customer"], format)
    jsonschema.Draft202012Validator.check_schema(schema)
    for arguments in OBSERVED_CANCEL_ARGUMENTS:
        sent = dict(arguments)
        if strict and format.startswith("openai"):
            # A strict model sends every property, null for the ones it leaves out.
            sent = {key: sent.get(key) for key in schema["properties"]}
        jsonschema.validate(sent, schema)


def test_openai_strict_exports_pass_the_strict_rules(toolkit: Toolkit) -> None:
    for format in ("openai", "openai-responses"):
        for tool in toolkit.tools(format, strict=True):  # type: ignore[arg-type]
            body = tool.get("function", tool)
            assert body["strict"] is True
            assert openai_strict_violations(body["parameters"]) == []
    for tool in toolkit.meta_tools("openai", strict=True):
        assert openai_strict_violations(tool["function"]["parameters"]) == []


def test_provider_shapes_are_the_documented_ones(toolkit: Toolkit) -> None:
    chat = toolkit.openai_tools()[0]
    assert set(chat) == {"type", "function"}
    assert set(chat["function"]) == {"name", "description", "parameters"}
    responses = toolkit.responses_tools()[0]
    assert responses["type"] == "function"
    assert "parameters" in responses
    anthropic = toolkit.anthropic_tools()[0]
    assert set(anthropic) == {"name", "description", "input_schema"}
    mcp = {tool["name"]: tool for tool in toolkit.mcp_tools()}
    assert mcp["order_status"]["annotations"] == {"readOnlyHint": True}
    assert mcp["cancel_for_customer"]["annotations"] == {"readOnlyHint": False}
    assert "Cancel a customer's pending order" in mcp["cancel_for_customer"]["description"]


def test_a_call_runs_through_the_host_tools_and_is_recorded(
    toolkit: Toolkit, registry: Registry
) -> None:
    outcome = toolkit.execute(
        "cancel_for_customer", '{"first_name": "Ada", "last_name": "L", "order_id": "#W1"}'
    )
    assert outcome.ok, outcome.error
    assert outcome.value == "cancelled #W1 (mistake)"
    assert [call["name"] for call in outcome.tool_calls] == [
        "find_user_id",
        "get_order_details",
        "cancel_order",
    ]
    assert registry.reliability("cancel_for_customer").successes == 1
    stored = [t.trajectory for t in registry.trajectories() if t.id == outcome.trajectory_id]
    assert len(stored) == 1
    trajectory = stored[0]
    assert trajectory["task"] == "skill:cancel_for_customer"
    assert trajectory["outcome"] == "success"
    assert [call["name"] for call in trajectory["calls"]] == [
        "find_user_id",
        "get_order_details",
        "cancel_order",
    ]
    assert trajectory["calls"][2]["mutates"] is True
    assert trajectory["metadata"]["arguments"]["reason"] == "mistake"  # the default, filled in


def test_wrong_arguments_come_back_as_a_clear_error_and_nothing_runs(
    toolkit: Toolkit, registry: Registry
) -> None:
    outcome = toolkit.execute("cancel_for_customer", {"first_name": "Ada", "order_id": 7})
    assert outcome.status == "invalid_arguments"
    assert not outcome.tool_calls
    text = outcome.content()
    assert "last_name" in text or "order_id" in text
    assert "Expected: first_name: str, last_name: str, order_id: str" in text
    assert registry.reliability("cancel_for_customer").uses == 0


def test_arguments_that_are_not_json_are_explained(toolkit: Toolkit) -> None:
    outcome = toolkit.execute("order_status", '{"order_id": "#W1"')
    assert outcome.status == "invalid_arguments"
    assert "not valid JSON" in outcome.content()


def test_an_unknown_skill_lists_the_available_ones(toolkit: Toolkit) -> None:
    outcome = toolkit.execute("delete_everything", {})
    assert outcome.status == "unknown_skill"
    assert "order_status" in outcome.content()


def test_a_deprecated_skill_is_no_longer_callable(toolkit: Toolkit, registry: Registry) -> None:
    registry.deprecate("order_status", actor="tests", reason="replaced")
    outcome = toolkit.execute("order_status", {"order_id": "#W1"})
    assert outcome.status == "unknown_skill"
    assert "'deprecated'" in outcome.content()


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("order_status", {"order_id": "#W1"}),
        ("search_skills", {"query": "order status"}),
        ("run_skill", {"name": "order_status", "arguments": {"order_id": "#W1"}}),
    ],
)
def test_a_registry_that_cannot_be_read_is_a_tool_result_not_an_exception(
    toolkit: Toolkit, registry: Registry, name: str, arguments: dict[str, Any]
) -> None:
    registry.close()
    outcome = toolkit.execute(name, arguments)
    assert outcome.status == "unavailable"
    assert "registry" in outcome.content()
    assert "nothing ran" in outcome.content()


def test_a_skill_that_raises_returns_the_reason_and_keeps_the_trace(
    toolkit: Toolkit, registry: Registry
) -> None:
    outcome = toolkit.execute("refund_everything", {"order_id": "#W2"})
    assert outcome.status == "error"
    assert outcome.error == {
        "type": "ValueError",
        "message": "refunds are not supported for status delivered",
    }
    assert registry.reliability("refund_everything").failures == 1
    (kept,) = [t.trajectory for t in registry.trajectories() if t.id == outcome.trajectory_id]
    assert kept["outcome"] == "failure"
    assert kept["calls"][0]["name"] == "get_order_details"
    assert kept["metadata"]["error"]["type"] == "ValueError"


def test_a_skill_that_hits_a_limit_says_which(toolkit: Toolkit) -> None:
    outcome = toolkit.execute("count_forever", {"start": 1})
    assert outcome.status == "limit"
    assert outcome.error is not None
    assert outcome.error["type"] == "LimitExceeded"
    assert "limit" in outcome.content()


def test_null_from_a_strict_model_means_the_default(toolkit: Toolkit) -> None:
    outcome = toolkit.execute("order_status", {"order_id": "#W1", "verbose": None})
    assert outcome.ok, outcome.error
    assert outcome.value == "pending"


def test_provider_handlers_answer_in_the_provider_shape(toolkit: Toolkit) -> None:
    arguments = json.dumps({"order_id": "#W1", "verbose": True})
    chat = toolkit.handle_openai_tool_call(
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "order_status", "arguments": arguments},
        }
    )
    assert chat == {"role": "tool", "tool_call_id": "call_1", "content": "pending: i1, i2"}
    responses = toolkit.handle_responses_call(
        {"type": "function_call", "call_id": "fc_1", "name": "order_status", "arguments": arguments}
    )
    assert responses == {
        "type": "function_call_output",
        "call_id": "fc_1",
        "output": "pending: i1, i2",
    }
    anthropic = toolkit.handle_anthropic_tool_use(
        {"type": "tool_use", "id": "tu_1", "name": "order_status", "input": {"order_id": 5}}
    )
    assert anthropic["type"] == "tool_result"
    assert anthropic["tool_use_id"] == "tu_1"
    assert anthropic["is_error"] is True
    assert "order_id" in anthropic["content"]


def test_meta_tools_find_a_skill_and_run_it(toolkit: Toolkit) -> None:
    names = [tool["function"]["name"] for tool in toolkit.meta_tools("openai")]
    assert names == ["search_skills", "run_skill"]
    found = toolkit.execute("search_skills", {"query": "cancel an order", "k": 2})
    assert found.ok
    listed = found.value["skills"]
    assert listed[0]["name"] == "cancel_for_customer"
    assert listed[0]["parameters"]["required"] == ["first_name", "last_name", "order_id"]
    ran = toolkit.execute(
        "run_skill",
        {"name": "order_status", "arguments": json.dumps({"order_id": "#W2"})},
    )
    assert ran.ok
    assert ran.value == "delivered"
    missing = toolkit.execute("run_skill", {"arguments": {}})
    assert missing.status == "invalid_arguments"


def test_a_skill_stopped_by_its_own_guard_does_not_count_against_its_reliability(
    toolkit: Toolkit, registry: Registry
) -> None:
    outcome = toolkit.execute(
        "cancel_for_customer", {"first_name": "Bob", "last_name": "L", "order_id": "#W1"}
    )

    assert outcome.status == "error"
    assert outcome.error is not None
    assert outcome.error["type"] == "SkillPrecondition"
    assert [call["name"] for call in outcome.tool_calls] == ["find_user_id", "get_order_details"]
    reliability = registry.reliability("cancel_for_customer")
    assert (reliability.successes, reliability.failures) == (1, 0)
