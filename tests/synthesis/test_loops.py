"""Reads repeated once per element of a list are the agent choosing, not the procedure.

A loop of reads whose answers nothing uses (every product of an order looked at, every order of a
customer) is left to the caller: the skill's docstring names it, its body does not make it, and
units with and without it are one procedure.
"""

from __future__ import annotations

import ast
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


def _body(skill: SynthesizedSkill) -> str:
    return skill.source.split('"""', 2)[2]


def test_reads_once_per_element_of_a_list_are_left_to_the_caller_and_named_in_the_docstring() -> (
    None
):
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"]),
    ]
    (skill,) = synthesize(trajectories).skills
    assert "get_item" not in _body(skill)
    assert "for " not in _body(skill)
    docstring = " ".join(skill.source.split('"""')[1].split())
    assert "It does not call get_item for each element of write argument item_ids" in docstring
    assert "item_ids: list[str]" in skill.source
    assert _replays_its_sources(skill)


def test_reads_that_cover_only_part_of_the_list_are_not_made_either() -> None:
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"], read=["item-1001"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"], read=["item-2003"]),
    ]
    (skill,) = synthesize(trajectories).skills
    assert "\n    for " not in skill.source
    assert "get_item" not in _body(skill)
    assert _replays_its_sources(skill)


def test_units_with_and_without_the_loop_are_one_skill_with_all_their_cases() -> None:
    trajectories = [
        _shipment(1, ["item-1001", "item-1002"]),
        _shipment(2, ["item-2001", "item-2002", "item-2003"]),
        _shipment(3, ["item-3001"], read=[]),
        _shipment(4, ["item-4001", "item-4002"], read=[]),
    ]
    (skill,) = synthesize(trajectories).skills
    assert set(skill.source_trajectories) == {"ship-1", "ship-2", "ship-3", "ship-4"}
    assert _replays_its_sources(skill)


def _unused_reads(skill: SynthesizedSkill) -> list[str]:
    """Reads whose answer the skill never uses: discarded, or assigned and never read again."""
    function = ast.parse(skill.source).body[-1]
    assert isinstance(function, ast.FunctionDef)
    loaded = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    loaded_after: list[str] = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign | ast.Expr):
            continue
        call = node.value
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "tools"
        ):
            continue
        tool = call.func.attr
        if tool in skill.write_tools:
            continue
        if isinstance(node, ast.Expr):
            loaded_after.append(tool)
            continue
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        uses = sum(
            1
            for n in ast.walk(function)
            if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)
        )
        if not uses and names and names[0] in loaded | {""}:
            continue
        if not uses:
            loaded_after.append(tool)
    return loaded_after


def test_no_learned_skill_makes_a_read_whose_answer_it_never_uses(
    tau2: list[Trajectory], tau: list[Trajectory]
) -> None:
    for trajectories in (tau2, tau):
        for skill in synthesize(t for t in trajectories if t.split == "train").skills:
            assert _unused_reads(skill) == [], skill.name


def test_every_skill_reads_only_what_its_source_trajectories_recorded(
    tau2: list[Trajectory],
) -> None:
    for skill in synthesize(t for t in tau2 if t.split == "train").skills:
        for case in skill.replay_cases:
            tools = RecordedTools(case.calls)
            exec_runner(skill.source, skill.name, case.arguments, tools)
            recorded = {(c.name, _canonical(c.arguments)) for c in case.calls}
            assert all((name, args) in recorded for name, args in tools.made), skill.name


def _canonical(arguments: Any) -> str:
    return canonical_json(dict(arguments))
