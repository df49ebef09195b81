"""Is a mutant observably different from its original? A differential search, in the worker.

Used to tell *equivalent* mutants (mutating a no-op, such as dropping a read whose result feeds
nothing) apart from mutants the gates missed. Two sources are compared on what the world sees:
the write calls they make (name and arguments, in order), how the call ends (returned, a guard or
tool said no, an unexpected error, a limit) and the value returned. Reads and error messages are
not observable. The comparison runs every recorded case (with recorded tools) and then lets
hypothesis search generated inputs (with fake tools) for a difference, with more examples than
the verification itself uses, so "equivalent" is not just "the gate could not tell".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from sandbox.errors import SkillPrecondition, ToolError
from sandbox.restricted import CompiledSkill, LimitWatch, Rejection, compile_skill
from skills_runtime.replay import RecordedTools, ReplayCase
from skills_runtime.trajectory.model import canonical_json
from skills_runtime.verify.execution import SKILL_FILENAME, Dispatch, Execution, execute
from skills_runtime.verify.fakes import FakeTools
from skills_runtime.verify.strategies import arguments_strategy

__all__ = ["TARGET", "compare_session"]

TARGET = "skills_runtime.verify.differential:compare_session"
_GUARDS = (SkillPrecondition,)


class _Different(AssertionError):
    pass


def compare_session(payload: Mapping[str, Any], tools: Any = None) -> dict[str, Any]:
    """Compare ``payload["original"]`` and ``payload["mutant"]``; JSON verdict.

    Returns:
        ``{"equivalent": bool, "difference": str | None}``.
    """
    entry = str(payload["entry"])
    compiled = [
        compile_skill(str(payload[key]), filename=SKILL_FILENAME) for key in ("original", "mutant")
    ]
    if any(isinstance(item, Rejection) for item in compiled):
        return {"equivalent": False, "difference": "one of the sources does not compile"}
    original, mutant = (
        _runner(item, entry) for item in compiled if isinstance(item, CompiledSkill)
    )
    writes = set(payload.get("write_tools") or ())
    cases = [ReplayCase.from_json(case) for case in payload.get("cases") or ()]
    reads = frozenset(call.name for case in cases for call in case.calls) - writes

    def observe(skill: Any, arguments: Mapping[str, Any], dispatch: Dispatch) -> str:
        execution = execute(
            skill,
            arguments,
            dispatch,
            guards=_GUARDS,
            call_seconds=1.0,
            max_tool_calls=200,
            reads=reads,
        )
        return _observable(execution, writes)

    for case in cases:
        one = observe(original, case.arguments, RecordedTools(case.calls, error_type=ToolError))
        two = observe(mutant, case.arguments, RecordedTools(case.calls, error_type=ToolError))
        if one != two:
            return {
                "equivalent": False,
                "difference": f"replay {case.trajectory_id}: {one} vs {two}",
            }

    arguments = arguments_strategy(
        payload.get("parameters_schema") or {"type": "object"},
        observed=payload.get("observed") or {},
    )
    worlds = st.integers(0, max(1, len(cases)) - 1)

    @settings(
        max_examples=int(payload.get("max_examples", 200)),
        database=None,
        derandomize=True,
        deadline=None,
        verbosity=Verbosity.quiet,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def search(data: st.DataObject) -> None:
        inputs = data.draw(arguments)
        world = data.draw(worlds)
        one = observe(
            original, inputs, FakeTools(cases, world=world, inputs=inputs, error_type=ToolError)
        )
        two = observe(
            mutant, inputs, FakeTools(cases, world=world, inputs=inputs, error_type=ToolError)
        )
        if one != two:
            raise _Different(f"inputs {canonical_json(inputs)}: {one} vs {two}")

    try:
        with with_reporter(lambda _message: None):
            search()
    except _Different as difference:
        return {"equivalent": False, "difference": str(difference)}
    return {"equivalent": True, "difference": None}


def _observable(execution: Execution, writes: set[str]) -> str:
    kind = "error" if execution.outcome == "expected_error" else execution.outcome
    return canonical_json(
        {
            "writes": [[name, args] for name, args in execution.calls if name in writes],
            "outcome": kind,
            "value": execution.value if execution.outcome == "returned" else None,
        }
    )


def _runner(compiled: CompiledSkill, entry: str) -> Any:
    def run(arguments: Mapping[str, Any], dispatch: Dispatch, watch: LimitWatch) -> Any:
        return compiled.call(
            entry, arguments, dispatch=dispatch, on_print=lambda _text: None, watch=watch
        )

    return run
