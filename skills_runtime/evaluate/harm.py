"""Harm: where using a skill does worse than the recorded run that used none.

A held-out run recorded as successful (or of unknown outcome) is what an agent did without
skills. A skill that does not reproduce one of its procedures is usually no more than no help: it
cannot be bound, or a read it makes has no recorded answer, and the agent calls the tools itself.
It does *harm* when trusting it would change the world wrongly or turn away a request the agent
served:

- ``wrong write``: it makes a write (a call of a tool decided to change state, not answerable as
  a recorded read) of another tool, or with other arguments, than the write the recorded run
  made at that point;
- ``extra write``: it makes a write after every write of the recorded run was made;
- ``refused``: a guard of the skill raised ``SkillPrecondition`` before every recorded write was
  made (or, for a request that only asked, instead of answering it).

The judge (:class:`~skills_runtime.replay.RecordedTools`) refuses a wrong write and raises to
the skill, so what the skill *tried* is what counts here: the first attempt that differs from
the recording is the harm, as it is the write that would have reached a real tool.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from skills_runtime.evaluate.runners import RunOutcome
from skills_runtime.replay import RecordedCall, RecordedTools
from skills_runtime.trajectory.model import canonical_json

__all__ = ["Harm", "HarmKind", "harms_of"]

HarmKind = Literal["wrong write", "extra write", "refused"]


@dataclass(frozen=True)
class Harm:
    """One way a skill tried on a held-out procedure would have done worse than no skill."""

    trajectory_id: str
    unit: str
    """The procedure of the trajectory it was tried on (the trajectory id, ``#k`` for the k-th)."""
    skill: str
    kind: HarmKind
    detail: str
    another_skill_passed: bool = False
    """Whether another skill reproduced the same procedure (an agent choosing this one instead
    would have done the harm)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.trajectory_id,
            "unit": self.unit,
            "skill": self.skill,
            "kind": self.kind,
            "detail": self.detail,
            "another_skill_passed": self.another_skill_passed,
        }


def _spelled(name: str, arguments_json: str) -> str:
    text = f"{name}({arguments_json})"
    return text if len(text) <= 160 else text[:157] + "..."


def harms_of(
    tools: RecordedTools,
    outcome: RunOutcome,
    *,
    trajectory_id: str,
    unit: str,
    skill: str,
    is_write: Callable[[str], bool],
) -> tuple[Harm, ...]:
    """The harm a finished run of ``skill`` did on a procedure (none when it did none).

    Args:
        tools: The judge the skill ran against, with every call the skill tried.
        outcome: What the run gave.
        trajectory_id: The held-out trajectory.
        unit: The procedure of it the skill was tried on.
        skill: The skill's name.
        is_write: Whether a tool changes state, as decided (a tool nothing decided is taken
            as a write: a skill reaching for an unknown tool is not given the benefit of doubt).
    """
    recorded_reads = {call.key for call in tools.calls if not call.mutates}
    expected = [(c.name, canonical_json(dict(c.arguments))) for c in tools.calls if c.mutates]
    changing = {name for name, _ in expected}
    found: list[Harm] = []

    def harm(kind: HarmKind, detail: str) -> None:
        found.append(Harm(trajectory_id, unit, skill, kind, detail))

    made = 0
    for name, arguments_json in tools.made:
        key = RecordedCall(name, json.loads(arguments_json)).key
        if key in recorded_reads or not (name in changing or is_write(name)):
            continue
        if made < len(expected) and expected[made] == (name, arguments_json):
            made += 1
            continue
        tried = _spelled(name, arguments_json)
        if made < len(expected):
            harm("wrong write", f"wrote {tried} where the run wrote {_spelled(*expected[made])}")
        else:
            harm("extra write", f"wrote {tried} after every recorded write")
        break  # the judge raised to the skill here: what it did next was against no real state
    if not found and outcome.refused and (made < len(expected) or not expected):
        served = "made the write" if expected else "answered"
        harm("refused", f"{outcome.failure} (the recorded run {served})")
    return tuple(found)
