"""Google-style docstrings: the summary, the ``Args:`` entries and the ``Returns:`` text.

A docstring is text from an untrusted source, read in the host: every line is scanned once,
left to right, by hand (no regular expression can backtrack on it; ``a`` + 8,000 tabs + ``b``
in an ``Args:`` section used to take a backtracking pattern 12 s).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Docstring", "argument_entry", "parse_docstring", "section_name"]

_ARGS_SECTIONS = frozenset({"Args", "Arguments", "Parameters"})
_RETURNS_SECTIONS = frozenset({"Returns", "Return"})


def _is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def section_name(line: str) -> str | None:
    """``"Args"`` for a line ``Args:`` (a capitalised name of letters and spaces, a colon, then
    only whitespace); ``None`` for any other line."""
    if not line or not ("A" <= line[0] <= "Z"):
        return None
    colon = line.find(":")
    if colon < 0 or line[colon + 1 :].strip():
        return None
    name = line[:colon]
    if all(_is_ascii_letter(char) or char == " " for char in name):
        return name
    return None


def argument_entry(line: str) -> tuple[str, str] | None:
    """``(name, text)`` of an entry line ``name (type): text`` (up to two leading ``*``, an
    optional parenthesised type); ``None`` for any other line. ``line`` is stripped on the left.
    """
    n = len(line)
    start = 0
    while start < n and start < 2 and line[start] == "*":
        start += 1
    if start >= n or not (_is_ascii_letter(line[start]) or line[start] == "_"):
        return None
    end = start + 1
    while end < n and ((line[end].isascii() and line[end].isalnum()) or line[end] == "_"):
        end += 1
    at = _skip_space(line, end)
    if at < n and line[at] == "(":
        close = line.find(")", at)
        if close < 0:
            return None
        at = _skip_space(line, close + 1)
    if at >= n or line[at] != ":":
        return None
    return line[:end], line[at + 1 :].strip()


def _skip_space(line: str, at: int) -> int:
    while at < len(line) and line[at].isspace():
        at += 1
    return at


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
    args: dict[str, list[str]] = {}  # lines joined at the end: appending stays linear
    has_args = False
    returns: list[str] | None = None
    section: str | None = None
    entry: str | None = None
    entry_indent = 0
    for line in lines:
        flush_left = bool(line.strip()) and not line.startswith((" ", "\t"))
        header = section_name(line) if flush_left else None
        if header in _ARGS_SECTIONS:
            section, has_args, entry = "args", True, None
            continue
        if header in _RETURNS_SECTIONS:
            section, returns = "returns", []
            continue
        if flush_left:
            section = None  # any other flush-left line ends a section
        if section == "args":
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            found = argument_entry(stripped)
            # A new entry starts at the first entry's indentation; deeper lines continue it.
            if found is not None and (entry is None or indent <= entry_indent):
                entry, entry_indent = found[0].lstrip("*"), indent
                args[entry] = [found[1]]
            elif entry is not None and stripped:
                args[entry].append(stripped)
        elif section == "returns":
            if returns is not None and line.strip():
                returns.append(line.strip())
        else:
            kept.append(line)
    return Docstring(
        summary=summary,
        description="\n".join(kept).strip(),
        args={name: " ".join(part for part in parts if part) for name, parts in args.items()},
        has_args=has_args,
        returns=None if returns is None else " ".join(returns),
    )
