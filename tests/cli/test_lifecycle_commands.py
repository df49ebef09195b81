"""promote, deprecate, reject, rollback and review on a hand-seeded registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_seed import VERIFY_PASSED
from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli.app import app

runner = CliRunner()
CANCEL = "cancel_order_for_customer"


def run_json(*args: str, exit_code: int = 0, input: str | None = None) -> Any:
    result = runner.invoke(app, [*args, "--json"], input=input)
    assert result.exit_code == exit_code, result.output
    # CliRunner echoes typed answers into stdout (a terminal would show them instead): the
    # document is the last line.
    return json.loads(result.stdout.splitlines()[-1])


def test_promote_without_passing_tests_is_refused(seeded_db: Path) -> None:
    document = run_json(
        "promote", CANCEL, "--reason", "looks fine", "--db", str(seeded_db), exit_code=1
    )
    assert "v2" in document["error"]
    assert "verify" in document["error"]
    with Registry.open(seeded_db) as registry:
        assert registry.get(CANCEL, version=2).state.value == "candidate"


def test_promote_of_a_version_whose_gates_passed_makes_it_current(seeded_db: Path) -> None:
    document = run_json(
        "promote", CANCEL, "--version", "1", "--reason", "reviewed", "--db", str(seeded_db)
    )
    assert document == {
        "name": CANCEL,
        "version": 1,
        "state": "promoted",
        "previous_state": "candidate",
        "is_current": True,
    }
    with Registry.open(seeded_db) as registry:
        last = registry.audit_log(CANCEL)[-1]
    assert last.reason == "reviewed"
    assert last.actor.startswith("cli")


def test_promote_requires_a_reason(seeded_db: Path) -> None:
    result = runner.invoke(app, ["promote", CANCEL, "--db", str(seeded_db)])
    assert result.exit_code == 2


def test_deprecate_takes_the_current_version_out_of_service(seeded_db: Path) -> None:
    run_json("promote", CANCEL, "--version", "1", "--reason", "ok", "--db", str(seeded_db))
    document = run_json("deprecate", CANCEL, "--reason", "policy changed", "--db", str(seeded_db))
    assert (document["version"], document["state"]) == (1, "deprecated")
    assert run_json("list", "--state", "promoted", "--db", str(seeded_db))["skills"] == []


def test_reject_marks_a_draft_as_never_to_be_promoted(seeded_db: Path) -> None:
    document = run_json(
        "reject",
        "return_items_for_customer",
        "--reason",
        "refunds the wrong card",
        "--db",
        str(seeded_db),
    )
    assert document["state"] == "rejected"
    refused = run_json(
        "promote", "return_items_for_customer", "--reason", "x", "--db", str(seeded_db), exit_code=1
    )
    assert "rejected" in refused["error"]


def test_rollback_makes_an_earlier_version_current_again(seeded_db: Path) -> None:
    with Registry.open(seeded_db) as registry:
        v2 = registry.get(CANCEL, version=2)
        registry.record_report(v2.content_hash, kind="verify", passed=True, report=VERIFY_PASSED)
    run_json("promote", CANCEL, "--version", "1", "--reason", "ok", "--db", str(seeded_db))
    run_json("promote", CANCEL, "--version", "2", "--reason", "better", "--db", str(seeded_db))
    document = run_json("rollback", CANCEL, "--to", "1", "--db", str(seeded_db))
    assert document["version"] == 1
    assert document["state"] == "promoted"
    assert document["is_current"] is True
    shown = run_json("show", CANCEL, "--db", str(seeded_db))
    assert shown["version"] == 1
    assert shown["audit"][-1]["action"] == "rollback"


def test_rollback_to_an_unknown_version_is_bad_input(seeded_db: Path) -> None:
    document = run_json("rollback", CANCEL, "--to", "9", "--db", str(seeded_db), exit_code=2)
    assert "9" in document["error"]


def _reject_v2(db: Path) -> None:
    with Registry.open(db, create=True) as registry:
        registry.reject(CANCEL, version=2, actor="t", reason="failed verification")


def test_review_walks_only_the_latest_version_of_each_skill(seeded_db: Path) -> None:
    # v2 superseded v1: the walk offers v2 only (the return skill is a draft, not reviewable)
    document = run_json("review", "--db", str(seeded_db), input="s\n")
    assert [(d["name"], d["version"]) for d in document["reviewed"]] == [(CANCEL, 2)]
    assert document["remaining"] == 0


def test_review_records_a_promotion_with_its_reason(seeded_db: Path) -> None:
    _reject_v2(seeded_db)  # a rejected version supersedes nothing: v1 is the one to review
    document = run_json("review", "--db", str(seeded_db), input="p\nlooked at the code\n")
    assert [(d["version"], d["decision"], d["state"]) for d in document["reviewed"]] == [
        (1, "promote", "promoted")
    ]
    with Registry.open(seeded_db) as registry:
        assert registry.audit_log(CANCEL)[-1].reason == "looked at the code"


def test_review_promotion_reason_defaults_to_reviewed_on_enter(seeded_db: Path) -> None:
    _reject_v2(seeded_db)
    result = runner.invoke(app, ["review", "--db", str(seeded_db)], input="p\n\n")
    assert result.exit_code == 0, result.output
    assert "reason for promoting (Enter for 'reviewed')" in result.output
    with Registry.open(seeded_db) as registry:
        assert registry.audit_log(CANCEL)[-1].reason == "reviewed"


def test_review_rejects_with_a_reason(seeded_db: Path) -> None:
    document = run_json("review", "--db", str(seeded_db), input="r\nnot deterministic\n")
    assert [(d["decision"], d["state"]) for d in document["reviewed"]] == [("reject", "rejected")]
    with Registry.open(seeded_db) as registry:
        assert registry.audit_log(CANCEL)[-1].reason == "not deterministic"


def test_review_reprompts_an_invalid_choice_naming_the_valid_ones(seeded_db: Path) -> None:
    result = runner.invoke(app, ["review", "--db", str(seeded_db)], input="x\nskip\n")
    assert result.exit_code == 0, result.output
    assert "'x' is not a choice: answer p, r, s or q" in result.output
    assert "[1/1]" in result.output
    assert f"{CANCEL} v2: skip → candidate" in result.output.splitlines()


def test_review_stops_cleanly_at_end_of_input_with_the_summary(seeded_db: Path) -> None:
    document = run_json("review", "--db", str(seeded_db), input="")
    assert document == {"reviewed": [], "remaining": 1}
    result = runner.invoke(app, ["review", "--db", str(seeded_db)], input="")
    assert result.exit_code == 0, result.output
    assert "End of input" in result.output
    assert "1 version left to review." in result.output.splitlines()


def test_review_can_quit(seeded_db: Path) -> None:
    document = run_json("review", "--db", str(seeded_db), input="q\n")
    assert document["reviewed"] == []
    assert document["remaining"] == 1


def test_review_reports_a_promotion_the_gates_refuse(seeded_db: Path) -> None:
    document = run_json("review", "--db", str(seeded_db), input="p\nok\n", exit_code=1)
    refused = document["reviewed"][0]
    assert refused["decision"] == "refused"
    assert refused["state"] == "candidate"


def test_every_command_documents_an_example() -> None:
    for command in (
        "list",
        "show",
        "diff",
        "promote",
        "deprecate",
        "reject",
        "rollback",
        "search",
        "review",
        "report",
        "demo",
    ):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example: skillbank " + command in result.output
