"""Text from a skill reaches a terminal or a page only as inert text.

A docstring, printed output, an error message or a tool argument can carry terminal escape
sequences, 8-bit C1 controls, bidirectional controls (Trojan Source) and rich markup. Every place
that prints such text shows each of those characters as a visible escape and never interprets
markup in it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import inert_text

from .inert import HOSTILE, dangerous

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b", "\\x9b"),
        ("a\u202eb", "a\\u202eb"),
        (
            "\u061c\u200e\u200f\u2066\u2067\u2068\u2069",
            "\\u061c\\u200e\\u200f\\u2066\\u2067\\u2068\\u2069",
        ),
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("x\ry", "x\\x0dy"),
        ("\ud800", "\\ud800"),
        ("\U000e0041", "\\U000e0041"),  # a TAG character: invisible
        ("line\nnext\tcell", "line\nnext\tcell"),
        ("café 中文 😀 a\u00a0b", "café 中文 😀 a\u00a0b"),
    ],
)
def test_inert_text_shows_each_dangerous_character_as_an_escape(text: str, shown: str) -> None:
    assert inert_text(text) == shown


def test_inert_text_in_one_line_contexts_escapes_newlines_too() -> None:
    assert inert_text("a\nb\tc", newlines=False) == "a\\x0ab\\x09c"


def test_inert_text_leaves_nothing_a_terminal_acts_on() -> None:
    assert dangerous(inert_text(HOSTILE)) == []


def _sandbox_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "skill.py").write_text(
        "def f(text: str) -> str:\n    print(text)\n    raise ValueError(text)\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "run", "skill.py", "--entry", "f", *args],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_sandbox_run_prints_skill_output_and_errors_inert(tmp_path: Path) -> None:
    done = _sandbox_cli(tmp_path, "--args", json.dumps({"text": HOSTILE}))
    assert done.returncode == 1
    assert dangerous(done.stdout + done.stderr) == []
    assert "\\x1b]0;owned" in done.stderr  # shown, not acted on


def test_python_m_sandbox_run_json_has_no_raw_control_characters(tmp_path: Path) -> None:
    done = _sandbox_cli(tmp_path, "--args", json.dumps({"text": HOSTILE}), "--json")
    assert dangerous(done.stdout) == []
    document = json.loads(done.stdout)
    assert document["output"] == HOSTILE + "\n"  # the data itself is intact
