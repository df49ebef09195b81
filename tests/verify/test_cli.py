"""``skillbank verify`` and ``skillbank add`` on a real SQLite registry."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skill_registry import Provenance, Registry
from skills_runtime.cli.app import app

from . import skills

runner = CliRunner()


def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "skills.db"
    with Registry.open(path, create=True) as registry:
        trajectory = {
            "id": "schemas",
            "tool_schemas": [
                {"name": name, "parameters": schema} for name, schema in skills.TOOL_SCHEMAS.items()
            ],
        }
        record = registry.add_version(
            "cancel_pending_order",
            source=skills.CANCEL,
            schema={"parameters": {"type": "object"}},
            summary="Cancel a pending order.",
            provenance=Provenance(synthesizer="test-synthesizer"),
            trajectories=[trajectory],
        )
        for case in skills.CANCEL_CASES:
            registry.add_regression_case(
                "cancel_pending_order", case.to_json(), version=record.version
            )
    return path


def test_verify_prints_one_json_report_and_exits_0_when_it_passes(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    result = runner.invoke(app, ["verify", "cancel_pending_order", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["passed"] is True
    assert document["state"] == "verified"
    names = [item["name"] for item in document["verify"]["properties"]]
    assert "no_unexpected_exception" in names


def test_verify_of_an_unknown_skill_exits_2_naming_close_names(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    result = runner.invoke(app, ["verify", "cancel_pending_ordr", "--json", "--db", str(db)])
    assert result.exit_code == 2
    assert "cancel_pending_order" in json.loads(result.stdout)["error"]


def test_add_registers_a_new_version_and_exits_1_when_it_breaks_regressions(
    tmp_path: Path,
) -> None:
    db = seeded(tmp_path)
    edited = tmp_path / "edited.py"
    edited.write_text(skills.CANCEL_WRONG_ARGUMENT)
    result = runner.invoke(
        app,
        [
            "add",
            str(edited),
            "--name",
            "cancel_pending_order",
            "--author",
            "human:bob",
            "--json",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["version"] == 2
    assert document["provenance"]["synthesizer"] == "human:bob"
    assert document["provenance"]["parent_version"] == 1
    broken = document["gates"]["broken_regressions"]
    assert {case["trajectory_id"] for case in broken} == {"cancel-#W2378156", "cancel-#W4817420"}
    failed = [p for p in document["gates"]["verify"]["properties"] if not p["passed"]]
    assert failed[0]["falsifying_example"] is not None


def test_add_without_verification_leaves_a_draft(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    edited = tmp_path / "edited.py"
    edited.write_text(skills.CANCEL + "\n")
    result = runner.invoke(
        app,
        [
            "add",
            str(edited),
            "--name",
            "cancel_pending_order",
            "--no-verify",
            "--json",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["state"] == "draft"
    assert document["gates"] is None


def test_verify_human_output_shows_the_falsifying_example(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    edited = tmp_path / "edited.py"
    edited.write_text(skills.CANCEL_WRONG_ARGUMENT)
    runner.invoke(
        app, ["add", str(edited), "--name", "cancel_pending_order", "--no-verify", "--db", str(db)]
    )
    result = runner.invoke(
        app, ["verify", "cancel_pending_order", "--version", "2", "--db", str(db)]
    )
    assert result.exit_code == 1
    assert "tool_calls_match_schemas" in result.stdout
    assert "falsifying example" in result.stdout
