"""Effect decisions as values: per tool, read or write, and the weighed evidence behind it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from skills_runtime.trajectory.model import Trajectory

__all__ = ["DECISIVE", "Effect", "EffectTable", "Evidence", "ToolEffect"]

DECISIVE = 1000.0
"""The weight of an explicit declaration: it outweighs every inferred signal together."""


class Effect(StrEnum):
    """What calling a tool does: only answers (``read``) or changes state (``write``)."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Evidence:
    """One signal about a tool: which effect it points to, how strongly, and why in words.

    ``signal`` names where it came from: ``declared`` (an override the user gave), ``label`` (a
    flag in the recordings), ``annotation`` (MCP hints), ``name``, ``description``,
    ``parameters`` or ``behaviour`` (what the traces show).
    """

    signal: str
    says: Effect
    weight: float
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "says": self.says.value,
            "weight": self.weight,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ToolEffect:
    """The decision for one tool.

    ``score`` is the weighed sum of the evidence (positive: write); ``decided_by`` is the
    signal of the heaviest evidence, or ``"default"`` when nothing spoke and the tool is taken
    as a write so that skills replay it exactly rather than drop it. ``context`` is set for a
    write that changes what later calls see (a directory, a login) rather than the data.
    """

    tool: str
    effect: Effect
    score: float
    decided_by: str
    evidence: tuple[Evidence, ...]
    context: bool = False

    @property
    def confidence(self) -> str:
        """``declared``, ``high``, ``medium`` or ``low``, from the size of the score."""
        if self.decided_by in ("declared", "label", "annotation") and abs(self.score) >= 4:
            return "declared"
        size = abs(self.score)
        return "high" if size >= 4 else "medium" if size >= 2 else "low"

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "effect": self.effect.value,
            "context": self.context,
            "score": round(self.score, 3),
            "decided_by": self.decided_by,
            "confidence": self.confidence,
            "evidence": [item.to_json() for item in self.evidence],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolEffect:
        return cls(
            tool=str(data["tool"]),
            effect=Effect(data["effect"]),
            score=float(data.get("score", 0.0)),
            decided_by=str(data.get("decided_by", "declared")),
            evidence=tuple(
                Evidence(
                    str(item["signal"]),
                    Effect(item["says"]),
                    float(item["weight"]),
                    str(item["detail"]),
                )
                for item in data.get("evidence") or ()
            ),
            context=bool(data.get("context", False)),
        )


@dataclass(frozen=True)
class EffectTable:
    """The decisions for every tool of a set of trajectories, applied to them on demand."""

    effects: Mapping[str, ToolEffect] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ToolEffect]:
        return iter(self.effects[name] for name in sorted(self.effects))

    def __len__(self) -> int:
        return len(self.effects)

    def __contains__(self, tool: object) -> bool:
        return tool in self.effects

    def get(self, tool: str) -> ToolEffect | None:
        return self.effects.get(tool)

    def is_write(self, tool: str) -> bool:
        """Whether calls of ``tool`` change state (an unknown tool is taken as a write)."""
        found = self.effects.get(tool)
        return found is None or found.effect is Effect.WRITE

    def is_context(self, tool: str) -> bool:
        """Whether ``tool`` is a context write: it sets what later calls act on (a directory, a
        login), a way in rather than a change asked for."""
        found = self.effects.get(tool)
        return found is not None and found.context

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(e.tool for e in self if e.effect is Effect.WRITE)

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(e.tool for e in self if e.effect is Effect.READ)

    def restricted(self, tools: Iterable[str]) -> EffectTable:
        """The decisions for ``tools`` only (those this table has)."""
        wanted = set(tools)
        return EffectTable({k: v for k, v in self.effects.items() if k in wanted})

    def merged(self, other: EffectTable) -> EffectTable:
        """This table with ``other``'s decisions for the tools this one lacks."""
        return EffectTable({**other.effects, **self.effects})

    def apply(self, trajectory: Trajectory) -> Trajectory:
        """``trajectory`` with every call and tool declaration marked read or write as decided."""
        calls = tuple(
            call.model_copy(update={"mutates": self.is_write(call.name)})
            if call.mutates != self.is_write(call.name)
            else call
            for call in trajectory.calls
        )
        schemas = tuple(
            schema.model_copy(update={"mutates": self.is_write(schema.name)})
            if schema.name in self.effects and schema.mutates != self.is_write(schema.name)
            else schema
            for schema in trajectory.tool_schemas
        )
        return trajectory.model_copy(update={"calls": calls, "tool_schemas": schemas})

    def to_json(self) -> dict[str, Any]:
        return {effect.tool: effect.to_json() for effect in self}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EffectTable:
        return cls({str(tool): ToolEffect.from_json(item) for tool, item in data.items()})
