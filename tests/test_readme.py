"""The README's commands work as written: the two commands, the tour, and the agent snippet."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    following = README.find("\n## ", start + 1)
    return README[start : following if following != -1 else len(README)]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def _commands(block: str) -> list[str]:
    joined = block.replace("\\\n", " ")
    return [
        line.split("  #")[0].strip()
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _skillbank() -> list[str]:
    script = Path(sys.executable).parent / "skillbank"
    return [str(script)] if script.exists() else [sys.executable, "-m", "skills_runtime.cli"]


def test_the_readme_gives_exactly_two_commands_that_ci_runs_verbatim() -> None:
    blocks = _blocks(_section("Two commands"), "bash")
    commands = [command for block in blocks for command in _commands(block)]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.endswith("skillbank demo")
    assert tests.endswith("python -m pytest")
    assert tests in ci
    assert main_job in ci  # CI runs the demo too (with a scratch --workdir appended)


def test_the_tour_runs_command_by_command_on_a_fresh_registry(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    environment = {k: v for k, v in os.environ.items() if k != "SKILLBANK_DB"}
    environment["PYTHONPATH"] = str(tmp_path)
    tour = [
        command
        for block in _blocks(_section("A tour: learn → review → promote → serve"), "bash")
        for command in _commands(block)
    ]
    # `serve` runs until stopped; the MCP tests cover it (stdio, HTTP and in-memory).
    runnable = [command for command in tour if not command.startswith("skillbank serve")]
    assert len(runnable) == len(tour) - 1

    for command in runnable:
        words = shlex.split(command)
        assert words[0] == "skillbank"
        done = subprocess.run(
            [*_skillbank(), *words[1:]],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"

    assert (tmp_path / "skillbank.db").is_file()  # the default registry
    assert (tmp_path / "library.html").is_file()
    snippet = _blocks(_section("For agent builders"), "python")
    assert len(snippet) == 1
    _run_agent_snippet(snippet[0], tmp_path)


def _run_agent_snippet(code: str, workdir: Path) -> None:
    check = (
        code
        + "\nimport json\n"
        + "assert tools and all(t['type'] == 'function' for t in tools)\n"
        + "print(json.dumps(message))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(workdir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    message = json.loads(done.stdout.strip().splitlines()[-1])
    assert message["role"] == "tool"
    assert message["tool_call_id"] == "call_1"
    assert "cancelled" in message["content"]


@pytest.mark.parametrize("link", re.findall(r"\]\(((?:docs|examples)/[^)#]+)\)", README))
def test_every_document_the_readme_links_exists(link: str) -> None:
    assert (ROOT / link).exists()
