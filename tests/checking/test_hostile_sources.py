"""Hostile or enormous sources become findings: ``check`` never raises, crashes or hangs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sources import BODY, skill

from skills_runtime.checking import CheckPolicy, check

NESTED_BRACKETS = "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"
FSTRING_BRACKETS = 'x = f"{' + "(" * 5_000 + "1" + ")" * 5_000 + '}"\n'
DEEP_INDENT = (
    "def f(tools) -> None:\n"
    + "".join(" " * (level + 1) + "if x:\n" for level in range(200))
    + " " * 201
    + "pass\n"
)
LONG_CHAIN = "x = a" + "[0]" * 5_000 + "\n"
ELIF_CHAIN = "def f(tools, x: int) -> int:\n    if x == 0:\n        return 0\n" + "".join(
    f"    elif x == {i}:\n        return {i}\n" for i in range(1_500)
)

HOSTILE: dict[str, tuple[str, set[str]]] = {
    "a megabyte of open parentheses": ("(" * 1_000_000, {"SK002"}),
    "ten thousand nested brackets": (NESTED_BRACKETS, {"SK003"}),
    "brackets nested inside an f-string field": (FSTRING_BRACKETS, {"SK003"}),
    "deep indentation": (DEEP_INDENT, {"SK003"}),
    "a very long subscript chain": (LONG_CHAIN, {"SK003"}),
    "a fifteen-hundred-branch elif chain": (ELIF_CHAIN, {"SK003", "SK115", "SK117"}),
    "a null byte": (skill() + "\x00", {"SK004"}),
    "undecodable bytes kept as surrogates": (
        b"x = '\xff\xfe'\n".decode("utf-8", "surrogateescape"),
        {"SK004"},
    ),
    "a huge string literal": ("x = '" + "a" * 60_000 + "'\n", {"SK102"}),
    "a string literal over the size cap": ("x = '" + "a" * 70_000 + "'\n", {"SK002"}),
    "unterminated triple quote": ('def f(tools):\n    """never closed\n', {"SK001"}),
    "unbalanced brackets": ("def f(tools) -> None:\n    x = (1, [2)\n", {"SK001"}),
    "tabs and spaces mixed": ("def f(tools) -> None:\n\tif x:\n        pass\n", {"SK001"}),
    "an empty source": ("", {"SK101"}),
    "only a comment": ("# nothing here\n", {"SK101"}),
    "import os as typing": (
        skill(header="import os as typing\n", returns=" -> typing.Any"),
        {"SK109", "SK105"},
    ),
    "from typing import Any as eval": (
        skill(header="from typing import Any as eval\nfrom typing import Any\n"),
        {"SK109"},
    ),
    "from os import path as Any": (
        skill(header="from os import path as Any\n"),
        {"SK109", "SK105"},
    ),
    "a shadowed str at module level": (
        skill(header="from typing import Any\nstr = int\n"),
        {"SK102"},
    ),
    "dunder escape through an f-string": (
        skill("    x = f'{order_id.__class__.__mro__}'\n" + BODY),
        {"SK110"},
    ),
    "str.format attribute walk": (
        skill("    x = '{0.__class__}'.format(order_id)\n" + BODY),
        {"SK119"},
    ),
    "tools smuggled through a list": (skill("    xs = [tools]\n" + BODY), {"SK107"}),
    "tools read through getattr": (
        skill("    x = getattr(tools, 'get_order_details')\n" + BODY),
        {"SK107", "SK112"},
    ),
}


@pytest.mark.parametrize(("source", "codes"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_source_is_reported_as_findings_never_an_exception(
    source: str, codes: set[str]
) -> None:
    report = check(source)
    assert not report.ok
    assert codes & set(report.codes), report.findings
    assert "SK000" not in report.codes


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\f\n"])
def test_unusual_line_endings_do_not_break_the_checker(newline: str) -> None:
    source = skill().replace("\n", newline)
    report = check(source)
    assert "SK000" not in report.codes
    if newline == "\r\n":
        assert report.ok, report.findings


def test_syntax_errors_carry_the_line_and_column_of_the_problem() -> None:
    source = "from typing import Any\n\n\ndef f(tools) -> Any:\n    return (1 +\n"
    (finding,) = check(source).findings
    assert finding.code == "SK001"
    assert finding.line >= 5


def test_prescan_caps_follow_the_policy() -> None:
    source = "x = " + "(" * 10 + "1" + ")" * 10 + "\n"
    assert "SK003" in check(source, policy=CheckPolicy(max_bracket_depth=5)).codes
    assert "SK003" not in check(source).codes


def test_brackets_inside_ordinary_strings_do_not_count_as_nesting() -> None:
    source = skill("    x = '" + "(" * 100 + "'\n" + BODY)
    assert check(source).ok


def test_check_refuses_a_non_str_source_as_misuse() -> None:
    with pytest.raises(TypeError, match="str"):
        check(b"def f(tools): pass")  # type: ignore[arg-type]


# A small grammar of skill-ish statements, including forbidden and broken pieces.
_ATOMS = st.sampled_from(
    ["order_id", "tools", "1", "'a'", "None", "True", "[]", "{}", "x", "_x", "eval", "tools.get"]
)
_EXPRESSIONS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" + ", " and ", " == ", " | ", "."]), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"[{e}]"),
        inner.map(lambda e: f"f'{{{e}}}'"),
        st.tuples(inner, inner).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"tools.call(k={p[0]}, v={p[1]})"),
        inner.map(lambda e: f"{e}[0]"),
        inner.map(lambda e: f"lambda: {e}"),
        inner.map(lambda e: f"not {e}"),
    ),
    max_leaves=12,
)
_STATEMENTS = st.one_of(
    _EXPRESSIONS.map(lambda e: f"x = {e}"),
    _EXPRESSIONS.map(lambda e: f"return {e}"),
    _EXPRESSIONS.map(lambda e: f"if {e}:\n        pass"),
    _EXPRESSIONS.map(lambda e: f"for y in {e}:\n        pass"),
    _EXPRESSIONS.map(lambda e: f"while {e}:\n        break"),
    _EXPRESSIONS.map(lambda e: f"raise SkillPrecondition({e})"),
    st.sampled_from(
        ["global x", "import os", "pass", "del x", "yield 1", "(", "'''", "\x00", "\t"]
    ),
)
_SOURCES = st.tuples(
    st.sampled_from(["", "from typing import Any\n", "import typing as t\n", "x = 1\n"]),
    st.sampled_from(
        ["tools, order_id: str", "order_id", "tools, *a", "tools: Any, x: list[int] = 1"]
    ),
    st.sampled_from([" -> Any", "", " -> 'str'", " -> dict[str, Any] | None"]),
    st.lists(_STATEMENTS, min_size=0, max_size=6),
).map(
    lambda p: (
        f"{p[0]}\ndef f({p[1]}){p[2]}:\n"
        + "".join(f"    {statement}\n" for statement in p[3] or ["pass"])
    )
)


@given(_SOURCES)
def test_check_never_raises_for_generated_sources(source: str) -> None:
    report = check(source)
    assert isinstance(report.ok, bool)
    assert "SK000" not in report.codes, report.findings
    for finding in report.findings:
        assert finding.line >= 1
        assert finding.column >= 1


@given(st.text(max_size=300))
def test_check_never_raises_for_arbitrary_text(source: str) -> None:
    report = check(source)
    assert "SK000" not in report.codes, report.findings
