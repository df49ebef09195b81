"""Versions, provenance, evidence, lifecycle operations and outcomes on a real SQLite file."""

from __future__ import annotations

import json

import pytest

import skill_registry
from skill_registry import (
    GateNotPassed,
    InvalidRecord,
    InvalidTransition,
    Policy,
    Provenance,
    Registry,
    State,
    TrajectoryRef,
    UnknownSkillError,
    UnknownVersionError,
)
from tests.registry.helpers import PROVENANCE, add, pass_gates

TRAJECTORY = {
    "id": "retail-7",
    "task": "Where is my order #W123? It should have arrived.",
    "calls": [{"name": "get_order_details", "arguments": {"order_id": "#W123"}, "result": {}}],
}


def test_public_surface_is_pinned() -> None:
    assert set(skill_registry.__all__) == {
        "TRANSITIONS", "AuditEntry", "CorruptRegistry", "Embedder", "GateNotPassed",
        "IncompatibleRegistry", "InvalidRecord", "InvalidTransition", "NewVersion", "NotARegistry",
        "OutcomeRecord", "Policy", "Provenance", "Registry", "RegistryBusy", "RegistryError",
        "RegistryNotFound", "RegistryUnavailable", "RegressionCase", "Reliability", "ReportKind",
        "ReportRecord",
        "SearchHit", "SearchWeights", "SkillSummary", "State", "TrajectoryRecord",
        "TrajectoryRef", "UnknownSkillError", "UnknownVersionError", "VersionRecord",
        "allowed_transitions",
    }  # fmt: skip


def test_a_new_skill_starts_as_a_current_draft_version_one(registry: Registry) -> None:
    record = add(registry)
    assert (record.version, record.state, record.is_current) == (1, State.DRAFT, True)
    assert registry.get("get_order") == record
    assert len(record.content_hash) == 64


def test_adding_the_same_source_again_returns_the_stored_version(registry: Registry) -> None:
    first = add(registry)
    again = add(registry, summary="another summary")
    assert again.version == first.version == 1
    assert [v.version for v in registry.versions("get_order")] == [1]


def test_a_changed_source_becomes_the_next_version(registry: Registry) -> None:
    add(registry)
    second = add(registry, body="return {}")
    assert second.version == 2
    assert [v.version for v in registry.versions("get_order")] == [1, 2]


def test_provenance_keeps_source_trajectories_and_their_full_json(registry: Registry) -> None:
    provenance = Provenance(
        synthesizer="model:some-llm",
        source_trajectories=(TrajectoryRef(id="other", digest="f" * 64),),
    )
    record = add(registry, provenance=provenance, trajectories=[TRAJECTORY])
    refs = record.provenance.source_trajectories
    assert [ref.id for ref in refs] == ["other", "retail-7"]
    assert record.provenance.synthesizer == "model:some-llm"
    kept = registry.source_trajectories("get_order")
    assert [t.trajectory for t in kept] == [TRAJECTORY]
    assert kept[0].digest == refs[1].digest


def test_provenance_details_are_kept_as_given(registry: Registry) -> None:
    details = {"effects": {"cancel_order": {"effect": "write", "evidence": ["its name says so"]}}}
    provenance = Provenance(synthesizer="skillbank.synthesis", details=details)
    record = add(registry, provenance=provenance)
    assert record.provenance.details == details
    assert registry.get("get_order").provenance.details == details


def test_provenance_details_that_are_not_json_are_refused(registry: Registry) -> None:
    provenance = Provenance(synthesizer="skillbank.synthesis", details={"when": object()})
    with pytest.raises(InvalidRecord, match=r"provenance\.details"):
        add(registry, provenance=provenance)
    assert registry.list_skills() == []


def test_relearning_the_same_source_links_the_new_trajectories(registry: Registry) -> None:
    add(registry, trajectories=[TRAJECTORY])
    again = add(registry, trajectories=[TRAJECTORY, {**TRAJECTORY, "id": "retail-8"}])
    assert [ref.id for ref in again.provenance.source_trajectories] == ["retail-7", "retail-8"]


def test_unknown_skill_error_names_close_matches(registry: Registry) -> None:
    add(registry)
    with pytest.raises(UnknownSkillError, match="did you mean") as caught:
        registry.get("get_ordr")
    assert caught.value.close_matches == ("get_order",)
    assert isinstance(caught.value, LookupError)


def test_unknown_version_error_lists_stored_versions(registry: Registry) -> None:
    add(registry)
    with pytest.raises(UnknownVersionError, match=r"stored versions: \[1\]"):
        registry.get("get_order", version=3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "not a name!", "not valid"),
        ("schema", ["not", "an", "object"], "JSON object"),
        ("schema", {"default": object()}, "not JSON-serialisable"),
        ("source", "  ", "non-empty"),
        ("tools", "get_order_details", "sequence of tool names"),
    ],
)
def test_invalid_input_is_refused_with_a_message(
    registry: Registry, field: str, value: object, message: str
) -> None:
    arguments: dict[str, object] = {
        "source": "def f(tools): ...",
        "schema": {},
        "summary": "s",
        "tools": (),
        "provenance": PROVENANCE,
    }
    name = "skill"
    if field == "name":
        name = str(value)
    else:
        arguments[field] = value
    with pytest.raises(InvalidRecord, match=message):
        registry.add_version(name, **arguments)  # type: ignore[arg-type]


def test_promote_without_passing_reports_is_refused_naming_what_is_missing(
    registry: Registry,
) -> None:
    record = add(registry)
    registry.record_report(record.content_hash, kind="check", passed=True, report={})
    registry.record_report(record.content_hash, kind="verify", passed=False, report={"failed": 1})
    with pytest.raises(GateNotPassed, match="the latest verify report failed") as caught:
        registry.promote("get_order", actor="human:reviewer", reason="looks right")
    assert caught.value.missing == ("the latest verify report failed",)
    assert registry.get("get_order").state is State.DRAFT
    assert [e.action for e in registry.audit_log("get_order")] == ["create"]


def test_reports_of_another_content_hash_do_not_open_the_gate(registry: Registry) -> None:
    first = add(registry)
    pass_gates(registry, first)
    second = add(registry, body="return {}")
    registry.transition("get_order", version=2, to=State.CANDIDATE, actor="a", reason="r")
    with pytest.raises(GateNotPassed, match="no check report, no verify report"):
        registry.transition("get_order", version=2, to=State.VERIFIED, actor="a", reason="r")
    assert second.content_hash != first.content_hash


def test_promotion_walks_the_gates_and_records_each_step(registry: Registry) -> None:
    record = add(registry)
    pass_gates(registry, record)
    promoted = registry.promote("get_order", actor="human:reviewer", reason="tests pass")
    assert promoted.state is State.PROMOTED
    assert len(promoted.gated_by) == 2
    steps = [(e.from_state, e.to_state) for e in registry.audit_log("get_order")]
    assert steps == [
        (None, State.DRAFT),
        (State.DRAFT, State.CANDIDATE),
        (State.CANDIDATE, State.VERIFIED),
        (State.VERIFIED, State.PROMOTED),
    ]
    assert {e.actor for e in registry.audit_log("get_order")[1:]} == {"human:reviewer"}


def test_an_invalid_transition_is_refused_naming_the_allowed_ones(registry: Registry) -> None:
    add(registry)
    with pytest.raises(
        InvalidTransition, match=r"allowed from 'draft': \['candidate', 'rejected'\]"
    ):
        registry.transition("get_order", version=1, to=State.DEPRECATED, actor="a", reason="r")


def test_a_new_version_does_not_replace_the_promoted_one_until_promoted(
    registry: Registry,
) -> None:
    first = add(registry)
    pass_gates(registry, first)
    registry.promote("get_order", actor="a", reason="r")
    second = add(registry, body="return {}")
    assert registry.get("get_order").version == 1
    assert not second.is_current
    pass_gates(registry, second)
    registry.promote("get_order", actor="a", reason="better")
    assert registry.get("get_order").version == 2
    assert registry.get("get_order", version=1).state is State.DEPRECATED
    assert registry.audit_log("get_order")[-2].action == "supersede"


def test_rollback_makes_an_earlier_version_current_again(registry: Registry) -> None:
    for body in ("return 1", "return 2"):
        record = add(registry, body=body)
        pass_gates(registry, record)
        registry.promote("get_order", version=record.version, actor="a", reason="r")
    back = registry.rollback("get_order", to_version=1, actor="human:oncall", reason="v2 broke")
    assert (back.version, back.state, back.is_current) == (1, State.PROMOTED, True)
    assert registry.get("get_order", version=2).state is State.DEPRECATED
    last = registry.audit_log("get_order")[-1]
    assert (last.action, last.version, last.actor) == ("rollback", 1, "human:oncall")


def test_rollback_to_a_never_verified_version_is_refused(registry: Registry) -> None:
    add(registry)
    second = add(registry, body="return 2")
    pass_gates(registry, second)
    registry.promote("get_order", version=2, actor="a", reason="r")
    with pytest.raises(InvalidTransition, match="allowed from 'draft'"):
        registry.rollback("get_order", to_version=1, actor="a", reason="r")


def test_regression_cases_survive_new_versions(registry: Registry) -> None:
    add(registry)
    case = {"arguments": {"order_id": "#W1"}, "expected": {"status": "delivered"}}
    stored = registry.add_regression_case("get_order", case, version=1)
    add(registry, body="return {}")
    assert registry.add_regression_case("get_order", case, version=2) == stored
    assert [c.case for c in registry.regression_cases("get_order")] == [case]
    assert stored.added_in_version == 1


def test_outcomes_feed_the_beta_posterior(registry: Registry) -> None:
    add(registry)
    for success in (True, True, True, False):
        registry.record_outcome("get_order", version=1, success=success, duration_seconds=0.2)
    result = registry.reliability("get_order")
    assert (result.successes, result.failures) == (3, 1)
    assert result.mean == pytest.approx(4 / 6)
    assert 0 < result.lower_bound < result.mean


def test_guard_refusals_are_counted_per_version_apart_from_the_posterior(
    registry: Registry,
) -> None:
    add(registry)
    for success, refused in ((True, True), (True, True), (False, True), (True, False)):
        outcome = registry.record_outcome(
            "get_order", version=1, success=success, duration_seconds=0.1, refused=refused
        )
        assert outcome.refused is refused
    result = registry.reliability("get_order")
    assert (result.successes, result.failures, result.refusals) == (3, 1, 3)
    assert result.mean == pytest.approx(4 / 6)
    (listed,) = registry.list_skills()
    assert listed.reliability.refusals == 3
    assert registry.reliability("get_order").to_json()["refusals"] == 3


def test_a_refused_flag_that_is_not_a_bool_is_refused(registry: Registry) -> None:
    add(registry)
    with pytest.raises(InvalidRecord, match="refused must be a bool"):
        registry.record_outcome(
            "get_order",
            version=1,
            success=True,
            duration_seconds=0.1,
            refused="yes",  # type: ignore[arg-type]
        )


def test_outcome_trajectories_are_kept_for_relearning(registry: Registry) -> None:
    add(registry)
    outcome = registry.record_outcome(
        "get_order", version=1, success=True, duration_seconds=0.1, trajectory=TRAJECTORY
    )
    kept = registry.trajectories(source="outcome:get_order@1")
    assert [t.digest for t in kept] == [outcome.trajectory_digest]
    assert kept[0].task == TRAJECTORY["task"]


def test_policy_promotes_a_verified_version_after_enough_successes(
    registry_location: str,
) -> None:
    policy = Policy(promote_after_successes=5, promote_min_lower_bound=0.5)
    with Registry.open(registry_location, policy=policy, create=True) as registry:
        record = add(registry)
        pass_gates(registry, record)
        registry.transition("get_order", version=1, to=State.CANDIDATE, actor="a", reason="r")
        registry.transition("get_order", version=1, to=State.VERIFIED, actor="a", reason="r")
        for _ in range(5):
            registry.record_outcome("get_order", version=1, success=True, duration_seconds=0.1)
        assert registry.get("get_order").state is State.PROMOTED
        last = registry.audit_log("get_order")[-1]
        assert (last.action, last.actor) == ("auto-promote", "policy")


def test_policy_demotes_an_unreliable_promoted_version(registry_location: str) -> None:
    policy = Policy(demote_after_uses=10, demote_below_lower_bound=0.5)
    with Registry.open(registry_location, policy=policy, create=True) as registry:
        record = add(registry)
        pass_gates(registry, record)
        registry.promote("get_order", actor="a", reason="r")
        for index in range(10):
            registry.record_outcome(
                "get_order", version=1, success=index % 4 == 0, duration_seconds=0.1
            )
        assert registry.get("get_order").state is State.CANDIDATE
        assert registry.audit_log("get_order")[-1].action == "auto-demote"


def test_a_tool_schema_change_sends_its_skills_back_for_reverification(
    registry: Registry,
) -> None:
    record = add(registry)
    pass_gates(registry, record)
    registry.promote("get_order", actor="a", reason="r")
    add(registry, "unrelated", tools=("list_products",))
    assert registry.tool_schema_changed("get_order_details", {"type": "object"}) == []
    assert registry.tool_schema_changed("get_order_details", {"type": "object"}) == []
    demoted = registry.tool_schema_changed(
        "get_order_details", {"type": "object", "required": ["order_id"]}
    )
    assert [(d.name, d.state) for d in demoted] == [("get_order", State.CANDIDATE)]
    assert registry.audit_log("get_order")[-1].action == "tool-schema-changed"
    # The old reports no longer count: re-verification must record new ones.
    with pytest.raises(GateNotPassed, match="since it was sent back"):
        registry.transition("get_order", version=1, to=State.VERIFIED, actor="a", reason="r")
    pass_gates(registry, record)
    registry.transition("get_order", version=1, to=State.VERIFIED, actor="a", reason="r")


def test_list_skills_shows_the_current_version_and_its_reliability(registry: Registry) -> None:
    add(registry)
    record = add(registry, "cancel_order", summary="Cancel a pending order")
    pass_gates(registry, record)
    registry.promote("cancel_order", actor="a", reason="r")
    registry.record_outcome("cancel_order", version=1, success=True, duration_seconds=0.1)
    listed = {s.name: s for s in registry.list_skills()}
    assert listed["cancel_order"].reliability.successes == 1
    assert [s.name for s in registry.list_skills(state="promoted")] == ["cancel_order"]


def test_every_record_serialises_to_json(registry: Registry) -> None:
    record = add(registry, trajectories=[TRAJECTORY])
    report = registry.record_report(record.content_hash, kind="check", passed=True, report={})
    values = [
        record,
        report,
        registry.audit_log()[0],
        registry.list_skills()[0],
        registry.reliability("get_order"),
        registry.record_outcome("get_order", version=1, success=True, duration_seconds=0.1),
        registry.source_trajectories("get_order")[0],
        registry.add_regression_case("get_order", {"a": 1}, version=1),
        *registry.search("order", states=None),
    ]
    for value in values:
        assert json.loads(json.dumps(value.to_json())) == value.to_json()
    assert record.to_json()["state"] == "draft"


def test_record_report_refuses_a_value_that_is_not_a_content_hash(registry: Registry) -> None:
    with pytest.raises(InvalidRecord, match="sha256 hex digest"):
        registry.record_report("get_order", kind="check", passed=True, report={})
