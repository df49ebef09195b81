"""Resource bombs end as ``limit`` with the right kind, decided by the host's observations."""

# Attack programs stay one per line so the table reads as data; long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

CPU = ("limit", "cpu")
MEMORY = ("limit", "memory")

ATTACKS = {
    "busy_loop": ("def f():\n    while True:\n        pass", CPU),
    "loop_swallowing_everything": (
        "def f():\n    while True:\n        try:\n            while True:\n                pass\n"
        "        except:\n            pass",
        CPU,
    ),
    "finally_continue": (
        "def f():\n    while True:\n        try:\n            x = 1\n        finally:\n            continue",
        CPU,
    ),
    "regex_backtracking": ("def f():\n    return re.match('(a+)+$', 'a' * 40 + 'b')", CPU),
    "power_tower": ("def f():\n    return 10 ** 10 ** 10", CPU),
    "factorial": ("def f():\n    return math.factorial(10 ** 7) > 0", CPU),
    "huge_string": ("def f():\n    return len('a' * (10 ** 10))", MEMORY),
    "huge_list": ("def f():\n    return len([0] * (10 ** 9))", MEMORY),
    "growing_list": (
        "def f():\n    x = []\n    while True:\n        x.append('a' * 10 ** 6)",
        MEMORY,
    ),
    "sorted_range": ("def f():\n    return sorted(range(10 ** 9))[0]", MEMORY),
    "swallowed_allocation": (
        "def f():\n    x = []\n    while True:\n        try:\n            x.append('a' * 10 ** 7)\n"
        "        except:\n            pass",
        MEMORY,
    ),
    "deep_recursion": ("def f():\n    return f()", MEMORY),
    "mutual_recursion": ("def g(n):\n    return f(n + 1)\n\ndef f(n=0):\n    return g(n)", MEMORY),
    "huge_output": ("def f():\n    while True:\n        print('x' * 1000)", ("limit", "output")),
    "output_swallowing": (
        "def f():\n    while True:\n        try:\n            print('y' * 500)\n        except:\n            pass",
        ("limit", "output"),
    ),
    "huge_result": ("def f():\n    return 'x' * 2000000", ("limit", "result_size")),
    "big_int_to_text": ("def f():\n    return str(10 ** 5000)", ("error", "ValueError")),
    "fork_attempt": ("def f():\n    return os.fork()", ("error", "NameError")),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_resource_bombs_end_as_limits(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    result = attack(attack_pool, source, expected, canary)
    if expected == CPU:
        assert result.stats["cpu_seconds"] >= 1.0
