"""Checks every command shares: unreadable input paths, and one shape for every lifecycle move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skills_runtime.cli.app import app

runner = CliRunner()
CANCEL = "cancel_order_for_customer"


@pytest.mark.parametrize("command", ["learn", "evaluate"])
def test_a_path_that_is_not_a_file_is_bad_input_naming_every_such_path(
    command: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("")
    missing = tmp_path / "missing.jsonl"
    result = runner.invoke(
        app,
        [command, str(good), str(missing), str(tmp_path), "--db", str(tmp_path / "s.db"), "--json"],
    )

    assert result.exit_code == 2
    message = json.loads(result.stdout)["error"]
    assert f"{missing}: no such file; check the path" in message
    assert f"{tmp_path}: is a directory; pass the files in it" in message
    assert str(good) + ":" not in message
    assert not (tmp_path / "s.db").exists()


def test_a_missing_file_reads_the_same_and_exits_the_same_in_every_command(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "missing.jsonl"
    said = {}
    for command in ("trajectories", "learn", "evaluate"):
        db = [] if command == "trajectories" else ["--db", str(tmp_path / "s.db")]
        result = runner.invoke(app, [command, str(missing), *db, "--json"])
        assert result.exit_code == 2, (command, result.output)
        document = json.loads(result.stdout)
        if command == "trajectories":
            (problem,) = document["problems"]
            said[command] = f"{problem['path']}: {problem['message']}"
        else:
            said[command] = document["error"]
    assert set(said.values()) == {f"{missing}: no such file; check the path"}
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("command", "version", "state"),
    [("promote", "1", "promoted"), ("deprecate", "1", "deprecated"), ("reject", "2", "rejected")],
)
def test_every_lifecycle_move_reports_the_same_document(
    seeded_db: Path, command: str, version: str, state: str
) -> None:
    if command == "deprecate":
        runner.invoke(
            app, ["promote", CANCEL, "--version", "1", "--reason", "ok", "--db", str(seeded_db)]
        )
    result = runner.invoke(
        app,
        [
            command,
            CANCEL,
            "--version",
            version,
            "--reason",
            "why",
            "--db",
            str(seeded_db),
            "--json",
        ],
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"name", "version", "state", "previous_state", "is_current"}
    assert (document["name"], document["version"], document["state"]) == (
        CANCEL,
        int(version),
        state,
    )


@pytest.mark.parametrize("command", ["promote", "deprecate", "reject"])
def test_a_lifecycle_move_of_an_unknown_skill_is_bad_input(seeded_db: Path, command: str) -> None:
    result = runner.invoke(
        app, [command, "no_such_skill", "--reason", "why", "--db", str(seeded_db), "--json"]
    )

    assert result.exit_code == 2
    assert "no_such_skill" in json.loads(result.stdout)["error"]
