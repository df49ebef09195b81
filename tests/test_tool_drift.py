"""When a tool's arguments change, the skills that call it go back to re-verification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from examples.bookshop.tools import toolset as bookshop
from skill_registry import Registry, State
from skills_runtime.pipeline import learn
from skills_runtime.tool_drift import record_tool_schemas, structure
from skills_runtime.toolkit import Toolkit
from skills_runtime.tools import Toolset

SHOP = Path(__file__).resolve().parent.parent / "examples" / "bookshop" / "trajectories.jsonl"


def _learned_and_promoted(path: Path) -> Registry:
    registry = Registry.open(path, create=True)
    for skill in learn([SHOP], registry=registry, split="train").skills:
        registry.promote(skill.name, actor="test", reason="reviewed")
    return registry


def test_the_toolset_the_trajectories_were_recorded_with_demotes_nothing(tmp_path: Path) -> None:
    with _learned_and_promoted(tmp_path / "s.db") as registry:
        toolkit = Toolkit(registry, bookshop)

        assert toolkit.sync_tool_schemas() == []
        assert {s.state for s in registry.list_skills()} == {State.PROMOTED}


def test_a_tool_whose_arguments_changed_sends_its_skills_back_to_candidate(tmp_path: Path) -> None:
    def get_order(order_id: str, include_history: bool) -> dict[str, Any]:
        """An order, now with a required flag.

        Args:
            order_id: The order id.
            include_history: Whether to add the payment history.
        """
        return {"order_id": order_id}

    changed = Toolset.from_functions(
        [get_order, *(t.function for t in bookshop if t.name != "get_order")], name="bookshop"
    )
    with _learned_and_promoted(tmp_path / "s.db") as registry:
        toolkit = Toolkit(registry, changed)
        demoted = toolkit.sync_tool_schemas()
        states = {s.name: s.state for s in registry.list_skills()}
        offered = {entry.name for entry in toolkit.skills()}
        log = registry.audit_log()

    users = {name for name, state in states.items() if state is State.CANDIDATE}
    assert users
    assert sorted(demoted) == sorted(f"{name} v1" for name in users)
    assert not users & offered  # no longer offered to agents until re-verified
    assert any(
        entry.action == "tool-schema-changed" and "get_order" in entry.reason for entry in log
    )


def test_rewording_a_tool_description_is_not_a_change(tmp_path: Path) -> None:
    with _learned_and_promoted(tmp_path / "s.db") as registry:
        reworded = {
            tool.name: {**tool.parameters, "description": "Said differently."}
            for tool in bookshop.schemas()
        }
        assert record_tool_schemas(registry, reworded) == []


@given(st.recursive(st.text(max_size=3), lambda inner: st.dictionaries(st.text(max_size=5), inner)))
def test_structure_keeps_everything_but_prose(schema: Any) -> None:
    kept = structure({"type": "object", "description": "x", "properties": {"a": schema}})

    assert "description" not in kept
    assert kept["type"] == "object"
    assert structure(kept) == kept
