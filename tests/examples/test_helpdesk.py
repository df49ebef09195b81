"""The helpdesk example: a toolset and a real MCP server, and noisy runs logged as JSON-RPC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client

from examples.helpdesk import ANSWERS as ANSWERS_PATH
from examples.helpdesk import DIRECTORY, TRAJECTORIES, record, seed, tools
from examples.helpdesk.server import ANNOTATIONS, build_server
from examples.helpdesk.store import DATA_PATH, HelpdeskError, Store
from examples.recording import noise_table, procedure_table
from skills_runtime.trajectory import load_trajectories
from tests.examples.logs import (
    check_mcp,
    check_openai,
    final_text,
    jsonl,
    mcp_calls,
    openai_calls,
    repeated,
    retried,
)

DATA = json.loads(DATA_PATH.read_text(encoding="utf-8"))
MCP = jsonl(TRAJECTORIES["mcp"])
OPENAI = jsonl(TRAJECTORIES["openai-chat"])
ANSWERS = json.loads(ANSWERS_PATH.read_text(encoding="utf-8"))
RUNS = {run["id"]: run for run in ANSWERS["runs"]}
EMAIL = "nadia.berg@helpdesk.example"


def _ids(status: str) -> list[str]:
    return sorted(t for t, ticket in DATA["tickets"].items() if ticket["status"] == status)


# -- the service ------------------------------------------------------------------------------


def test_the_database_is_generated_from_its_seed() -> None:
    assert seed.build_database() == DATA


def test_every_call_needs_the_token_login_returned() -> None:
    tools.reset(DATA)
    with pytest.raises(HelpdeskError, match="call login to get a new one"):
        tools.toolset.call("get_ticket", {"token": "hd_guess", "ticket_id": "HD-1001"})
    token = tools.toolset.call("login", {"email": EMAIL})["token"]
    assert tools.toolset.call("get_ticket", {"token": token, "ticket_id": "HD-1001"})["id"]


def test_tokens_differ_between_stores_and_logins() -> None:
    first = Store(DATA, token_salt="a").login(EMAIL)["token"]
    assert Store(DATA, token_salt="b").login(EMAIL)["token"] != first
    store = Store(DATA, token_salt="a")
    assert store.login(EMAIL)["token"] == first
    assert store.login(EMAIL)["token"] != first


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s: s.close(_ids("closed")[0], "done"), "is already closed"),
        (lambda s: s.comment("agt_1040", _ids("closed")[0], "hi", True), "reopen it first"),
        (lambda s: s.set_priority(_ids("closed")[0], "urgent"), "reopen it first"),
        (lambda s: s.reopen(_ids("open")[0]), "is not closed"),
        (lambda s: s.assign(_ids("open")[0], "Ken Ito"), "agent ids look like 'agt_1042'"),
        (lambda s: s.ticket("HD-1O42"), "ticket ids look like 'HD-1042'"),
        (lambda s: s.merge("agt_1040", "HD-1001", "HD-1001"), "cannot be merged into itself"),
        (lambda s: s.login("nobody@example.com"), "no support agent"),
        (lambda s: s.create("agt_1040", "x", "y", "not an email", "low"), "customer's email"),
    ],
)
def test_refusals_say_why(action: Any, message: str) -> None:
    with pytest.raises(HelpdeskError, match=message):
        action(Store(DATA))


def test_a_search_by_name_instead_of_id_finds_nothing_without_an_error() -> None:
    store = Store(DATA)
    assert store.search("", "open", "Ken Ito", None, 20) == {"tickets": [], "total": 0}


@given(st.sampled_from(_ids("open")), st.sampled_from(_ids("open")))
def test_merging_closes_the_source_and_notes_it_on_the_target(source: str, target: str) -> None:
    store = Store(DATA)
    if source == target:
        return
    merged = store.merge("agt_1040", source, target)
    assert merged["id"] == target
    assert merged["comments"][-1]["body"].startswith(f"Merged {source}")
    assert store.ticket(source)["status"] == "closed"
    with pytest.raises(HelpdeskError, match=f"merged into {target}"):
        store.reopen(source)


@given(st.sampled_from(_ids("closed")))
def test_a_closed_ticket_takes_changes_again_once_reopened(ticket_id: str) -> None:
    store = Store(DATA)
    store.reopen(ticket_id)
    assert store.set_priority(ticket_id, "urgent")["priority"] == "urgent"
    assert store.comment("agt_1040", ticket_id, "back", False)["public"] is False
    assert DATA["tickets"][ticket_id]["status"] == "closed"  # the store works on its own copy


def test_the_answer_key_covers_every_tool() -> None:
    assert set(record.EFFECTS) == set(tools.toolset.names)
    assert ANSWERS["effects"] == record.EFFECTS


def _served_tools() -> list[dict[str, Any]]:
    async def listing() -> list[dict[str, Any]]:
        async with Client(build_server(), mode="legacy") as client:
            result = await client.list_tools()
        return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in result.tools]

    return anyio.run(listing)


def test_the_server_annotates_some_tools_only() -> None:
    served = {tool["name"]: tool for tool in _served_tools()}
    assert set(served) == set(tools.toolset.names)
    annotated = {name for name, tool in served.items() if "annotations" in tool}
    assert annotated == set(ANNOTATIONS)
    assert served["get_ticket"]["annotations"]["readOnlyHint"] is True
    assert served["merge_tickets"]["annotations"]["destructiveHint"] is True
    assert "annotations" not in served["create_ticket"]


def test_the_logged_tool_list_is_what_the_server_serves() -> None:
    logged = next(
        m["result"]["tools"] for m in MCP[0]["messages"] if "tools" in m.get("result", {})
    )
    assert logged == _served_tools()


def test_a_refusal_reaches_the_mcp_client_as_an_error_result_with_the_reason() -> None:
    tools.reset(DATA)

    async def refused() -> Any:
        async with Client(build_server(), mode="legacy") as client:
            login = await client.call_tool("login", {"email": EMAIL})
            token = login.structured_content["token"]
            return await client.call_tool(
                "close_ticket", {"token": token, "ticket_id": _ids("closed")[0], "resolution": "x"}
            )

    result = anyio.run(refused)
    assert result.is_error
    assert result.content[0].text.endswith("is already closed")


# -- the recorded runs ------------------------------------------------------------------------


def test_the_committed_files_are_what_the_recorder_writes(tmp_path: Path) -> None:
    record.main(tmp_path)
    for name in ("trajectories.mcp.jsonl", "trajectories.openai.jsonl", "answers.json"):
        assert (tmp_path / name).read_bytes() == (DIRECTORY / name).read_bytes(), (
            f"{name} differs from a fresh recording; run python -m examples.helpdesk.record"
        )


def test_every_record_is_valid_for_its_sdk() -> None:
    for line in MCP:
        assert set(line) <= {"id", "instruction", "split", "outcome", "messages"}
        check_mcp(line)
    for line in OPENAI:
        check_openai(line)


def test_each_log_opens_with_the_handshake_and_the_tool_list() -> None:
    for line in MCP:
        methods = [m.get("method") for m in line["messages"][:5]]
        assert methods == ["initialize", None, "notifications/initialized", "tools/list", None]
        assert all(m.get("method") in (None, "tools/call") for m in line["messages"][5:])


def test_no_record_carries_an_effect_label() -> None:
    for name in ("trajectories.mcp.jsonl", "trajectories.openai.jsonl"):
        assert "mutates" not in (DIRECTORY / name).read_text(encoding="utf-8")
    assert '"is_error"' not in (DIRECTORY / "trajectories.openai.jsonl").read_text()


def test_the_openai_copy_holds_the_same_calls_as_the_mcp_log() -> None:
    for logged, chat in zip(MCP, OPENAI, strict=True):
        assert logged["id"] == chat["id"]
        assert logged.get("outcome") == chat.get("outcome")
        assert [seen for seen, _ in mcp_calls(logged)] == openai_calls(
            chat, failed_prefix="Error executing tool"
        )


def test_the_importer_reads_the_openai_copy_with_no_problems() -> None:
    report = load_trajectories([DIRECTORY / "trajectories.openai.jsonl"])
    assert not report.problems
    assert sorted(report.formats) == ["openai-chat"]
    assert [t.id for t in report.trajectories] == list(RUNS)
    assert sum(len(t.calls) for t in report.trajectories) == ANSWERS["summary"]["calls"]


def test_the_session_token_is_carried_from_login_to_every_later_call() -> None:
    for line in MCP:
        token = None
        for seen, result in mcp_calls(line):
            if seen.tool == "login":
                token = result["structuredContent"]["token"]
            elif token is not None:
                assert seen.arguments["token"] == token
            else:  # a call before signing in: refused
                assert seen.failed
                assert "login" in seen.text


def _replayed(tool: str, arguments: dict[str, Any]) -> Any:
    """What the toolset answers now: its JSON, or the error text the MCP server would send."""
    try:
        return tools.toolset.call(tool, arguments)
    except ValueError as error:
        return f"Error executing tool {tool}: {error}"


def test_replaying_the_calls_on_the_toolset_gives_the_served_results() -> None:
    for line in MCP:
        tools.reset(record.meanwhile(DATA, int(line["id"][-3:])), token_salt=line["id"])
        for seen, result in mcp_calls(line):
            served = seen.text if seen.failed else result["structuredContent"]
            assert _replayed(seen.tool, seen.arguments) == served


def test_splits_hold_the_same_procedures_with_other_values_and_a_few_one_offs() -> None:
    train = {run["procedure"] for run in RUNS.values() if run["split"] == "train"}
    test = {run["procedure"] for run in RUNS.values() if run["split"] == "test"}
    asked = {line["id"]: (line["instruction"], RUNS[line["id"]]["operator"]) for line in MCP}
    train_asks = {asked[i] for i, run in RUNS.items() if run["split"] == "train"}
    assert all(asked[i] not in train_asks for i, run in RUNS.items() if run["split"] == "test")
    assert len(test - train) == 2
    assert len(train - test) == 1
    assert 30 <= len(RUNS) <= 60


def test_the_noise_the_answer_key_names_is_in_the_logs() -> None:
    erring = {"retry_after_error", "fix_up", "gave_up"}
    for line in MCP:
        run, calls = RUNS[line["id"]], [seen for seen, _ in mcp_calls(line)]
        kinds = set(run["noise"])
        if kinds & {"retry_after_error", "fix_up"}:
            assert retried(calls) >= 1, run
        if "duplicate_read" in kinds:
            assert repeated(calls) >= 1, run
        if "retry_after_empty" in kinds:
            assert any(c.tool == "search_tickets" and '"total": 0' in c.text for c in calls)
        if not kinds & erring:
            assert not any(call.failed for call in calls), run
        assert ("outcome" in line) == run["outcome_known"]
        if run["outcome_known"]:
            assert line["outcome"] == ("success" if run["succeeded"] else "failure")


def test_the_readme_gives_the_counts_the_data_holds() -> None:
    summary = ANSWERS["summary"]
    calls = [[seen for seen, _ in mcp_calls(line)] for line in MCP]
    assert summary["calls"] == sum(map(len, calls))
    assert summary["failed_calls"] == sum(c.failed for run in calls for c in run)
    assert summary["outcome_unknown"] == sum("outcome" not in line for line in MCP)
    parallel = sum(len(m.get("tool_calls") or []) > 1 for line in OPENAI for m in line["messages"])
    assert summary["parallel_turns"] == parallel
    readme = (DIRECTORY / "README.md").read_text(encoding="utf-8")
    assert noise_table(summary) in readme
    assert procedure_table(ANSWERS["runs"]) in readme
    assert sum(map(retried, calls)) >= 10
    assert sum(map(repeated, calls)) >= 5
    assert summary["runs"] - summary["succeeded"] >= 5
    assert summary["failed_with_outcome_unknown"] >= 1


def test_answers_state_the_true_values_exactly_when_the_run_succeeded() -> None:
    names = {agent["id"]: agent["name"] for agent in DATA["agents"].values()}
    for line in OPENAI:
        run, said = RUNS[line["id"]], final_text(line)
        asked = line["messages"][1]["content"]
        if run["procedure"] == "ticket_status":
            ticket = DATA["tickets"][next(w.strip("?") for w in asked.split() if "HD-" in w)]
            assert (f" is {ticket['status']};" in said) == run["succeeded"], (run, said)
        if run["procedure"] == "count_open_tickets":
            agent = next(a for a, name in names.items() if name in asked)
            truth = Store(DATA).search("", "open", agent, None, 100)["total"]
            assert (f" has {truth} open" in said) == run["succeeded"], (run, said)
