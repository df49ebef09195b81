"""Generated skills pass the project's own tools: mypy and ruff format (one run each)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skills_runtime.synthesis import SynthesisResult

VENV_BIN = Path(sys.executable).parent

# SkillPrecondition is a builtin the sandbox gives skill code; mypy needs to see a definition.
_STUB = "\nfrom _skill_builtins import SkillPrecondition as SkillPrecondition\n"


@pytest.mark.slow
def test_every_generated_skill_type_checks_under_mypy(
    learned_from_all: SynthesisResult, tmp_path: Path
) -> None:
    (tmp_path / "_skill_builtins.py").write_text("class SkillPrecondition(Exception): ...\n")
    for skill in learned_from_all.skills:
        (tmp_path / f"{skill.name}.py").write_text(skill.source + _STUB)
    done = subprocess.run(
        [str(VENV_BIN / "mypy"), "--no-incremental", "--config-file", "/dev/null", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_generated_skill_is_already_ruff_formatted(
    learned_from_all: SynthesisResult, tmp_path: Path
) -> None:
    for skill in learned_from_all.skills:
        (tmp_path / f"{skill.name}.py").write_text(skill.source)
    done = subprocess.run(
        [str(VENV_BIN / "ruff"), "format", "--check", "--isolated", "--line-length", "100", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
