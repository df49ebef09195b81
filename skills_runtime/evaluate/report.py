"""The evaluation report: skills against the recorded runs and against the raw-trajectory baseline.

Three ways of serving each held-out request are compared: what the agent recorded (no skill), the
skills, and the baseline (the nearest training run replayed, see
:mod:`~skills_runtime.evaluate.baseline`). Skills *beat the baseline* when they pass more held-out
runs, or as many with fewer calls on the runs both pass (counted alike for both, see
:mod:`~skills_runtime.evaluate.counting`: the agent's own calls plus the calls the procedures need
that nothing made); the report says so in words too, and lists the runs where using the skills
would have done worse than no skill (see :mod:`~skills_runtime.evaluate.harm`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.evaluate.baseline import BaselineReport
from skills_runtime.evaluate.harm import Harm

__all__ = ["EvaluationReport"]


@dataclass(frozen=True)
class EvaluationReport:
    """Coverage, pass rate and calls before/after, overall, per skill and per trajectory; the
    baseline's numbers beside them, and the harm skills would have done."""

    trajectories: int
    covered: int
    passed: int
    calls_before: int
    calls_after: int
    per_skill: tuple[dict[str, Any], ...]
    per_trajectory: tuple[dict[str, Any], ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    baseline: BaselineReport | None = None
    """The raw-trajectory baseline; None when no training run was given (or kept)."""
    harms: tuple[Harm, ...] = ()
    """Every way a skill tried on a held-out procedure did worse than the recorded run."""

    @property
    def coverage(self) -> float:
        return self.covered / self.trajectories if self.trajectories else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.trajectories if self.trajectories else 0.0

    @property
    def worse_than_no_skill(self) -> tuple[Harm, ...]:
        """Harm on procedures no skill reproduced: what an agent using the skills would do."""
        return tuple(harm for harm in self.harms if not harm.another_skill_passed)

    def comparison(self) -> dict[str, Any] | None:
        """Skills against the baseline, run by run (None without a baseline)."""
        if self.baseline is None:
            return None
        skills = {row["id"]: row for row in self.per_trajectory}
        base = {task.id: task for task in self.baseline.tasks}
        ids = sorted(set(skills) & set(base))
        by_skills = {i for i in ids if skills[i]["passed"]}
        by_baseline = {i for i in ids if base[i].passed}
        both = sorted(by_skills & by_baseline)
        calls = {
            "tasks": len(both),
            "recorded": sum(skills[i]["calls_before"] for i in both),
            "skills": sum(skills[i]["calls_after_needed"] for i in both),
            "baseline": sum(base[i].calls_after_needed for i in both),
            "skills_with_leftovers": sum(skills[i]["calls_after"] for i in both),
            "baseline_with_leftovers": sum(base[i].calls_after for i in both),
        }
        beat = len(by_skills) > len(by_baseline) or (
            len(by_skills) == len(by_baseline) > 0 and calls["skills"] < calls["baseline"]
        )
        return {
            "skills_passed": len(by_skills),
            "baseline_passed": len(by_baseline),
            "both_passed": len(both),
            "only_skills": sorted(by_skills - by_baseline),
            "only_baseline": sorted(by_baseline - by_skills),
            "calls_on_both": calls,
            "skills_beat_baseline": beat,
            "verdict": _verdict(len(by_skills), len(by_baseline), calls, beat),
        }

    def to_json(self) -> dict[str, Any]:
        """The ``skillbank evaluate --json`` document."""
        worse = self.worse_than_no_skill
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
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "comparison": self.comparison(),
            "worse_than_no_skill": [harm.to_json() for harm in worse],
            "tasks_worse_than_no_skill": len({harm.trajectory_id for harm in worse}),
            "harmful_alternatives": [
                harm.to_json() for harm in self.harms if harm.another_skill_passed
            ],
        }


def _verdict(skills: int, baseline: int, calls: Mapping[str, int], beat: bool) -> str:
    """The comparison in one sentence."""
    if not skills and not baseline:
        return "neither the skills nor the baseline reproduced a held-out run"
    passed = f"skills pass {skills}, the baseline {baseline}"
    spent = (
        f"; on the {calls['tasks']} both pass, {calls['skills']} calls with skills,"
        f" {calls['baseline']} with the baseline, {calls['recorded']} recorded"
        if calls["tasks"]
        else ""
    )
    if beat:
        return f"skills beat the raw-trajectory baseline: {passed}{spent}"
    return f"skills do not beat the raw-trajectory baseline: {passed}{spent}"
