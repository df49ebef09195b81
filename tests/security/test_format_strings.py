"""``str.format`` and f-string attribute access (``"{0.__class__}".format``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

DENIED = ("error", "AttributeError")

ATTACKS = {
    "format_method": ("def f():\n    return '{0.__class__}'.format(1)", DENIED),
    "format_map": ("def f():\n    return '{a.__globals__}'.format_map({'a': f})", DENIED),
    "getattr_format": ("def f():\n    return getattr('', 'format')('{0.__class__}', 1)", DENIED),
    "type_format": ("def f():\n    return str.format('{0.__class__}', 1)", DENIED),
    "fstring_dunder": ("def f():\n    return f'{(1).__class__}'", ("rejected", 'starts with "_"')),
    "fstring_nested_spec": (
        "def f():\n    return f'{1:{\"{0.__class__}\"}}'",
        ("error", "ValueError"),
    ),
    "format_builtin": ("def f():\n    return format(1, '{0.__class__}')", ("error", "NameError")),
    "string_formatter": ("def f():\n    return string.Formatter()", ("error", "NameError")),
    "percent_mapping": ("def f():\n    return '%(x)s' % {'x': 1}", ("ok", "1")),
    "strftime_braces": (
        "def f():\n    return dates.format('2024-01-02', '{0.__class__}')",
        ("ok", "{0.__class__}"),
    ),
    "strftime_codes": (
        "def f():\n    return dates.format('2024-01-02', '%Y/%m')",
        ("ok", "2024/01"),
    ),
    "regex_template": ("def f():\n    return re.sub('(a)', '\\\\1\\\\1', 'a')", ("ok", "aa")),
    "regex_callable_repl": (
        "def f():\n    return re.sub('a', lambda m: m, 'a')",
        ("error", "TypeError"),
    ),
    "json_dumps_default": (
        "def f():\n    return json.dumps(f, default=repr)",
        ("error", "TypeError"),
    ),
    "fstring_repr_function": (
        "def f():\n    return f'{f!r}'.startswith('<function')",
        ("ok", True),
    ),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_format_strings_cannot_walk_attributes(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
