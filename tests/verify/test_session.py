"""The verification session (replays + property search), run in this process on restricted skills.

These tests drive ``run_session`` directly: the same trusted function the sandbox worker runs,
with the skill compiled and executed by ``sandbox.restricted``.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.replay import ReplayCase
from skills_runtime.verify.report import VerifySettings
from skills_runtime.verify.session import run_session, session_payload
from skills_runtime.verify.verifier import observed_arguments

from . import skills

FAST = VerifySettings(max_examples=25, call_seconds=0.3)

CANCEL_PARAMETERS = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "reason": {"type": "string", "enum": ["no longer needed", "ordered by mistake"]},
    },
    "required": ["order_id", "reason"],
}
ADDRESS_PARAMETERS = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "address": {"type": "object", "additionalProperties": {"type": "string"}},
        "payment_method_id": {"type": "string"},
    },
    "required": ["order_id", "address", "payment_method_id"],
}
PRODUCT_PARAMETERS = {
    "type": "object",
    "properties": {"product_id": {"type": "string"}},
    "required": ["product_id"],
}


def session(
    source: str,
    entry: str,
    cases: list[ReplayCase],
    parameters: dict[str, Any],
    *,
    returns: dict[str, Any] | None = None,
    settings: VerifySettings = FAST,
) -> dict[str, Any]:
    payload = session_payload(
        source=source,
        entry=entry,
        parameters_schema=parameters,
        returns_schema=returns,
        tool_schemas=skills.TOOL_SCHEMAS,
        cases=cases,
        observed=observed_arguments(cases),
        settings=settings,
    )
    return run_session(payload)


def properties(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in result["properties"]}


def test_a_correct_skill_replays_every_case_and_holds_every_property() -> None:
    result = session(
        skills.CANCEL,
        "cancel_pending_order",
        skills.CANCEL_CASES,
        CANCEL_PARAMETERS,
        returns={"type": "object"},
    )
    assert result["rejected"] is None
    assert [replay["passed"] for replay in result["replays"]] == [True, True]
    assert all(item["passed"] for item in result["properties"]), result["properties"]
    assert all(item["examples"] > 0 for item in result["properties"])


def test_a_key_error_on_some_inputs_is_found_and_shrunk() -> None:
    result = session(
        skills.ADDRESS_AND_PAYMENT,
        "update_address_and_payment",
        skills.ADDRESS_CASES,
        ADDRESS_PARAMETERS,
    )
    assert result["replays"][0]["passed"]
    failed = properties(result)["no_unexpected_exception"]
    assert not failed["passed"]
    assert failed["error"].startswith("KeyError: 'address1'")
    # The skill runs as written (typing import included): the line is the typed source's.
    assert failed["error"].endswith("(line 18)")
    # Found near a recorded address (one key dropped), and shrunk: no address1.
    assert "address1" not in failed["falsifying_example"]["arguments"]["address"]


def test_a_guarded_skill_turns_the_same_inputs_into_an_expected_precondition() -> None:
    result = session(
        skills.ADDRESS_AND_PAYMENT_GUARDED,
        "update_address_and_payment",
        skills.ADDRESS_CASES,
        ADDRESS_PARAMETERS,
    )
    assert all(item["passed"] for item in result["properties"]), result["properties"]


def test_a_wrong_tool_argument_breaks_the_replay_and_the_tool_schema_property() -> None:
    result = session(
        skills.CANCEL_WRONG_ARGUMENT,
        "cancel_pending_order",
        skills.CANCEL_CASES,
        CANCEL_PARAMETERS,
    )
    replay = result["replays"][0]
    assert not replay["passed"]
    assert any("write #1: expected cancel_pending_order" in reason for reason in replay["reasons"])
    failed = properties(result)["tool_calls_match_schemas"]
    assert not failed["passed"]
    assert "'changed my mind' is not one of" in failed["error"]
    assert failed["falsifying_example"]["tool_calls"][-1]["name"] == "cancel_pending_order"


def test_a_wrong_write_order_fails_the_replay_with_the_expected_write_named() -> None:
    result = session(
        skills.ADDRESS_AND_PAYMENT_SWAPPED,
        "update_address_and_payment",
        skills.ADDRESS_CASES,
        ADDRESS_PARAMETERS,
    )
    (replay,) = result["replays"]
    assert not replay["passed"]
    assert replay["reasons"][0].startswith("write #1: expected modify_pending_order_address")


def test_a_skill_that_depends_on_the_order_of_object_keys_is_not_deterministic() -> None:
    result = session(
        skills.FIRST_VARIANT, "first_variant", skills.PRODUCT_CASES, PRODUCT_PARAMETERS
    )
    assert result["replays"][0]["passed"]  # the recording alone cannot tell
    failed = properties(result)["deterministic"]
    assert not failed["passed"]
    assert "ended differently" in failed["error"]


def test_a_skill_that_sorts_before_choosing_is_deterministic() -> None:
    result = session(
        skills.CHEAPEST_VARIANT,
        "cheapest_variant",
        skills.PRODUCT_CASES,
        PRODUCT_PARAMETERS,
        returns={"type": "string"},
    )
    assert all(item["passed"] for item in result["properties"]), result["properties"]


def test_a_skill_that_never_returns_fails_within_limits_and_stops_the_search() -> None:
    result = session(
        skills.RUNAWAY,
        "spin",
        skills.PRODUCT_CASES,
        PRODUCT_PARAMETERS,
        settings=VerifySettings(max_examples=5, call_seconds=0.2),
    )
    assert result["replays"][0]["reasons"] == [
        "the skill exceeded a limit: still running after 0.2 s"
    ]
    failed = properties(result)["within_limits"]
    assert not failed["passed"]
    assert "still running after 0.2 s" in failed["error"]
    others = [item for item in result["properties"] if item["name"] != "within_limits"]
    assert all(item["error"].startswith("not checked") for item in others)


def test_a_wrong_return_value_is_named_by_the_return_schema_property() -> None:
    result = session(
        skills.CHEAPEST_VARIANT,
        "cheapest_variant",
        skills.PRODUCT_CASES,
        PRODUCT_PARAMETERS,
        returns={"type": "integer"},
    )
    failed = properties(result)["returns_match_schema"]
    assert not failed["passed"]
    assert "is not of type 'integer'" in failed["error"]


def test_a_case_whose_arguments_no_longer_fit_the_signature_is_broken_with_that_reason() -> None:
    old_case = ReplayCase(
        trajectory_id="old",
        arguments={"order": "#W2378156", "reason": "no longer needed"},
        calls=skills.CANCEL_CASES[0].calls,
    )
    result = session(skills.CANCEL, "cancel_pending_order", [old_case], CANCEL_PARAMETERS)
    (replay,) = result["replays"]
    assert not replay["passed"]
    assert any("'order' is not a parameter of the skill" in r for r in replay["reasons"])
    assert any("'order_id' is a required property" in r for r in replay["reasons"])


def test_source_the_sandbox_refuses_is_reported_not_raised() -> None:
    result = session(
        "import os\n\ndef f(tools):\n    return os.getcwd()\n", "f", [], {"type": "object"}
    )
    assert result["rejected"]
