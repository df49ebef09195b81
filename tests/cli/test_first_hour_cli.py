"""What a new user meets at the command line: hints in the CLI's own words, refusals at the door,
help that does not invent values for flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli.app import app

runner = CliRunner()
CANCEL = "cancel_order_for_customer"


def _said(result: object) -> str:
    return " ".join(str(getattr(result, "output", "")).split())


def test_a_refused_promotion_names_the_command_that_fixes_it(seeded_db: Path) -> None:
    result = runner.invoke(app, ["promote", CANCEL, "--reason", "ok", "--db", str(seeded_db)])

    assert result.exit_code == 1
    said = _said(result)
    assert f"skillbank verify {CANCEL} --version 2" in said
    assert "record_report" not in said
    assert "()" not in said


def test_calling_an_unknown_skill_hints_at_cli_commands_not_at_the_meta_tool(
    seeded_db: Path,
) -> None:
    result = runner.invoke(
        app,
        [
            "call",
            "cancel_order",
            "--tools",
            "examples.bookshop.tools:toolset",
            "--db",
            str(seeded_db),
            "--json",
        ],
    )

    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "skillbank search" in error
    assert "search_skills" not in error


def test_a_model_calling_an_unknown_skill_is_pointed_at_search_skills(seeded_db: Path) -> None:
    from examples.bookshop.tools import toolset
    from skills_runtime.toolkit import Toolkit

    with Registry.open(seeded_db) as registry:
        outcome = Toolkit(registry, toolset, states=("candidate",)).execute("cancel_order", {})

    assert outcome.status == "unknown_skill"
    assert "'search_skills'" in outcome.content()


@pytest.mark.parametrize(
    "source",
    [
        "def broken(tools, order_id: str) -> str:\n    return (\n",
        "def half(\n",
        "def f(tools):\n\treturn 1\n  return 2\n",
    ],
    ids=["unclosed", "truncated", "bad-indent"],
)
def test_add_refuses_a_source_that_does_not_parse_and_stores_nothing(
    seeded_db: Path, tmp_path: Path, source: str
) -> None:
    edited = tmp_path / "edited.py"
    edited.write_text(source, encoding="utf-8")
    with Registry.open(seeded_db) as registry:
        before = [record.version for record in registry.versions(CANCEL)]

    result = runner.invoke(
        app, ["add", str(edited), "--name", CANCEL, "--db", str(seeded_db), "--json"]
    )

    assert result.exit_code == 2
    assert "nothing was stored" in json.loads(result.stdout)["error"]
    with Registry.open(seeded_db) as registry:
        assert [record.version for record in registry.versions(CANCEL)] == before


def _commands() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_help_shows_no_value_for_a_flag(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    assert "<bool>" not in result.output
    for flag in ("--json", "--help"):
        line = next((line for line in result.output.splitlines() if flag + " " in line), None)
        if line is not None:
            assert not re.search(re.escape(flag) + r"\s+<", line), line
