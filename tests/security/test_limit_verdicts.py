"""A verdict reports what happened: once the sandbox's own limit fired, the call is ``limit``.

``MemoryError`` and ``RecursionError`` are exceptions that ``except Exception``,
``except RuntimeError``, a bare ``except`` or a ``finally: return`` can swallow. Whatever the
skill does after one of the interpreter's limits fired, the verdict comes from the harness's
observation (the limit watch in every handler), never from how the skill ended.
"""

# Attack programs stay one per line so the table reads as data; long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import InProcessExecutor, ProcessPool

from .helpers import attack, cases

MEMORY = ("limit", "memory")
ALLOCATE = "'a' * (10 ** 10)"

SWALLOWED = {
    "except_exception_returns_ok": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    except Exception:\n        return 'fine'",
        MEMORY,
    ),
    "bare_except_returns_ok": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    except:\n        return 'fine'",
        MEMORY,
    ),
    "tuple_of_classes": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    except (KeyError, Exception) as e:\n        return str(e)",
        MEMORY,
    ),
    "finally_return_without_handler": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    finally:\n        return 'fine'",
        MEMORY,
    ),
    "turned_into_a_guard_refusal": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    except Exception:\n        raise SkillPrecondition('no memory, no problem')",
        MEMORY,
    ),
    "turned_into_a_tool_error": (
        f"def f():\n    try:\n        x = {ALLOCATE}\n    except Exception:\n        raise ToolError('the tool failed')",
        MEMORY,
    ),
    "caught_in_a_helper_then_the_caller_carries_on": (
        f"def g():\n    try:\n        return {ALLOCATE}\n    except Exception:\n        return ''\n\ndef f():\n    g()\n    return 'carried on'",
        MEMORY,
    ),
    "swallowed_in_a_loop_that_then_returns": (
        f"def f():\n    for i in range(3):\n        try:\n            x = {ALLOCATE}\n        except:\n            continue\n    return 'fine'",
        MEMORY,
    ),
    "handler_that_swallows_the_handler_s_own_failure": (
        f"def f():\n    try:\n        try:\n            x = {ALLOCATE}\n        except Exception:\n            return 'inner'\n    except BaseException:\n        return 'outer'",
        MEMORY,  # BaseException is not a builtin of skills: a NameError replaces the limit
    ),
    "recursion_caught_as_runtime_error": (
        "def g(n):\n    return g(n + 1)\n\ndef f():\n    try:\n        return g(0)\n    except RuntimeError:\n        return 'fine'",
        MEMORY,
    ),
    "recursion_depth_probe": (
        "def g(n):\n    try:\n        return g(n + 1)\n    except RecursionError:\n        return n\n\ndef f():\n    return g(0)",
        MEMORY,  # RecursionError is not a builtin: NameError in every frame, on top of it
    ),
    "recursion_depth_probe_with_exception": (
        "def g(n):\n    try:\n        return g(n + 1)\n    except Exception:\n        return n\n\ndef f():\n    return g(0)",
        MEMORY,
    ),
    "recursion_swallowed_by_finally": (
        "def g(n):\n    try:\n        return g(n + 1)\n    finally:\n        return n\n\ndef f():\n    return g(0)",
        MEMORY,
    ),
    # The stack limit firing inside trusted code: the tools object encoding a value too deep,
    # the json helper, the text of a deep list. Each turns into an error the skill can catch.
    "stack_limit_while_the_tools_object_encodes_arguments": (
        "def f(tools):\n    x = []\n    for i in range(200000):\n        x = [x]\n    try:\n        tools.get_order(order_id=x)\n    except Exception as e:\n        return 'fine: ' + str(e)",
        MEMORY,
    ),
    "stack_limit_in_the_json_helper": (
        "def f():\n    x = []\n    for i in range(200000):\n        x = [x]\n    try:\n        return json.dumps(x)\n    except Exception:\n        return 'fine'",
        MEMORY,
    ),
    "stack_limit_in_str_of_a_deep_list": (
        "def f():\n    x = []\n    for i in range(200000):\n        x = [x]\n    try:\n        return len(str(x))\n    except Exception:\n        return 'fine'",
        MEMORY,
    ),
}

NOT_LIMITS = {
    "ordinary_exception_caught": (
        "def f():\n    try:\n        return 1 / 0\n    except Exception:\n        return 'fine'",
        ("ok", "fine"),
    ),
    "finally_on_the_normal_path": (
        "def f():\n    try:\n        x = 1\n    finally:\n        x = 2\n    return x",
        ("ok", 2),
    ),
    "a_skill_naming_its_error_like_a_limit": (
        "def f():\n    raise RuntimeError('maximum recursion depth exceeded')",
        ("error", "RuntimeError"),
    ),
    "an_error_message_that_mentions_memory": (
        "def f():\n    try:\n        raise ValueError('MemoryError')\n    except ValueError as e:\n        return str(e)",
        ("ok", "MemoryError"),
    ),
}


@pytest.mark.parametrize(("source", "expected"), cases(SWALLOWED))
def test_a_limit_the_skill_swallows_is_still_the_verdict(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)


@pytest.mark.parametrize(("source", "expected"), cases(NOT_LIMITS))
def test_exceptions_that_are_not_limits_keep_their_ordinary_verdict(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)


def test_the_in_process_executor_reaches_the_same_verdict_for_a_swallowed_stack_limit() -> None:
    source, _ = SWALLOWED["recursion_caught_as_runtime_error"]
    result = InProcessExecutor().run(source, entry="f", args={})
    assert (result.status, result.limit) == ("limit", "memory")


def test_a_limit_swallowed_after_tool_calls_keeps_the_calls_in_the_result(
    attack_pool: ProcessPool, canary: Path
) -> None:
    source = (
        "def f(tools):\n    tools.get_order(order_id='A1')\n"
        f"    try:\n        x = {ALLOCATE}\n    except Exception:\n        return 'fine'"
    )
    result = attack(attack_pool, source, MEMORY, canary)
    assert [call.name for call in result.tool_calls] == ["get_order"]
