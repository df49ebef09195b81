"""The values synthesis hands out: options, skills, unexplained trajectories, bindings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.effects import Declared, EffectTable
from skills_runtime.replay import ReplayCase

__all__ = [
    "BindFailure",
    "Binding",
    "SynthesisOptions",
    "SynthesisResult",
    "SynthesizedSkill",
    "Unexplained",
]


@dataclass(frozen=True, kw_only=True)
class SynthesisOptions:
    """How synthesis decides.

    Args:
        min_family_size: Fewest units (writes with their reads, from distinct trajectories or
            not) a family needs to become a skill. Two is the least that lets anti-unification
            tell a parameter from a constant; a family of one is reported as unexplained.
        taken_names: Names the skills must not take (e.g. those already in a registry).
        declared: Tool effects the user states (``--writes``/``--reads``, an effects file, the
            toolset): they decide over everything inferred.
        effects: Decisions already made for these trajectories (then nothing is inferred).
    """

    min_family_size: int = 2
    taken_names: frozenset[str] = frozenset()
    declared: Declared = field(default_factory=Declared)
    effects: EffectTable | None = None


@dataclass(frozen=True)
class SynthesizedSkill:
    """A skill learned from a family: typed source plus everything needed to check and replay it."""

    name: str
    source: str
    summary: str
    tools: tuple[str, ...]
    write_tools: tuple[str, ...]
    source_trajectories: tuple[str, ...]
    trajectory_digests: tuple[str, ...]
    replay_cases: tuple[ReplayCase, ...]
    tool_schemas: Mapping[str, Any]
    family_key: str
    effects: Mapping[str, Any] = field(default_factory=dict)
    """The effect decisions of the tools it calls, with their evidence (kept in provenance)."""

    def to_json(self) -> dict[str, Any]:
        """Everything as JSON-able values (the replay cases in their own JSON form)."""
        return {
            "name": self.name,
            "source": self.source,
            "summary": self.summary,
            "tools": list(self.tools),
            "write_tools": list(self.write_tools),
            "source_trajectories": list(self.source_trajectories),
            "trajectory_digests": list(self.trajectory_digests),
            "replay_cases": [case.to_json() for case in self.replay_cases],
            "tool_schemas": dict(self.tool_schemas),
            "family_key": self.family_key,
            "effects": dict(self.effects),
        }


@dataclass(frozen=True)
class Unexplained:
    """A trajectory (or one write of it, ``id#k``) that no skill was learned from, and why."""

    trajectory_id: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"trajectory_id": self.trajectory_id, "reason": self.reason}


@dataclass(frozen=True)
class SynthesisResult:
    """Skills in a stable order, what stayed unexplained, counts, and the effects decided."""

    skills: tuple[SynthesizedSkill, ...]
    unexplained: tuple[Unexplained, ...]
    """Examples: per reason, the units with the smallest ids (all of them for small inputs)."""
    stats: Mapping[str, int] = field(default_factory=dict)
    effects: EffectTable = field(default_factory=EffectTable)
    unexplained_counts: Mapping[str, int] = field(default_factory=dict)
    """How many units were left unexplained for each reason."""

    def to_json(self) -> dict[str, Any]:
        return {
            "skills": [skill.to_json() for skill in self.skills],
            "unexplained": [item.to_json() for item in self.unexplained],
            "unexplained_counts": dict(self.unexplained_counts),
            "stats": dict(self.stats),
            "effects": self.effects.to_json(),
        }


@dataclass(frozen=True)
class Binding:
    """The arguments that make a skill reproduce (part of) a trajectory."""

    skill: str
    trajectory_id: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class BindFailure:
    """Why a skill cannot be bound to a trajectory."""

    skill: str
    trajectory_id: str
    reason: str
