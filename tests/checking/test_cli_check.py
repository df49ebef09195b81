"""``skillbank check FILE.py``: findings with carets, one JSON document with --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from sources import BODY, skill
from typer.testing import CliRunner

from skills_runtime.cli.app import app

runner = CliRunner()


def _write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "skill.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_a_clean_skill_exits_zero_and_says_ok(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_write(tmp_path, skill()))])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_findings_exit_one_and_show_the_line_and_a_caret(tmp_path: Path) -> None:
    path = _write(tmp_path, skill("    x = eval(order_id)\n" + BODY))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "SK112" in result.output
    lines = result.output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == "x = eval(order_id)")
    caret = lines[index + 1]
    assert caret.strip() == "^"
    assert lines[index][caret.index("^")] == "e"


def test_json_output_is_exactly_one_document(tmp_path: Path) -> None:
    path = _write(tmp_path, skill("    x = eval(order_id)\n" + BODY))
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (finding,) = document["findings"]
    assert {"code", "message", "line", "column", "hint"} <= set(finding)
    assert finding["code"] == "SK112"
    assert document["tools_called"] == ["get_order_details"]


def test_tools_option_grants_only_the_named_tools(tmp_path: Path) -> None:
    path = _write(tmp_path, skill())
    granted = runner.invoke(app, ["check", str(path), "--json", "--tools", "get_order_details,x"])
    assert granted.exit_code == 0
    refused = runner.invoke(app, ["check", str(path), "--json", "--tools", "cancel_order"])
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["findings"][0]["code"] == "SK108"


def test_a_missing_file_exits_two_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"
    result = runner.invoke(app, ["check", str(missing), "--json"])
    assert result.exit_code == 2
    assert str(missing) in json.loads(result.stdout)["error"]


def test_a_directory_exits_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert str(tmp_path) in result.output


def test_undecodable_bytes_are_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "skill.py"
    path.write_bytes(b"x = '\xff'\n")
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == "SK004"


def test_an_oversized_file_is_reported_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_bytes(b"#" * 2_000_000)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == "SK002"


def test_markup_in_source_is_printed_literally(tmp_path: Path) -> None:
    path = _write(tmp_path, skill("    x = eval('[bold]x[/]')\n" + BODY))
    result = runner.invoke(app, ["check", str(path)])
    assert "eval('[bold]x[/]')" in result.output
