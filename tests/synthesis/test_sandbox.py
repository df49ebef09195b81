"""Generated skills run unchanged in the real sandbox (isolated worker processes, one warm pool)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

import sandbox
from skills_runtime.evaluate import SandboxRunner, evaluate, exec_runner
from skills_runtime.replay import RecordedTools
from skills_runtime.synthesis import SynthesisResult, synthesize
from skills_runtime.trajectory.model import Trajectory


@pytest.fixture(scope="module")
def pool() -> Iterator[sandbox.ProcessPool]:
    with sandbox.ProcessPool(size=2) as workers:
        yield workers


@pytest.fixture(scope="module")
def learned_from_train(tau2: list[Trajectory]) -> SynthesisResult:
    return synthesize(t for t in tau2 if t.split == "train")


def test_every_skill_replays_its_sources_in_the_sandbox(
    learned_from_train: SynthesisResult, pool: sandbox.ProcessPool
) -> None:
    # The sources run as written: their typing imports go with the annotations in the sandbox.
    assert all("from typing import" in skill.source for skill in learned_from_train.skills)
    runner = SandboxRunner(executor=pool)
    for skill in learned_from_train.skills:
        for case in skill.replay_cases:
            tools = RecordedTools(case.calls)
            run = runner(skill.source, skill.name, case.arguments, tools)
            verdict = tools.outcome(case, returned=run.value, failure=run.failure)
            assert verdict.passed, (skill.name, case.trajectory_id, verdict.reasons)


def test_held_out_evaluation_in_the_sandbox_matches_the_trusted_runner(
    learned_from_train: SynthesisResult, tau2: list[Trajectory], pool: sandbox.ProcessPool
) -> None:
    held_out = [t for t in tau2 if t.split == "test"][:12]
    isolated = evaluate(learned_from_train.skills, held_out, runner=SandboxRunner(executor=pool))
    trusted = evaluate(learned_from_train.skills, held_out, runner=exec_runner)
    assert isolated.passed > 0
    assert isolated.to_json() == trusted.to_json()


def test_a_guard_raises_skill_precondition_inside_the_sandbox(
    learned_from_train: SynthesisResult, pool: sandbox.ProcessPool
) -> None:
    guarded = next(s for s in learned_from_train.skills if "raise SkillPrecondition(" in s.source)
    # A case that took the way in which the guard checks (one that looked the order up).
    case = next(
        c for c in guarded.replay_cases if any(r.name == "get_order_details" for r in c.calls)
    )
    # Answer the order lookup with someone else's order: the ownership guard must stop the write.
    calls = tuple(
        replace(call, result={**call.result, "user_id": "someone_else_0000"})
        if call.name == "get_order_details" and isinstance(call.result, dict)
        else call
        for call in case.calls
    )
    tools = RecordedTools(calls)
    run = SandboxRunner(executor=pool)(guarded.source, guarded.name, case.arguments, tools)
    assert run.failure is not None
    assert "order does not belong to this user" in run.failure
    assert not [name for name, _ in tools.made if name in guarded.write_tools]
