"""pickle, marshal, ctypes and values that do not serialise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

IMPORT = ("rejected", "imports are not allowed")
INVALID = ("error", "InvalidResult")

ATTACKS = {
    "import_pickle": ("import pickle", IMPORT),
    "import_marshal": ("import marshal", IMPORT),
    "import_ctypes": ("import ctypes", IMPORT),
    "pickle_name": ("def f():\n    return pickle.loads(b'')", ("error", "NameError")),
    "bytes_builtin": ("def f():\n    return bytes(10)", ("error", "NameError")),
    "memoryview_builtin": ("def f():\n    return memoryview(b'')", ("error", "NameError")),
    "json_dunder_keys_are_data": (
        "def f():\n    return json.loads('{\"__class__\": 1}')",
        ("ok", {"__class__": 1}),
    ),
    "json_object_hook": (
        "def f():\n    return json.loads('{}', object_hook=print)",
        ("error", "TypeError"),
    ),
    "dumps_function": ("def f():\n    return json.dumps(f)", ("error", "TypeError")),
    "return_function": ("def f():\n    return f", INVALID),
    "return_nan": ("def f():\n    return float('nan')", INVALID),
    "return_deep_nesting": (
        "def f():\n    x = []\n    for i in range(100000):\n        x = [x]\n    return x",
        INVALID,
    ),
    "return_set": ("def f():\n    return {1}", INVALID),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_only_json_leaves_the_worker(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
