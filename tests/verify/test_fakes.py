"""Fake tools answer like the recording, with the values asked about now."""

from __future__ import annotations

from skills_runtime.verify.fakes import FakeTools, reverse_keys

from . import skills


def test_a_fake_rewrites_the_recorded_answer_with_the_ids_asked_now() -> None:
    fake = FakeTools(skills.CANCEL_CASES, world=0, inputs={"order_id": "#W0000042", "reason": "x"})
    order = fake("get_order_details", {"order_id": "#W0000042"})
    assert order["order_id"] == "#W0000042"
    assert order["status"] == "pending"
    assert order["user_id"] == "yusuf_rossi_9620"


def test_answers_are_the_same_for_the_same_call() -> None:
    fake = FakeTools(skills.CANCEL_CASES, world=1, inputs={"order_id": "#W1"})
    assert fake("get_order_details", {"order_id": "#W1"}) == fake(
        "get_order_details", {"order_id": "#W1"}
    )


def test_the_world_picks_the_recording_and_rotates() -> None:
    assert FakeTools(skills.CANCEL_CASES, world=0, inputs={}).world_id == "cancel-#W2378156"
    assert FakeTools(skills.CANCEL_CASES, world=3, inputs={}).world_id == "cancel-#W4817420"


def test_a_tool_never_recorded_answers_plain_json_not_an_error() -> None:
    fake = FakeTools(skills.CANCEL_CASES, world=0, inputs={})
    assert fake("get_user_details", {"user_id": "u"}) is None
    assert fake.invented == ["get_user_details"]


def test_reversed_keys_keep_the_value_and_reverse_every_object() -> None:
    value = {"a": 1, "b": {"c": 2, "d": [{"e": 3, "f": 4}]}}
    reversed_value = reverse_keys(value)
    assert reversed_value == value
    assert list(reversed_value) == ["b", "a"]
    assert list(reversed_value["b"]["d"][0]) == ["f", "e"]
