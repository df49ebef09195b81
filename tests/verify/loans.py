"""A small library-loans world: members found by email, their loans, renewals (one write).

Shared by the tests of indexed reads and of how the verification reaches every guard; the
values are made up and shaped unlike any benchmark's.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.replay import RecordedCall, ReplayCase
from skills_runtime.trajectory.model import ToolCall, Trajectory

TOOL_SCHEMAS: dict[str, dict[str, Any]] = {
    "find_member_id_by_email": {
        "type": "object",
        "properties": {"email": {"type": "string"}},
        "required": ["email"],
    },
    "get_member_details": {
        "type": "object",
        "properties": {"member_id": {"type": "string"}},
        "required": ["member_id"],
    },
    "get_loan_details": {
        "type": "object",
        "properties": {"loan_id": {"type": "string"}},
        "required": ["loan_id"],
    },
    "renew_loan": {
        "type": "object",
        "properties": {
            "loan_id": {"type": "string"},
            "weeks": {"type": "integer"},
            "branch_id": {"type": "string"},
        },
        "required": ["loan_id", "weeks"],
    },
}


def email(n: int) -> str:
    return f"reader.{n:04d}@example.org"


def member(n: int, *, loans: list[str] | None = None) -> dict[str, Any]:
    return {
        "member_id": f"member_{n:04d}",
        "email": email(n),
        "home_branch": f"branch_{n:04d}7",
        "loans": [f"L-{n:04d}{k}" for k in range(2)] if loans is None else loans,
    }


def loan(n: int, *, history: int = 2, status: str = "active") -> dict[str, Any]:
    """A loan of member ``n``; ``history`` events come before its owner and status, as a big
    field of a real answer may."""
    return {
        "loan_id": f"L-{n:04d}0",
        "history": [
            {"event": "lent", "day": f"2024-01-{10 + k}", "desk": f"desk-{k}"}
            for k in range(history)
        ],
        "member_id": f"member_{n:04d}",
        "status": status,
    }


def renewal(n: int) -> Trajectory:
    """Look the member up by email, read their first loan, renew it at their home branch."""
    found = member(n)
    first = found["loans"][0]
    calls = (
        ToolCall(
            name="find_member_id_by_email",
            arguments={"email": email(n)},
            result=found["member_id"],
        ),
        ToolCall(
            name="get_member_details", arguments={"member_id": found["member_id"]}, result=found
        ),
        ToolCall(name="get_loan_details", arguments={"loan_id": first}, result=loan(n)),
        ToolCall(
            name="renew_loan",
            arguments={"loan_id": first, "weeks": 2 + n % 2, "branch_id": found["home_branch"]},
            result={"loan_id": first, "status": "active", "due": f"2024-03-{10 + n % 20}"},
            mutates=True,
        ),
    )
    return Trajectory(id=f"renew-{n}", calls=calls)


BY_WAY_OR_NOT = '''def renew_loan(
    tools, loan_id: str, weeks: int, email: str | None = None
) -> dict[str, str]:
    """Renew a loan, checking its owner when the member's email is given."""
    if email is not None:
        member_id = tools.find_member_id_by_email(email=email)
        loan = tools.get_loan_details(loan_id=loan_id)
        if loan["member_id"] != member_id:
            raise SkillPrecondition("loan does not belong to this member")
    result = tools.renew_loan(loan_id=loan_id, weeks=weeks)
    return result
'''
"""A merged skill: callers without an email take no guard, those with one take the owner's."""


def renewed(n: int) -> RecordedCall:
    return RecordedCall(
        "renew_loan",
        {"loan_id": f"L-{n:04d}0", "weeks": 2},
        {"loan_id": f"L-{n:04d}0", "status": "active"},
        mutates=True,
    )


def bare_case(n: int) -> ReplayCase:
    """A recording that renewed straight away (no email given)."""
    return ReplayCase(
        trajectory_id=f"bare-{n}",
        arguments={"loan_id": f"L-{n:04d}0", "weeks": 2, "email": None},
        calls=(renewed(n),),
        expected_result={"loan_id": f"L-{n:04d}0", "status": "active"},
    )


def checked_case(n: int, *, history: int = 2) -> ReplayCase:
    """A recording that found the member by email and read the loan before renewing it."""
    return ReplayCase(
        trajectory_id=f"checked-{n}",
        arguments={"loan_id": f"L-{n:04d}0", "weeks": 2, "email": email(n)},
        calls=(
            RecordedCall("find_member_id_by_email", {"email": email(n)}, f"member_{n:04d}"),
            RecordedCall("get_loan_details", {"loan_id": f"L-{n:04d}0"}, loan(n, history=history)),
            renewed(n),
        ),
        expected_result={"loan_id": f"L-{n:04d}0", "status": "active"},
    )


HOLD_FIRST_COPY = '''def hold_first_copy(tools, title: str) -> dict[str, str]:
    """Put the first copy a title search finds on hold."""
    copies = tools.find_copies(title=title)
    if len(copies) < 1:
        raise SkillPrecondition("copies has no elements")
    result = tools.hold_copy(copy_id=copies[0])
    return result
'''
"""A skill reading an element of a list a tool answers at the top (no key names the list)."""


def hold_case(n: int) -> ReplayCase:
    copy = f"C-{n:04d}1"
    return ReplayCase(
        trajectory_id=f"hold-{n}",
        arguments={"title": f"Atlas volume {n:04d}"},
        calls=(
            RecordedCall("find_copies", {"title": f"Atlas volume {n:04d}"}, [copy, f"C-{n:04d}2"]),
            RecordedCall("hold_copy", {"copy_id": copy}, {"copy_id": copy}, mutates=True),
        ),
        expected_result={"copy_id": copy},
    )
