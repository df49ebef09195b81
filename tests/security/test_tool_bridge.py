"""The tool object and the bridge: grants, schemas, budgets, and attempts to reach internals."""

# Attack programs stay one per line so the table reads as data; long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from sandbox import Limits, ProcessPool, Tool

from .helpers import ATTACK_LIMITS, attack, cases, grant

TOOL_ERROR = ("error", "ToolError")
DENIED = ("error", "AttributeError")

ATTACKS = {
    "ungranted_tool": (
        "def f(tools):\n    return tools.delete_everything(confirm=True)",
        TOOL_ERROR,
    ),
    "schema_violation": ("def f(tools):\n    return tools.get_order(order_id=1)", TOOL_ERROR),
    "extra_argument": (
        "def f(tools):\n    return tools.get_order(order_id='a', admin=True)",
        TOOL_ERROR,
    ),
    "positional_arguments": (
        "def f(tools):\n    return tools.get_order('a')",
        ("error", "TypeError"),
    ),
    "dispatch_slot": ("def f(tools):\n    return tools._dispatch", ("rejected", 'starts with "_"')),
    "getattr_dispatch": ("def f(tools):\n    return getattr(tools, '_dispatch')", DENIED),
    "replace_tool": ("def f(tools):\n    tools.get_order = len", ("error", "TypeError")),
    "index_tools": ("def f(tools):\n    return tools['get_order']", ("error", "TypeError")),
    "caller_closure": ("def f(tools):\n    return getattr(tools.get_order, '__closure__')", DENIED),
    "caller_cell_contents": (
        "def f(tools):\n    return getattr(tools.get_order, 'cell_contents')",
        DENIED,
    ),
    "lookup_method_is_just_a_name": (
        "def f(tools):\n    return tools.lookup_tool(name='x')",
        TOOL_ERROR,
    ),
    "function_as_argument": (
        "def f(tools):\n    return tools.get_order(order_id=f)",
        ("error", "TypeError"),
    ),
    "tools_repr": ("def f(tools):\n    return repr(tools)", ("ok", "<tools>")),
    "call_budget_swallowed": (
        "def f(tools):\n    while True:\n        try:\n            tools.get_order(order_id='a')\n"
        "        except:\n            pass",
        ("limit", "tool_calls"),
    ),
    # Encoding arguments this deep reaches the interpreter's stack limit: that is the verdict
    # (as for json.dumps), whether or not the skill catches the TypeError the tools object raises.
    "deep_arguments": (
        "def f(tools):\n    x = []\n    for i in range(100000):\n        x = [x]\n    return tools.get_order(order_id=x)",
        ("limit", "memory"),
    ),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_the_bridge_holds(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)


def test_ungranted_tool_errors_name_the_granted_tools(
    attack_pool: ProcessPool, canary: Path
) -> None:
    result = attack(attack_pool, ATTACKS["ungranted_tool"][0], TOOL_ERROR, canary)
    assert result.error is not None
    assert result.error["message"] == (
        "tool 'delete_everything' is not granted to this skill; granted: ['get_order']"
    )
    assert [(call.name, call.arguments) for call in result.tool_calls] == [
        ("delete_everything", {"confirm": True})
    ]


def _slow(order_id: str) -> str:
    time.sleep(0.6)
    return order_id


def test_slow_tools_exhaust_the_tool_time_budget(attack_pool: ProcessPool, canary: Path) -> None:
    slow = (Tool("get_order", _slow, {"type": "object"}),)
    source = "def f(tools):\n    for i in range(4):\n        tools.get_order(order_id='a')"
    result = attack(attack_pool, source, ("limit", "tool_time"), canary, tools=slow)
    assert len(result.tool_calls) == 2


def test_a_tool_outlasting_the_wall_clock_ends_as_wall(
    attack_pool: ProcessPool, canary: Path
) -> None:
    slow = (Tool("get_order", _slow, {"type": "object"}),)
    limits = Limits(wall_seconds=0.5, cpu_seconds=1.0, memory_mb=256, tool_seconds=10.0)
    source = "def f(tools):\n    return tools.get_order(order_id='a')"
    attack(attack_pool, source, ("limit", "wall"), canary, tools=slow, limits=limits)


def test_host_objects_returned_by_tools_never_reach_the_skill(
    attack_pool: ProcessPool, canary: Path
) -> None:
    leaky = (Tool("get_order", lambda order_id: {"callback": print}, {"type": "object"}),)
    result = attack(
        attack_pool,
        "def f(tools):\n    return tools.get_order(order_id='a')",
        TOOL_ERROR,
        canary,
        tools=leaky,
    )
    assert result.error is not None
    assert "failed: TypeError" in result.error["message"]


def test_tool_results_are_fresh_copies(attack_pool: ProcessPool, canary: Path) -> None:
    shared = {"items": [1]}
    tools = (Tool("get_order", lambda order_id: shared, {"type": "object"}),)
    source = "def f(tools):\n    got = tools.get_order(order_id='a')\n    got['items'].append(2)\n    return got"
    attack(attack_pool, source, ("ok", {"items": [1, 2]}), canary, tools=tools)
    assert shared == {"items": [1]}
    assert grant()[0].name == "get_order"
    assert ATTACK_LIMITS.max_tool_calls == 5
