"""Helpers must not leak ``sys``/``os``/builtins the way raw modules do (``re.enum.sys``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import attack, cases

DENIED = ("error", "AttributeError")

ATTACKS = {
    "re_enum_sys": ("def f():\n    return re.enum.sys", DENIED),
    "json_codecs_builtins": ("def f():\n    return json.codecs.builtins", DENIED),
    "dates_sys": ("def f():\n    return dates.sys", DENIED),
    "datetime_module": ("def f():\n    return datetime.sys", ("error", "NameError")),
    "math_sys": ("def f():\n    return getattr(math, 'sys')", DENIED),
    "re_compile": ("def f():\n    return re.compile('a')", DENIED),
    "re_pattern_type": ("def f():\n    return re.Pattern", DENIED),
    "match_object_string": ("def f():\n    return getattr(re.match('a', 'a'), 'string')", DENIED),
    "json_decoder_class": ("def f():\n    return json.JSONDecoder", DENIED),
    "escape_works": ("def f():\n    return re.escape('a.b')", ("ok", "a\\.b")),
    "helper_module_attr": ("def f():\n    return getattr(re.escape, '__module__')", DENIED),
    "flag_is_plain_int": ("def f():\n    return getattr(re.IGNORECASE, 'name')", DENIED),
    "float_hex": ("def f():\n    return math.pi.hex()", DENIED),
    "statistics_module": ("def f():\n    return statistics.mean([1])", ("error", "NameError")),
    "typing_module": ("def f():\n    return typing.sys", ("error", "NameError")),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_helper_namespaces_leak_no_modules(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)
