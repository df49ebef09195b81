"""The MCP server with the real mcp client: in memory, over stdio, and over streamable HTTP."""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

from export import skills
from skill_registry import Registry
from skills_runtime.export.mcp_server import SkillServer
from skills_runtime.toolkit import Toolkit

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
CLI = "from skills_runtime.cli import main; main()"
ADA = {"first_name": "Ada", "last_name": "L", "order_id": "#W1"}

NEW_SKILL = skills.STATUS.replace("def order_status", "def order_items").replace(
    "Say what state an order is in.", "List the items of an order."
)


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def test_in_memory_client_lists_skills_with_their_exact_schemas(toolkit: Toolkit) -> None:
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {
        "cancel_for_customer",
        "count_forever",
        "order_status",
        "refund_everything",
    }
    expected = toolkit.entry("cancel_for_customer").parameters
    assert tools["cancel_for_customer"].input_schema == expected
    assert tools["order_status"].annotations is not None
    assert tools["order_status"].annotations.read_only_hint is True


async def test_a_call_reaches_the_host_tools_and_is_recorded(
    toolkit: Toolkit, registry: Registry
) -> None:
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        result = await client.call_tool("cancel_for_customer", ADA)
    assert not result.is_error, _text(result)
    assert _text(result) == "cancelled #W1 (mistake)"
    assert registry.reliability("cancel_for_customer").successes == 1
    (kept,) = [
        t.trajectory for t in registry.trajectories() if t.task == "skill:cancel_for_customer"
    ]
    assert [call["name"] for call in kept["calls"]] == [
        "find_user_id",
        "get_order_details",
        "cancel_order",
    ]


async def test_errors_come_back_as_tool_results_and_the_server_keeps_serving(
    toolkit: Toolkit,
) -> None:
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        wrong = await client.call_tool("cancel_for_customer", {"first_name": "Ada"})
        unknown = await client.call_tool("no_such_skill", {})
        raised = await client.call_tool("refund_everything", {"order_id": "#W2"})
        limited = await client.call_tool("count_forever", {"start": 0})
        still = await client.call_tool("order_status", {"order_id": "#W2"})
    assert wrong.is_error
    assert "last_name" in _text(wrong)
    assert unknown.is_error
    assert "no tool 'no_such_skill'" in _text(unknown)
    assert "order_status" in _text(unknown)
    assert raised.is_error
    assert "refunds are not supported" in _text(raised)
    assert limited.is_error
    assert "limit" in _text(limited)
    assert not still.is_error
    assert _text(still) == "delivered"


async def test_a_skill_promoted_while_serving_appears_and_clients_are_notified(
    toolkit: Toolkit, registry: Registry
) -> None:
    server = SkillServer(toolkit, poll_seconds=0.05)
    async with Client(server, raise_exceptions=True) as client:
        before = {tool.name for tool in (await client.list_tools()).tools}
        async with client.listen(tools_list_changed=True) as subscription:
            skills.store(registry, NEW_SKILL)
            with anyio.fail_after(20):
                async for _event in subscription:
                    break
        after = {tool.name for tool in (await client.list_tools()).tools}
        registry.deprecate("order_items", actor="tests", reason="gone again")
        gone = {tool.name for tool in (await client.list_tools()).tools}
    assert "order_items" not in before
    assert "order_items" in after
    assert "order_items" not in gone


async def test_handshake_era_clients_get_a_list_changed_notification(
    toolkit: Toolkit, registry: Registry
) -> None:
    server = SkillServer(toolkit, poll_seconds=0.05)
    seen = anyio.Event()

    async def on_message(message: Any) -> None:
        if "tools/list_changed" in repr(message) or "ToolListChanged" in type(message).__name__:
            seen.set()

    async with Client(server, mode="legacy", message_handler=on_message) as client:
        await client.list_tools()
        skills.store(registry, NEW_SKILL)
        with anyio.fail_after(20):
            await seen.wait()
        assert "order_items" in {tool.name for tool in (await client.list_tools()).tools}


async def test_host_tools_can_be_served_and_their_calls_recorded_per_session(
    toolkit: Toolkit, registry: Registry
) -> None:
    server = SkillServer(toolkit, expose_host_tools=True, record_host_calls=True, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"find_user_id", "get_order_details", "cancel_order"} <= names
        user = await client.call_tool("find_user_id", {"first_name": "Ada", "last_name": "L"})
        order = await client.call_tool("get_order_details", {"order_id": "#W9"})
        bad = await client.call_tool("cancel_order", {"order_id": "#W1", "reason": "bored"})
    assert _text(user) == "ada_1"
    assert order.is_error
    assert "no order #W9" in _text(order)
    assert bad.is_error
    assert "'bored' is not one of" in _text(bad)
    (kept,) = registry.trajectories(source="mcp-host-calls")
    calls = kept.trajectory["calls"]
    assert [call["name"] for call in calls] == ["find_user_id", "get_order_details"]
    assert calls[1]["is_error"] is True


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(ROOT), str(ROOT / "tests"), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _serve_args(db_path: Path, *extra: str) -> list[str]:
    return ["-c", CLI, "serve", "--tools", "export.hosttools:toolset", "--db", str(db_path), *extra]


async def test_stdio_subprocess_serves_and_records(db_path: Path, tmp_path: Path) -> None:
    parameters = StdioServerParameters(
        command=sys.executable, args=_serve_args(db_path), env=_env(), cwd=str(tmp_path)
    )
    with anyio.fail_after(60):
        async with Client(parameters) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            result = await client.call_tool("cancel_for_customer", ADA)
    assert "cancel_for_customer" in names
    assert _text(result) == "cancelled #W1 (mistake)"
    with Registry.open(db_path) as registry:
        assert registry.reliability("cancel_for_customer").successes == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def http_server(db_path: Path, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    args = _serve_args(db_path, "--transport", "http", "--port", str(port))
    process = subprocess.Popen(
        [sys.executable, *args],
        env=_env(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    drain: threading.Thread | None = None
    try:
        drain = _wait_for_line(process, "Application startup complete", seconds=60)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if drain is not None:
            drain.join(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def _read_until(
    process: subprocess.Popen[bytes], marker: str, *, seconds: float, stream: Any = None
) -> bytes:
    """Read the server log until ``marker`` appears (bounded by a deadline); what was read.

    ``stream``: where the log goes (the process's stderr by default).
    """
    stream = stream if stream is not None else process.stderr
    assert stream is not None
    deadline = time.monotonic() + seconds
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while marker.encode() not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                raise AssertionError(f"server not ready: {seen[-2000:].decode(errors='replace')}")
            if selector.select(timeout=remaining):
                # Raw reads: a buffered readline could hold the marker where select cannot see it.
                seen += os.read(stream.fileno(), 65536)
    return seen


def _wait_for_line(
    process: subprocess.Popen[bytes], marker: str, *, seconds: float
) -> threading.Thread:
    """Read the server log until ``marker`` appears (bounded by a deadline); keep draining it."""
    _read_until(process, marker, seconds=seconds)
    assert process.stderr is not None
    drain = threading.Thread(target=process.stderr.read, daemon=True)
    drain.start()
    return drain


async def test_http_server_serves_skills_on_localhost(http_server: str, db_path: Path) -> None:
    async with Client(http_server) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("order_status", {"order_id": "#W1", "verbose": True})
        wrong = await client.call_tool("order_status", {"order": "#W1"})
    assert "order_status" in names
    assert _text(result) == "pending: i1, i2"
    assert wrong.is_error
    assert "order_id" in _text(wrong)
    with Registry.open(db_path) as registry:
        assert registry.reliability("order_status").successes == 1


def test_http_answers_are_one_json_body_not_an_event_stream(http_server: str) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "probe", "version": "0"},
        },
    }
    response = httpx.post(
        http_server,
        json=initialize,
        headers={"Accept": "application/json, text/event-stream"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["result"]["serverInfo"]["name"] == "skillbank"


@pytest.mark.parametrize(("flag", "logged"), [((), False), (("--access-log",), True)])
def test_http_requests_are_logged_one_line_each_only_when_asked(
    db_path: Path, tmp_path: Path, flag: tuple[str, ...], logged: bool
) -> None:
    port = _free_port()
    args = _serve_args(db_path, "--transport", "http", "--port", str(port), *flag)
    process = subprocess.Popen(
        [sys.executable, *args], env=_env(), cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        seen = _read_until(
            process, "Application startup complete", seconds=60, stream=process.stdout
        )
        response = httpx.post(
            f"http://127.0.0.1:{port}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Accept": "application/json, text/event-stream"},
            timeout=30,
        )
        assert response.status_code < 500
    finally:
        process.terminate()
        seen += process.stdout.read()  # to the end: the process has stopped
        process.wait(timeout=30)
        process.stdout.close()
    assert (b'"POST /mcp HTTP/1.1"' in seen) is logged


async def test_a_host_tool_whose_result_has_no_json_form_is_recorded_as_a_failed_call(
    registry: Registry,
) -> None:
    from skills_runtime.tools import Toolset

    odd = Toolset("odd")

    @odd.tool(mutates=True)
    def reserve_seat(seat: str) -> Any:
        """Reserve a seat (and return a host object by mistake).

        Args:
            seat: The seat, e.g. "12A".
        """
        return object()

    toolkit = Toolkit(registry, odd)
    server = SkillServer(toolkit, expose_host_tools=True, record_host_calls=True, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        result = await client.call_tool("reserve_seat", {"seat": "12A"})
    assert result.is_error
    assert "'reserve_seat' ran but returned a value without a JSON form" in _text(result)
    (kept,) = registry.trajectories(source="mcp-host-calls")
    (call,) = kept.trajectory["calls"]
    assert call["name"] == "reserve_seat"
    assert call["is_error"] is True
    assert call["mutates"] is True


async def test_handshake_clients_see_the_package_version_and_a_tools_list_changed_capability(
    toolkit: Toolkit,
) -> None:
    from skills_runtime import __version__

    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, mode="legacy") as client:
        info = client.server_info
        capabilities = client.server_capabilities
    assert info is not None
    assert info.name == "skillbank"
    assert info.version == __version__ != ""
    assert capabilities.tools is not None
    assert capabilities.tools.list_changed is True


async def test_modern_clients_also_see_the_package_version_and_list_changed(
    toolkit: Toolkit,
) -> None:
    from skills_runtime import __version__

    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server) as client:
        info = client.server_info
        capabilities = client.server_capabilities
    assert info is not None
    assert info.version == __version__
    assert capabilities.tools is not None
    assert capabilities.tools.list_changed is True


async def test_a_skill_error_reads_once_without_the_sdk_prefix(toolkit: Toolkit) -> None:
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        raised = await client.call_tool("refund_everything", {"order_id": "#W2"})
        wrong = await client.call_tool("order_status", {"order": "#W1"})
    assert raised.is_error
    assert _text(raised) == (
        "Error (error) in 'refund_everything'. "
        "ValueError: refunds are not supported for status delivered"
    )
    assert wrong.is_error
    assert _text(wrong).startswith("Error (invalid_arguments) in 'order_status'. ")
    assert "Error executing tool" not in _text(wrong)


async def test_a_skill_needing_missing_host_tools_is_not_listed_and_answers_unavailable(
    toolkit: Toolkit, registry: Registry
) -> None:
    skills.store(registry, skills.FOREIGN)
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        called = await client.call_tool("book_flight_for_customer", {"flight": "HAT001"})
    assert "book_flight_for_customer" not in names
    assert "order_status" in names
    assert called.is_error
    text = _text(called)
    assert text.startswith("Error (unavailable) in 'book_flight_for_customer'. ToolUnavailable:")
    assert "needs host tools search_flights, book_reservation" in text
    assert text.count("Error") == 1


DETAILS = '''
from typing import Any


def order_details(tools, order_id: str) -> dict[str, Any]:
    """Read an order.

    Args:
        order_id: The order, e.g. "#W1".

    Returns:
        The order.
    """
    return tools.get_order_details(order_id=order_id)
'''


async def test_skill_results_carry_structured_content(toolkit: Toolkit, registry: Registry) -> None:
    skills.store(registry, DETAILS)
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        details = await client.call_tool("order_details", {"order_id": "#W1"})
        status = await client.call_tool("order_status", {"order_id": "#W2"})
        raised = await client.call_tool("refund_everything", {"order_id": "#W2"})
    assert details.structured_content == {
        "order_id": "#W1",
        "user_id": "ada_1",
        "status": "pending",
        "items": ["i1", "i2"],
    }
    assert status.structured_content == {"result": "delivered"}
    assert raised.is_error
    assert raised.structured_content == {
        "status": "error",
        "error": {
            "type": "ValueError",
            "message": "refunds are not supported for status delivered",
        },
    }


async def test_a_failed_call_is_one_log_line_on_the_server(db_path: Path, tmp_path: Path) -> None:
    parameters = StdioServerParameters(
        command=sys.executable, args=_serve_args(db_path), env=_env(), cwd=str(tmp_path)
    )
    log = tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as errlog, anyio.fail_after(60):
        async with Client(stdio_client(parameters, errlog=errlog)) as client:
            failed = await client.call_tool("refund_everything", {"order_id": "#W2"})
            wrong = await client.call_tool("order_status", {"order": "#W1"})
    assert failed.is_error
    assert wrong.is_error
    lines = log.read_text(encoding="utf-8").splitlines()
    (refund,) = [line for line in lines if "refund_everything" in line]
    assert "refunds are not supported" in refund
    assert len([line for line in lines if "order_status" in line]) == 1
    assert not [line for line in lines if line.startswith((" ", "\t"))]  # no wrapped blocks


async def test_served_skills_are_agent_skills_folders_under_skill_uris(
    toolkit: Toolkit, registry: Registry
) -> None:
    from skills_ref.parser import parse_frontmatter
    from skills_ref.validator import validate_metadata

    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        listed = {str(resource.uri) for resource in (await client.list_resources()).resources}
        index = json.loads(_contents(await client.read_resource("skill://index.json")))
        skill_md = _contents(await client.read_resource("skill://order-status/SKILL.md"))
        source = _contents(
            await client.read_resource("skill://order-status/scripts/order_status.py")
        )
        with pytest.raises(MCPError, match=r"index\.json"):
            await client.read_resource("skill://no-such-skill/SKILL.md")

    assert "skill://index.json" in listed
    assert "skill://order-status/SKILL.md" in listed
    assert "skill://cancel-for-customer/SKILL.md" in listed
    assert {entry["url"] for entry in index["skills"]} == listed - {"skill://index.json"}
    metadata, _ = parse_frontmatter(skill_md)
    assert validate_metadata(metadata, Path("order-status")) == []
    assert source == registry.get("order_status").source


async def test_a_deprecated_skill_leaves_the_skill_resources(
    toolkit: Toolkit, registry: Registry
) -> None:
    server = SkillServer(toolkit, poll_seconds=None)
    async with Client(server, raise_exceptions=True) as client:
        before = {str(r.uri) for r in (await client.list_resources()).resources}
        registry.deprecate("order_status", actor="tests", reason="retired")
        after = {str(r.uri) for r in (await client.list_resources()).resources}

    assert "skill://order-status/SKILL.md" in before
    assert "skill://order-status/SKILL.md" not in after


def _contents(result: Any) -> str:
    return "".join(getattr(item, "text", "") for item in result.contents)
