"""The host keeps bounded copies of whatever a skill sends it, refused calls included.

Caps are ``Limits`` fields (``argument_bytes``, ``record_bytes``, ``records_bytes``,
``message_bytes``). Sizes are measured on what the host keeps (the records and the result it
returns), never on timing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import ConfigurationError, Limits, ProcessPool, RunResult, Tool
from sandbox.caps import json_bytes

LIMITS = Limits(wall_seconds=60.0, cpu_seconds=30.0, memory_mb=512)
BIG = 2_200_000


def _echo(text: str) -> dict[str, Any]:
    return {"echo": text}


def _failing(text: str) -> None:
    raise ValueError("the backend says no: " + text)


TOOLS = (
    Tool(
        "echo",
        _echo,
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    ),
    Tool(
        "failing",
        _failing,
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    ),
)


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPool]:
    with ProcessPool(size=1, limits=LIMITS) as opened:
        yield opened


def _kept(result: RunResult) -> int:
    """Bytes of everything the host keeps of the call (what a caller would store)."""
    return len(result.to_json().encode("utf-8"))


def test_a_hundred_large_refused_calls_are_kept_as_bounded_previews(pool: ProcessPool) -> None:
    source = (
        "def f(tools):\n"
        f"    payload = 'x' * {BIG}\n"
        "    for i in range(100):\n"
        "        try:\n"
        "            tools.not_granted(text=payload)\n"
        "        except ToolError:\n"
        "            pass\n"
        "    return 'done'\n"
    )
    result = pool.run(source, entry="f", args={}, tools=TOOLS)
    assert (result.status, result.value) == ("ok", "done")
    assert len(result.tool_calls) == 100
    assert all(call.refused and call.truncated for call in result.tool_calls)
    assert f"[truncated: {BIG + 11} bytes]" in result.tool_calls[0].arguments
    # 100 x 2.2 MB sent; the host keeps at most records_bytes of records, plus their names.
    assert _kept(result) < LIMITS.records_bytes + 100 * 300
    assert (
        sum(json_bytes(call.to_dict()) for call in result.tool_calls) < LIMITS.records_bytes * 1.2
    )


def test_arguments_above_the_cap_are_refused_without_running_the_tool(pool: ProcessPool) -> None:
    source = (
        "def f(tools):\n"
        f"    try:\n        return tools.echo(text='y' * {LIMITS.argument_bytes})\n"
        "    except ToolError as e:\n        return e.args[0]\n"
    )
    result = pool.run(source, entry="f", args={}, tools=TOOLS)
    assert result.status == "ok"
    assert result.value == (
        f"arguments of tool 'echo' are {LIMITS.argument_bytes + 11} bytes of JSON; the limit is "
        f"{LIMITS.argument_bytes}"
    )
    (call,) = result.tool_calls
    assert call.refused
    assert call.result is None


def test_many_granted_calls_with_large_results_stay_within_the_records_budget(
    pool: ProcessPool,
) -> None:
    source = (
        "def f(tools):\n"
        "    total = 0\n"
        "    for i in range(100):\n"
        "        total += len(tools.echo(text='z' * 200000)['echo'])\n"
        "    return total\n"
    )
    result = pool.run(source, entry="f", args={}, tools=TOOLS)
    # The skill itself received every whole result.
    assert (result.status, result.value) == ("ok", 100 * 200_000)
    assert all(not call.refused and call.truncated for call in result.tool_calls)
    assert _kept(result) < LIMITS.records_bytes + 100 * 300


def test_a_skill_s_huge_error_message_is_cut_to_the_message_cap(pool: ProcessPool) -> None:
    result = pool.run(
        "def f():\n    raise ValueError('w' * 4000000)", entry="f", args={}, tools=TOOLS
    )
    assert result.status == "error"
    assert result.error is not None
    message = result.error["message"]
    assert len(message.encode("utf-8")) <= LIMITS.message_bytes
    assert message.endswith("[truncated: 4000000 bytes]")


def test_a_tool_s_huge_error_is_cut_for_the_skill_and_for_the_record(pool: ProcessPool) -> None:
    source = (
        "def f(tools):\n"
        "    try:\n        tools.failing(text='v' * 100000)\n"
        "    except ToolError as e:\n        return len(e.args[0])\n"
    )
    result = pool.run(source, entry="f", args={}, tools=TOOLS)
    assert result.status == "ok"
    assert result.value < LIMITS.message_bytes + 100
    (call,) = result.tool_calls
    assert call.tool_failed
    assert not call.refused
    assert json_bytes(call.error) <= LIMITS.record_bytes


def test_a_tool_name_of_any_length_is_kept_short() -> None:
    from sandbox.bridge import ToolBridge

    bridge = ToolBridge(TOOLS, LIMITS)
    ok, message = bridge.call("n" * 1_000_000, {"text": "a"})
    assert not ok
    assert len(message) < 1_000
    assert len(bridge.records[0].name) <= 101


@pytest.mark.parametrize(
    "field", ["argument_bytes", "record_bytes", "records_bytes", "message_bytes"]
)
@pytest.mark.parametrize("value", [0, -1, 1.5, "10"])
def test_the_caps_are_positive_whole_numbers(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=field):
        Limits(**{field: value})


def test_a_skill_s_huge_error_and_tool_arguments_do_not_bloat_the_registry(
    tmp_path: Path,
) -> None:
    """``skillbank add`` of a skill raising a 4 MB message (and sending 4 MB to a tool) stores
    a verification report of bounded size: the registry file stays small."""
    from typer.testing import CliRunner

    from skills_runtime.cli.app import app

    source = tmp_path / "loud.py"
    source.write_text(
        "def loud(tools, order_id: str) -> str:\n"
        '    """Fail loudly.\n\n    Args:\n        order_id: An order.\n\n'
        '    Returns:\n        Nothing.\n    """\n'
        "    if order_id:\n"
        "        tools.get_order(order_id=order_id * 4000000)\n"
        "        raise ValueError(order_id * 4000000)\n"
        "    return 'quiet'\n"
    )
    db = tmp_path / "skills.db"
    done = CliRunner().invoke(app, ["add", str(source), "--db", str(db), "--json"])
    assert done.exit_code == 1, done.output
    report = json.loads(done.output)["gates"]["verify"]
    failed = {p["name"]: p for p in report["properties"] if not p["passed"]}
    assert failed["no_unexpected_exception"]["error"].startswith("ValueError: ")
    assert len(done.output) < 200_000
    assert db.stat().st_size < 1_000_000
