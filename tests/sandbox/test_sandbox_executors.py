"""Both executors share one front half: the same host misuse is refused the same way."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import ConfigurationError, InProcessExecutor, ProcessPool, Tool

SOURCE = "def f(tools):\n    return 1\n"


@pytest.fixture(params=["inprocess", "pool"])
def executor(request: pytest.FixtureRequest) -> InProcessExecutor | ProcessPool:
    chosen: InProcessExecutor | ProcessPool = request.getfixturevalue(request.param)
    return chosen


def _echo(text: str) -> str:
    return text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.run(SOURCE, entry="f", args={"tools": 1}), "must not contain 'tools'"),
        (lambda e: e.run(SOURCE, entry="no-name", args={}), "must be a function name"),
        (lambda e: e.run(SOURCE, entry="f", args={"x": {1, 2}}), "must be JSON values"),
        (lambda e: e.run(SOURCE, entry="f", args={}, tools=[object()]), "sandbox.Tool values"),
        (
            lambda e: e.run(SOURCE, entry="f", args={}, tools=[_TOOL, _TOOL]),
            "granted twice",
        ),
        (lambda e: e.run_trusted("no_colon", {}), "package.module:function"),
        (lambda e: e.run_trusted("a.b:c", {1, 2}), "must be JSON values"),
    ],
    ids=["tools-arg", "entry", "args-json", "tool-type", "tool-twice", "target", "payload-json"],
)
def test_host_misuse_is_refused_alike_by_every_executor(
    executor: InProcessExecutor | ProcessPool, call: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        call(executor)


def test_the_call_limits_default_to_the_executor_s_own(
    executor: InProcessExecutor | ProcessPool,
) -> None:
    result = executor.run("def f(tools):\n    print('x' * 5000)\n", entry="f", args={})

    assert result.status == "limit"
    assert result.limit == "output"


_TOOL = Tool(name="echo", function=_echo, schema={"type": "object"})
