"""Recording many uses in one transaction: the same records as one by one, all or none."""

from __future__ import annotations

from typing import Any

import pytest

from skill_registry import InvalidRecord, Policy, Registry, State, UnknownVersionError
from tests.registry.helpers import add, pass_gates


def _use(index: int, *, success: bool = True, **extra: Any) -> dict[str, Any]:
    trajectory = {"id": f"call-{index}", "task": "skill:get_order", "calls": []}
    return {
        "name": "get_order",
        "version": 1,
        "success": success,
        "duration_seconds": 0.01 * index,
        "trajectory": trajectory,
        **extra,
    }


def test_a_batch_records_every_use_and_keeps_every_trajectory(registry: Registry) -> None:
    add(registry)
    uses = [_use(i, success=i % 4 != 0, refused=i % 5 == 0) for i in range(1, 21)]
    records = registry.record_outcomes(uses)
    assert [r.success for r in records] == [u["success"] for u in uses]
    assert [r.refused for r in records] == [u["refused"] for u in uses]
    result = registry.reliability("get_order")
    assert (result.successes, result.failures, result.refusals) == (15, 5, 4)
    kept = registry.trajectories(source="outcome:get_order@1")
    assert sorted(t.id for t in kept) == sorted(f"call-{i}" for i in range(1, 21))


def test_a_batch_with_one_unrecordable_use_stores_none_of_them(registry: Registry) -> None:
    add(registry)
    with pytest.raises(UnknownVersionError):
        registry.record_outcomes([_use(1), {**_use(2), "version": 9}, _use(3)])
    assert registry.reliability("get_order").uses == 0
    assert registry.trajectories(source="outcome:get_order@1") == []


@pytest.mark.parametrize(
    ("use", "message"),
    [
        ({"name": "get_order", "version": 1, "success": True}, "must have name, version"),
        ({**_use(1), "colour": "red"}, "must have name, version"),
        ({**_use(1), "success": "yes"}, "success must be a bool"),
        ("get_order", "use 0 must be a mapping"),
    ],
)
def test_a_malformed_use_is_refused_before_anything_is_written(
    registry: Registry, use: Any, message: str
) -> None:
    add(registry)
    with pytest.raises(InvalidRecord, match=message):
        registry.record_outcomes([use])
    assert registry.reliability("get_order").uses == 0


def test_the_policy_decides_after_each_use_of_a_batch(registry_location: str) -> None:
    policy = Policy(promote_after_successes=5, promote_min_lower_bound=0.5)
    with Registry.open(registry_location, policy=policy, create=True) as registry:
        record = add(registry)
        pass_gates(registry, record)
        registry.transition("get_order", version=1, to=State.CANDIDATE, actor="a", reason="r")
        registry.transition("get_order", version=1, to=State.VERIFIED, actor="a", reason="r")
        registry.record_outcomes([_use(i) for i in range(1, 8)])
        assert registry.get("get_order").state is State.PROMOTED
        promotions = [e for e in registry.audit_log("get_order") if e.action == "auto-promote"]
        assert len(promotions) == 1
