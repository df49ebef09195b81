"""Imports and every route to ``__import__``, ``eval``, ``exec`` and friends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

IMPORT = ("rejected", "imports are not allowed")
UNDERSCORE = ("rejected", 'starts with "_"')
NAME = ("error", "NameError")

ATTACKS = {
    "import_os": ("import os", IMPORT),
    "from_import": ("from os import system", IMPORT),
    "import_alias": ("import sys as s", IMPORT),
    "import_in_function": ("def f():\n    import subprocess\n    return 1", IMPORT),
    "relative_import": ("from . import thing", IMPORT),
    "dunder_import_call": ("def f():\n    return __import__('os')", UNDERSCORE),
    "builtins_name": ("def f():\n    return __builtins__", UNDERSCORE),
    "loader_name": ("def f():\n    return __loader__", UNDERSCORE),
    "spec_name": ("def f():\n    return __spec__", UNDERSCORE),
    "importlib": ("def f():\n    return importlib.import_module('os')", NAME),
    "eval": ("def f():\n    return eval('1')", ("rejected", "Eval calls are not allowed")),
    "exec": ("def f():\n    exec('import os')", ("rejected", "Exec calls are not allowed")),
    "eval_by_getattr": (
        "def f():\n    e = getattr(len, 'eval')\n    return e",
        ("error", "AttributeError"),
    ),
    "compile": ("def f():\n    return compile('1', 'x', 'eval')", NAME),
    "globals": ("def f():\n    return globals()", NAME),
    "vars": ("def f():\n    return vars()", NAME),
    "dir": ("def f():\n    return dir()", NAME),
    "open": ("def f():\n    return open('/etc/passwd').read()", NAME),
    "breakpoint": ("def f():\n    return breakpoint()", ("rejected", "is a reserved name")),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_import_routes_are_closed(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
