"""``python -m sandbox run``: the minimal entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "skill.py").write_text(
        "def add(tools, a: int, b: int) -> int:\n    return tools.plus(a=a, b=b)\n"
    )
    (tmp_path / "host_tools.py").write_text(
        "def plus(a: int, b: int) -> int:\n    return a + b\n\nTOOLS = [plus]\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "run", "skill.py", *args],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_cli_runs_a_skill_with_host_tools_and_prints_json(tmp_path: Path) -> None:
    done = _cli(
        tmp_path,
        "--entry",
        "add",
        "--args",
        '{"a": 2, "b": 3}',
        "--tools",
        "host_tools:TOOLS",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["status"], document["value"]) == ("ok", 5)
    assert document["tool_calls"][0]["name"] == "plus"
    assert {"status", "value", "error", "tool_calls", "stats"} <= set(document)


def test_the_cli_exits_1_when_the_skill_fails(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--entry", "add", "--args", '{"a": 2, "b": 3}', "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["type"] == "ToolError"


def test_the_cli_exits_2_on_bad_arguments(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--entry", "add", "--args", "not json")
    assert done.returncode == 2
    assert "--args is not JSON" in done.stderr
