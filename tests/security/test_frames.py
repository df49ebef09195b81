"""Frames reached through generators, coroutines and tracebacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

RESTRICTED = ("rejected", "is a restricted name")
DENIED = ("error", "AttributeError")
GEN = "    g = (i for i in [1])\n"
CAUGHT = "    try:\n        1 / 0\n    except Exception as e:\n        err = e\n"

ATTACKS = {
    "gi_frame": ("def f():\n" + GEN + "    return g.gi_frame.f_back.f_globals", RESTRICTED),
    "getattr_gi_frame": ("def f():\n" + GEN + "    return getattr(g, 'gi_frame')", DENIED),
    "getattr_gi_code": ("def f():\n" + GEN + "    return getattr(g, 'gi_code')", DENIED),
    "gen_send": ("def f():\n" + GEN + "    return getattr(g, 'send')", DENIED),
    "traceback_dunder": (
        "def f():\n" + CAUGHT + "    return err.__traceback__",
        ("rejected", "starts with"),
    ),
    "getattr_traceback": (
        "def f():\n" + CAUGHT + "    return getattr(err, '__traceback__')",
        DENIED,
    ),
    "tb_frame": ("def f():\n" + CAUGHT + "    return err.tb_frame", RESTRICTED),
    "f_back": ("def f():\n" + CAUGHT + "    return err.f_back", RESTRICTED),
    "with_traceback": ("def f():\n" + CAUGHT + "    return getattr(err, 'with_traceback')", DENIED),
    "exception_context": ("def f():\n" + CAUGHT + "    return getattr(err, '__context__')", DENIED),
    "generator_function": ("def f():\n    yield 1", ("rejected", "generators are not allowed")),
    "yield_from": ("def f():\n    yield from [1]", ("rejected", "generators are not allowed")),
    "coroutine": ("async def f():\n    return 1", ("rejected", "async functions are not allowed")),
    "nested_coroutine": (
        "def f():\n    async def g():\n        pass\n    return g",
        ("rejected", "async functions are not allowed"),
    ),
    "getframe": ("def f():\n    return sys._getframe()", ("rejected", 'starts with "_"')),
    "iterator_reduce": ("def f():\n    return getattr(iter([1]), '__reduce__')()", DENIED),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_frames_are_unreachable(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
