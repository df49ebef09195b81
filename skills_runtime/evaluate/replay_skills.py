"""Held-out evaluation: do learned skills reproduce trajectories they were not learned from?

Each trajectory's calls are marked read or write (the decisions the skills were learned with,
and for other tools what the held-out traces themselves show), and it is cut into units exactly
as synthesis cuts them. For every unit, the skills whose writes are that unit's writes (in order;
for an answer unit: skills that write nothing and end with the same read) are tried, the one
making the most tool calls first: the skill is bound to the unit (``explain_bind``), run against
tools answering from the recording, and judged by :class:`~skills_runtime.replay.RecordedTools`
(same writes with the same arguments, every read answerable, the final result returned). A unit
of several writes that no skill reproduces whole is tried write by write, as synthesis learns
it when the whole is rare. A trajectory is *covered* when every unit has a skill that binds, and
*passed* when every unit has a skill that passes. A run recorded as failed is not scored (nothing
should reproduce it); its id is listed under ``failed_runs_not_scored``.

Calls are counted two ways. ``calls_after``: skill calls + every call of the trajectory no skill
made (as if the agent still made its detours). ``calls_after_needed``: skill calls + the calls the
trajectory's procedures need that no skill made (its writes, answers and the reads they need; not
the detours, unused reads and failed calls an agent with skills would not make). A skill that only
wraps one write saves nothing, and both numbers show it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from skills_runtime.effects import EffectTable, infer_by_domain
from skills_runtime.evaluate.baseline import replay_nearest
from skills_runtime.evaluate.counting import calls_after
from skills_runtime.evaluate.harm import Harm, harms_of
from skills_runtime.evaluate.report import EvaluationReport
from skills_runtime.evaluate.runners import Runner, sandbox_runner
from skills_runtime.replay import RecordedTools, ReplayCase
from skills_runtime.synthesis.bind import SkillLike, call_sites, explain_bind, site_groups
from skills_runtime.synthesis.engine import unit_recording
from skills_runtime.synthesis.group import Unit, split_unit, units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.model import BindFailure
from skills_runtime.trajectory.model import Outcome, ToolCall, Trajectory

__all__ = ["evaluate"]


def _shape(skill: SkillLike, writes: frozenset[str]) -> tuple[tuple[str, ...], str]:
    """A skill's write tools in source order, and the tool it calls last."""
    declared = getattr(skill, "write_tools", None)
    calls = [group[0] for group in site_groups(call_sites(skill.source)[1])]
    last = calls[-1].tool if calls else ""
    if declared:
        return tuple(declared), last
    return tuple(site.tool for site in calls if site.tool in writes), last


def _unit_trajectory(trajectory: Trajectory, unit_id: str, calls: Sequence[Any]) -> Trajectory:
    return Trajectory(
        id=unit_id,
        task=trajectory.task,
        calls=tuple(
            ToolCall(name=c.name, arguments=dict(c.arguments), result=c.result, mutates=c.mutates)
            for c in calls
        ),
        tool_schemas=trajectory.tool_schemas,
    )


@dataclass
class _Trial:
    """Trying the skills on one unit: who passed, what it called, and why the others did not."""

    winner: str | None = None
    bound: bool = False
    made: list[tuple[str, str]] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    harms: list[Harm] = field(default_factory=list)


class _Evaluator:
    def __init__(
        self,
        skills: Sequence[SkillLike],
        run: Runner,
        decided: EffectTable,
        context: frozenset[str],
    ) -> None:
        self.run = run
        self.is_write = decided.is_write
        self.context = context
        writes = frozenset(decided.writes)
        self.sized = sorted(
            skills, key=lambda s: (-len(site_groups(call_sites(s.source)[1])), s.name)
        )
        self.shapes = {skill.name: _shape(skill, writes) for skill in self.sized}
        self.per_skill: dict[str, dict[str, Any]] = {
            s.name: {"name": s.name, "used": 0, "passed": 0, "tool_calls": 0} for s in self.sized
        }

    def fits(self, skill: SkillLike, unit: Unit) -> bool:
        skill_writes, last = self.shapes[skill.name]
        if unit.answers:
            changes = [tool for tool in skill_writes if tool not in self.context]
            return not changes and last == unit.write.name
        wanted = tuple(unit.trace.steps[position].name for position in unit.writes)
        if skill_writes == wanted:
            return True
        # A skill that may set context first (a ``cd`` on one of its ways in) fits a unit made
        # with or without it: the same changes, and no context the skill cannot set.
        changes = [tool for tool in skill_writes if tool not in self.context]
        return changes == [tool for tool in wanted if tool not in self.context] and set(
            wanted
        ) <= set(skill_writes)

    def trial(self, trajectory: Trajectory, unit: Unit) -> _Trial:
        calls = unit_recording(unit)
        sub = _unit_trajectory(trajectory, unit.unit_id, calls)
        found = _Trial()
        for skill in self.sized:
            if not self.fits(skill, unit):
                continue
            binding = explain_bind(skill, sub)
            if isinstance(binding, BindFailure):
                found.why.append(f"{skill.name}: {binding.reason}")
                continue
            found.bound = True
            tools = RecordedTools(calls)
            outcome = self.run(skill.source, skill.name, binding.arguments, tools)
            case = ReplayCase(
                unit.unit_id,
                binding.arguments,
                calls,
                unit.write.result,
                answer_text=_answer_text(unit),
            )
            verdict = tools.outcome(case, returned=outcome.value, failure=outcome.failure)
            stats = self.per_skill[skill.name]
            stats["used"] += 1
            if verdict.passed:
                stats["passed"] += 1
                stats["tool_calls"] += len(tools.made)
                found.winner = skill.name
                found.made = list(tools.made)
                return found
            found.why.append(f"{skill.name}: {'; '.join(verdict.reasons)}")
            found.harms += harms_of(
                tools,
                outcome,
                trajectory_id=trajectory.id,
                unit=unit.unit_id,
                skill=skill.name,
                is_write=self.is_write,
            )
        return found

    def unit(self, trajectory: Trajectory, unit: Unit) -> list[_Trial]:
        """The trial of the whole unit, or (when it fails and splits) of each of its writes."""
        whole = self.trial(trajectory, unit)
        pieces = split_unit(unit)
        if whole.winner is not None or pieces == (unit,):
            return [whole]
        parts = [self.trial(trajectory, part) for part in pieces]
        if all(part.winner is not None for part in parts):
            parts[0].harms[:0] = whole.harms  # the whole's failures still count as harm
            return parts
        return [whole] if whole.bound or not any(p.bound for p in parts) else parts


def _answer_text(unit: Unit) -> str:
    """What the agent answered to the request of an answer unit (else nothing)."""
    if not unit.answers:
        return ""
    requests = unit.trace.trajectory.requests
    turn = unit.write.turn
    return requests[turn].answer if turn < len(requests) else ""


def _label(unit: Unit) -> str:
    if unit.answers:
        return f"answer by {unit.write.name} ({unit.unit_id})"
    names = ", ".join(unit.trace.steps[position].name for position in unit.writes)
    return f"write {names} ({unit.unit_id})"


def _held_out_effects(
    trajectories: Sequence[Trajectory], effects: EffectTable | None
) -> EffectTable:
    """The given decisions, completed by what the held-out traces show for the other tools."""
    seen = infer_by_domain(trajectories)
    return seen if effects is None else effects.merged(seen)


def evaluate(
    skills: Sequence[SkillLike],
    trajectories: Iterable[Trajectory],
    *,
    runner: Runner | None = None,
    effects: EffectTable | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    training: Iterable[Trajectory] | None = None,
) -> EvaluationReport:
    """Replay held-out trajectories against skills (and, given training runs, the baseline).

    Args:
        skills: Skills with ``name``, ``source`` and (when known) ``write_tools``.
        trajectories: Held-out trajectories, labelled or not.
        runner: How to run a skill; defaults to :func:`sandbox_runner`.
        effects: The tool effects the skills were learned with (tools it does not decide are
            decided from the held-out traces themselves).
        progress: Called with ``(trajectory id, done, total)`` as each one is replayed.
        training: The runs the skills were learned from: the raw-trajectory baseline replays
            the nearest of them for each held-out run (see
            :mod:`~skills_runtime.evaluate.baseline`). None or none: no baseline.

    Returns:
        The report; nothing a skill does raises out of here.
    """
    ordered = sorted(trajectories, key=lambda t: t.id)
    runs = list(training or ())
    decided = _held_out_effects(ordered, effects)
    context = frozenset(effect.tool for effect in decided if effect.context)
    evaluator = _Evaluator(skills, runner or sandbox_runner, decided, context)
    rows: list[dict[str, Any]] = []
    totals = {"covered": 0, "passed": 0, "before": 0, "after": 0, "after_needed": 0}
    failed_runs: list[str] = []
    harms: list[Harm] = []
    for done, trajectory in enumerate(ordered):
        if progress is not None:
            progress(trajectory.id, done, len(ordered))
        if trajectory.outcome is Outcome.FAILURE:
            # A run recorded as failed is no procedure to reproduce: listed, not scored.
            failed_runs.append(trajectory.id)
            continue
        units = units_of(lift(decided.apply(trajectory), context=context))
        chosen: list[str] = []
        made: Counter[tuple[str, str]] = Counter()
        covered = bool(units)
        passed = bool(units)
        reason = "" if units else "no successful write and no answer: no procedure to express"
        for unit in units:
            trials = evaluator.unit(trajectory, unit)
            unit_passed = all(trial.winner is not None for trial in trials)
            harms += [
                replace(harm, another_skill_passed=unit_passed)
                for trial in trials
                for harm in trial.harms
            ]
            if not all(trial.bound for trial in trials):
                covered = False
            if unit_passed:
                for trial in trials:
                    chosen.append(str(trial.winner))
                    made.update(trial.made)
                continue
            passed = False
            why = [text for trial in trials for text in trial.why]
            reason = reason or (
                f"{_label(unit)}: " + (" | ".join(why[:3]) if why else "no skill does it")
            )
        before = len(trajectory.calls)
        spent = calls_after(trajectory, units, own=len(chosen), made=made)
        after, after_needed = (spent.with_leftovers, spent.needed) if passed else (before, before)
        totals["covered"] += covered
        totals["passed"] += passed
        if passed:
            totals["before"] += before
            totals["after"] += after
            totals["after_needed"] += after_needed
        rows.append(
            {
                "id": trajectory.id,
                "covered": covered,
                "passed": passed,
                "skills": chosen,
                "reason": "" if passed else reason,
                "calls_before": before,
                "calls_after": after,
                "calls_after_needed": after_needed,
            }
        )
    per_skill = evaluator.per_skill
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
        extra={
            "calls_after_needed": totals["after_needed"],
            "failed_runs_not_scored": failed_runs,
        },
        baseline=replay_nearest(ordered, runs, effects=decided) if runs else None,
        harms=tuple(harms),
    )
