"""The registry commands (list, show, diff, search, report) on a hand-seeded registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_seed import CANCEL_V1, CANCEL_V2, SCHEMA, VERIFY_PASSED
from typer.testing import CliRunner

from skill_registry import Provenance, Registry
from skills_runtime.cli.app import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def run_json(*args: str, exit_code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def test_list_shows_every_skill_with_state_and_reliability(seeded_db: Path) -> None:
    document = run_json("list", "--db", str(seeded_db))
    by_name = {skill["name"]: skill for skill in document["skills"]}
    assert set(by_name) == {"cancel_order_for_customer", "return_items_for_customer"}
    assert by_name["return_items_for_customer"]["state"] == "draft"
    assert by_name["cancel_order_for_customer"]["reliability"]["successes"] == 0


def test_list_filters_by_state(seeded_db: Path) -> None:
    document = run_json("list", "--state", "draft", "--db", str(seeded_db))
    assert [skill["name"] for skill in document["skills"]] == ["return_items_for_customer"]


def test_list_with_an_unknown_state_is_bad_usage(seeded_db: Path) -> None:
    document = run_json("list", "--state", "golden", "--db", str(seeded_db), exit_code=2)
    assert "golden" in document["error"]
    assert "promoted" in document["error"]


TOOLS = "examples.bookshop.tools:toolset"
READ_COMMANDS = {
    "list": ["list"],
    "show": ["show", "cancel_order_for_customer"],
    "search": ["search", "cancel my order"],
    "diff": ["diff", "cancel_order_for_customer", "1", "2"],
    "export": ["export", "--format", "openai"],
    "call": ["call", "cancel_order_for_customer", "--args", "{}", "--tools", TOOLS],
    "verify": ["verify", "cancel_order_for_customer"],
    "promote": ["promote", "cancel_order_for_customer", "--reason", "reviewed"],
    "evaluate": ["evaluate", "examples/bookshop/trajectories.jsonl"],
}


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
def test_a_command_that_reads_a_missing_registry_says_where_it_looked_and_creates_nothing(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    missing = tmp_path / "nothing.db"
    document = run_json(*READ_COMMANDS[command], "--db", str(missing), exit_code=2)
    assert f"no registry at {str(missing)!r} (from --db)" in document["error"]
    assert "skillbank learn" in document["error"]
    assert "create=True" not in document["error"]  # a hint for Python, not for the command line
    assert not missing.exists()


def test_a_missing_postgresql_registry_is_named_by_its_url_without_the_password(
    postgres_url: str,
) -> None:
    url = postgres_url.replace("skillbank@", "skillbank:hunter2@", 1)
    document = run_json("list", "--db", url, exit_code=2)
    assert "no registry at 'postgresql://skillbank@/registries?" in document["error"]
    assert "hunter2" not in document["error"]


def test_serve_on_a_missing_registry_says_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    result = runner.invoke(app, ["serve", "--tools", TOOLS, "--db", str(missing)])
    assert result.exit_code == 2
    assert "no registry at" in result.stderr
    assert not missing.exists()


def test_the_default_registry_is_named_as_such_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SKILLBANK_DB", raising=False)
    document = run_json("list", exit_code=2)
    assert str(tmp_path / "skillbank.db") in document["error"]
    assert "the default, ./skillbank.db" in document["error"]
    assert not (tmp_path / "skillbank.db").exists()


def test_add_creates_a_missing_registry_explicitly(tmp_path: Path) -> None:
    source = tmp_path / "double.py"
    source.write_text(
        'def double(tools, x: int) -> int:\n    """Double a number."""\n    return x * 2\n'
    )
    db = tmp_path / "new.db"
    result = runner.invoke(app, ["add", str(source), "--no-verify", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    with Registry.open(db) as registry:
        assert registry.get("double").version == 1


def test_show_gathers_what_a_reviewer_needs(seeded_db: Path) -> None:
    shown = run_json("show", "cancel_order_for_customer", "--version", "1", "--db", str(seeded_db))
    assert shown["version"] == 1
    assert "def cancel_order_for_customer" in shown["source"]
    assert shown["schema"]["parameters"]["required"] == ["email", "order_id", "reason"]
    assert shown["trajectories"][0]["id"] == "bookshop-cancel-0"
    assert shown["trajectories"][0]["task"].startswith("Cancel order BK-10042")
    assert shown["check"]["passed"] is True
    assert shown["verify"]["report"]["replays"][0]["passed"] is True
    assert len(shown["regression_cases"]) == 1
    assert [entry["action"] for entry in shown["audit"]][:1] == ["create"]
    assert [v["version"] for v in shown["versions"]] == [1, 2]


def test_show_of_an_unknown_skill_is_bad_input(seeded_db: Path) -> None:
    document = run_json("show", "cancel_order", "--db", str(seeded_db), exit_code=2)
    assert "cancel_order" in document["error"]


def test_show_renders_code_findings_and_the_falsifying_example(seeded_db: Path) -> None:
    result = runner.invoke(
        app, ["show", "cancel_order_for_customer", "--version", "2", "--db", str(seeded_db)]
    )
    assert result.exit_code == 0, result.output
    assert "def cancel_order_for_customer" in result.stdout
    assert "SK301" in result.stdout
    assert "deterministic" in result.stdout
    assert "BK-1" in result.stdout


def test_diff_shows_the_source_change_and_the_report_changes(seeded_db: Path) -> None:
    document = run_json("diff", "cancel_order_for_customer", "1", "2", "--db", str(seeded_db))
    assert '+    if order["status"] != "pending":' in document["diff"]
    assert document["diff"].startswith("--- cancel_order_for_customer v1")
    assert document["reports"]["verify"] == {"from": "passed", "to": "failed"}
    assert document["reports"]["findings"]["added"] == ["SK301"]
    assert document["reports"]["failed_properties"]["added"] == ["deterministic"]


def test_search_ranks_skills_for_a_task(seeded_db: Path) -> None:
    document = run_json(
        "search", "cancel my order", "--all-states", "--k", "1", "--db", str(seeded_db)
    )
    assert [hit["name"] for hit in document["results"]] == ["cancel_order_for_customer"]
    assert document["results"][0]["score"] > 0


def test_search_by_default_offers_only_promoted_skills(seeded_db: Path) -> None:
    assert run_json("search", "cancel my order", "--db", str(seeded_db))["results"] == []


def test_report_writes_an_escaped_self_contained_page(seeded_db: Path, tmp_path: Path) -> None:
    page = tmp_path / "library.html"
    document = run_json("report", "--html", str(page), "--db", str(seeded_db))
    assert document["skills"] == ["cancel_order_for_customer", "return_items_for_customer"]
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<b>to the original payment</b>" not in text
    assert "&lt;b&gt;to the original payment&lt;/b&gt; &amp; close" in text
    assert "<script" not in text
    assert "http://" not in text
    assert "https://" not in text


def test_list_at_80_columns_puts_each_skill_on_exactly_one_line(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    long_summary = "Cancel a pending order after checking who owns it and why, " * 4
    names = [f"skill_number_{i:02d}_with_a_long_descriptive_name" for i in range(30)]
    with Registry.open(db, create=True) as registry:
        for name in reversed(names):
            registry.add_version(
                name,
                source=f"def {name}(tools) -> None:\n    return None\n",
                schema={"type": "object", "properties": {}},
                summary=long_summary,
                tools=[],
                provenance=Provenance(synthesizer="human:test"),
            )
    result = runner.invoke(app, ["list", "--db", str(db)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + len(names)  # a header, then one line per skill
    assert all(len(line) <= 80 for line in lines)
    assert [line.split()[0] for line in lines[1:]] == sorted(names)
    assert all(line.endswith("…") for line in lines[1:])
    assert lines[0].split()[:4] == ["name", "version", "state", "reliability"]


def test_diff_prints_a_valid_unwrapped_patch_and_a_schema_diff(seeded_db: Path) -> None:
    with Registry.open(seeded_db) as registry:
        registry.add_version(
            "cancel_order_for_customer",
            source=CANCEL_V2.replace("order status is", "x" * 90 + " order status is"),
            schema={"parameters": {"type": "object", "properties": {}}, "returns": None},
            summary="Cancel.",
            tools=["get_order"],
            provenance=Provenance(synthesizer="human:test"),
        )
    result = runner.invoke(
        app,
        ["diff", "cancel_order_for_customer", "2", "3", "--db", str(seeded_db)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("+") and "x" * 90 in line for line in lines)  # not wrapped
    assert "--- cancel_order_for_customer v2 schema" in lines
    assert any(line.startswith('-      "email": {') for line in lines)
    assert not any("{'parameters'" in line for line in lines)


def test_show_names_the_properties_regression_writes_and_trajectory_calls(
    tmp_path: Path,
) -> None:
    db = tmp_path / "show.db"
    with Registry.open(db, create=True) as registry:
        record = registry.add_version(
            "cancel_order_by_email",
            source=CANCEL_V1,
            schema=SCHEMA,
            summary="Cancel.",
            tools=["get_order", "cancel_order"],
            provenance=Provenance(synthesizer="human:test"),
            trajectories=[
                {
                    "task_id": "bookshop-cancel-7",
                    "instruction": "Cancel my order BK-7.",
                    "steps": [
                        {"tool": "get_order", "arguments": {"order_id": "BK-7"}},
                        {"tool": "cancel_order", "arguments": {"order_id": "BK-7", "reason": "x"}},
                    ],
                }
            ],
        )
        registry.record_report(
            record.content_hash, kind="verify", passed=True, report=VERIFY_PASSED
        )
        registry.add_regression_case(
            "cancel_order_by_email",
            {
                "trajectory_id": "bookshop-cancel-7",
                "arguments": {},
                "calls": [
                    {"name": "get_order", "arguments": {"order_id": "BK-7"}, "mutates": False},
                    {"name": "cancel_order", "arguments": {"order_id": "BK-7"}, "mutates": True},
                ],
            },
            version=1,
        )
    result = runner.invoke(
        app, ["show", "cancel_order_by_email", "--db", str(db)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1/1 properties held: no_unexpected_exception" in out
    assert "bookshop-cancel-7 (since v1): expects 1 write:" in out
    assert 'cancel_order({"order_id": "BK-7"})' in out
    assert 'get_order({"order_id": "BK-7"})' in out  # the trajectory's calls, under its task
    assert "Cancel my order BK-7." in out


def test_the_html_report_rounds_seconds_and_shows_reliability(
    seeded_db: Path, tmp_path: Path
) -> None:
    page = tmp_path / "library.html"
    result = runner.invoke(app, ["report", "--html", str(page), "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "<th>reliability</th>" in text
    assert "(0.80 s)" in text
