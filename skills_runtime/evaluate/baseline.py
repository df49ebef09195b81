"""The raw-trajectory baseline: reuse the most similar training run instead of a skill.

Skills only help if they beat reusing the runs they were learned from. For each held-out run,
the baseline takes the nearest training run and replays its calls, arguments rebound to the
held-out task, against the judge skills face: :class:`~skills_runtime.replay.RecordedTools` over
the held-out run's successful calls (every read answerable, the recorded writes with the same
arguments in order, no other write). No model, and the same answer on every run.

**Which run.** Never one recorded as failed. Among the training runs that wrote with the same
tools in the same order as the held-out run (what evaluation also knows when it tries a skill:
the writes of the procedure), the one whose request is most similar (BM25, see
:mod:`~skills_runtime.evaluate.nearest`); when none wrote that way, the most similar of all.

**What is replayed.** The run's successful calls in order — every read it made, useful or not,
since that is what a raw trajectory holds; its failed calls are noise and are left out.

**How each argument is rebound** (the first rule that gives a value; a list or object argument
is taken whole by rule 1, else rebound value by value):

1. *held-out call*: the value the held-out run passed to the same argument of the same tool, in
   its k-th call of that tool for the training run's k-th. These are the values a skill is bound
   with (``explain_bind`` reads a skill's parameters off the held-out calls), and more: the
   baseline also gets the values a skill has to compute from answers, so skills that beat it do
   not owe it to a baseline starved of values;
2. *flow*: a value the training run found in an earlier answer at a path without list
   positions (the user id a lookup answered) is read at that path of the answer the replay got;
3. *request*: a distinctive text (a name, an id, an e-mail: see
   :func:`~skills_runtime.trajectory.values.is_distinctive`) written in the training request
   becomes the text of the same shape (capitalised words, words, digits, spaces and punctuation
   in the same runs) at the same rank among such texts in the held-out request;
4. *position*: a value found in an earlier answer only at a path with list positions (the third
   order of a user) is read at that path of the answer the replay got;
5. *kept*: anything else is a constant of the procedure and stays.

**Passed** when the judge found nothing wrong, every recorded write was made, and every request
that only asked was answered (the read its answer came from was made).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from skills_runtime.effects import EffectTable
from skills_runtime.evaluate.counting import calls_after
from skills_runtime.evaluate.harm import harms_of
from skills_runtime.evaluate.nearest import RequestIndex, request_text
from skills_runtime.evaluate.rebind import Rebinder, successful_calls
from skills_runtime.evaluate.runners import RunOutcome
from skills_runtime.replay import RecordedCall, RecordedTools, ReplayCase, ReplayToolError
from skills_runtime.synthesis.group import Unit, units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.trajectory.model import Outcome, Trajectory, canonical_json

__all__ = ["BaselineReport", "BaselineTask", "replay_nearest"]


@dataclass(frozen=True)
class BaselineTask:
    """What replaying the nearest training run did for one held-out run."""

    id: str
    passed: bool
    nearest: str | None
    similarity: float
    same_writes: bool
    """Whether the nearest run wrote with the same tools in the same order."""
    calls: int
    """Calls the replay made."""
    calls_before: int
    """Calls the held-out run recorded."""
    reason: str = ""
    calls_after: int = 0
    """The replay's calls + every recorded call it did not make (as skills' ``calls_after``)."""
    calls_after_needed: int = 0
    """The replay's calls + the calls the run's procedures need that it did not make."""
    failure: str = ""
    """Why it did not pass, in a word: ``no procedure``, ``no training run``, ``wrong write``,
    ``extra write``, ``unanswered read`` (a read the held-out run never made), ``missing
    write`` or ``unanswered request``; empty when it passed."""
    rebound: dict[str, int] = field(default_factory=dict)
    """How many values each rule gave (``flow``, ``held-out call``, ``request``, ...)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "passed": self.passed,
            "nearest": self.nearest,
            "similarity": round(self.similarity, 3),
            "same_writes": self.same_writes,
            "calls": self.calls,
            "calls_before": self.calls_before,
            "calls_after": self.calls_after,
            "calls_after_needed": self.calls_after_needed,
            "reason": self.reason,
            "failure": self.failure,
            "rebound": dict(self.rebound),
        }


@dataclass(frozen=True)
class BaselineReport:
    """The baseline over a held-out set: which runs it reproduced, and with how many calls."""

    training: int
    """Training runs it could retrieve (those not recorded as failed)."""
    tasks: tuple[BaselineTask, ...]

    @property
    def passed(self) -> int:
        return sum(task.passed for task in self.tasks)

    @property
    def pass_rate(self) -> float:
        return self.passed / len(self.tasks) if self.tasks else 0.0

    def to_json(self) -> dict[str, Any]:
        passed = [task for task in self.tasks if task.passed]
        rules: Counter[str] = Counter()
        for task in self.tasks:
            rules.update(task.rebound)
        return {
            "method": "nearest training run, replayed with rebound arguments",
            "training_trajectories": self.training,
            "trajectories": len(self.tasks),
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "calls_before": sum(task.calls_before for task in passed),
            "calls": sum(task.calls for task in passed),
            "calls_after": sum(task.calls_after for task in passed),
            "calls_after_needed": sum(task.calls_after_needed for task in passed),
            "rebound": dict(sorted(rules.items())),
            "failures": dict(sorted(Counter(t.failure for t in self.tasks if t.failure).items())),
            "per_trajectory": [task.to_json() for task in self.tasks],
        }


def _write_tools(trajectory: Trajectory) -> tuple[str, ...]:
    return tuple(c.name for c in successful_calls(trajectory) if trajectory.is_write(c))


def _recording(trajectory: Trajectory) -> tuple[RecordedCall, ...]:
    return tuple(
        RecordedCall(c.name, dict(c.arguments), c.result, False, trajectory.is_write(c))
        for c in successful_calls(trajectory)
    )


def _answer_reads(units: Sequence[Unit]) -> list[tuple[str, str]]:
    """For each request of the run that only asked: the read its answer came from."""
    calls = [unit.trace.trajectory.calls[unit.write.index] for unit in units if unit.answers]
    return [(call.name, canonical_json(dict(call.arguments))) for call in calls]


def _replay(
    held_out: Trajectory, nearest: Trajectory, effects: EffectTable, context: frozenset[str]
) -> BaselineTask:
    units = units_of(lift(held_out, context=context))
    calls_before = len(held_out.calls)
    if not units:
        reason = "no successful write and no answer: no procedure to express"
        return BaselineTask(
            held_out.id,
            False,
            nearest.id,
            0.0,
            False,
            0,
            calls_before,
            reason,
            failure="no procedure",
        )
    recording = _recording(held_out)
    tools = RecordedTools(recording)
    rebinder = Rebinder(nearest, held_out)
    stopped = ""
    for call in successful_calls(nearest):
        arguments = rebinder.arguments(call)
        try:
            rebinder.answered(tools(call.name, arguments))
        except ReplayToolError:
            stopped = f"{call.name}({canonical_json(arguments)})"
            break
    verdict = tools.outcome(ReplayCase(held_out.id, {}, recording, check_result=False))
    harms = harms_of(
        tools, RunOutcome(), trajectory_id=held_out.id, unit="", skill="", is_write=effects.is_write
    )
    reasons = [harm.detail for harm in harms]
    failures: list[str] = [harm.kind for harm in harms]
    if stopped and not harms:
        reasons.append(f"read {_clip(stopped)}: the held-out run never made it (no answer)")
        failures.append("unanswered read")
    missing = verdict.writes_expected - verdict.writes_made
    if missing:
        reasons.append(f"{missing} recorded write(s) never made")
        failures.append("missing write")
    if not reasons:
        made = set(tools.made)
        for tool, arguments_json in _answer_reads(units):
            if (tool, arguments_json) not in made:
                reasons.append(f"never read {tool}({arguments_json}), which the answer came from")
                failures.append("unanswered request")
    spent = calls_after(held_out, units, own=len(tools.made), made=Counter(tools.made))
    return BaselineTask(
        id=held_out.id,
        passed=not reasons,
        nearest=nearest.id,
        similarity=0.0,
        same_writes=False,
        calls=len(tools.made),
        calls_before=calls_before,
        reason="; ".join(reasons),
        rebound=dict(sorted(rebinder.rules.items())),
        calls_after=spent.with_leftovers,
        calls_after_needed=spent.needed,
        failure=failures[0] if failures else "",
    )


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def replay_nearest(
    held_out: Iterable[Trajectory],
    training: Iterable[Trajectory],
    *,
    effects: EffectTable,
    match_writes: bool = True,
) -> BaselineReport:
    """Replay, for every held-out run, the nearest training run (see the module docstring).

    Args:
        held_out: The held-out runs; those recorded as failed are not scored (as in evaluation).
        training: The runs the skills were learned from.
        effects: Which tools change state (the decisions evaluation uses).
        match_writes: Retrieve among the runs that wrote as the held-out run did (the default,
            the knowledge skills are tried with); False: by request text alone.
    """
    context = frozenset(effect.tool for effect in effects if effect.context)
    runs = [effects.apply(t) for t in training if t.outcome is not Outcome.FAILURE]
    index = RequestIndex(runs)
    by_writes: dict[tuple[str, ...], list[int]] = {}
    for position, run in enumerate(index.runs):
        by_writes.setdefault(_write_tools(run), []).append(position)
    tasks = []
    for trajectory in sorted(held_out, key=lambda t: t.id):
        if trajectory.outcome is Outcome.FAILURE:
            continue
        decided = effects.apply(trajectory)
        writes = _write_tools(decided)
        same = by_writes.get(writes) if match_writes else None
        found = index.nearest(request_text(decided), among=same)
        if found is None:
            tasks.append(
                BaselineTask(
                    decided.id,
                    False,
                    None,
                    0.0,
                    False,
                    0,
                    len(decided.calls),
                    "no training run",
                    failure="no training run",
                )
            )
            continue
        task = _replay(decided, found.trajectory, effects, context)
        alike = _write_tools(found.trajectory) == writes
        tasks.append(replace(task, similarity=found.score, same_writes=alike))
    return BaselineReport(training=len(runs), tasks=tuple(tasks))
