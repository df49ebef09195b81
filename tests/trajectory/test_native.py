"""The native format of the benchmark recordings: read as-is, written back, round-tripped."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given

from skills_runtime.trajectory import (
    Outcome,
    Trajectory,
    dump_native,
    load_trajectories,
    parse_record,
)
from tests.trajectory.paths import benchmark_files
from tests.trajectory.strategies import trajectories

RECORD = {
    "task_id": "tau2-retail-7",
    "domain": "retail",
    "split": "train",
    "instruction": "Exchange the keyboard of order #W2378156.",
    "reward_basis": ["DB"],
    "steps": [
        {
            "tool": "find_user_id_by_name_zip",
            "arguments": {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"},
            "result": "yusuf_rossi_9620",
            "is_error": False,
            "mutates_db": False,
            "requestor": "assistant",
        },
        {
            "tool": "exchange_delivered_order_items",
            "arguments": {"order_id": "#W2378156", "item_ids": ["1151293680"]},
            "result": "Error: the order is not delivered",
            "is_error": True,
            "mutates_db": True,
        },
    ],
    "tool_schemas": [
        {
            "type": "function",
            "function": {
                "name": "exchange_delivered_order_items",
                "description": "Exchange items.",
                "parameters": {"type": "object", "properties": {}},
            },
            "x_mutates_db": True,
        }
    ],
    "final_db_hash": "abc",
}


def test_benchmark_recordings_import_completely_without_problems() -> None:
    report = load_trajectories(benchmark_files())

    assert len(report.trajectories) == 749
    assert report.tool_calls == 1925
    assert report.problems == ()
    assert report.formats == {"native": 749}
    assert {t.split for t in report.trajectories} == {"train", "dev", "test"}
    assert sum(call.is_error for t in report.trajectories for call in t.calls) == 18 + 44


def test_native_fields_map_to_the_trajectory_and_the_rest_to_metadata() -> None:
    trajectory = parse_record(RECORD, source="tau2.jsonl", line=8).trajectories[0]

    assert trajectory.id == "tau2-retail-7"
    assert trajectory.task == "Exchange the keyboard of order #W2378156."
    assert trajectory.split == "train"
    assert trajectory.metadata == {
        "domain": "retail",
        "split": "train",
        "reward_basis": ["DB"],
        "final_db_hash": "abc",
    }
    first, write = trajectory.calls
    assert first.arguments == {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"}
    assert first.result == "yusuf_rossi_9620"
    assert first.metadata == {"requestor": "assistant"}
    assert (write.is_error, write.mutates, trajectory.is_write(write)) == (True, True, True)
    assert trajectory.schema_of("exchange_delivered_order_items") is not None
    assert trajectory.tool_schemas[0].mutates is True


def test_a_ground_truth_record_has_an_unknown_outcome_unless_a_field_says_so() -> None:
    assert parse_record(RECORD).trajectories[0].outcome is Outcome.UNKNOWN
    said = parse_record({**RECORD, "reward": 1.0}).trajectories[0]
    assert said.outcome is Outcome.SUCCESS
    assert said.metadata["reward"] == 1.0
    assert parse_record({**RECORD, "success": False}).trajectories[0].outcome is Outcome.FAILURE
    assert parse_record({**RECORD, "outcome": "success"}).trajectories[0].outcome is Outcome.SUCCESS
    assert parse_record({**RECORD, "reward": 0.5}).trajectories[0].outcome is Outcome.UNKNOWN


def test_a_record_without_an_id_gets_one_derived_from_file_and_line(tmp_path: Path) -> None:
    record = {key: value for key, value in RECORD.items() if key != "task_id"}
    path = tmp_path / "runs.jsonl"
    path.write_text("\n" + json.dumps(record) + "\n" + json.dumps(record) + "\n")

    report = load_trajectories([path])

    assert [t.id for t in report.trajectories] == ["runs.jsonl:2", "runs.jsonl:3"]
    assert report.problems == ()


def test_an_in_memory_record_without_an_id_gets_a_stable_content_id() -> None:
    record = {"steps": [], "instruction": "x"}

    first = parse_record(record).trajectories[0].id
    again = parse_record(json.loads(json.dumps(record))).trajectories[0].id

    assert first == again
    assert first.startswith("sha256-")
    assert parse_record({"steps": [], "instruction": "y"}).trajectories[0].id != first


def test_benchmark_recordings_survive_a_round_trip_through_the_native_format() -> None:
    report = load_trajectories(benchmark_files()[:1])

    for trajectory in report.trajectories:
        assert parse_record(dump_native(trajectory)).trajectories == (trajectory,)


@given(trajectories)
def test_native_format_round_trips_any_trajectory(trajectory: Trajectory) -> None:
    document = json.loads(json.dumps(dump_native(trajectory)))

    report = parse_record(document, format="native")

    assert report.trajectories == (trajectory,)
    assert parse_record(document).formats == {"native": 1}
