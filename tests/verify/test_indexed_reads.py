"""A skill that reads an element of a list in a tool's answer checks the list's length first.

Every recorded member had loans, so the renewal learned from them takes ``member["loans"][0]``;
a real backend may answer with a member who has none. The skill must then stop with a
``SkillPrecondition`` naming what was missing, before any write, never with ``IndexError``.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.evaluate import exec_runner
from skills_runtime.replay import RecordedCall, RecordedTools
from skills_runtime.synthesis import SynthesizedSkill, synthesize
from skills_runtime.verify import verify

from . import loans
from .conftest import FAST


def _renewal_skill() -> SynthesizedSkill:
    (skill,) = synthesize([loans.renewal(n) for n in range(1, 5)]).skills
    return skill


def _body(skill: SynthesizedSkill) -> str:
    return skill.source.split('"""', 2)[2]


def _with_loans(skill: SynthesizedSkill, member_loans: list[str]) -> RecordedTools:
    """The first recording, its member answering with ``member_loans`` (each of those loans
    readable, the first one renewed)."""
    case = skill.replay_cases[0]
    calls: list[RecordedCall] = []
    for call in case.calls:
        if call.name == "get_member_details":
            calls.append(replace(call, result={**call.result, "loans": member_loans}))
        elif call.name == "get_loan_details":
            calls += [replace(call, arguments={"loan_id": loan_id}) for loan_id in member_loans]
        elif call.name == "renew_loan" and member_loans:
            calls.append(replace(call, arguments={**call.arguments, "loan_id": member_loans[0]}))
        else:
            calls.append(call)
    return RecordedTools(tuple(calls))


def test_an_element_read_from_an_answer_is_checked_before_it_is_read() -> None:
    skill = _renewal_skill()
    body = _body(skill)
    assert 'member["loans"][0]' in body
    check = 'if len(member["loans"]) < 1:\n        raise SkillPrecondition("member has no loans")'
    assert check in body
    # Checked once, before the first read of the element.
    assert body.count("len(member") == 1
    assert body.index(check) < body.index("tools.get_loan_details")
    docstring = " ".join(skill.source.split('"""')[1].split())
    assert "It also stops with SkillPrecondition if the member has no loans." in docstring


def test_the_learned_skill_still_replays_its_recordings() -> None:
    skill = _renewal_skill()
    for case in skill.replay_cases:
        tools = RecordedTools(case.calls)
        run = exec_runner(skill.source, skill.name, case.arguments, tools)
        assert tools.outcome(case, returned=run.value, failure=run.failure).passed


def test_a_member_without_loans_stops_with_a_precondition_not_an_index_error() -> None:
    skill = _renewal_skill()
    tools = _with_loans(skill, [])
    run = exec_runner(skill.source, skill.name, skill.replay_cases[0].arguments, tools)
    assert run.failure == "SkillPrecondition: member has no loans"
    assert "renew_loan" not in [name for name, _ in tools.made]


@settings(max_examples=25, deadline=None)
@given(member_loans=st.lists(st.from_regex(r"L-[0-9]{5}", fullmatch=True), max_size=3))
def test_whatever_loans_a_member_has_the_skill_renews_or_says_what_is_missing(
    member_loans: list[str],
) -> None:
    skill = _renewal_skill()
    tools = _with_loans(skill, member_loans)
    run = exec_runner(skill.source, skill.name, skill.replay_cases[0].arguments, tools)
    if member_loans:
        assert run.failure is None, run.failure
    else:
        assert run.failure == "SkillPrecondition: member has no loans"


def test_the_learned_skill_passes_verification_where_answers_have_shorter_lists() -> None:
    skill = _renewal_skill()
    report = verify(
        skill.source, cases=skill.replay_cases, tool_schemas=loans.TOOL_SCHEMAS, settings=FAST
    )
    assert report.passed, report.reasons
