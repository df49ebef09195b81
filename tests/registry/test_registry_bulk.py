"""The bulk import: ``add_versions`` stores what ``add_version`` of each would, on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill_registry import (
    InvalidRecord,
    NewVersion,
    Provenance,
    Registry,
    State,
    UnknownVersionError,
    VersionRecord,
)
from skill_registry import store as registry_store
from tests.registry.helpers import PROVENANCE, pass_gates, schema_of, source_of

TASKS = [
    {"id": "t-1", "task": "Where is my order #W1? It should have arrived.", "steps": []},
    {"id": "t-2", "task": "Cancel my pending order, I ordered it twice.", "steps": []},
    {"id": "t-3", "task": "I need the refund for a cancelled order.", "steps": []},
]
BODIES = [
    "return tools.get_order_details(order_id=order_id)",
    "return tools.cancel_pending_order(order_id=order_id, reason='no longer needed')",
    "return {'order': tools.get_order_details(order_id=order_id)}",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_registry(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], Registry]]:
    """Open new, empty registries of one backend (each call another one)."""
    opened: list[Registry] = []
    counter = iter(range(10**6))

    def make() -> Registry:
        if request.param == "sqlite":
            location = str(tmp_path / f"skills-{next(counter)}.db")
        else:
            location = str(request.getfixturevalue("postgres_urls")())
        registry = Registry.open(location, create=True)
        opened.append(registry)
        return registry

    yield make
    for registry in opened:
        registry.close()


def version(name: str, body: int = 0, tasks: tuple[int, ...] = (), **kwargs: Any) -> NewVersion:
    return NewVersion(
        name=name,
        source=source_of(name, BODIES[body]),
        schema=schema_of("order_id"),
        summary=f"{name.replace('_', ' ')} for a customer",
        docstring="Looks the order up first.",
        tools=("get_order_details",),
        provenance=kwargs.pop("provenance", PROVENANCE),
        trajectories=tuple(TASKS[i] for i in tasks),
        **kwargs,
    )


def one_by_one(registry: Registry, versions: list[NewVersion]) -> list[Any]:
    return [
        registry.add_version(
            item.name,
            source=item.source,
            schema=item.schema,
            summary=item.summary,
            docstring=item.docstring,
            tools=item.tools,
            provenance=item.provenance,
            trajectories=item.trajectories,
        )
        for item in versions
    ]


def without_time(record: VersionRecord) -> dict[str, Any]:
    return {k: v for k, v in record.to_json().items() if k != "created_at"}


def snapshot(registry: Registry) -> dict[str, Any]:
    """Everything a user can read back, without the times of writing."""

    def versions(name: str) -> list[dict[str, Any]]:
        return [without_time(record) for record in registry.versions(name)]

    skills = registry.list_skills()
    return {
        "skills": [skill.to_json() for skill in skills],
        "versions": {skill.name: versions(skill.name) for skill in skills},
        "audit": [
            (e.name, e.version, e.action, e.from_state, e.to_state, e.actor, e.reason)
            for e in registry.audit_log()
        ],
        "search": {
            text: [(hit.name, hit.version, round(hit.score, 9)) for hit in hits]
            for text in ("where is my order", "cancel the pending order", "refund get order")
            for hits in [registry.search(text, k=5, states=None)]
        },
    }


def with_promoted_skill(registry: Registry) -> None:
    """The state both registries start from: a promoted skill and a draft one."""
    promoted = registry.add_version(
        "get_order",
        source=source_of("get_order"),
        schema=schema_of("order_id"),
        summary="Look up an order",
        provenance=PROVENANCE,
        trajectories=[TASKS[0]],
    )
    pass_gates(registry, promoted)
    registry.promote("get_order", actor="human:test", reason="setup")
    registry.add_version(
        "cancel_order",
        source=source_of("cancel_order", BODIES[1]),
        schema=schema_of("order_id"),
        summary="Cancel an order",
        provenance=PROVENANCE,
    )


def test_add_versions_stores_what_add_version_of_each_would(
    new_registry: Callable[[], Registry],
) -> None:
    versions = [
        version("get_order", body=1, tasks=(1,)),  # a new version beside a promoted one
        version("cancel_order", body=0, tasks=(1, 2)),  # a new version beside a draft
        version("refund_order", tasks=(2,)),  # a new skill
        version("refund_order", body=2),  # and its second version in the same import
        version("get_order", body=0, tasks=(1, 2)),  # the stored source: new tasks are linked
        version("refund_order", tasks=(0,)),  # a source added earlier in the import
    ]
    single, bulk = new_registry(), new_registry()
    with_promoted_skill(single)
    with_promoted_skill(bulk)

    expected = one_by_one(single, versions)
    records = bulk.add_versions(versions)

    assert snapshot(bulk) == snapshot(single)
    assert [without_time(r) for r in records] == [without_time(r) for r in expected]
    assert [r.version for r in records] == [2, 2, 1, 2, 1, 1]
    assert bulk.get("get_order").version == 1  # the promoted version stays current
    assert bulk.get("refund_order").version == 2
    assert [ref.id for ref in records[4].provenance.source_trajectories] == ["t-1", "t-2", "t-3"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["get_order", "cancel_order", "refund_order"]),
            st.integers(0, len(BODIES) - 1),
            st.lists(st.integers(0, len(TASKS) - 1), max_size=3, unique=True),
        ),
        max_size=8,
    ),
    st.sampled_from([1, 2, 3, 500]),
)
def test_any_import_in_any_batch_size_equals_adding_one_by_one(
    new_registry: Callable[[], Registry],
    monkeypatch: pytest.MonkeyPatch,
    drawn: list[tuple[str, int, list[int]]],
    batch: int,
) -> None:
    monkeypatch.setattr(registry_store, "_BATCH", batch)
    versions = [version(name, body, tuple(tasks)) for name, body, tasks in drawn]
    single, bulk = new_registry(), new_registry()
    with_promoted_skill(single)
    with_promoted_skill(bulk)

    one_by_one(single, versions)
    records = bulk.add_versions(versions)

    assert snapshot(bulk) == snapshot(single)
    assert len(records) == len(versions)


def test_a_wrong_version_anywhere_refuses_the_import_before_anything_is_written(
    new_registry: Callable[[], Registry],
) -> None:
    registry = new_registry()
    bad = NewVersion(
        name="refund_order",
        source="",
        schema={},
        summary="Refund",
        provenance=PROVENANCE,
    )

    with pytest.raises(InvalidRecord, match=r"version 2 of the import: source"):
        registry.add_versions([version("get_order"), version("cancel_order"), bad])

    assert registry.list_skills() == []
    assert registry.audit_log() == []


def test_a_failed_batch_keeps_the_batches_before_it_and_importing_again_stores_the_rest(
    new_registry: Callable[[], Registry], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_store, "_BATCH", 2)
    registry = new_registry()
    first = [version("get_order", tasks=(0,)), version("cancel_order", body=1)]
    orphan = version(
        "refund_order", body=2, provenance=Provenance(synthesizer="x", parent_version=7)
    )

    with pytest.raises(UnknownVersionError, match="no version 7") as failed:
        registry.add_versions([*first, version("refund_order"), orphan])

    assert any("2 of 4 versions were stored" in note for note in failed.value.__notes__)
    assert [s.name for s in registry.list_skills()] == ["cancel_order", "get_order"]
    records = registry.add_versions([*first, version("refund_order"), version("refund_order", 2)])
    assert [(r.name, r.version) for r in records] == [
        ("get_order", 1), ("cancel_order", 1), ("refund_order", 1), ("refund_order", 2),
    ]  # fmt: skip
    assert len(registry.audit_log()) == 4  # the repeated versions were not stored twice


def test_an_imported_skill_is_found_by_its_tasks_and_gated_like_any_other(
    new_registry: Callable[[], Registry],
) -> None:
    registry = new_registry()
    records = registry.add_versions([version("cancel_order", body=1, tasks=(1,))])

    assert registry.search("ordered it twice", states=None)[0].name == "cancel_order"
    assert registry.search("ordered it twice") == []  # drafts are not offered
    pass_gates(registry, records[0])
    promoted = registry.promote("cancel_order", actor="human:test", reason="imported")
    assert promoted.state is State.PROMOTED
    assert registry.search("ordered it twice")[0].name == "cancel_order"
