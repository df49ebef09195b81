"""Every guard a skill learned is taken by some generated example, however many recordings.

A gate cannot vouch for code it never ran, so a guard whose refusal no example reaches fails
``reaches_every_statement``. Two things used to hide guards as families grew: the scripted
exploration spent its few runs one recorded world at a time, in recording order, so a way in
taken by few recordings came after the budget was gone; and a fake varied only the first
fields of an answer, so the fields after a large one (a loan's owner after its long history)
were never varied.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.verify import verify
from skills_runtime.verify.fakes import FakeTools, Scripted
from skills_runtime.verify.hints import answer_hints

from . import loans
from .conftest import FAST


def test_a_guard_taken_by_few_of_many_recordings_is_reached() -> None:
    cases = [loans.bare_case(n) for n in range(1, 121)]
    cases += [loans.checked_case(n) for n in range(121, 123)]
    report = verify(
        loans.BY_WAY_OR_NOT, cases=cases, tool_schemas=loans.TOOL_SCHEMAS, settings=FAST
    )
    assert report.passed, report.reasons


def test_a_guard_on_a_field_after_a_large_one_is_reached() -> None:
    cases = [loans.checked_case(n, history=40) for n in range(1, 4)]
    report = verify(
        loans.BY_WAY_OR_NOT, cases=cases, tool_schemas=loans.TOOL_SCHEMAS, settings=FAST
    )
    assert report.passed, report.reasons


@settings(max_examples=20, deadline=None)
@given(history=st.integers(min_value=0, max_value=120))
def test_a_fake_varies_a_branched_on_field_wherever_it_sits_in_the_answer(history: int) -> None:
    case = loans.checked_case(1, history=history)
    fake = FakeTools(
        [case],
        world=0,
        inputs=dict(case.arguments),
        choose=Scripted("varies", 0),
        hints=answer_hints(loans.BY_WAY_OR_NOT),
    )
    answer = fake("get_loan_details", {"loan_id": "L-00010"})
    assert answer["member_id"] != "member_0001"
    assert answer["history"] == case.calls[1].result["history"]


def test_the_length_check_of_a_list_answered_at_the_top_is_reached() -> None:
    cases = [loans.hold_case(n) for n in range(1, 4)]
    report = verify(loans.HOLD_FIRST_COPY, cases=cases, tool_schemas={}, settings=FAST)
    assert report.passed, report.reasons
