"""Harm: held-out runs where using a skill would do worse than the recorded run without one."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.evaluate import evaluate, exec_runner, sandbox_runner
from skills_runtime.trajectory import Outcome, ToolCall, Trajectory


@dataclass(frozen=True)
class Skill:
    name: str
    source: str
    write_tools: tuple[str, ...] = ("cancel_order",)


def _run(run: str, order: str, *, reason: str = "no longer needed") -> Trajectory:
    return Trajectory(
        id=run,
        task=f"Cancel order {order}, please.",
        calls=(
            ToolCall(
                name="get_order",
                arguments={"order_id": order},
                result={"order_id": order, "status": "pending"},
            ),
            ToolCall(
                name="cancel_order",
                arguments={"order_id": order, "reason": reason},
                result={"order_id": order, "status": "cancelled"},
                mutates=True,
            ),
        ),
        outcome=Outcome.SUCCESS,
    )


def _skill(body: str) -> Skill:
    return Skill(
        "cancel",
        "def cancel(tools, order_id: str) -> dict:\n"
        '    """Cancel a pending order."""\n'
        "    order = tools.get_order(order_id=order_id)\n"
        f"{body}",
    )


WRONG_REASON = _skill(
    '    return tools.cancel_order(order_id=order_id, reason="ordered by mistake")\n'
)
TWICE = _skill(
    '    done = tools.cancel_order(order_id=order_id, reason="no longer needed")\n'
    '    tools.refund(order_id="#O0000")\n'
    "    return done\n"
)
GUARDED = _skill(
    '    if order["status"] != "processed":\n'
    "        raise SkillPrecondition(f\"order status is {order['status']!r}\")\n"
    '    return tools.cancel_order(order_id=order_id, reason="no longer needed")\n'
)
RIGHT = _skill('    return tools.cancel_order(order_id=order_id, reason="no longer needed")\n')
UNANSWERED = _skill(
    '    tools.get_order(order_id="#O9999")\n'
    '    return tools.cancel_order(order_id=order_id, reason="no longer needed")\n'
)


def _harms(skills: list[Skill], runs: list[Trajectory]) -> dict[str, object]:
    return evaluate(skills, runs, runner=exec_runner).to_json()


def test_a_skill_writing_other_arguments_than_the_recorded_run_is_listed_as_a_wrong_write() -> None:
    report = _harms([WRONG_REASON], [_run("h-1", "#O1001")])

    (harm,) = report["worse_than_no_skill"]
    assert harm["kind"] == "wrong write"
    assert harm["skill"] == "cancel"
    assert harm["id"] == "h-1"
    assert "ordered by mistake" in harm["detail"]
    assert "no longer needed" in harm["detail"]
    assert report["tasks_worse_than_no_skill"] == 1


def test_a_skill_writing_more_than_the_recorded_run_is_listed_as_an_extra_write() -> None:
    (harm,) = _harms([TWICE], [_run("h-1", "#O1001")])["worse_than_no_skill"]

    assert harm["kind"] == "extra write"


def test_a_guard_refusing_a_request_the_recorded_run_served_is_listed_as_refused() -> None:
    (harm,) = _harms([GUARDED], [_run("h-1", "#O1001")])["worse_than_no_skill"]

    assert harm["kind"] == "refused"
    assert "SkillPrecondition" in harm["detail"]
    assert "made the write" in harm["detail"]


def test_a_skill_that_only_fails_to_find_an_answer_does_no_harm() -> None:
    report = _harms([UNANSWERED], [_run("h-1", "#O1001")])

    assert report["passed"] == 0
    assert report["worse_than_no_skill"] == []
    assert report["harmful_alternatives"] == []


def test_harm_of_a_skill_is_an_alternative_when_another_skill_reproduced_the_run() -> None:
    # Tried first (more calls), wrong; then the right one passes the run.
    looks_twice = "    order = tools.get_order(order_id=order_id)\n" * 2
    bigger = Skill(
        "cancel_first",
        WRONG_REASON.source.replace("def cancel(", "def cancel_first(").replace(
            "    order = tools.get_order(order_id=order_id)\n", looks_twice
        ),
    )
    report = _harms([bigger, RIGHT], [_run("h-1", "#O1001")])

    assert report["passed"] == 1
    assert report["worse_than_no_skill"] == []
    (alternative,) = report["harmful_alternatives"]
    assert alternative["skill"] == "cancel_first"
    assert alternative["another_skill_passed"]


@given(
    order=st.from_regex(r"#O[0-9]{4}", fullmatch=True),
    reason=st.sampled_from(["no longer needed", "ordered by mistake"]),
)
def test_a_skill_that_reproduces_the_run_never_harms(order: str, reason: str) -> None:
    report = _harms([RIGHT], [_run("h-1", order, reason=reason)])

    assert report["harmful_alternatives"] == []
    if reason == "no longer needed":
        assert report["passed"] == 1
        assert report["worse_than_no_skill"] == []
    else:  # the skill's constant reason differs: a wrong write, never anything else
        assert [h["kind"] for h in report["worse_than_no_skill"]] == ["wrong write"]


def test_a_guard_refusal_inside_the_sandbox_is_recognised_as_refused() -> None:
    report = evaluate([GUARDED], [_run("h-1", "#O1001")], runner=sandbox_runner).to_json()

    (harm,) = report["worse_than_no_skill"]
    assert harm["kind"] == "refused"
