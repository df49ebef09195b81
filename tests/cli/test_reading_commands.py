"""Commands that only read: Ctrl-C says nothing was changed; repeatable options read as typed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli import commands_trajectories
from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TRAJECTORIES = ROOT / "examples" / "bookshop" / "trajectories.jsonl"

runner = CliRunner()

# Every command that can change the registry or the world reports what it kept on its own (learn,
# verify) or is one transaction; all the others only read.
_CHANGING = {"add", "call", "demo", "deprecate", "learn", "promote", "reject", "review"}
_CHANGING |= {"rollback", "serve", "verify"}


def _commands() -> dict[str, Any]:
    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_every_command_either_changes_something_or_is_marked_as_only_reading() -> None:
    reading = {name for name, command in _commands().items() if hasattr(command, "writes_file")}

    assert set(_commands()) >= _CHANGING
    assert reading == set(_commands()) - _CHANGING
    assert reading >= {"list", "show", "diff", "search", "trajectories", "check", "evaluate"}


@pytest.mark.parametrize(
    ("command", "method"),
    [
        (["list"], "list_skills"),
        (["search", "cancel an order"], "search"),
        (["show", "cancel_order_for_customer"], "get"),
    ],
)
def test_ctrl_c_in_a_reading_command_says_nothing_was_changed_and_exits_130(
    seeded_db: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], method: str
) -> None:
    monkeypatch.setattr(Registry, method, _interrupt)

    result = runner.invoke(app, [*command, "--db", str(seeded_db)])

    assert result.exit_code == 130, result.output
    assert result.stdout == ""
    assert result.stderr == "interrupted: nothing was changed\n"


def test_ctrl_c_in_a_reading_command_with_json_prints_one_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(commands_trajectories, "load_trajectories", _interrupt)

    result = runner.invoke(app, ["trajectories", str(TRAJECTORIES), "--json"])

    assert result.exit_code == 130
    assert json.loads(result.stdout) == {"interrupted": True, "changed": False}


def test_ctrl_c_while_writing_a_report_names_the_page_that_may_be_incomplete(
    seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Registry, "list_skills", _interrupt)
    page = tmp_path / "library.html"

    result = runner.invoke(app, ["report", "--html", str(page), "--db", str(seeded_db)])

    assert result.exit_code == 130
    assert result.stderr == (
        f"interrupted: the registry was not changed; {page} may be incomplete\n"
    )


_SIGINT_DURING_LIST = """
import os, signal, sys
from skill_registry import Registry
from skills_runtime.cli import main

def list_skills(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, delivered while the command reads
    raise AssertionError("SIGINT did not interrupt")

Registry.list_skills = list_skills
sys.argv = ["skillbank", "list", "--db", sys.argv[1]]
main()
"""


def test_a_real_sigint_during_list_is_one_line_and_exit_130(seeded_db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SIGINT_DURING_LIST, str(seeded_db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )

    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted: nothing was changed\n"


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_names_the_value_of_a_repeatable_option_not_its_python_type(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    for line in result.output.splitlines():
        if re.search(r"│ --[a-z-]+ ", line):
            assert "list[" not in line, line


@pytest.mark.parametrize("command", ["search", "list", "export", "call", "serve", "report"])
def test_state_options_read_state_and_list_the_choices(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "300"})

    line = next(line for line in result.output.splitlines() if "--state" in line)
    assert re.search(r"--state\s+STATE\s", line), line
    assert "draft, candidate, verified, promoted, deprecated, rejected" in line
