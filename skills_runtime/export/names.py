"""Tool names providers accept: ``^[a-zA-Z0-9_-]{1,64}$``, shortened deterministically, mapped back.

Skill names are Python identifiers and almost always fit already. One that does not (too long, or
a non-ASCII identifier) gets a readable prefix and a short hash of the full name, so the same skill
gets the same exported name in every process and two long names never collide.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from skills_runtime.errors import UnknownSkill

__all__ = ["MAX_TOOL_NAME", "TOOL_NAME", "NameMap", "tool_name"]

MAX_TOOL_NAME = 64
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_INVALID = re.compile(r"[^a-zA-Z0-9_-]")
_HASH_LENGTH = 8


def tool_name(name: str) -> str:
    """The provider-safe spelling of ``name`` (``name`` itself when it already fits)."""
    if TOOL_NAME.match(name):
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_LENGTH]
    readable = _INVALID.sub("_", name).strip("_") or "skill"
    return f"{readable[: MAX_TOOL_NAME - _HASH_LENGTH - 1]}_{digest}"


class NameMap:
    """Exported names ↔ skill names for one set of exported tools."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._to_skill: dict[str, str] = {}
        self._to_tool: dict[str, str] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> str:
        """Register a skill name; return its exported name."""
        exported = tool_name(name)
        self._to_skill[exported] = name
        self._to_tool[name] = exported
        return exported

    def exported(self, name: str) -> str:
        """The exported name of skill ``name`` (computed on the fly when not registered)."""
        return self._to_tool.get(name) or tool_name(name)

    def skill(self, exported: str) -> str:
        """The skill behind an exported name (an unregistered name is taken as the skill name).

        Raises:
            UnknownSkill: When ``exported`` is a shortened name this map never produced.
        """
        if exported in self._to_skill:
            return self._to_skill[exported]
        if TOOL_NAME.match(exported) and not _looks_shortened(exported):
            return exported
        raise UnknownSkill(
            f"no skill is exported as {exported!r}; list the tools again to get current names"
        )

    def as_dict(self) -> Mapping[str, str]:
        """Exported name → skill name, for every registered skill."""
        return dict(self._to_skill)


def _looks_shortened(name: str) -> bool:
    head, _, tail = name.rpartition("_")
    return len(name) == MAX_TOOL_NAME and len(tail) == _HASH_LENGTH and bool(head)
