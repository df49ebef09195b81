"""Property tests of the engine: self anti-unification, hole filling, the type lattice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.evaluate import exec_runner
from skills_runtime.replay import RecordedTools
from skills_runtime.synthesis import synthesize
from skills_runtime.synthesis.types import admits, join, of_value, of_values
from skills_runtime.trajectory.model import Trajectory

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)


@given(st.lists(json_values, min_size=1, max_size=5))
def test_inferred_types_admit_every_observed_value(values: list[Any]) -> None:
    inferred = of_values(values)
    assert all(admits(inferred, value) for value in values)


@given(json_values, json_values)
def test_join_is_an_upper_bound_of_both_sides(left: Any, right: Any) -> None:
    joined = join(of_value(left), of_value(right))
    assert admits(joined, left)
    assert admits(joined, right)
    assert join(of_value(left), of_value(right)) == join(of_value(right), of_value(left))


def test_int_joined_with_float_is_float() -> None:
    assert of_values([1, 2.5]).render() == "float"
    assert of_values(["a", None]).render() == "str | None"
    assert of_values([[1], []]).render() == "list[int]"


def _replays(trajectories: list[Trajectory]) -> int:
    result = synthesize(trajectories)
    count = 0
    for skill in result.skills:
        for case in skill.replay_cases:
            tools = RecordedTools(case.calls)
            run = exec_runner(skill.source, skill.name, case.arguments, tools)
            verdict = tools.outcome(case, returned=run.value, failure=run.failure)
            assert verdict.passed, (skill.name, case.trajectory_id, verdict.reasons)
            count += 1
    return count


@settings(max_examples=10, deadline=None)
@given(index=st.integers(min_value=0, max_value=10_000))
def test_a_trace_anti_unified_with_itself_is_unchanged(tau2: list[Trajectory], index: int) -> None:
    with_writes = [t for t in tau2 if any(t.is_write(c) and not c.is_error for c in t.calls)]
    original = with_writes[index % len(with_writes)]
    twin = original.model_copy(update={"id": original.id + "-twin"})
    result = synthesize([original, twin])
    assert result.skills
    for skill in result.skills:
        cases = {case.trajectory_id: case for case in skill.replay_cases}
        for case_id, first in cases.items():
            if "-twin" in case_id:
                continue
            second = cases[case_id.replace(original.id, twin.id, 1)]
            assert first.arguments == second.arguments
            assert first.calls == second.calls
            tools = RecordedTools(first.calls)
            run = exec_runner(skill.source, skill.name, first.arguments, tools)
            assert tools.outcome(first, returned=run.value, failure=run.failure).passed
            made_writes = [call for call in tools.made if call[0] in skill.write_tools]
            assert len(made_writes) == len(first.writes)


@settings(max_examples=8, deadline=None)
@given(
    picks=st.lists(st.integers(min_value=0, max_value=113), min_size=2, max_size=40, unique=True)
)
def test_filling_the_holes_with_a_members_values_reproduces_that_member(
    tau2: list[Trajectory], picks: list[int]
) -> None:
    _replays([tau2[k] for k in picks])
