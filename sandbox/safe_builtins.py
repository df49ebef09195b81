"""The builtins skill code sees: a default-deny selection, plus the sandbox's own helpers.

Left out on purpose: ``__import__``, ``open``, ``eval``/``exec``/``compile``, ``type``/``object``
(class creation and MRO walks), ``id``/``hash`` (address and hash-seed leaks), ``vars``/``dir``/
``globals``/``locals``, ``setattr``/``delattr``, ``__build_class__``, ``SystemExit``,
``KeyboardInterrupt``, ``MemoryError``, ``RecursionError`` and ``BaseException`` (the harness
classifies the real ones; skill code cannot construct them).
"""

from __future__ import annotations

import builtins as _builtins
from collections.abc import Callable
from typing import Any

from sandbox.errors import SkillPrecondition, ToolError
from sandbox.guards import GUARDS, guarded_getattr, guarded_hasattr
from sandbox.namespaces import NAMESPACES

__all__ = ["SAFE_BUILTINS", "SKILL_BUILTINS", "PrintCollector", "skill_globals"]

_PLAIN = [
    "abs",
    "all",
    "any",
    "bin",
    "bool",
    "callable",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "hex",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "oct",
    "ord",
    "pow",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "slice",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
]

_EXCEPTIONS = [
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "Exception",
    "IndexError",
    "KeyError",
    "LookupError",
    "NotImplementedError",
    "OverflowError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
]

SAFE_BUILTINS: dict[str, Any] = {
    "None": None,
    "True": True,
    "False": False,
    **{name: getattr(_builtins, name) for name in _PLAIN + _EXCEPTIONS},
    "getattr": guarded_getattr,
    "hasattr": guarded_hasattr,
    "SkillPrecondition": SkillPrecondition,
    "ToolError": ToolError,
    **NAMESPACES,
}

SKILL_BUILTINS: frozenset[str] = frozenset(SAFE_BUILTINS)
"""Every name skill code finds among its builtins (the static checker allows no other)."""


class PrintCollector:
    """What RestrictedPython's ``print`` rewrite calls; sends text to the call's sink.

    Args:
        sink: Receives each printed chunk of text.
    """

    __slots__ = ("_sink",)

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink

    def _call_print(self, *objects: Any, sep: Any = " ", end: Any = "\n", **kwargs: Any) -> None:
        if kwargs.get("file") is not None:
            raise TypeError("print(file=...) is not available in skills")
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        if type(sep) is not str or type(end) is not str:
            raise TypeError("print sep and end must be strings")
        self._sink(sep.join(str(item) for item in objects) + end)

    def __call__(self) -> str:
        # The ``printed`` name of RestrictedPython: output is streamed out, not kept here.
        return ""


def skill_globals(sink: Callable[[str], None]) -> dict[str, Any]:
    """A fresh global namespace for one execution of restricted code.

    Args:
        sink: Receives printed text.
    """

    def print_factory(_getattr_: Any = None) -> PrintCollector:
        return PrintCollector(sink)

    return {
        "__builtins__": SAFE_BUILTINS,
        "__name__": "skill",
        "_print_": print_factory,
        **GUARDS,
    }
