"""Trajectories stored in skillbank's native shape keep their ids, and their tasks are searched."""

from __future__ import annotations

from skill_registry import Provenance, Registry

NATIVE = {
    "task_id": "shop-17",
    "instruction": "Please cancel my pending order of the lighthouse jigsaw puzzle",
    "steps": [{"tool": "cancel_order", "arguments": {"order_id": "O-1"}, "result": "ok"}],
}


def test_native_trajectories_keep_their_task_id_and_their_instruction_is_searched(
    registry_location: str,
) -> None:
    with Registry.open(registry_location, create=True) as registry:
        registry.add_version(
            "drop_order",
            source="def drop_order(tools, order_id: str) -> str:\n    return order_id\n",
            schema={"type": "object"},
            summary="Stop an order.",
            provenance=Provenance(synthesizer="test"),
            trajectories=[NATIVE],
        )
        stored = registry.source_trajectories("drop_order")
        hits = registry.search("jigsaw puzzle", states=None)

    assert [record.id for record in stored] == ["shop-17"]
    assert stored[0].task == NATIVE["instruction"]
    assert [hit.name for hit in hits] == ["drop_order"]
