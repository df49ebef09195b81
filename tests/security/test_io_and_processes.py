"""Files, sockets, subprocesses and the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

IMPORT = ("rejected", "imports are not allowed")
NAME = ("error", "NameError")

ATTACKS = {
    "open_write": ("def f():\n    open('/tmp/pwned', 'w').write('x')", NAME),
    "import_socket": ("import socket", IMPORT),
    "import_subprocess": ("import subprocess", IMPORT),
    "os_system": ("def f():\n    return os.system('id')", NAME),
    "fork": ("def f():\n    return os.fork()", NAME),
    "print_to_file": ("def f():\n    print('x', file=[])", ("error", "TypeError")),
    "with_statement": (
        "def f():\n    with x:\n        pass",
        ("rejected", "'with' is not allowed"),
    ),
    "input": ("def f():\n    return input()", NAME),
    "environ": ("def f():\n    return environ", NAME),
    "help": ("def f():\n    return help()", NAME),
    "quit": ("def f():\n    quit()", NAME),
    "path_helper": ("def f():\n    return getattr(dates, 'open')", ("error", "AttributeError")),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_io_and_processes_are_unreachable(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
    assert not Path("/tmp/pwned").exists()
