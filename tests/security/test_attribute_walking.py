"""Attribute walks toward ``__subclasses__``, ``__globals__``, ``__builtins__``, ``__code__``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

UNDERSCORE = ("rejected", 'starts with "_"')
DENIED = ("error", "AttributeError")

ATTACKS = {
    "subclasses_walk": (
        "def f():\n    return ().__class__.__bases__[0].__subclasses__()",
        UNDERSCORE,
    ),
    "getattr_class": ("def f():\n    return getattr((), '__class__')", DENIED),
    "getattr_mro": ("def f():\n    return getattr(getattr((), '__class__'), 'mro')", DENIED),
    "type_mro_method": ("def f():\n    return str.mro()", DENIED),
    "int_subclasses": ("def f():\n    return int.__subclasses__()", UNDERSCORE),
    "function_globals": ("def f():\n    return f.__globals__", UNDERSCORE),
    "getattr_func_globals": ("def f():\n    return getattr(f, '__globals__')", DENIED),
    "getattr_builtin_self": ("def f():\n    return getattr(len, '__self__')", DENIED),
    "helper_self": ("def f():\n    return math.sqrt.__self__", UNDERSCORE),
    "namespace_internals": ("def f():\n    return getattr(math, '_members')", DENIED),
    "namespace_unknown": ("def f():\n    return math.lookup", DENIED),
    "helper_globals_by_getattr": (
        "def f():\n    return getattr(json.loads, '__globals__')",
        DENIED,
    ),
    "code_object": ("def f():\n    return getattr(lambda: 0, '__code__')", DENIED),
    "co_code_name": ("def f():\n    return f.co_code", ("rejected", "is a restricted name")),
    "hasattr_probe": ("def f():\n    return hasattr(f, '__code__')", ("ok", False)),
    "type_attribute": ("def f():\n    return dict.fromkeys(['a'])", DENIED),
    "dict_view_mapping": ("def f():\n    return getattr({}.keys(), 'mapping')", DENIED),
    "format_method_of_int": ("def f():\n    return getattr(1, '__format__')('')", DENIED),
    "getattr_non_string": ("def f():\n    return getattr(1, 5)", ("error", "TypeError")),
    "reduce_ex": ("def f():\n    return getattr([], '__reduce_ex__')(2)", DENIED),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_attribute_walks_end_at_the_guard(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
