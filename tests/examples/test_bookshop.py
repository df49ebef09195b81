"""The bookshop example: real tools with real rules, and trajectories recorded deterministically."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examples.bookshop import DIRECTORY, TRAJECTORIES, record, seed, tools
from examples.bookshop.formats import to_anthropic, to_openai_chat
from examples.bookshop.store import BookshopError, Store
from skills_runtime.trajectory import load_trajectories

DATA = json.loads((DIRECTORY / "data.json").read_text(encoding="utf-8"))


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _orders(status: str) -> list[str]:
    return sorted(o for o, order in DATA["orders"].items() if order["status"] == status)


def test_the_database_is_generated_from_its_seed() -> None:
    assert seed.build_database() == DATA


def test_the_committed_trajectories_are_what_the_recorder_produces() -> None:
    recorded = record.record_all()
    assert recorded == _jsonl(TRAJECTORIES)
    assert [to_openai_chat(x) for x in recorded] == _jsonl(DIRECTORY / "trajectories.openai.jsonl")
    assert [to_anthropic(x) for x in recorded] == _jsonl(DIRECTORY / "trajectories.anthropic.jsonl")


def test_every_family_has_at_least_four_successful_training_traces() -> None:
    lines = _jsonl(TRAJECTORIES)
    successes = Counter(
        x["family"] for x in lines if x["split"] == "train" and x["outcome"] == "success"
    )
    assert set(successes) == {"cancel", "return", "change_address", "exchange"}
    assert min(successes.values()) >= 4
    assert any(step["is_error"] for x in lines for step in x["steps"])


def test_traces_start_with_the_full_lookup_chain() -> None:
    for line in _jsonl(TRAJECTORIES):
        names = [step["tool"] for step in line["steps"] if not step["is_error"]]
        assert names[0] == "find_customer_by_email"
        assert "get_order" in names
        assert line["steps"][-1]["mutates_db"] is True


def test_the_three_formats_import_to_the_same_calls() -> None:
    reports = [
        load_trajectories([DIRECTORY / name])
        for name in (
            "trajectories.jsonl",
            "trajectories.openai.jsonl",
            "trajectories.anthropic.jsonl",
        )
    ]
    assert [sorted(r.formats) for r in reports] == [["native"], ["openai-chat"], ["anthropic"]]
    assert all(not r.problems for r in reports)
    shapes = [
        [
            (t.id, t.task, [(c.name, c.arguments, t.is_write(c)) for c in t.calls])
            for t in r.trajectories
        ]
        for r in reports
    ]
    assert shapes[0] == shapes[1] == shapes[2]


def test_write_tools_are_declared_as_writes() -> None:
    writes = {tool.name for tool in tools.toolset if tool.mutates}
    assert writes == {"cancel_order", "return_items", "change_shipping_address", "exchange_items"}
    assert all(tool.description for tool in tools.toolset)


def test_cancelling_a_delivered_order_is_refused_with_the_reason() -> None:
    store = Store(DATA)
    with pytest.raises(BookshopError, match="only pending orders can be cancelled"):
        store.cancel_order(_orders("delivered")[0], "no longer needed")


def test_an_exchange_must_keep_the_same_book() -> None:
    store = Store(DATA)
    order = store.get_order(_orders("delivered")[0])
    other_product = next(
        p for p in DATA["products"].values() if p["product_id"] != order["items"][0]["product_id"]
    )
    method = next(iter(store.get_customer(order["customer_id"])["payment_methods"]))
    with pytest.raises(BookshopError, match="exchanges keep the same book"):
        store.exchange_items(
            order["order_id"],
            [order["items"][0]["item_id"]],
            [next(iter(other_product["variants"]))],
            method,
        )


def test_unknown_emails_name_what_to_do() -> None:
    with pytest.raises(BookshopError, match="ask the customer to spell it"):
        Store(DATA).find_customer_by_email("nobody@example.com")


def test_tools_validate_arguments_against_their_schema() -> None:
    tools.reset()
    with pytest.raises(ValueError, match="reason"):
        tools.toolset.call("cancel_order", {"order_id": _orders("pending")[0], "reason": "bored"})


@given(
    order_id=st.sampled_from(_orders("pending")),
    reason=st.sampled_from(["no longer needed", "ordered by mistake"]),
)
def test_cancelling_any_pending_order_refunds_its_total(order_id: str, reason: str) -> None:
    store = Store(DATA)
    cancelled = store.cancel_order(order_id, reason)
    assert cancelled["status"] == "cancelled"
    refund = cancelled["payment_history"][-1]
    assert refund["transaction_type"] == "refund"
    assert refund["amount"] == pytest.approx(sum(item["price"] for item in cancelled["items"]))
    assert store.get_order(order_id)["status"] == "cancelled"
    assert DATA["orders"][order_id]["status"] == "pending"  # the store works on its own copy


@given(order_id=st.sampled_from(sorted(DATA["orders"])))
def test_reads_return_fresh_copies(order_id: str) -> None:
    store = Store(DATA)
    first = store.get_order(order_id)
    first["status"] = "tampered"
    assert store.get_order(order_id)["status"] == DATA["orders"][order_id]["status"]
