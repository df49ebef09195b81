"""Google-style docstrings: the summary, the ``Args:`` entries and the ``Returns:`` text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_SECTION = re.compile(r"^(?P<name>[A-Z][A-Za-z ]*):\s*$")
_ARGS_SECTIONS = frozenset({"Args", "Arguments", "Parameters"})
_RETURNS_SECTIONS = frozenset({"Returns", "Return"})
_ENTRY = re.compile(r"^(?P<name>\*{0,2}[A-Za-z_][A-Za-z0-9_]*)\s*(\([^)]*\))?\s*:\s*(?P<text>.*)$")


@dataclass(frozen=True)
class Docstring:
    """What a skill's docstring says.

    Attributes:
        summary: The first line.
        description: The whole text without the ``Args:`` and ``Returns:`` sections.
        args: Parameter name → description, in documented order.
        has_args: Whether an ``Args:`` section exists.
        returns: The ``Returns:`` text, or ``None`` when there is no such section.
    """

    summary: str
    description: str
    args: dict[str, str] = field(default_factory=dict)
    has_args: bool = False
    returns: str | None = None


def parse_docstring(text: str) -> Docstring:
    """Split a cleaned docstring (``inspect.cleandoc`` form) into its parts.

    Args:
        text: The docstring, common indentation removed.

    Returns:
        The parsed parts; unknown sections (``Raises:``, ``Learned from: ...``) stay in the
        description.
    """
    lines = text.splitlines()
    summary = lines[0].strip() if lines else ""
    kept: list[str] = []
    args: dict[str, str] = {}
    has_args = False
    returns: list[str] | None = None
    section: str | None = None
    entry: str | None = None
    entry_indent = 0
    for line in lines:
        flush_left = bool(line.strip()) and not line.startswith((" ", "\t"))
        header = _SECTION.match(line) if flush_left else None
        if header is not None and header.group("name") in _ARGS_SECTIONS:
            section, has_args, entry = "args", True, None
            continue
        if header is not None and header.group("name") in _RETURNS_SECTIONS:
            section, returns = "returns", []
            continue
        if flush_left:
            section = None  # any other flush-left line ends a section
        if section == "args":
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            match = _ENTRY.match(stripped)
            # A new entry starts at the first entry's indentation; deeper lines continue it.
            if match is not None and (entry is None or indent <= entry_indent):
                entry, entry_indent = match.group("name").lstrip("*"), indent
                args[entry] = match.group("text").strip()
            elif entry is not None and stripped:
                args[entry] = f"{args[entry]} {stripped}".strip()
        elif section == "returns":
            if returns is not None and line.strip():
                returns.append(line.strip())
        else:
            kept.append(line)
    return Docstring(
        summary=summary,
        description="\n".join(kept).strip(),
        args=args,
        has_args=has_args,
        returns=None if returns is None else " ".join(returns),
    )
