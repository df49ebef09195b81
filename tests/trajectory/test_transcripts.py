"""Transcripts as OpenAI and Anthropic clients record them, normalized to the same trajectory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skills_runtime.trajectory import (
    Outcome,
    detect_format,
    dump_native,
    load_trajectories,
    parse_record,
)
from tests.trajectory.paths import FIXTURES


def _fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def test_openai_chat_transcript_pairs_parallel_calls_and_parses_json_results() -> None:
    report = load_trajectories([FIXTURES / "openai_chat.json"])

    assert report.problems == ()
    assert report.formats == {"openai-chat": 1}
    (trajectory,) = report.trajectories
    assert trajectory.id == "openai_chat.json"
    assert trajectory.task.startswith("Hi, I want to cancel my pending orders.")
    assert trajectory.metadata["system"] == "You are a customer service agent for a retail store."
    assert trajectory.metadata["model"] == "gpt-4o-2024-08-06"
    assert trajectory.metadata["final_response"].startswith("Sorry, #W2702727")
    assert [(call.name, call.call_id) for call in trajectory.calls] == [
        ("find_user_id_by_email", "call_abc123"),
        ("get_order_details", "call_def456"),
        ("get_order_details", "call_ghi789"),
        ("cancel_pending_order", "call_jkl012"),
    ]
    lookup, first, second, cancel = trajectory.calls
    assert lookup.arguments == {"email": "sara.doe@example.com"}
    assert lookup.result == "sara_doe_496"
    # Results answered out of order still pair by id; a list of text parts is parsed too.
    assert first.result == {"order_id": "#W5565470", "user_id": "sara_doe_496", "status": "pending"}
    assert second.result["status"] == "delivered"
    assert cancel.arguments == {"order_id": "#W2702727", "reason": "ordered by mistake"}
    assert cancel.result == "Error: non-pending order cannot be cancelled"
    assert all(call.paired and call.raw_arguments is None for call in trajectory.calls)
    assert [schema.name for schema in trajectory.tool_schemas] == [
        "find_user_id_by_email",
        "get_order_details",
        "cancel_pending_order",
    ]
    assert trajectory.outcome is Outcome.UNKNOWN


def test_openai_responses_items_pair_function_calls_and_tolerate_reasoning() -> None:
    report = load_trajectories([FIXTURES / "openai_responses.json"])

    assert report.problems == ()
    assert report.formats == {"openai-responses": 1}
    (trajectory,) = report.trajectories
    assert trajectory.task == "I'm Yusuf Rossi, zip 19122. What's my default address?"
    assert trajectory.metadata["system"].startswith("You are a customer service agent")
    assert trajectory.metadata["final_response"].startswith("Your default address")
    find, details = trajectory.calls
    assert find.name == "find_user_id_by_name_zip"
    assert find.arguments == {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"}
    assert find.call_id == "call_Rk3v0a1b2c3d4e5f"
    assert find.result == "yusuf_rossi_9620"
    assert details.arguments == {"user_id": "yusuf_rossi_9620"}
    assert details.result["address"]["city"] == "Philadelphia"
    assert trajectory.tool_schemas[1].parameters["required"] == ["user_id"]


def test_anthropic_transcript_pairs_tool_use_blocks_and_keeps_tool_errors() -> None:
    report = load_trajectories([FIXTURES / "anthropic.json"])

    assert report.problems == ()
    assert report.formats == {"anthropic": 1}
    (trajectory,) = report.trajectories
    assert trajectory.task.startswith("I'd like to return the headphones")
    assert trajectory.metadata["system"] == "You are a customer service agent for a retail store."
    assert trajectory.metadata["final_response"].startswith("Your return is requested")
    assert [call.call_id for call in trajectory.calls] == [
        "toolu_01A09q90qw90lq917835lq9",
        "toolu_01B2xYz3AbCdEfGhIjKlMnOp",
        "toolu_01C3yZa4BcDeFgHiJkLmNoPq",
        "toolu_01D4zAb5CdEfGhIjKlMnOpQr",
    ]
    _, found, missing, returned = trajectory.calls
    assert found.result["items"][0]["item_id"] == "4202497723"
    assert (missing.is_error, missing.result) == (True, "Error: order not found")
    assert not found.is_error
    assert returned.arguments["item_ids"] == ["4202497723"]
    assert returned.result == {"order_id": "#W2378156", "status": "return requested"}
    assert trajectory.tool_schemas[2].parameters["required"] == [
        "order_id",
        "item_ids",
        "payment_method_id",
    ]


def test_each_record_of_a_jsonl_file_is_detected_on_its_own(tmp_path: Path) -> None:
    records = [
        _fixture("openai_chat.json"),
        _fixture("anthropic.json"),
        _fixture("openai_responses.json"),
        {"task_id": "n-1", "instruction": "x", "steps": []},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))

    report = load_trajectories([path])

    assert report.problems == ()
    assert report.formats == {"openai-chat": 1, "anthropic": 1, "openai-responses": 1, "native": 1}
    assert [t.id for t in report.trajectories] == [
        "mixed.jsonl:1",
        "mixed.jsonl:2",
        "mixed.jsonl:3",
        "n-1",
    ]
    assert report.sources == (str(path),) * 4


def test_a_json_file_may_hold_a_list_of_trajectories(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    path.write_text(json.dumps([_fixture("anthropic.json"), _fixture("openai_chat.json")]))

    report = load_trajectories([path])

    assert report.problems == ()
    assert [t.id for t in report.trajectories] == ["runs.json[0]", "runs.json[1]"]


def test_a_bare_message_list_is_one_transcript(tmp_path: Path) -> None:
    chat = _fixture("openai_chat.json")
    assert isinstance(chat, dict)
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(chat["messages"]))

    report = load_trajectories([path])

    assert report.problems == ()
    assert report.formats == {"openai-chat": 1}
    assert len(report.trajectories[0].calls) == 4


def test_a_bare_responses_item_list_is_one_transcript() -> None:
    responses = _fixture("openai_responses.json")
    assert isinstance(responses, dict)
    items = responses["input"] + responses["output"]

    report = parse_record(items)

    assert report.formats == {"openai-responses": 1}
    assert [call.name for call in report.trajectories[0].calls] == [
        "find_user_id_by_name_zip",
        "get_user_details",
    ]


def test_a_record_id_and_outcome_are_taken_from_the_transcript() -> None:
    record = {**_fixture("anthropic.json"), "id": "conv-42", "reward": 1}  # type: ignore[dict-item]

    trajectory = parse_record(record).trajectories[0]

    assert (trajectory.id, trajectory.outcome) == ("conv-42", Outcome.SUCCESS)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("openai_chat.json", "openai-chat"),
        ("openai_responses.json", "openai-responses"),
        ("anthropic.json", "anthropic"),
    ],
)
def test_formats_are_detected_from_the_shape_of_a_record(fixture: str, expected: str) -> None:
    assert detect_format(_fixture(fixture)) == expected


def test_a_forced_format_overrides_detection() -> None:
    text_only = {"messages": [{"role": "user", "content": "hello"}]}

    assert parse_record(text_only).formats == {"openai-chat": 1}
    assert parse_record(text_only, format="anthropic").formats == {"anthropic": 1}


def test_an_imported_transcript_survives_the_native_round_trip() -> None:
    for name in ("openai_chat.json", "openai_responses.json", "anthropic.json"):
        trajectory = load_trajectories([FIXTURES / name]).trajectories[0]

        assert parse_record(dump_native(trajectory)).trajectories == (trajectory,)


def test_a_result_that_is_a_json_scalar_stays_text() -> None:
    # Ids and amounts keep their type, as in the native recordings, so data flow still matches.
    record = {
        "messages": [
            {"role": "user", "content": "total?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "calculate", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "8276.23"},
        ]
    }

    assert parse_record(record).trajectories[0].calls[0].result == "8276.23"


def test_a_json_file_holding_one_object_per_line_is_read_as_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    lines = [{"task_id": f"t{index}", "steps": []} for index in range(3)]
    path.write_text("\ufeff" + "".join(json.dumps(line) + "\n" for line in lines))

    report = load_trajectories(path)

    assert report.problems == ()
    assert [t.id for t in report.trajectories] == ["t0", "t1", "t2"]


def _chat_call(call_id: str, name: str, arguments: dict[str, object]) -> dict[str, object]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }


def test_every_user_message_of_a_chat_opens_a_request_that_the_calls_after_it_serve() -> None:
    messages = [
        {"role": "user", "content": "Go into the reports folder."},
        _chat_call("c1", "cd", {"folder": "reports"}),
        {"role": "tool", "tool_call_id": "c1", "content": "reports"},
        {"role": "assistant", "content": "You are in reports now."},
        {"role": "user", "content": "How many files are there?"},
        _chat_call("c2", "ls", {}),
        {"role": "tool", "tool_call_id": "c2", "content": '["a.txt", "b.txt"]'},
        {"role": "assistant", "content": "There are 2 files."},
    ]
    (trajectory,) = parse_record({"messages": messages}).trajectories
    assert [call.turn for call in trajectory.calls] == [0, 1]
    assert [(t.request, t.answer) for t in trajectory.requests] == [
        ("Go into the reports folder.", "You are in reports now."),
        ("How many files are there?", "There are 2 files."),
    ]
    assert trajectory.task == "Go into the reports folder."
    assert trajectory.metadata["final_response"] == "There are 2 files."


def test_anthropic_turns_open_on_user_text_not_on_tool_results() -> None:
    messages = [
        {"role": "user", "content": "Go into the reports folder."},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "cd", "input": {"folder": "r"}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "r"}],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
        {"role": "user", "content": [{"type": "text", "text": "List it."}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t2", "name": "ls", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "[]"}],
        },
    ]
    (trajectory,) = parse_record({"messages": messages}).trajectories
    assert [call.turn for call in trajectory.calls] == [0, 1]
    assert [t.request for t in trajectory.requests] == ["Go into the reports folder.", "List it."]
    assert trajectory.requests[0].answer == "Done."


def test_a_single_request_transcript_keeps_its_answer_without_turns() -> None:
    messages = [
        {"role": "user", "content": "How many files are in reports?"},
        _chat_call("c1", "ls", {"path": "reports"}),
        {"role": "tool", "tool_call_id": "c1", "content": '["a.txt", "b.txt"]'},
        {"role": "assistant", "content": "There are 2 files."},
    ]
    (trajectory,) = parse_record({"messages": messages}).trajectories
    assert trajectory.turns == ()
    (request,) = trajectory.requests
    assert (request.request, request.answer) == (trajectory.task, "There are 2 files.")


def test_a_conversation_keeps_every_request_and_the_calls_of_each() -> None:
    (trajectory,) = load_trajectories([FIXTURES / "openai_chat.json"]).trajectories
    assert len(trajectory.turns) == 2
    assert trajectory.turns[0].answer.endswith("Shall I go ahead?")
    assert [call.turn for call in trajectory.calls] == [0, 0, 0, 1]
