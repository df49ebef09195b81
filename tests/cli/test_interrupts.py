"""Ctrl-C: a command that writes says what the registry kept; start-up shows no traceback."""

from __future__ import annotations

import importlib.abc
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skills_runtime import pipeline
from skills_runtime.cli import main
from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TRAJECTORIES = ROOT / "examples" / "bookshop" / "trajectories.jsonl"

runner = CliRunner()


@pytest.fixture
def ctrl_c_after_first_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first skill's gates run; Ctrl-C arrives while the next ones would."""
    real = pipeline.run_gates
    calls = {"n": 0}

    def gates_then_interrupt(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_gates", gates_then_interrupt)


def test_ctrl_c_during_learn_says_which_versions_were_kept_and_what_to_do(
    tmp_path: Path, ctrl_c_after_first_gate: None
) -> None:
    db = tmp_path / "s.db"

    result = runner.invoke(
        app, ["learn", str(TRAJECTORIES), "--db", str(db)], env={"COLUMNS": "1000"}
    )

    assert result.exit_code == 130, result.output
    said = " ".join(result.stderr.split())
    assert said.startswith("interrupted: the registry kept 4 version(s):")
    assert "(draft)" in said
    assert "skillbank verify NAME" in said
    listed = json.loads(runner.invoke(app, ["list", "--db", str(db), "--json"]).stdout)
    assert len(listed["skills"]) == 4


def test_ctrl_c_during_learn_with_json_prints_one_document_of_what_was_kept(
    tmp_path: Path, ctrl_c_after_first_gate: None
) -> None:
    result = runner.invoke(
        app, ["learn", str(TRAJECTORIES), "--db", str(tmp_path / "s.db"), "--json"]
    )

    assert result.exit_code == 130
    document = json.loads(result.stdout)
    assert document["interrupted"] is True
    assert {entry["state"] for entry in document["kept"]} >= {"draft"}
    assert len({entry["name"] for entry in document["kept"]}) == 4


class _InterruptingFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, *args: Any, **kwargs: Any) -> None:
        if name == "skills_runtime.cli.app":
            raise KeyboardInterrupt


def test_ctrl_c_while_starting_is_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "skills_runtime.cli.app")
    monkeypatch.setattr(sys, "meta_path", [_InterruptingFinder(), *sys.meta_path])

    with pytest.raises(SystemExit) as stopped:
        main()

    assert stopped.value.code == 130
    assert capsys.readouterr().err == "skillbank: interrupted while starting; nothing was done\n"
