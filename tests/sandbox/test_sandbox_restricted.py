"""The language layer: restricted compilation and in-process calls of ``sandbox.restricted``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox import MissingEntry, ToolError
from sandbox.restricted import CompiledSkill, Rejection, compile_skill


def _no_tools(name: str, kwargs: dict[str, Any]) -> Any:
    raise ToolError(f"no tool {name}")


def call(source: str, entry: str = "f", **args: Any) -> Any:
    compiled = compile_skill(source)
    assert isinstance(compiled, CompiledSkill), compiled
    return compiled.call(entry, args, dispatch=_no_tools)


COMMON = [
    ("def f():\n    return len([1, 2, 3])", 3),
    ("def f():\n    return list(range(3))", [0, 1, 2]),
    ("def f():\n    return [i * v for i, v in enumerate('ab')]", ["", "b"]),
    ("def f():\n    return dict(zip('ab', [1, 2]))", {"a": 1, "b": 2}),
    ("def f():\n    return sorted([3, 1, 2], key=lambda x: -x)", [3, 2, 1]),
    (
        "def f():\n    return [min(4, 2), max([1, 9]), sum([1, 2]), abs(-3), round(2.567, 1)]",
        [2, 9, 3, 3, 2.6],
    ),
    (
        "def f():\n    return [any([0, 1]), all([1, 0]), isinstance(1, int),"
        " isinstance('a', (int, str))]",
        [True, False, True, True],
    ),
    (
        "def f():\n    return [str(1), int('2'), float('1.5'), bool(0), tuple([1]), set([1, 1])]",
        ["1", 2, 1.5, False, (1,), {1}],
    ),
    (
        "def f():\n    d = {}\n    d['a'] = 1\n    d.setdefault('b', []).append(2)\n"
        "    return [d.get('a'), sorted(d.keys()), list(d.items())[0], list(d.values())[1]]",
        [1, ["a", "b"], ("a", 1), [2]],
    ),
    ("def f():\n    n = 3\n    return f'{n!r:>4}|{n * 2}|{\"x\".upper()}'", "   3|6|X"),
    ("def f():\n    return {k: v for k, v in [('a', 1)]} | {'b': 2}", {"a": 1, "b": 2}),
    (
        "def f():\n    try:\n        raise ValueError('no')\n    except ValueError as e:\n"
        "        return str(e)",
        "no",
    ),
    ("def f():\n    x = [1]\n    x += [2]\n    x[0] = 5\n    del x[1]\n    return x", [5]),
    ("def f():\n    a, (b, *c) = 1, (2, 3, 4)\n    return [a, b, c]", [1, 2, [3, 4]]),
    ("def f():\n    return ' a,b '.strip().split(',') + ['-'.join(['x', 'y'])]", ["a", "b", "x-y"]),
    ("def f():\n    return [math.sqrt(16), math.floor(2.5), math.pi > 3]", [4.0, 2, True]),
    ("def f():\n    return json.loads(json.dumps({'a': [1, None]}))", {"a": [1, None]}),
    (
        "def f():\n    return re.findall(r'\\d+', 'a1b22') + [re.sub('a', 'b', 'aa')]",
        ["1", "22", "bb"],
    ),
    (
        "def f():\n    m = re.search(r'(?P<n>\\d+)', 'x42')\n    return [m['match'], m['named']]",
        ["42", {"n": "42"}],
    ),
    (
        "def f():\n    return [dates.add_days('2024-02-28', 2), dates.days_between('2024-01-01', "
        "'2024-03-01'), dates.weekday('2024-01-01')]",
        ["2024-03-01", 60, 0],
    ),
    ("def helper(x):\n    return x * 2\n\ndef f():\n    return helper(21)", 42),
    (
        "def f():\n    total = 0\n    i = 0\n    while i < 5:\n        i += 1\n"
        "        if i == 2:\n            continue\n        total += i\n    return total",
        13,
    ),
    ("def f():\n    return getattr('abc', 'upper')() + str(hasattr([], 'append'))", "ABCTrue"),
    ("def f():\n    return (y := 3) + y", 6),
]


@pytest.mark.parametrize(("source", "expected"), COMMON)
def test_common_python_works_in_skills(source: str, expected: Any) -> None:
    assert call(source) == expected


def test_annotations_are_stripped_before_restricted_compilation() -> None:
    source = (
        "def f(n: int, names: list[str] | None = None) -> dict[str, int]:\n"
        "    total: int = n\n    later: str\n    return {'total': total}\n"
    )
    assert call(source, n=4) == {"total": 4}


def test_skill_receives_tools_and_sees_tool_errors() -> None:
    source = (
        "def f(tools, order_id: str):\n"
        "    got = tools.get_order(order_id=order_id)\n"
        "    try:\n        tools.broken(x=1)\n    except ToolError as exc:\n"
        "        return [got, str(exc)]\n"
    )
    calls: list[tuple[str, dict[str, Any]]] = []

    def dispatch(name: str, kwargs: dict[str, Any]) -> Any:
        calls.append((name, kwargs))
        if name == "broken":
            raise ToolError("it broke")
        return {"id": kwargs["order_id"]}

    compiled = compile_skill(source)
    assert isinstance(compiled, CompiledSkill)
    assert compiled.call("f", {"order_id": "A"}, dispatch=dispatch) == [{"id": "A"}, "it broke"]
    assert calls == [("get_order", {"order_id": "A"}), ("broken", {"x": 1})]


def test_skill_precondition_is_a_builtin_of_skills() -> None:
    with pytest.raises(Exception, match="order is not delivered") as info:
        call("def f():\n    raise SkillPrecondition('order is not delivered')")
    assert type(info.value).__name__ == "SkillPrecondition"


def test_printed_text_goes_to_the_print_sink() -> None:
    compiled = compile_skill("def f():\n    print('a', 1, sep='-')\n    return 0")
    assert isinstance(compiled, CompiledSkill)
    printed: list[str] = []
    compiled.call("f", {}, dispatch=_no_tools, on_print=printed.append)
    assert printed == ["a-1\n"]


def test_each_call_gets_a_fresh_namespace() -> None:
    source = "seen = []\n\ndef f():\n    seen.append(1)\n    return len(seen)\n"
    assert [call(source), call(source)] == [1, 1]


def test_missing_entry_names_the_functions_defined() -> None:
    compiled = compile_skill("def g():\n    return 1\n")
    assert isinstance(compiled, CompiledSkill)
    with pytest.raises(MissingEntry, match=r"defines no function 'f'; it defines: \['g'\]"):
        compiled.call("f", {}, dispatch=_no_tools)


REJECTED = [
    ("import os", 1, "imports are not allowed"),
    ("x = 1\nfrom os import path", 2, "imports are not allowed"),
    ("class A:\n    pass", 1, "class definitions are not allowed"),
    ("def f():\n    yield 1", 2, "generators are not allowed"),
    ("async def f():\n    pass", 1, "async functions are not allowed"),
    ("def f():\n    global x", 2, "'global' is not allowed"),
    ("@staticmethod\ndef f():\n    pass", 2, "decorators are not allowed"),
    ("def f():\n    return x.__class__", 2, 'starts with "_"'),
    ("def f(:\n    pass", 1, "syntax error"),
    ("(" * 50 + ")" * 50, 1, "brackets nest deeper than"),
]


@pytest.mark.parametrize(("source", "line", "reason"), REJECTED)
def test_refused_constructs_are_rejections_with_lines(source: str, line: int, reason: str) -> None:
    rejection = compile_skill(source)
    assert isinstance(rejection, Rejection)
    assert rejection.line == line
    assert reason in rejection.message


def test_oversized_source_is_rejected_before_parsing() -> None:
    rejection = compile_skill("x = 1\n" * 40_000)
    assert isinstance(rejection, Rejection)
    assert "bytes; the limit is" in rejection.message


def test_compiled_skills_are_cached_by_source() -> None:
    source = "def f():\n    return 1\n"
    assert compile_skill(source) is compile_skill(source)


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_restricted_arithmetic_agrees_with_python(a: int, b: int) -> None:
    source = "def f(a, b):\n    return [a + b, a * b, a - b, a // (b or 1), a % (b or 1)]"
    assert call(source, a=a, b=b) == [a + b, a * b, a - b, a // (b or 1), a % (b or 1)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_tool_arguments_reach_dispatch_as_equal_fresh_json(value: Any) -> None:
    received: list[Any] = []

    def dispatch(name: str, kwargs: dict[str, Any]) -> Any:
        received.append(kwargs["v"])
        return kwargs["v"]

    compiled = compile_skill("def f(tools, v):\n    return tools.echo(v=v)")
    assert isinstance(compiled, CompiledSkill)
    assert compiled.call("f", {"v": value}, dispatch=dispatch) == value
    assert received == [value]
    if isinstance(value, list | dict):
        assert received[0] is not value
