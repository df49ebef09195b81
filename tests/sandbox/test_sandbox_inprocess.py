"""The in-process executor: same contract, no isolation."""

from __future__ import annotations

from sandbox import InProcessExecutor, Limits, Tool

SKILL = "def f(tools, n):\n    print('n', n)\n    return tools.get_order(order_id=str(n))['status']"


def test_in_process_calls_share_the_result_contract(
    inprocess: InProcessExecutor, order_tools: tuple[Tool, ...]
) -> None:
    result = inprocess.run(SKILL, entry="f", args={"n": 3}, tools=order_tools)
    assert (result.status, result.value, result.output) == ("ok", "delivered", "n 3\n")
    assert [call.arguments for call in result.tool_calls] == [{"order_id": "3"}]


def test_in_process_tool_budget_ends_the_call_even_if_the_skill_swallows_it(
    inprocess: InProcessExecutor, order_tools: tuple[Tool, ...]
) -> None:
    source = (
        "def f(tools):\n    for i in range(10):\n        try:\n"
        "            tools.get_order(order_id='x')\n        except ToolError:\n            pass\n"
        "    return 'done'"
    )
    result = inprocess.run(
        source, entry="f", args={}, tools=order_tools, limits=Limits(max_tool_calls=3)
    )
    assert (result.status, result.limit) == ("limit", "tool_calls")


def test_in_process_output_cap_is_a_limit(inprocess: InProcessExecutor) -> None:
    source = (
        "def f():\n    while True:\n        try:\n            print('x' * 100)\n"
        "        except:\n            return 1"
    )
    result = inprocess.run(source, entry="f", args={})
    assert (result.status, result.limit) == ("limit", "output")


def test_in_process_rejections_match_the_pool(inprocess: InProcessExecutor) -> None:
    result = inprocess.run("import os", entry="f", args={})
    assert result.status == "rejected"
    assert result.rejection is not None
    assert result.rejection.line == 1


def test_in_process_trusted_targets_run_here(inprocess: InProcessExecutor) -> None:
    result = inprocess.run_trusted("sandbox_targets:echo", [1, 2])
    assert (result.status, result.value) == ("ok", {"payload": [1, 2]})
