"""Exceptions as carriers: spoofed limits, interpreter exits, objects in exceptions."""

# Attack programs stay one per line so the table reads as data; long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

NAME = ("error", "NameError")

ATTACKS = {
    "system_exit": ("def f():\n    raise SystemExit(0)", NAME),
    "keyboard_interrupt": ("def f():\n    raise KeyboardInterrupt", NAME),
    "fake_memory_error": ("def f():\n    raise MemoryError('fake')", NAME),
    "fake_recursion_error": ("def f():\n    raise RecursionError('fake')", NAME),
    "base_exception": ("def f():\n    raise BaseException('x')", NAME),
    "generator_exit": ("def f():\n    raise GeneratorExit", NAME),
    "memory_named_message": (
        "def f():\n    raise RuntimeError('MemoryError: limit')",
        ("error", "RuntimeError"),
    ),
    "spoofed_tool_error": (
        "def f():\n    raise ToolError('tool_calls limit')",
        ("error", "ToolError"),
    ),
    "precondition": ("def f():\n    raise SkillPrecondition('no')", ("error", "SkillPrecondition")),
    "real_memory_error_rewrapped": (
        "def f():\n    try:\n        x = 'a' * (10 ** 10)\n    except Exception:\n        raise ValueError('caught')",
        ("limit", "memory"),
    ),
    "exception_carrying_function": ("def f():\n    raise ValueError(f)", ("error", "ValueError")),
    "huge_message": ("def f():\n    raise ValueError('x' * 1000000)", ("error", "ValueError")),
    "args_readable": (
        "def f():\n    try:\n        raise ValueError(1, 'a')\n    except ValueError as e:\n        return e.args",
        ("ok", [1, "a"]),
    ),
    "args_write": ("def f():\n    e = ValueError()\n    e.args = (1,)", ("error", "TypeError")),
    "bare_except": (
        "def f():\n    try:\n        raise KeyError('k')\n    except:\n        return 'caught'",
        ("ok", "caught"),
    ),
    "exit_builtin": ("def f():\n    exit(1)", NAME),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_exceptions_cannot_spoof_verdicts_or_leak(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    result = attack(attack_pool, source, expected, canary)
    if result.error is not None:
        assert len(result.error["message"]) <= 2_001
