"""Classes, metaclasses, decorators and other object-model tricks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

CLASS = ("rejected", "class definitions are not allowed")
NAME = ("error", "NameError")

ATTACKS = {
    "class_def": ("class A:\n    pass\n\ndef f():\n    return 1", CLASS),
    "metaclass": ("class A(metaclass=print):\n    pass", CLASS),
    "class_in_function": ("def f():\n    class B(Exception):\n        pass\n    return 1", CLASS),
    "type_three_args": ("def f():\n    return type('A', (), {})", NAME),
    "object_base": ("def f():\n    return object()", NAME),
    "decorator": (
        "def deco(g):\n    return g\n\n@deco\ndef f():\n    return 1",
        ("rejected", "decorators are not allowed"),
    ),
    "super": ("def f():\n    return super()", NAME),
    "property": ("def f():\n    return property(len)", NAME),
    "staticmethod": ("def f():\n    return staticmethod(len)", NAME),
    "function_attribute_write": (
        "def f():\n    def g():\n        pass\n    g.x = 1\n    return 1",
        ("error", "TypeError"),
    ),
    "setattr": ("def f():\n    return setattr(f, 'x', 1)", NAME),
    "builtin_write": ("def f():\n    len.x = 1", ("error", "TypeError")),
    "issubclass_plain": ("def f():\n    return issubclass(bool, int)", ("ok", True)),
    "exception_subclass_probe": (
        "def f():\n    return getattr(ValueError, 'mro')()",
        ("error", "AttributeError"),
    ),
    "match_statement": (
        "def f(x=1):\n    match x:\n        case 1:\n            return 1",
        ("rejected", "Match is not allowed"),
    ),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_object_model_tricks_are_closed(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
