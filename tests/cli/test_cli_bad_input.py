"""Files that hold no trajectory, only problems, are bad input for learn and evaluate alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli.app import app

runner = CliRunner()


def _existing_registry(directory: Path) -> Path:
    # evaluate reads a registry that must exist; learn would create one.
    path = directory / "s.db"
    Registry.open(path, create=True).close()
    return path


@pytest.mark.parametrize("command", ["learn", "evaluate"])
def test_a_file_with_only_problems_is_bad_input_with_the_problem_in_the_json(
    command: str, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("root:x:0:0:root:/root:/bin/bash\n")
    db = _existing_registry(tmp_path)

    result = runner.invoke(app, [command, str(junk), "--db", str(db), "--json"])

    assert result.exit_code == 2, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [problem["path"] for problem in problems] == [str(junk)]


@pytest.mark.parametrize("command", ["learn", "evaluate"])
def test_a_file_with_only_problems_names_them_in_the_human_output(
    command: str, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("root:x:0:0:root:/root:/bin/bash\n")
    db = _existing_registry(tmp_path)

    result = runner.invoke(app, [command, str(junk), "--db", str(db)])

    assert result.exit_code == 2
    assert f"{junk}:1: not valid JSON" in result.output
