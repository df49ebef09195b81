"""The ``export`` and ``call`` commands: one JSON document, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skills_runtime.export.formats import FORMATS
from skills_runtime.export.strict import openai_strict_violations

TOOLS = "export.hosttools:toolset"


def _invoke(*args: str) -> tuple[int, Any]:
    from skills_runtime.cli.app import app

    result = CliRunner().invoke(app, list(args))
    document = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, document


@pytest.mark.parametrize("format", FORMATS)
def test_export_prints_the_promoted_skills_in_each_format(db_path: Path, format: str) -> None:
    code, document = _invoke("export", "--format", format, "--db", str(db_path), "--json")
    assert code == 0
    names = {tool.get("name") or tool["function"]["name"] for tool in document["tools"]}
    assert {"cancel_for_customer", "order_status"} <= names


def test_export_strict_openai_passes_the_strict_rules(db_path: Path) -> None:
    code, document = _invoke("export", "--strict", "--db", str(db_path), "--json")
    assert code == 0
    for tool in document["tools"]:
        assert tool["function"]["strict"] is True
        assert openai_strict_violations(tool["function"]["parameters"]) == []


def test_export_of_an_unknown_format_is_bad_usage(db_path: Path) -> None:
    code, document = _invoke("export", "--format", "gemini", "--db", str(db_path), "--json")
    assert code == 2
    assert "unknown tool format 'gemini'" in document["error"]


def test_call_runs_the_skill_and_prints_the_outcome(db_path: Path) -> None:
    arguments = json.dumps({"first_name": "Ada", "last_name": "L", "order_id": "#W1"})
    code, document = _invoke(
        "call", "cancel_for_customer", "--args", arguments, "--tools", TOOLS,
        "--db", str(db_path), "--json",
    )  # fmt: skip
    assert code == 0
    assert document["status"] == "ok"
    assert document["value"] == "cancelled #W1 (mistake)"
    assert [call["name"] for call in document["tool_calls"]] == [
        "find_user_id",
        "get_order_details",
        "cancel_order",
    ]
    assert document["seconds"] > 0


def test_call_of_a_skill_that_raises_exits_1(db_path: Path) -> None:
    code, document = _invoke(
        "call", "refund_everything", "--args", '{"order_id": "#W1"}', "--tools", TOOLS,
        "--db", str(db_path), "--json",
    )  # fmt: skip
    assert code == 1
    assert document["status"] == "error"
    assert document["error"]["type"] == "ValueError"


@pytest.mark.parametrize(
    ("name", "arguments", "tools", "message"),
    [
        ("order_status", '{"order": "#W1"}', TOOLS, "order_id"),
        ("order_status", "{not json", TOOLS, "not valid JSON"),
        ("no_such_skill", "{}", TOOLS, "no skill 'no_such_skill'"),
        ("order_status", '{"order_id": "#W1"}', "nowhere_xyz:tools", "cannot import module"),
    ],
)
def test_call_with_bad_input_exits_2_with_a_message(
    db_path: Path, name: str, arguments: str, tools: str, message: str
) -> None:
    code, document = _invoke(
        "call", name, "--args", arguments, "--tools", tools, "--db", str(db_path), "--json"
    )
    assert code == 2
    assert message in document["error"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--queue", "-1"], "--queue must be an int >= 0, got -1"),
        (["--max-workers", "0"], "--max-workers must be an int >= 1, got 0"),
        (["--queue-timeout", "nan"], "--queue-timeout must be a finite number >= 0"),
    ],
)
def test_serve_refuses_unusable_pool_options_before_starting(
    db_path: Path, options: list[str], message: str
) -> None:
    from skills_runtime.cli.app import app

    args = ["serve", "--tools", TOOLS, "--db", str(db_path), *options]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
