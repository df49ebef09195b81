"""Replay recorded cases against a skill: same writes, in order, answerable reads, same result.

Runs inside the verification worker. A case whose arguments no longer fit the skill's signature
(a parameter renamed, removed or retyped by a new version) is reported as broken with that reason
rather than called: the regression suite names what an edit broke.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema

from skills_runtime.replay import RecordedTools, ReplayCase, ReplayOutcome
from skills_runtime.verify.coverage import StatementCoverage
from skills_runtime.verify.execution import SkillRunner, execute

__all__ = ["argument_problems", "run_replays"]


def argument_problems(
    arguments: Mapping[str, Any], parameters_schema: Mapping[str, Any]
) -> list[str]:
    """Why ``arguments`` cannot be passed to a skill with these parameters (empty: they fit)."""
    properties = parameters_schema.get("properties") or {}
    problems = [
        f"argument {name!r} is not a parameter of the skill; parameters: {sorted(properties)}"
        for name in arguments
        if name not in properties
    ]
    validator = jsonschema.Draft202012Validator(dict(parameters_schema))
    for error in sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path)):
        where = "/".join(str(part) for part in error.path) or "arguments"
        problems.append(f"{where}: {error.message}")
    return problems


def run_replays(
    skill: SkillRunner,
    cases: Sequence[ReplayCase],
    *,
    parameters_schema: Mapping[str, Any],
    error_type: Callable[[str], BaseException],
    guards: tuple[type[BaseException], ...],
    call_seconds: float,
    max_tool_calls: int,
    reads: frozenset[str] = frozenset(),
    coverage: StatementCoverage | None = None,
) -> list[ReplayOutcome]:
    """The outcome of every case, in order, each with every reason it failed."""
    outcomes = []
    for case in cases:
        problems = argument_problems(case.arguments, parameters_schema)
        if problems:
            outcomes.append(
                ReplayOutcome(
                    trajectory_id=case.trajectory_id,
                    passed=False,
                    reasons=tuple(
                        f"arguments no longer fit the signature: {problem}" for problem in problems
                    ),
                    writes_expected=len(case.writes),
                )
            )
            continue
        tools = RecordedTools(case.calls, error_type=error_type)
        execution = execute(
            skill,
            case.arguments,
            tools,
            guards=guards,
            call_seconds=call_seconds,
            max_tool_calls=max_tool_calls,
            reads=reads,
            coverage=coverage,
        )
        failure = None
        if execution.outcome != "returned":
            failure = f"the skill raised {execution.error}"
            if execution.outcome == "limit":
                failure = f"the skill exceeded a limit: {execution.error}"
        outcomes.append(tools.outcome(case, returned=execution.value, failure=failure))
    return outcomes
