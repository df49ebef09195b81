"""Collecting streams trajectories into families: bounded samples, counts, digests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.synthesis import collect as collecting
from skills_runtime.synthesis import synthesize
from skills_runtime.synthesis.collect import FIELD_VALUES, UnexplainedTally, collect
from skills_runtime.synthesis.model import Unexplained
from skills_runtime.trajectory import Outcome, ToolCall, ToolSchema, Trajectory


def _call(tool: str, result: Any, **arguments: Any) -> ToolCall:
    return ToolCall(name=tool, arguments=arguments, result=result)


def _cancel(k: int, *, status: str = "pending", outcome: Outcome = Outcome.UNKNOWN) -> Trajectory:
    order = f"O-{k:05d}"
    return Trajectory(
        id=f"cancel-{k:04d}",
        task=f"Cancel {order}",
        outcome=outcome,
        calls=(
            _call(
                "get_order",
                {"id": order, "status": status, "owner": f"customer {k} of many"},
                order_id=order,
            ),
            _call("cancel_order", {"id": order, "status": "cancelled"}, order_id=order),
        ),
        tool_schemas=(ToolSchema(name="cancel_order", description="Cancel an order."),),
    )


def _idle(k: int) -> Trajectory:
    return Trajectory(id=f"idle-{k:04d}", calls=(_call("ping", "pong"),))


def test_a_family_keeps_a_bounded_sample_and_counts_every_unit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collecting, "SAMPLE_SIZE", 8)
    trajectories = [
        _cancel(k, outcome=Outcome.SUCCESS if k % 3 else Outcome.UNKNOWN) for k in range(60)
    ]

    (domain,) = collect(trajectories)

    (family,) = domain.families
    assert len(family.units) == 8
    (size,) = domain.sizes.values()
    assert (size.units, size.trusted, size.sampled) == (60, 40, 8)
    assert size.outcomes == {"success": 40, "unknown": 20}
    assert domain.counts["units"] == 60
    assert set(domain.originals) == {unit.trajectory_id for unit in family.units}


def test_the_sample_and_the_skill_do_not_depend_on_the_input_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collecting, "SAMPLE_SIZE", 8)
    trajectories = [_cancel(k) for k in range(40)]
    shuffled = list(trajectories)
    random.Random(7).shuffle(shuffled)

    first, second = synthesize(trajectories), synthesize(shuffled)

    assert [skill.to_json() for skill in first.skills] == [
        skill.to_json() for skill in second.skills
    ]
    (domain_a,), (domain_b,) = collect(trajectories), collect(list(reversed(shuffled)))
    assert domain_a.sizes == domain_b.sizes
    assert domain_a.families == domain_b.families


def test_a_family_within_the_sample_bound_is_learned_from_every_unit() -> None:
    trajectories = [_cancel(k) for k in range(12)]

    (skill,) = synthesize(trajectories).skills

    assert len(skill.source_trajectories) == 12


def test_new_units_beyond_the_sample_leave_the_family_digest_alone_only_when_unsampled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collecting, "SAMPLE_SIZE", 4)
    base = [_cancel(k) for k in range(30)]
    (before,) = collect(base)
    sampled = {unit.trajectory_id for unit in before.families[0].units}
    unsampled = next(t for t in base if t.id not in sampled)

    (again,) = collect([*base, unsampled.model_copy(update={"id": "zz-copy"})])
    (first,) = before.sizes.values()
    (second,) = again.sizes.values()

    assert second.units == first.units + 1
    grown = second.digest != first.digest
    in_sample = "zz-copy" in {unit.trajectory_id for unit in again.families[0].units}
    assert grown == in_sample


def test_result_fields_are_counted_exactly_up_to_a_bound_then_as_many() -> None:
    trajectories = [
        _cancel(k, status=("pending", "shipped")[k % 2]) for k in range(FIELD_VALUES + 8)
    ]

    (domain,) = collect(trajectories)

    assert domain.stats.counts[("get_order", "status")] == {"'pending'": 20, "'shipped'": 20}
    assert domain.stats.categorical("get_order", "status")
    owners = domain.stats.counts[("get_order", "owner")]
    assert len(owners) == FIELD_VALUES
    assert not domain.stats.categorical("get_order", "owner")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=200), st.randoms())
def test_bounded_value_counts_are_exact_for_the_smallest_values_in_any_order(
    values: list[int], rng: random.Random
) -> None:
    words = [f"v{value:03d}" for value in values]
    rng.shuffle(words)
    counts = collecting._ValueCounts(8)
    for word in words:
        counts.add(word, 1)

    smallest = sorted(set(words))[:8]
    assert counts.counts == {word: words.count(word) for word in smallest}


def test_unexplained_units_are_counted_per_reason_with_bounded_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collecting, "EXAMPLES_PER_REASON", 5)
    trajectories = [_idle(k) for k in range(30)]

    result = synthesize(trajectories)

    (reason,) = result.unexplained_counts
    assert result.unexplained_counts[reason] == 30
    assert result.stats["unexplained"] == 30
    assert [item.trajectory_id for item in result.unexplained] == [
        f"idle-{k:04d}" for k in range(5)
    ]
    assert "unexplained_counts" in result.to_json()


def test_an_unexplained_tally_keeps_the_smallest_ids_whatever_the_order() -> None:
    ids = [f"t{k:03d}" for k in range(50)]
    random.Random(3).shuffle(ids)
    tally = UnexplainedTally(limit=4)
    tally.extend(Unexplained(tid, "same reason") for tid in ids)

    assert [item.trajectory_id for item in tally.examples] == ["t000", "t001", "t002", "t003"]
    assert tally.total == 50


class _Twice:
    """A source that makes its trajectories anew on every reading, and counts the readings."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.readings = 0

    def __iter__(self) -> Iterator[Trajectory]:
        self.readings += 1
        return (_cancel(k) for k in range(self.count))


def test_a_re_iterable_source_is_streamed_in_two_readings() -> None:
    source = _Twice(20)

    (domain,) = collect(source)

    assert source.readings == 2
    assert domain.counts["trajectories"] == 20


def test_a_one_shot_iterator_is_still_accepted() -> None:
    result = synthesize(_cancel(k) for k in range(5))

    assert len(result.skills) == 1


def test_domains_are_collected_apart_in_a_stable_order() -> None:
    shop = [_cancel(k) for k in range(4)]
    files = [
        Trajectory(
            id=f"files-{k}",
            calls=(
                _call("list_dir", [f"note-{k}.txt"], folder=f"inbox{k}"),
                _call("archive_file", {"archived": f"note-{k}.txt"}, name=f"note-{k}.txt"),
            ),
        )
        for k in range(4)
    ]

    collected = collect([*shop, *files, _idle(1)], by_domain=True)

    assert [sorted(d.effects.effects) for d in collected] == [
        ["archive_file", "list_dir"],
        ["cancel_order", "get_order"],
        ["ping"],
    ]


def _refused(k: int, status: str) -> Trajectory:
    order = f"O-{k:05d}"
    return Trajectory(
        id=f"refused-{k:04d}",
        calls=(
            _call("get_order", {"id": order, "status": status, "owner": "x"}, order_id=order),
            _call(
                "cancel_order",
                f"Error: order is {status}; only pending orders can be cancelled",
                order_id=order,
            ),
        ),
        tool_schemas=(ToolSchema(name="cancel_order", description="Cancel an order."),),
    )


def test_the_runs_that_teach_a_lesson_or_a_schema_are_kept_so_the_kept_runs_give_the_same_family(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collecting, "SAMPLE_SIZE", 8)
    trajectories = [
        *(_cancel(k) for k in range(20)),
        *(_refused(k, status) for k, status in enumerate(["shipped", "delivered", "lost"] * 3)),
    ]

    (full,) = collect(trajectories)
    kept = [*full.originals.values(), *full.lessons]
    (again,) = collect(kept)

    # Three refusals teach the lessons; the run whose schema of ``cancel_order`` is kept, another.
    assert {t.id for t in full.lessons} == {
        "cancel-0000",
        "refused-0000",
        "refused-0001",
        "refused-0002",
    }
    assert again.stats.refusals == full.stats.refusals
    assert [size.digest for size in again.sizes.values()] == [
        size.digest for size in full.sizes.values()
    ]
