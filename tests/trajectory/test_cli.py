"""``skillbank trajectories``: one JSON document with --json, a table otherwise, exit 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from skills_runtime.cli.app import app
from tests.trajectory.paths import FIXTURES, benchmark_files

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["trajectories", *args])
    return result.exit_code, result.stdout


def test_benchmark_files_report_749_trajectories_and_1925_calls_in_one_json_document() -> None:
    paths = [str(path) for path in benchmark_files()]
    # The installed entry point, in a real process: stdout must hold exactly one JSON document.
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from skills_runtime.cli import main; main()",
            "trajectories",
            *paths,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["trajectories"] == 749
    assert document["tool_calls"] == 1925
    assert document["problems"] == []
    assert document["formats"] == {"native": 749}
    assert document["splits"] == {"dev": 20, "test": 155, "train": 574}
    assert document["error_results"] == 62
    assert sum(document["tools"].values()) == 1925


def test_transcripts_of_every_format_are_summarized_per_format() -> None:
    code, out = _run(
        str(FIXTURES / "openai_chat.json"),
        str(FIXTURES / "openai_responses.json"),
        str(FIXTURES / "anthropic.json"),
        "--json",
    )

    assert code == 0
    document = json.loads(out)
    assert document["formats"] == {"openai-chat": 1, "openai-responses": 1, "anthropic": 1}
    assert document["tool_calls"] == 10
    assert document["error_results"] == 1
    assert document["splits"] == {"(none)": 3}


def test_problems_in_a_file_are_listed_with_path_and_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"task_id": "a", "steps": []}\n{"steps": [\n')

    code, out = _run(str(path), "--json")

    assert code == 1
    document = json.loads(out)
    assert document["trajectories"] == 1
    (problem,) = document["problems"]
    assert (problem["path"], problem["line"]) == (str(path), 2)
    assert problem["message"].startswith("not valid JSON")


def test_a_missing_path_is_bad_usage_and_still_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"

    code, out = _run(str(FIXTURES / "anthropic.json"), str(missing), "--json")

    assert code == 2
    document = json.loads(out)
    assert document["trajectories"] == 1
    assert document["problems"] == [
        {"path": str(missing), "line": None, "message": "no such file; check the path"}
    ]


def test_an_unknown_format_is_bad_usage_naming_the_allowed_values() -> None:
    code, out = _run(str(FIXTURES / "anthropic.json"), "--format", "claude", "--json")

    assert code == 2
    assert "openai-responses" in json.loads(out)["error"]


def test_a_forced_format_applies_to_every_record() -> None:
    code, out = _run(str(FIXTURES / "anthropic.json"), "--format", "native", "--json")

    assert code == 1
    assert "not a valid native record" in json.loads(out)["problems"][0]["message"]


def test_human_output_is_a_table_with_totals_and_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("7")

    code, out = _run(str(FIXTURES / "openai_chat.json"), str(bad))

    assert code == 1
    assert "Trajectories" in out
    assert "1 trajectories, 4 tool calls (formats: openai-chat 1)" in out
    assert "the file holds a number" in out
