"""The promotion gate: check, verify, record both reports, move the version as far as they allow."""

from __future__ import annotations

import pytest

from skill_registry import GateNotPassed, Registry, State
from skills_runtime.gates import GateResult, add_edited_version, run_gates

from . import skills
from .conftest import FAST, store


def gate(registry: Registry, name: str, version: int) -> GateResult:
    return run_gates(
        registry, name, version=version, tool_schemas=skills.TOOL_SCHEMAS, settings=FAST
    )


def test_a_good_skill_moves_from_draft_to_verified_and_both_reports_are_recorded(
    registry: Registry,
) -> None:
    version = store(registry, "cancel", skills.CANCEL, skills.CANCEL_CASES)
    result = gate(registry, "cancel", version)
    assert result.passed, result.reasons
    assert result.state == "verified"
    assert result.transitions == ("draft→candidate", "candidate→verified")
    record = registry.get("cancel", version=version)
    assert record.state is State.VERIFIED
    kinds = {(report.kind, report.passed) for report in registry.reports(record.content_hash)}
    assert kinds == {("check", True), ("verify", True)}
    registry.promote("cancel", version=version, actor="test", reason="gates passed")
    assert registry.get("cancel", version=version).state is State.PROMOTED


def test_a_skill_that_fails_verification_stays_candidate_and_promotion_is_refused(
    registry: Registry,
) -> None:
    version = store(registry, "cancel", skills.CANCEL_WRONG_ARGUMENT, skills.CANCEL_CASES)
    result = gate(registry, "cancel", version)
    assert not result.passed
    assert result.state == "candidate"
    assert any(reason.startswith("replay cancel-#W2378156") for reason in result.reasons)
    assert any(reason.startswith("property tool_calls_match_schemas") for reason in result.reasons)
    with pytest.raises(GateNotPassed, match="verify"):
        registry.promote("cancel", version=version, actor="test", reason="try anyway")


def test_an_edited_version_must_pass_every_regression_case_of_the_earlier_versions(
    registry: Registry,
) -> None:
    first = store(registry, "cancel", skills.CANCEL, skills.CANCEL_CASES)
    gate(registry, "cancel", first)
    edited = add_edited_version(
        registry, "cancel", skills.CANCEL_WRONG_ARGUMENT, author="model:editor"
    )
    assert edited.version == first + 1
    result = gate(registry, "cancel", edited.version)
    assert not result.passed
    broken = {case.trajectory_id: case for case in result.broken_regressions}
    assert set(broken) == {"cancel-#W2378156", "cancel-#W4817420"}
    assert all(case.added_in_version == first for case in broken.values())
    assert any(
        "write #1: expected cancel_pending_order" in r for r in broken["cancel-#W2378156"].reasons
    )


def test_a_renamed_parameter_breaks_old_cases_with_the_reason_named(registry: Registry) -> None:
    first = store(registry, "cancel", skills.CANCEL, skills.CANCEL_CASES)
    renamed = skills.CANCEL.replace("order_id", "order").replace("order=order", "order_id=order")
    edited = add_edited_version(registry, "cancel", renamed, author="alice")
    result = gate(registry, "cancel", edited.version)
    assert not result.passed
    (case, *_rest) = result.broken_regressions
    assert case.added_in_version == first
    assert any(
        "arguments no longer fit the signature: argument 'order_id' is not a parameter" in reason
        for reason in case.reasons
    )


def test_an_edited_version_records_its_author_and_parent(registry: Registry) -> None:
    first = store(registry, "cancel", skills.CANCEL, skills.CANCEL_CASES)
    registry.transition("cancel", version=first, to=State.CANDIDATE, actor="t", reason="r")
    edited = add_edited_version(registry, "cancel", skills.CANCEL + "\n", author="alice")
    assert edited.state is State.DRAFT
    assert edited.provenance.synthesizer == "human:alice"
    assert edited.provenance.parent_version == first
    assert edited.schema["parameters"]["required"] == ["order_id", "reason"]
    by_model = add_edited_version(registry, "cancel", skills.CANCEL + "\n\n", author="model:m1")
    assert by_model.provenance.synthesizer == "model:m1"


def test_a_source_the_check_rejects_stays_draft_without_a_verification(
    registry: Registry,
) -> None:
    version = store(
        registry, "cancel", "import os\n\n\ndef cancel(tools) -> str:\n    return os.getcwd()\n", []
    )
    result = gate(registry, "cancel", version)
    assert not result.passed
    assert result.state == "draft"
    assert result.verification is None
    assert "verification not run: the check found errors" in result.reasons
