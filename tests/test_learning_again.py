"""Learning again over kept trajectories: a merged skill stands while none of its ways in changed.

The domain is a lending library, unlike retail in its shape: a loan is renewed directly, or after
finding the member by library card or by email and checking the loan is theirs. One intent, so
one skill with alternative ways in, learned from several families of calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill_registry import Registry, State
from skills_runtime.pipeline import LearnReport, learn
from skills_runtime.trajectory import ToolCall, Trajectory


def _member(n: int) -> str:
    return f"mem-{n:04d}"


def _renew(n: int, way: str) -> Trajectory:
    """Renew loan ``n``: directly, or after finding its member by card or email."""
    loan = f"loan-{n:05d}"
    lookups = {
        "card": ("find_member_by_card", {"card_number": f"C{n:07d}"}),
        "email": ("find_member_by_email", {"email": f"reader{n}@example.org"}),
    }
    calls: list[ToolCall] = []
    if way in lookups:
        tool, arguments = lookups[way]
        calls.append(ToolCall(name=tool, arguments=arguments, result=_member(n)))
    if way != "direct":
        calls.append(
            ToolCall(
                name="get_loan",
                arguments={"loan_id": loan},
                result={"loan_id": loan, "member_id": _member(n), "due": f"2027-03-{n % 28 + 1}"},
            )
        )
    calls.append(
        ToolCall(
            name="renew_loan",
            arguments={"loan_id": loan, "weeks": 1 + n % 3},
            result={"loan_id": loan, "due": f"2027-04-{n % 28 + 1}", "renewals": 1 + n % 2},
            mutates=True,
        )
    )
    return Trajectory(id=f"renew-{way}-{n}", calls=tuple(calls))


def _set_heating(n: int) -> Trajectory:
    """Another domain: a building's heating, with tools of its own."""
    room = f"room-{n}"
    return Trajectory(
        id=f"heat-{n}",
        calls=(
            ToolCall(name="get_room", arguments={"room": room}, result={"room": room, "c": 18}),
            ToolCall(
                name="set_heating",
                arguments={"room": room, "celsius": 19 + n % 4},
                result={"room": room, "target": 19 + n % 4},
                mutates=True,
            ),
        ),
    )


def _ways(*ways: str, first: int = 1) -> list[Trajectory]:
    return [_renew(n, way) for way in ways for n in range(first, first + 3)]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(tmp_path / "skills.db", create=True) as opened:
        yield opened


def _renewing(report: LearnReport) -> list[str]:
    return [skill.name for skill in report.skills if "renew" in skill.name]


def test_a_merged_skill_records_every_family_it_was_learned_from(registry: Registry) -> None:
    report = learn(registry=registry, trajectories=_ways("direct", "card"))

    (name,) = _renewing(report)
    details = registry.get(name).provenance.details
    assert len(details["families"]) == 2
    assert len(details["family_digests"]) == 2
    assert details["family_units"] == 6


def test_learning_again_from_kept_trajectories_leaves_a_merged_skill_unchanged(
    registry: Registry,
) -> None:
    first = learn(registry=registry, trajectories=_ways("direct", "card"))
    (name,) = _renewing(first)
    versions = len(registry.versions(name))

    again = learn(registry=registry)

    assert again.skills == ()
    assert again.unchanged == (name,)
    assert again.stats["families_unchanged"] == 2
    assert len(registry.versions(name)) == versions


def test_a_new_way_in_sends_the_whole_merged_skill_back_to_be_learned_as_one(
    registry: Registry,
) -> None:
    (before,) = _renewing(learn(registry=registry, trajectories=_ways("direct", "card")))

    again = learn(registry=registry, trajectories=_ways("email", first=10))

    (skill,) = again.skills
    assert again.unchanged == ()
    assert skill.gate.passed
    source = registry.get(skill.name).source
    assert "email: str | None = None" in source
    assert "card_number: str | None = None" in source
    assert len(registry.get(skill.name).provenance.details["families"]) == 3
    # The older skill of the same intent is retired, so the two never compete.
    assert [(s.name, s.by, s.deprecated) for s in again.superseded] == [(before, skill.name, True)]
    assert registry.get(before).state is State.DEPRECATED
    assert [s.name for s in registry.list_skills() if s.state is State.VERIFIED] == [skill.name]


def test_a_promoted_skill_is_reported_superseded_but_never_taken_from_agents(
    registry: Registry,
) -> None:
    (before,) = _renewing(learn(registry=registry, trajectories=_ways("direct", "card")))
    registry.promote(before, actor="reviewer", reason="reviewed")

    again = learn(registry=registry, trajectories=_ways("email", first=10))

    (skill,) = again.skills
    assert [(s.name, s.by, s.deprecated) for s in again.superseded] == [(before, skill.name, False)]
    assert registry.get(before).state is State.PROMOTED
    assert again.to_json()["superseded"][0]["by"] == skill.name


def test_another_domains_new_write_leaves_a_standing_skill_alone(registry: Registry) -> None:
    first = learn(registry=registry, trajectories=_ways("direct", "card"))
    (name,) = _renewing(first)

    again = learn(registry=registry, trajectories=[_set_heating(n) for n in range(1, 4)])

    assert again.unchanged == (name,)
    # (the room's reading feeds nothing, so it is the caller's to have done, not the skill's)
    assert [registry.get(skill.name).tools for skill in again.skills] == [("set_heating",)]


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ways=st.sets(st.sampled_from(["direct", "card", "email"]), min_size=1), tmp=st.uuids())
def test_kept_trajectories_alone_never_change_what_was_learned(
    ways: set[str], tmp: object, tmp_path: Path
) -> None:
    with Registry.open(tmp_path / f"{tmp}.db", create=True) as registry:
        first = learn(registry=registry, trajectories=_ways(*sorted(ways)))
        before = {s.name: len(registry.versions(s.name)) for s in registry.list_skills()}

        again = learn(registry=registry)

        assert again.skills == ()
        assert set(again.unchanged) == {skill.name for skill in first.skills}
        assert {s.name: len(registry.versions(s.name)) for s in registry.list_skills()} == before


def test_learn_says_which_older_skill_it_retired(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from skills_runtime.cli.app import app
    from skills_runtime.trajectory.native import dump_native

    def written(name: str, trajectories: list[Trajectory]) -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(dump_native(t)) + "\n" for t in trajectories))
        return str(path)

    db = str(tmp_path / "skills.db")
    runner = CliRunner()
    first = runner.invoke(app, ["learn", written("a.jsonl", _ways("direct", "card")), "--db", db])
    again = runner.invoke(app, ["learn", written("b.jsonl", _ways("email", first=10)), "--db", db])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert "renew_loan_by_card v1 superseded by renew_loan_by_card_or_email v1" in said
    assert "(deprecated)" in said
