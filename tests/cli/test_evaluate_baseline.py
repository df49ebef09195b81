"""``skillbank evaluate`` puts the skills beside the raw-trajectory baseline and lists harm."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TRAJECTORIES = ROOT / "examples" / "bookshop" / "trajectories.jsonl"

runner = CliRunner()


def _cancel_family(tmp_path: Path) -> Path:
    lines = TRAJECTORIES.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cancel.jsonl"
    path.write_text(
        "".join(line + "\n" for line in lines if json.loads(line)["family"] == "cancel"),
        encoding="utf-8",
    )
    return path


def test_evaluate_reports_the_baseline_the_comparison_and_harm(tmp_path: Path) -> None:
    cancel = _cancel_family(tmp_path)
    db = ["--db", str(tmp_path / "s.db")]
    learned = runner.invoke(app, ["learn", str(cancel), "--split", "train", *db, "--json"])
    assert learned.exit_code == 0, learned.stdout

    result = runner.invoke(app, ["evaluate", str(cancel), "--split", "test", *db, "--json"])

    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    baseline = report["baseline"]
    assert baseline["training_trajectories"] > 0
    assert baseline["trajectories"] == report["trajectories"]
    assert {"id", "passed", "nearest", "calls", "reason", "rebound"} <= set(
        baseline["per_trajectory"][0]
    )
    comparison = report["comparison"]
    assert comparison["skills_passed"] == report["passed"]
    assert isinstance(comparison["skills_beat_baseline"], bool)
    assert comparison["verdict"].startswith(("skills beat", "skills do not beat"))
    assert report["worse_than_no_skill"] == []
    assert report["tasks_worse_than_no_skill"] == 0


def test_evaluate_prints_the_comparison_table_and_its_verdict(tmp_path: Path) -> None:
    cancel = _cancel_family(tmp_path)
    db = ["--db", str(tmp_path / "s.db")]
    assert runner.invoke(app, ["learn", str(cancel), "--split", "train", *db]).exit_code == 0

    result = runner.invoke(app, ["evaluate", str(cancel), "--split", "test", *db])

    assert result.exit_code == 0, result.stdout
    assert "raw-trajectory baseline" in result.stdout
    assert "the recorded run (no skill)" in result.stdout
    assert "would do worse than no skill: 0" in result.stdout


def test_evaluate_without_kept_training_runs_says_there_is_no_baseline(tmp_path: Path) -> None:
    cancel = _cancel_family(tmp_path)
    db = tmp_path / "empty.db"
    Registry.open(db, create=True).close()

    result = runner.invoke(app, ["evaluate", str(cancel), "--db", str(db)])
    as_json = runner.invoke(app, ["evaluate", str(cancel), "--db", str(db), "--json"])

    assert result.exit_code == 0, result.stdout
    assert "no baseline" in result.stdout
    assert json.loads(as_json.stdout)["baseline"] is None
