"""One skill per intent: procedures that differ only in how they find what they act on merge.

The domain is a clinic's appointment book, unlike retail in its shape: a patient is found by phone
or by name and date of birth (or the caller already knows the appointment), and a visit is moved
for a patient the caller names or one a lookup finds.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.evaluate import evaluate, exec_runner
from skills_runtime.replay import RecordedCall, RecordedTools, ReplayCase
from skills_runtime.synthesis import SynthesizedSkill, synthesize
from skills_runtime.synthesis.bind import explain_bind
from skills_runtime.trajectory.model import ToolCall, Trajectory

WAYS = ("direct", "phone", "name_dob")


def _patient(n: int) -> str:
    return f"pat-{n:05d}"


def _lookup(way: str, n: int) -> list[ToolCall]:
    if way == "phone":
        return [
            ToolCall(
                name="find_patient_by_phone",
                arguments={"phone": f"+1-555-{n:04d}"},
                result=_patient(n),
            )
        ]
    return [
        ToolCall(
            name="find_patient_by_name_dob",
            arguments={
                "name": f"Patient Number{n}",
                "dob": f"19{50 + n % 40}-0{1 + n % 9}-1{n % 10}",
            },
            result=_patient(n),
        )
    ]


def _cancel(n: int, way: str, *, owner: str | None = None) -> Trajectory:
    """Cancel appointment ``n``: directly, or after finding the patient and checking it's theirs."""
    calls: list[ToolCall] = []
    appointment = f"apt-{n:06d}"
    if way != "direct":
        calls += _lookup(way, n)
        calls.append(
            ToolCall(
                name="get_appointment",
                arguments={"appointment_id": appointment},
                result={
                    "appointment_id": appointment,
                    "patient_id": owner or _patient(n),
                    "slot": f"2027-01-{1 + n % 28:02d}T09:00",
                },
            )
        )
    calls.append(
        ToolCall(
            name="cancel_appointment",
            arguments={"appointment_id": appointment, "reason": f"reason {n * 7}"},
            result={"appointment_id": appointment, "cancellation_id": f"cx-{n:05d}"},
            mutates=True,
        )
    )
    return Trajectory(id=f"cancel-{way}-{n}", calls=tuple(calls))


def _move(n: int, way: str) -> Trajectory:
    """Move a patient's visit: the patient id given, or found by phone first."""
    calls = _lookup(way, n) if way != "direct" else []
    calls.append(
        ToolCall(
            name="move_visit",
            arguments={"patient_id": _patient(n), "slot": f"2027-02-{1 + n % 28:02d}T1{n % 8}:30"},
            result={"patient_id": _patient(n), "moved": True, "ticket": f"mv-{n}"},
            mutates=True,
        )
    )
    return Trajectory(id=f"move-{way}-{n}", calls=tuple(calls))


def _cancel_skill(skills: tuple[SynthesizedSkill, ...]) -> SynthesizedSkill:
    (skill,) = [s for s in skills if s.write_tools == ("cancel_appointment",)]
    return skill


def _replays(skill: SynthesizedSkill, case: ReplayCase) -> tuple[bool, RecordedTools, Any]:
    tools = RecordedTools(case.calls)
    run = exec_runner(skill.source, skill.name, case.arguments, tools)
    outcome = tools.outcome(case, returned=run.value, failure=run.failure)
    return outcome.passed, tools, run


TRAIN = [_cancel(n, way) for way in WAYS for n in range(1, 4)]


def test_ways_of_finding_the_patient_become_one_skill_with_optional_parameters() -> None:
    skills = synthesize(TRAIN).skills
    assert len(skills) == 1
    skill = skills[0]
    assert skill.name == "cancel_appointment_by_name_dob_or_phone"
    assert "appointment_id: str,\n    reason: str," in skill.source
    for optional in ("phone", "name", "dob"):
        assert f"    {optional}: str | None = None," in skill.source
    assert re.search(r"\n    if (name|dob) is not None and (dob|name) is not None:\n", skill.source)
    assert "\n    elif phone is not None:\n" in skill.source
    assert len(skill.replay_cases) == len(TRAIN)
    assert all(_replays(skill, case)[0] for case in skill.replay_cases)


def test_the_docstring_says_which_arguments_choose_which_lookup() -> None:
    skill = _cancel_skill(synthesize(TRAIN).skills)
    docstring = " ".join(skill.source.split('"""')[1].split())
    assert "with phone given, it first calls find_patient_by_phone and get_appointment" in docstring
    assert "with none of them given, it calls nothing first" in docstring


def test_a_call_with_only_the_required_arguments_makes_no_lookup() -> None:
    skill = _cancel_skill(synthesize(TRAIN).skills)
    case = next(c for c in skill.replay_cases if c.trajectory_id.startswith("cancel-direct"))
    passed, tools, _ = _replays(skill, case)
    assert passed
    assert [name for name, _ in tools.made] == ["cancel_appointment"]


def test_the_owner_check_of_a_branch_still_refuses_someone_elses_appointment() -> None:
    skill = _cancel_skill(synthesize(TRAIN).skills)
    case = next(c for c in skill.replay_cases if c.trajectory_id.startswith("cancel-phone"))
    calls = tuple(
        replace(call, result={**call.result, "patient_id": "pat-99999"})
        if call.name == "get_appointment"
        else call
        for call in case.calls
    )
    passed, tools, run = _replays(skill, replace(case, calls=calls))
    assert not passed
    assert run.failure is not None
    assert "SkillPrecondition" in run.failure
    assert "cancel_appointment" not in [name for name, _ in tools.made]


def test_a_lookup_that_finds_what_another_way_is_given_merges_into_one_parameter() -> None:
    skills = synthesize([_move(n, way) for way in ("direct", "phone") for n in range(1, 4)]).skills
    assert len(skills) == 1
    (skill,) = skills
    assert "    patient_id: str | None = None," in skill.source
    assert "        patient_id = tools.find_patient_by_phone(phone=phone)" in skill.source
    assert "tools.move_visit(patient_id=patient_id, slot=slot)" in skill.source
    assert all(_replays(skill, case)[0] for case in skill.replay_cases)


def test_held_out_runs_bind_to_the_way_they_took_and_leave_the_others_out() -> None:
    skill = _cancel_skill(synthesize(TRAIN).skills)
    held_out = [_cancel(n, way) for way in WAYS for n in range(50, 52)]
    report = evaluate([skill], held_out, runner=exec_runner)
    assert report.passed == len(held_out)
    binding = explain_bind(skill, _cancel(60, "phone"))
    assert binding.arguments["phone"] == "+1-555-0060"  # type: ignore[union-attr]
    assert binding.arguments["name"] is None  # type: ignore[union-attr]
    assert binding.arguments["dob"] is None  # type: ignore[union-attr]


@settings(max_examples=15, deadline=None)
@given(
    counts=st.tuples(*(st.sampled_from([0, 2, 3]) for _ in WAYS)).filter(lambda c: sum(c) >= 2),
    start=st.integers(min_value=1, max_value=5_000),
)
def test_every_mix_of_ways_gives_one_skill_that_replays_every_source(
    counts: tuple[int, int, int], start: int
) -> None:
    trajectories = [
        _cancel(start + k * 10 + i, way)
        for k, (way, count) in enumerate(zip(WAYS, counts, strict=True))
        for i in range(count)
    ]
    skill = _cancel_skill(synthesize(trajectories).skills)
    assert len(skill.replay_cases) == len(trajectories)
    assert all(_replays(skill, case)[0] for case in skill.replay_cases)
    assert evaluate([skill], trajectories, runner=exec_runner).passed == len(trajectories)


def test_recorded_call_of_a_lookup_is_never_needed_when_its_parameters_are_missing() -> None:
    skill = _cancel_skill(synthesize(TRAIN).skills)
    calls = (
        RecordedCall(
            "cancel_appointment",
            {"appointment_id": "apt-000777", "reason": "r"},
            {"ok": True},
            False,
            True,
        ),
    )
    arguments = {"appointment_id": "apt-000777", "reason": "r", "phone": None, "name": None}
    case = ReplayCase("by-hand", {**arguments, "dob": None}, calls, {"ok": True})
    assert _replays(skill, case)[0]


def test_without_the_value_or_a_way_to_find_it_the_skill_stops_before_writing_and_says_how() -> (
    None
):
    (skill,) = synthesize(
        [_move(n, way) for way in ("direct", "phone") for n in range(1, 4)]
    ).skills
    assert "    if patient_id is None:\n" in skill.source
    case = ReplayCase(
        "nothing-given", {"slot": "2027-03-01T10:00", "phone": None, "patient_id": None}, ()
    )
    _, tools, run = _replays(skill, case)
    assert tools.made == []
    assert run.failure is not None
    assert "SkillPrecondition" in run.failure
    assert "give patient_id, or phone to find it" in run.failure


def test_when_every_way_finds_what_the_write_needs_taking_none_stops_before_any_call() -> None:
    trajectories = [_cancel(n, way) for way in ("phone", "name_dob") for n in range(1, 4)]
    skill = _cancel_skill(synthesize(trajectories).skills)
    assert "\n    else:\n        raise SkillPrecondition(" in skill.source
    arguments = {"appointment_id": "apt-000009", "reason": "r", "phone": None}
    case = ReplayCase("nothing-given", {**arguments, "name": None, "dob": None}, ())
    _, tools, run = _replays(skill, case)
    assert tools.made == []
    assert run.failure is not None
    assert "give " in run.failure
    assert all(_replays(skill, c)[0] for c in skill.replay_cases)


def test_a_skill_learned_from_hundreds_of_runs_names_a_dozen_and_counts_the_rest() -> None:
    from skills_runtime.checking import check
    from skills_runtime.synthesis.render import SOURCES_SHOWN

    many = [_cancel(n, way) for way in WAYS for n in range(1, 201)]

    (skill,) = synthesize(many).skills

    paragraph = skill.source.split("Learned from: ", 1)[1].split(".\n", 1)[0]
    learned = " ".join(paragraph.split())
    assert learned.count(",") == SOURCES_SHOWN - 1
    assert f"and {len(skill.source_trajectories) - SOURCES_SHOWN} more runs" in learned
    assert "(the registry names them all)" in learned
    assert len(skill.source.splitlines()) < 150
    assert check(skill.source).ok
