"""Held-out evaluation: do learned skills reproduce trajectories they were not learned from?

Each trajectory is cut into units exactly as synthesis cuts them (one write with the reads it
needs). For every unit, the skills whose only write is that unit's write tool are tried, the one
making the most tool calls first: the skill is bound to the unit (``explain_bind``), run against
tools answering from the recording, and judged by :class:`~skills_runtime.replay.RecordedTools`
(same writes with the same arguments, every read answerable, the write's result returned). A
trajectory is *covered* when every unit has a skill that binds, and *passed* when every unit has
a skill that passes.

Calls are counted honestly: after = skill calls + the trajectory's calls no skill made (the agent
would still make them). A skill that only wraps one write saves nothing, and the numbers show it.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sandbox
from skills_runtime.replay import RecordedTools, ReplayCase
from skills_runtime.synthesis.bind import SkillLike, call_sites, explain_bind
from skills_runtime.synthesis.engine import unit_recording
from skills_runtime.synthesis.group import units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.model import BindFailure
from skills_runtime.trajectory.model import Trajectory, canonical_json

__all__ = [
    "EvaluationReport",
    "RunOutcome",
    "Runner",
    "SandboxRunner",
    "SkillPrecondition",
    "evaluate",
    "exec_runner",
    "sandbox_runner",
]


@dataclass(frozen=True)
class RunOutcome:
    """What one run of a skill gave: its value, or why it failed."""

    value: Any = None
    failure: str | None = None


Runner = Callable[[str, str, Mapping[str, Any], RecordedTools], RunOutcome]
"""``(source, entry, arguments, tools) -> RunOutcome``; ``tools(name, arguments)`` answers calls."""


class SkillPrecondition(Exception):
    """The guard exception skill code raises (the sandbox provides its own as a builtin)."""


class _Tools:
    def __init__(self, dispatch: RecordedTools) -> None:
        self._dispatch = dispatch

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda **arguments: self._dispatch(name, arguments)


def exec_runner(
    source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
) -> RunOutcome:
    """Run trusted skill source with plain ``exec`` in this process: fast, and *not* isolation.

    For tests of the engine and for the synthesizer's own output only; untrusted code goes
    through :func:`sandbox_runner`.
    """
    namespace: dict[str, Any] = {
        "__builtins__": {**vars(builtins), "SkillPrecondition": SkillPrecondition}
    }
    try:
        exec(compile(source, f"<skill {entry}>", "exec"), namespace)
        value = namespace[entry](_Tools(tools), **dict(arguments))
    except Exception as error:  # the skill's failure is data, reported as the run's outcome
        return RunOutcome(None, f"{type(error).__name__}: {error}")
    return RunOutcome(value, None)


@dataclass(frozen=True)
class SandboxRunner:
    """Runs skill source in isolated sandbox workers, tools answered by the host recording.

    Pass one warm ``sandbox.ProcessPool`` as ``executor`` for a whole evaluation, so that each
    run pays a message round trip rather than a worker start.

    Args:
        executor: Where to run (``None``: the sandbox's shared default pool).
        limits: Limits of each run (``None``: the executor's).
    """

    executor: sandbox.Executor | None = None
    limits: sandbox.Limits | None = None

    def __call__(
        self, source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
    ) -> RunOutcome:
        names = sorted({call.name for call in tools.calls})
        granted = [
            sandbox.Tool(name=name, function=_host_tool(tools, name), schema={"type": "object"})
            for name in names
        ]
        result = sandbox.run(
            source,
            entry=entry,
            args=dict(arguments),
            tools=granted,
            limits=self.limits,
            executor=self.executor,
        )
        if result.status == "ok":
            return RunOutcome(result.value, None)
        if result.status == "rejected" and result.rejection is not None:
            rejection = result.rejection
            return RunOutcome(None, f"rejected at line {rejection.line}: {rejection.message}")
        detail = result.error or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        kind = f" ({result.limit})" if result.status == "limit" else ""
        return RunOutcome(None, f"{result.status}{kind}: {message}")


def sandbox_runner(
    source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
) -> RunOutcome:
    """Run skill source in the sandbox's shared warm pool (see :class:`SandboxRunner`)."""
    return SandboxRunner()(source, entry, arguments, tools)


def _host_tool(tools: RecordedTools, name: str) -> Callable[..., Any]:
    def call(**arguments: Any) -> Any:
        return tools(name, arguments)

    call.__name__ = name
    return call


@dataclass(frozen=True)
class EvaluationReport:
    """Coverage, pass rate and calls before/after, overall, per skill and per trajectory."""

    trajectories: int
    covered: int
    passed: int
    calls_before: int
    calls_after: int
    per_skill: tuple[dict[str, Any], ...]
    per_trajectory: tuple[dict[str, Any], ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.covered / self.trajectories if self.trajectories else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.trajectories if self.trajectories else 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``skillbank evaluate --json`` document."""
        return {
            "trajectories": self.trajectories,
            "covered": self.covered,
            "passed": self.passed,
            "coverage": round(self.coverage, 4),
            "pass_rate": round(self.pass_rate, 4),
            "pass_rate_covered": round(self.passed / self.covered, 4) if self.covered else 0.0,
            "calls_before": self.calls_before,
            "calls_after": self.calls_after,
            "per_skill": list(self.per_skill),
            "per_trajectory": list(self.per_trajectory),
            **dict(self.extra),
        }


def _write_tools(skill: SkillLike) -> tuple[str, ...] | None:
    declared = getattr(skill, "write_tools", None)
    return tuple(declared) if declared else None


def _unit_trajectory(trajectory: Trajectory, unit_id: str, calls: Sequence[Any]) -> Trajectory:
    from skills_runtime.trajectory.model import ToolCall

    return Trajectory(
        id=unit_id,
        task=trajectory.task,
        calls=tuple(
            ToolCall(name=c.name, arguments=dict(c.arguments), result=c.result, mutates=c.mutates)
            for c in calls
        ),
        tool_schemas=trajectory.tool_schemas,
    )


def evaluate(
    skills: Sequence[SkillLike],
    trajectories: Iterable[Trajectory],
    *,
    runner: Runner | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvaluationReport:
    """Replay held-out trajectories against skills.

    Args:
        skills: Skills with ``name``, ``source`` and (when known) ``write_tools``.
        trajectories: Held-out trajectories.
        runner: How to run a skill; defaults to :func:`sandbox_runner`.
        progress: Called with ``(trajectory id, done, total)`` as each one is replayed.

    Returns:
        The report; nothing a skill does raises out of here.
    """
    run = runner or sandbox_runner
    sized = sorted(skills, key=lambda s: (-len(call_sites(s.source)[1]), s.name))
    per_skill: dict[str, dict[str, Any]] = {
        s.name: {"name": s.name, "used": 0, "passed": 0, "tool_calls": 0} for s in sized
    }
    rows: list[dict[str, Any]] = []
    totals = {"covered": 0, "passed": 0, "before": 0, "after": 0}
    ordered = sorted(trajectories, key=lambda t: t.id)
    for done, trajectory in enumerate(ordered):
        if progress is not None:
            progress(trajectory.id, done, len(ordered))
        units = units_of(lift(trajectory))
        chosen: list[str] = []
        made: Counter[tuple[str, str]] = Counter()
        covered = bool(units)
        passed = bool(units)
        reason = "" if units else "no successful write: no procedure to express"
        for unit in units:
            calls = unit_recording(unit)
            sub = _unit_trajectory(trajectory, unit.unit_id, calls)
            bound_any, winner, why = False, None, []
            for skill in sized:
                writes = _write_tools(skill) or tuple(
                    s.tool
                    for s in call_sites(skill.source)[1]
                    if any(c.name == s.tool and c.mutates for c in calls)
                )
                if tuple(writes) != (unit.write.name,):
                    continue
                binding = explain_bind(skill, sub)
                if isinstance(binding, BindFailure):
                    why.append(f"{skill.name}: {binding.reason}")
                    continue
                bound_any = True
                tools = RecordedTools(calls)
                outcome = run(skill.source, skill.name, binding.arguments, tools)
                case = ReplayCase(unit.unit_id, binding.arguments, calls, unit.write.result)
                verdict = tools.outcome(case, returned=outcome.value, failure=outcome.failure)
                stats = per_skill[skill.name]
                stats["used"] += 1
                if verdict.passed:
                    stats["passed"] += 1
                    stats["tool_calls"] += len(tools.made)
                    winner = skill.name
                    made.update((name, args) for name, args in tools.made)
                    break
                why.append(f"{skill.name}: {'; '.join(verdict.reasons)}")
            if not bound_any:
                covered = False
            if winner is None:
                passed = False
                label = f"write {unit.write.name} ({unit.unit_id})"
                reason = reason or (
                    f"{label}: " + (" | ".join(why[:3]) if why else "no skill writes it")
                )
            else:
                chosen.append(winner)
        before = len(trajectory.calls)
        trace_calls = Counter((c.name, canonical_json(dict(c.arguments))) for c in trajectory.calls)
        after = len(chosen) + sum((trace_calls - made).values()) if passed else before
        totals["covered"] += covered
        totals["passed"] += passed
        if passed:
            totals["before"] += before
            totals["after"] += after
        rows.append(
            {
                "id": trajectory.id,
                "covered": covered,
                "passed": passed,
                "skills": chosen,
                "reason": "" if passed else reason,
                "calls_before": before,
                "calls_after": after,
            }
        )
    skill_rows = []
    for stats in per_skill.values():
        if not stats["used"]:
            continue
        per_call = stats["tool_calls"] / stats["passed"] if stats["passed"] else 0.0
        skill_rows.append(
            {
                "name": stats["name"],
                "used": stats["used"],
                "passed": stats["passed"],
                "tool_calls_per_call": round(per_call, 3),
                "calls_saved": stats["tool_calls"] - stats["passed"],
            }
        )
    return EvaluationReport(
        trajectories=len(rows),
        covered=totals["covered"],
        passed=totals["passed"],
        calls_before=totals["before"],
        calls_after=totals["after"],
        per_skill=tuple(skill_rows),
        per_trajectory=tuple(rows),
    )
