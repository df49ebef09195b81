"""Who a skill call's outcome is attributed to, decided from the bridge's record of its tool calls.

A skill controls how it ends: it can turn any bug into ``SkillPrecondition`` (a guard said no)
or raise ``ToolError`` itself (as if a tool had failed). So the exception's type never decides
alone. A guard refusal counts as the skill working only when no tool call that may have written
came before it; a ``ToolError`` is a tool failure only when the bridge recorded a call whose tool
ran and failed with that very message. The effect of each tool comes from the host's
declaration (``Toolset``: ``mutates``); a tool with no known effect counts as a possible write,
and a call the bridge refused (the tool never ran) as no write at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from skills_runtime.export.outcome import ToolOutcome

__all__ = ["Attribution", "AttributionKind", "attribute"]

AttributionKind = Literal[
    "returned",
    "refused",
    "refused_after_write",
    "tool_failure",
    "skill_failure",
    "limit",
    "crashed",
    "rejected",
]


@dataclass(frozen=True)
class Attribution:
    """How one call of a skill counts for its reliability.

    Attributes:
        kind: ``returned``; ``refused`` (a guard stopped the skill before any possible write);
            ``refused_after_write`` (a guard fired after a call that may have written: the
            guard rule was broken); ``tool_failure`` (a tool the bridge ran failed, and that
            ended the call); ``skill_failure`` (anything else the skill raised, including a
            ``ToolError`` it raised itself); ``limit``, ``crashed``, ``rejected``.
        success: Whether the call counts as a success of the skill.
        refused: Whether the skill's own guard ended the call (counted apart, before or after
            a write).
        writes_before: Tools called before the end that may have written (by name, in order).
    """

    kind: AttributionKind
    success: bool
    refused: bool = False
    writes_before: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The attribution as a JSON object."""
        return {
            "kind": self.kind,
            "success": self.success,
            "refused": self.refused,
            "writes_before": list(self.writes_before),
        }


def attribute(outcome: ToolOutcome, effects: Mapping[str, bool | None]) -> Attribution:
    """Attribute a finished skill call.

    Args:
        outcome: The call, with the bridge's records of its tool calls.
        effects: Tool name → ``True`` (writes), ``False`` (reads only), ``None`` (unknown); a
            tool missing here is unknown.
    """
    if outcome.status == "ok":
        return Attribution("returned", success=True)
    if outcome.status in ("limit", "crashed", "rejected"):
        return Attribution(outcome.status, success=False)
    error = outcome.error or {}
    kind = str(error.get("type", ""))
    if kind == "SkillPrecondition":
        # Only the sandbox's class has this name: skill code can define no class.
        writes = _possible_writes(outcome.tool_calls, effects)
        return Attribution(
            "refused_after_write" if writes else "refused",
            success=not writes,
            refused=True,
            writes_before=writes,
        )
    if kind == "ToolError" and _raised_by_a_tool(outcome.tool_calls, str(error.get("message"))):
        return Attribution("tool_failure", success=False)
    return Attribution("skill_failure", success=False)


def _possible_writes(
    calls: Sequence[Mapping[str, Any]], effects: Mapping[str, bool | None]
) -> tuple[str, ...]:
    return tuple(
        str(call.get("name"))
        for call in calls
        # A call the bridge refused never reached its tool; anything else may have written
        # unless its tool is declared read-only. Records without the flag count as run.
        if not call.get("refused", False) and effects.get(str(call.get("name"))) is not False
    )


def _raised_by_a_tool(calls: Sequence[Mapping[str, Any]], message: str) -> bool:
    return any(
        call.get("error") is not None
        and not call.get("refused", False)
        and call["error"] == message
        for call in calls
    )
