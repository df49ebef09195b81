"""MCP logs (JSON-RPC messages a proxy kept) import as trajectories; built with the SDK's types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mcp.types as types

from skills_runtime.trajectory import detect_format, dump_native, load_trajectories, parse_record


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _request(id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return _dump(types.JSONRPCRequest(jsonrpc="2.0", id=id, method=method, params=params))


def _response(id: int, result: Any) -> dict[str, Any]:
    return _dump(types.JSONRPCResponse(jsonrpc="2.0", id=id, result=_dump(result)))


TOOLS = types.ListToolsResult(
    tools=[
        types.Tool(
            name="get_ticket",
            description="Read one ticket.",
            input_schema={"type": "object", "properties": {"ticket_id": {"type": "string"}}},
            annotations=types.ToolAnnotations(read_only_hint=True),
        ),
        types.Tool(
            name="close_ticket",
            description="Close a ticket with a resolution.",
            input_schema={
                "type": "object",
                "properties": {"ticket_id": {"type": "string"}, "resolution": {"type": "string"}},
            },
            annotations=types.ToolAnnotations(destructive_hint=False, idempotent_hint=True),
        ),
    ]
)


def _log() -> list[dict[str, Any]]:
    ticket = {"id": "T-1042", "status": "open", "assignee": "mara"}
    return [
        _request(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}}),
        _dump(types.JSONRPCNotification(jsonrpc="2.0", method="notifications/initialized")),
        _request(1, "tools/list"),
        _response(1, TOOLS),
        _request(2, "tools/call", {"name": "get_ticket", "arguments": {"ticket_id": "T-1042"}}),
        _response(
            2,
            types.CallToolResult(
                content=[types.TextContent(type="text", text=json.dumps(ticket))],
                structured_content=ticket,
            ),
        ),
        _request(3, "tools/call", {"name": "close_ticket", "arguments": {"ticket_id": "T-99"}}),
        _response(
            3,
            types.CallToolResult(
                content=[types.TextContent(type="text", text="No ticket T-99")], is_error=True
            ),
        ),
        _request(
            4,
            "tools/call",
            {"name": "close_ticket", "arguments": {"ticket_id": "T-1042", "resolution": "fixed"}},
        ),
        _response(4, types.CallToolResult(content=[types.TextContent(type="text", text="closed")])),
    ]


def test_a_jsonrpc_log_is_detected_as_mcp() -> None:
    assert detect_format({"messages": _log()}) == "mcp"
    assert detect_format(_log()) == "mcp"


def test_tools_call_requests_pair_with_their_responses_by_id() -> None:
    record = {"id": "hd-1", "instruction": "Close ticket T-1042 as fixed.", "messages": _log()}
    (trajectory,) = parse_record(record).trajectories
    assert trajectory.id == "hd-1"
    assert trajectory.task == "Close ticket T-1042 as fixed."
    assert [(c.name, c.is_error) for c in trajectory.calls] == [
        ("get_ticket", False),
        ("close_ticket", True),
        ("close_ticket", False),
    ]
    assert trajectory.calls[0].result == {"id": "T-1042", "status": "open", "assignee": "mara"}
    assert trajectory.calls[1].result == "No ticket T-99"
    assert trajectory.calls[2].arguments == {"ticket_id": "T-1042", "resolution": "fixed"}


def test_tool_annotations_from_tools_list_are_kept_on_the_schemas() -> None:
    (trajectory,) = parse_record({"messages": _log()}).trajectories
    schemas = {schema.name: schema for schema in trajectory.tool_schemas}
    assert schemas["get_ticket"].annotations == {"readOnlyHint": True}
    assert schemas["close_ticket"].annotations == {
        "destructiveHint": False,
        "idempotentHint": True,
    }
    assert schemas["close_ticket"].parameters["properties"] == {
        "ticket_id": {"type": "string"},
        "resolution": {"type": "string"},
    }


def test_a_jsonrpc_error_response_is_a_failed_call() -> None:
    log = [
        _request(7, "tools/call", {"name": "get_ticket", "arguments": {"ticket_id": "x"}}),
        _dump(
            types.JSONRPCError(
                jsonrpc="2.0",
                id=7,
                error=types.ErrorData(code=-32602, message="Unknown ticket 'x'"),
            )
        ),
    ]
    (trajectory,) = parse_record({"messages": log}).trajectories
    assert trajectory.calls[0].is_error
    assert trajectory.calls[0].result == "Unknown ticket 'x'"


def test_proxy_envelopes_and_a_response_to_nothing_are_handled_and_reported() -> None:
    log = [{"direction": "client->server", "message": m} for m in _log()]
    log.append({"direction": "server->client", "message": _response(42, TOOLS)})
    report = parse_record({"messages": log})
    (trajectory,) = report.trajectories
    assert len(trajectory.calls) == 3
    assert any("response to no request" in problem.message for problem in report.problems)


def test_an_mcp_log_survives_the_native_round_trip(tmp_path: Path) -> None:
    (trajectory,) = parse_record({"id": "hd-2", "messages": _log()}).trajectories
    path = tmp_path / "native.jsonl"
    path.write_text(json.dumps(dump_native(trajectory)) + "\n")
    (again,) = load_trajectories([path]).trajectories
    assert again == trajectory


def test_a_message_that_is_not_jsonrpc_is_a_located_problem() -> None:
    log = [*_log(), {"jsonrpc": "1.0", "id": 9, "method": "tools/call"}]
    report = parse_record({"messages": log}, format="mcp")
    assert report.trajectories == ()
    assert "message 10" in report.problems[0].message
