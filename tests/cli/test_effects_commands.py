"""Effects on the command line: shown with evidence, corrected by options, kept with skills."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from examples.render import strip_labels
from skill_registry import Registry
from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
BOOKSHOP = ROOT / "examples" / "bookshop" / "trajectories.jsonl"
FILES = ROOT / "examples" / "files" / "trajectories.openai.jsonl"

runner = CliRunner()


def run_json(*args: str, exit_code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == exit_code, (args, result.output)
    return json.loads(result.stdout)


def _unlabelled_cancels(tmp_path: Path) -> Path:
    lines = [json.loads(line) for line in BOOKSHOP.read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "cancel.jsonl"
    path.write_text(
        "".join(json.dumps(strip_labels(r)) + "\n" for r in lines if r["family"] == "cancel"),
        encoding="utf-8",
    )
    return path


def test_trajectories_shows_every_tools_effect_with_its_evidence() -> None:
    document = run_json("trajectories", str(FILES))
    effects = document["effects"]
    assert effects["mv"]["effect"] == "write"
    assert effects["ls"]["effect"] == "read"
    assert effects["cd"]["context"] is True
    assert effects["mv"]["evidence"][0]["detail"]
    assert document["failed_calls"] > 0  # failures written only as text are counted
    result = runner.invoke(app, ["trajectories", str(FILES)])
    assert "Tool effects" in result.output
    assert "--writes" in result.output  # how to correct a decision


def test_an_option_corrects_a_decision_and_says_it_was_declared() -> None:
    document = run_json("trajectories", str(FILES), "--reads", "stat,wc", "--writes", "grep")
    assert document["effects"]["grep"]["effect"] == "write"
    assert document["effects"]["grep"]["decided_by"] == "declared"
    assert document["effects"]["wc"]["effect"] == "read"


def test_a_tool_declared_both_ways_is_bad_input_naming_it() -> None:
    document = run_json("trajectories", str(FILES), "--reads", "mv", "--writes", "mv", exit_code=2)
    assert "mv" in document["error"]


def test_learn_without_labels_stores_each_skills_effects_in_its_provenance(
    tmp_path: Path,
) -> None:
    db = tmp_path / "skills.db"
    report = run_json("learn", str(_unlabelled_cancels(tmp_path)), "--db", str(db))
    assert report["effects"]["cancel_order"]["effect"] == "write"
    assert report["effects"]["get_order"]["effect"] == "read"
    (skill,) = [s for s in report["skills"] if "cancel_order" in s["name"]]
    with Registry.open(db) as registry:
        stored = registry.get(skill["name"]).provenance.details["effects"]
    assert stored["cancel_order"]["effect"] == "write"
    assert stored["cancel_order"]["evidence"]


def test_an_effects_file_decides_in_learn(tmp_path: Path) -> None:
    effects = tmp_path / "effects.toml"
    effects.write_text('[effects]\nwrites = ["get_order"]\n')
    db = tmp_path / "skills.db"
    path = _unlabelled_cancels(tmp_path)
    report = run_json("learn", str(path), "--effects", str(effects), "--db", str(db))
    assert report["effects"]["get_order"]["decided_by"] == "declared"
    assert report["effects"]["get_order"]["effect"] == "write"


def test_evaluate_reads_held_out_logs_as_the_skills_were_learned(tmp_path: Path) -> None:
    db = tmp_path / "skills.db"
    path = _unlabelled_cancels(tmp_path)
    run_json("learn", str(path), "--split", "train", "--db", str(db))
    report = run_json("evaluate", str(path), "--split", "test", "--db", str(db))
    assert report["passed"] == report["trajectories"] >= 1


def test_a_toolsets_own_declarations_decide_for_its_tools(tmp_path: Path) -> None:
    db = tmp_path / "skills.db"
    path = _unlabelled_cancels(tmp_path)
    tools = "examples.bookshop.tools:toolset"
    report = run_json("learn", str(path), "--tools", tools, "--db", str(db))
    for tool, effect in (("cancel_order", "write"), ("find_customer_by_email", "read")):
        assert report["effects"][tool]["effect"] == effect
        assert report["effects"][tool]["decided_by"] == "declared"
        assert tools in report["effects"][tool]["evidence"][0]["detail"]
