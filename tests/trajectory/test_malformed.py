"""Bad input of every kind becomes a located problem; the good records beside it still import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory import FORMATS, load_trajectories, parse_record
from tests.trajectory.strategies import json_values

GOOD = json.dumps({"task_id": "good", "instruction": "ok", "steps": []})


def _jsonl(*records: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def _chat(*messages: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "task"}, *messages]}


def _assistant_call(arguments: Any, call_id: str = "call_1") -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": "get_order_details", "arguments": arguments},
            }
        ],
    }


def _tool(content: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


# (file name, content, line, message fragment, trajectories imported, load options)
CASES: dict[str, tuple[str, bytes | str | None, int | None, str, int, dict[str, Any]]] = {
    "missing file": ("absent.jsonl", None, None, "no such file", 0, {}),
    "directory": ("folder", "DIRECTORY", None, "is a directory", 0, {}),
    "empty file": ("empty.jsonl", "", None, "empty file", 0, {}),
    "blank lines only": ("blank.jsonl", "\n  \n\n", None, "empty file", 0, {}),
    "binary file": (
        "image.json",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        None,
        "binary file",
        0,
        {},
    ),
    "utf-16 file": ("wide.json", GOOD.encode("utf-16"), None, "binary file", 0, {}),
    "undecodable line": ("latin.jsonl", GOOD + "\n\xff\xfe{}\n" + GOOD, 2, "not UTF-8", 2, {}),
    "invalid json line": (
        "bad.jsonl",
        _jsonl(GOOD, '{"steps": [', GOOD),
        2,
        "not valid JSON",
        2,
        {},
    ),
    "nan in json": (
        "nan.jsonl",
        _jsonl(GOOD, '{"steps": [], "x": NaN}'),
        2,
        "not valid JSON",
        1,
        {},
    ),
    "json scalar file": ("scalar.json", "42", None, "the file holds a number", 0, {}),
    "scalar record": (
        "scalar.jsonl",
        _jsonl(GOOD, '"just text"'),
        2,
        "must be a JSON object",
        1,
        {},
    ),
    "unknown shape": ("odd.jsonl", _jsonl({"foo": 1}, GOOD), 1, "cannot tell the format", 1, {}),
    "huge line": (
        "huge.jsonl",
        _jsonl(GOOD, json.dumps({"steps": [], "pad": "x" * 5000}), GOOD),
        2,
        "longer than 1000 bytes",
        2,
        {"max_record_bytes": 1000},
    ),
    "huge json document": (
        "huge.json",
        json.dumps({"steps": [], "pad": "x" * 5000}),
        None,
        "larger than 1000 bytes",
        0,
        {"max_record_bytes": 1000},
    ),
    "deep nesting": ("deep.jsonl", _jsonl(GOOD, "[" * 200_000), 2, "nested too deeply", 1, {}),
    "broken json document": (
        "broken.json",
        '{\n  "steps": [],\n  oops\n}',
        3,
        "not valid JSON",
        0,
        {},
    ),
    "empty json list": ("none.json", "[]", None, "empty JSON list", 0, {}),
    "bad item in json list": (
        "list.json",
        json.dumps([json.loads(GOOD), {"steps": 3}]),
        1,
        "item 1: not a valid native record (skipped): 'steps' must be a list",
        1,
        {},
    ),
    "steps not a list": (
        "s.jsonl",
        _jsonl({"steps": {}}, GOOD),
        1,
        "'steps' must be a list",
        1,
        {},
    ),
    "step without tool": (
        "t.jsonl",
        _jsonl({"steps": [{"arguments": {}}]}, GOOD),
        1,
        "step 0: 'tool' must be a non-empty string",
        1,
        {},
    ),
    "is_error not a boolean": (
        "e.jsonl",
        _jsonl({"steps": [{"tool": "t", "is_error": "yes"}]}),
        1,
        "step 0: 'is_error' must be true or false",
        0,
        {},
    ),
    "instruction not a string": (
        "i.jsonl",
        _jsonl({"steps": [], "instruction": 5}),
        1,
        "'instruction'",
        0,
        {},
    ),
    "chat message not an object": (
        "c.jsonl",
        _jsonl(_chat("hello"), GOOD),
        1,
        "message 1: expected an object",
        1,
        {},
    ),
    "chat unknown role": (
        "r.jsonl",
        _jsonl(GOOD, _chat({"role": "robot", "content": "beep"})),
        2,
        "message 1: unknown role 'robot'",
        1,
        {},
    ),
    "chat tool_calls not a list": (
        "tc.jsonl",
        _jsonl(_chat({"role": "assistant", "tool_calls": {"id": "x"}})),
        1,
        "message 1: 'tool_calls' must be a list",
        0,
        {},
    ),
    "arguments not valid json": (
        "a.jsonl",
        _jsonl(_chat(_assistant_call('{"order_id": "#W1'), _tool("{}"))),
        1,
        "message 1: tool_calls[0].function.arguments is not valid JSON (kept raw)",
        1,
        {},
    ),
    "arguments not an object": (
        "l.jsonl",
        _jsonl(_chat(_assistant_call("[1, 2]"), _tool("{}"))),
        1,
        "is JSON but not an object (kept raw)",
        1,
        {},
    ),
    "call without result": (
        "u.jsonl",
        _jsonl(_chat(_assistant_call("{}"))),
        1,
        "message 1: tool_calls[0]: call of 'get_order_details' (id 'call_1') has no result",
        1,
        {},
    ),
    "result without call": (
        "o.jsonl",
        _jsonl(_chat(_tool("done", "call_zzz"))),
        1,
        "message 1: result for call id 'call_zzz' has no matching call (kept as orphan)",
        1,
        {},
    ),
    "anthropic content not a list": (
        "ac.jsonl",
        _jsonl({"system": "s", "messages": [{"role": "user", "content": 7}]}),
        1,
        "message 0: content must be a string or a list",
        0,
        {},
    ),
    "anthropic input not json": (
        "ai.jsonl",
        _jsonl(
            {
                "system": "s",
                "messages": [
                    {"role": "user", "content": "go"},
                    {
                        "role": "assistant",
                        "content": [
                            {"type": "tool_use", "id": "toolu_1", "name": "t", "input": "{"}
                        ],
                    },
                ],
            }
        ),
        1,
        "message 1: content[0].input is not valid JSON (kept raw)",
        1,
        {},
    ),
    "responses item without type": (
        "ri.jsonl",
        _jsonl({"input": [{"call_id": "c", "name": "t"}]}),
        1,
        "input[0]: an item needs a 'type'",
        0,
        {},
    ),
    "responses input not a list": (
        "rl.jsonl",
        _jsonl({"input": 3}),
        1,
        "'input' must be a list",
        0,
        {},
    ),
    "bad tool declaration": (
        "bt.jsonl",
        _jsonl({**_chat(), "tools": [{"type": "function", "function": {}}]}),
        1,
        "tools[0]: a tool declaration needs a non-empty string 'name'",
        1,
        {},
    ),
    "unknown outcome": (
        "uo.jsonl",
        _jsonl({"steps": [], "outcome": "meh"}),
        1,
        "outcome 'meh'",
        1,
        {},
    ),
    "duplicate ids": ("d.jsonl", _jsonl(GOOD, GOOD), 2, "duplicate trajectory id 'good'", 2, {}),
}


@pytest.mark.parametrize(
    ("name", "content", "line", "fragment", "imported", "options"),
    list(CASES.values()),
    ids=list(CASES),
)
def test_bad_input_is_reported_where_it_is_and_never_raises(
    tmp_path: Path,
    name: str,
    content: bytes | str | None,
    line: int | None,
    fragment: str,
    imported: int,
    options: dict[str, Any],
) -> None:
    path = tmp_path / name
    if content == "DIRECTORY":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="latin-1" if "latin" in name else "utf-8")

    report = load_trajectories([path], **options)

    located = [(p.line, p.message) for p in report.problems]
    assert any(p.line == line and fragment in p.message for p in report.problems), located
    assert all(p.path == str(path) for p in report.problems)
    assert len(report.trajectories) == imported


def test_arguments_kept_raw_are_available_on_the_call() -> None:
    report = parse_record(_chat(_assistant_call('{"order_id": '), _tool("{}")), source="x.jsonl")

    (call,) = report.trajectories[0].calls
    assert (call.arguments, call.raw_arguments, call.paired) == ({}, '{"order_id": ', True)
    assert report.problems[0].path == "x.jsonl"


def test_unpaired_calls_and_orphan_results_are_kept_on_the_trajectory() -> None:
    record = _chat(_assistant_call("{}", "call_a"), _tool("late", "call_b"))

    trajectory = parse_record(record).trajectories[0]

    assert trajectory.calls[0].paired is False
    assert trajectory.calls[0].result is None
    assert [(o.call_id, o.result, o.position) for o in trajectory.orphan_results] == [
        ("call_b", "late", 2)
    ]


def test_an_unknown_format_name_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(InvalidInput, match="openai-responses"):
        load_trajectories([], format="openai")
    with pytest.raises(ValueError, match="'chatml'"):
        parse_record({}, format="chatml")


def test_a_forced_format_that_does_not_fit_is_a_problem_not_an_exception() -> None:
    report = parse_record({"steps": []}, format="anthropic", source="f.jsonl", line=4)

    assert report.trajectories == ()
    assert report.problems[0].line == 4
    assert "not a valid anthropic record" in report.problems[0].message


def test_an_in_memory_record_with_non_json_values_is_a_problem() -> None:
    report = parse_record({"steps": [], "when": object()})

    assert report.trajectories == ()
    assert "when" in report.problems[0].message


_TRANSCRIPT_KEYS = st.sampled_from(
    [
        "steps",
        "messages",
        "input",
        "output",
        "role",
        "content",
        "type",
        "tool_calls",
        "function",
        "arguments",
        "name",
        "id",
        "call_id",
        "tool_call_id",
        "tool_use_id",
        "tool",
        "result",
        "system",
        "tools",
        "instruction",
        "task_id",
        "outcome",
        "is_error",
        "paired",
    ]
)
_anything = st.recursive(
    json_values,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_TRANSCRIPT_KEYS, children, max_size=4)
    ),
    max_leaves=20,
)


@given(record=_anything, format=st.sampled_from(FORMATS))
def test_any_json_value_in_any_format_yields_trajectories_or_problems(
    record: Any, format: str
) -> None:
    report = parse_record(record, format=format, source="fuzz.jsonl", line=1)

    assert len(report.trajectories) + len(report.problems) >= 1
    assert all((p.path, p.line) == ("fuzz.jsonl", 1) for p in report.problems)
