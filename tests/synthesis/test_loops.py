"""Loops: repeated reads over the elements of a list become ``for`` loops, and only then."""

from __future__ import annotations

import re
from typing import Any

from skills_runtime.evaluate import exec_runner
from skills_runtime.replay import RecordedTools
from skills_runtime.synthesis import SynthesizedSkill, synthesize
from skills_runtime.trajectory.model import ToolCall, Trajectory, canonical_json


def _replays_its_sources(skill: SynthesizedSkill) -> bool:
    for case in skill.replay_cases:
        tools = RecordedTools(case.calls)
        run = exec_runner(skill.source, skill.name, case.arguments, tools)
        if not tools.outcome(case, returned=run.value, failure=run.failure).passed:
            return False
    return True


def _shipment(number: int, items: list[str], *, read: list[str] | None = None) -> Trajectory:
    """Look up each item of a shipment by id, then ship them all (one write)."""
    calls = [
        ToolCall(name="get_item", arguments={"item_id": i}, result={"id": i, "weight": 2})
        for i in (items if read is None else read)
    ]
    calls.append(
        ToolCall(
            name="ship_items",
            arguments={"item_ids": items, "carrier": f"carrier-{number:04d}"},
            result={"shipment": f"S-{number:04d}"},
            mutates=True,
        )
    )
    return Trajectory(id=f"ship-{number}", calls=tuple(calls))


def test_reads_once_per_element_of_a_list_parameter_become_a_for_loop() -> None:
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"]),
    ]
    (skill,) = synthesize(trajectories).skills
    assert "for item_id in item_ids:" in skill.source
    assert "tools.get_item(item_id=item_id)" in skill.source
    assert "item_ids: list[str]" in skill.source
    assert _replays_its_sources(skill)


def test_reads_that_cover_only_part_of_the_list_do_not_become_a_loop() -> None:
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"], read=["item-1001"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"], read=["item-2003"]),
    ]
    (skill,) = synthesize(trajectories).skills
    assert "\n    for " not in skill.source
    assert _replays_its_sources(skill)


def test_a_loop_seen_in_some_units_gives_a_variant_and_the_plain_skill_stays() -> None:
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"]),
        _shipment(3, ["item-3001"], read=[]),
        _shipment(4, ["item-4001", "item-4002"], read=[]),
    ]
    skills = synthesize(trajectories).skills
    looped = [s for s in skills if "for item_id in item_ids:" in s.source]
    plain = [s for s in skills if "\n    for " not in s.source]
    assert len(looped) == 1
    assert len(plain) == 1
    assert set(looped[0].source_trajectories) == {"ship-1", "ship-2"}
    assert len(plain[0].source_trajectories) == 4
    assert all(_replays_its_sources(skill) for skill in skills)


def _train(tau2: list[Trajectory]) -> tuple[SynthesizedSkill, ...]:
    return synthesize(t for t in tau2 if t.split == "train").skills


def test_product_lookups_of_the_exchanged_items_become_a_filtered_loop(
    tau2: list[Trajectory],
) -> None:
    sources = [
        s.source for s in _train(tau2) if s.write_tools == ("exchange_delivered_order_items",)
    ]
    looped = [src for src in sources if 'for item in order["items"]:' in src]
    assert looped
    assert 'if item["item_id"] in item_ids:' in looped[0]
    assert 'tools.get_product_details(product_id=item["product_id"])' in looped[0]


def test_reading_every_order_of_the_customer_becomes_a_loop_over_the_users_orders(
    tau2: list[Trajectory],
) -> None:
    looped = [s for s in _train(tau2) if 'in user["orders"]:' in s.source]
    assert looped
    for skill in looped:
        found = re.search(
            r'for (\w+) in user\["orders"\]:\n +tools\.get_order_details\(', skill.source
        )
        assert found is not None
        assert f"tools.get_order_details(order_id={found.group(1)})" in skill.source
        assert _replays_its_sources(skill)


def test_every_loop_reads_only_what_its_source_trajectories_recorded(
    tau2: list[Trajectory],
) -> None:
    for skill in _train(tau2):
        for case in skill.replay_cases:
            tools = RecordedTools(case.calls)
            exec_runner(skill.source, skill.name, case.arguments, tools)
            recorded = {(c.name, _canonical(c.arguments)) for c in case.calls}
            assert all((name, args) in recorded for name, args in tools.made), skill.name


def _canonical(arguments: Any) -> str:
    return canonical_json(dict(arguments))
