"""Held-out evaluation: skills against the recorded runs and against reusing raw trajectories.

:func:`evaluate` replays held-out runs against skills (:mod:`.replay_skills`), lists where a skill
would have done harm (:mod:`.harm`), and, given the training runs, replays the nearest of them
with rebound arguments as a baseline (:mod:`.baseline`, :mod:`.rebind`, :mod:`.nearest`); skill
code runs through a runner (:mod:`.runners`). The report (:mod:`.report`) puts the three side by
side.
"""

from __future__ import annotations

from skills_runtime.evaluate.baseline import BaselineReport, BaselineTask, replay_nearest
from skills_runtime.evaluate.harm import Harm, HarmKind
from skills_runtime.evaluate.replay_skills import evaluate
from skills_runtime.evaluate.report import EvaluationReport
from skills_runtime.evaluate.runners import (
    Runner,
    RunOutcome,
    SandboxRunner,
    SkillPrecondition,
    exec_runner,
    sandbox_runner,
)

__all__ = [
    "BaselineReport",
    "BaselineTask",
    "EvaluationReport",
    "Harm",
    "HarmKind",
    "RunOutcome",
    "Runner",
    "SandboxRunner",
    "SkillPrecondition",
    "evaluate",
    "exec_runner",
    "replay_nearest",
    "sandbox_runner",
]
