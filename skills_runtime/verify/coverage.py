"""Which statements of the skill ran during a verification: the harness's own line events.

A gate that never runs a line cannot vouch for it: a skill that crashes right after its first
tool call, or whose guard raises on a path no example takes, would pass every property. So the
session records, for every call of the skill (replays, generated examples, determinism reruns),
the lines of the restricted code that executed (``sys.settrace`` on frames of the skill's own
filename only; trusted code is not traced), and the report fails unless every statement of the
skill ran at least once. Tracing stops as soon as every statement was reached, so a covered skill
pays for it only in its first examples.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["StatementCoverage", "statement_spans"]

_SHOWN = 8
"""Statements named in a failure (the rest are counted)."""


def statement_spans(source: str) -> dict[int, tuple[int, int, str]]:
    """Every statement inside the module's functions: start line → (first, last line, text).

    A simple statement is reached when any line of it runs; a compound one (``if``, ``for``,
    ``while``, ``try``) when its header does. The docstring is not a statement that runs.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines = source.splitlines()
    spans: dict[int, tuple[int, int, str]] = {}

    def visit(body: list[ast.stmt]) -> None:
        for statement in body:
            blocks = _blocks(statement)
            if blocks:
                first_child = min(block[0].lineno for block in blocks if block)
                last = max(statement.lineno, first_child - 1)
            else:
                last = statement.end_lineno or statement.lineno
            text = lines[statement.lineno - 1].strip() if statement.lineno <= len(lines) else ""
            spans[statement.lineno] = (statement.lineno, last, text[:60])
            for block in blocks:
                visit(block)

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            visit(body)
    return spans


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            blocks.append(block)
    for handler in getattr(statement, "handlers", ()) or ():
        blocks.append(handler.body)
    return blocks


class StatementCoverage:
    """The statements of one skill and the lines of it that ran.

    Args:
        source: The skill's source (line numbers are those of the compiled code).
        filename: The filename the restricted code was compiled with.
    """

    def __init__(self, source: str, filename: str) -> None:
        self.spans = statement_spans(source)
        self.lines: set[int] = set()
        self._filename = filename
        self._done = not self.spans

    def missing(self) -> list[int]:
        """Start lines of the statements no call has reached yet, in order."""
        return [
            start
            for start, (first, last, _text) in sorted(self.spans.items())
            if not any(line in self.lines for line in range(first, last + 1))
        ]

    @property
    def complete(self) -> bool:
        """Every statement was reached (then nothing is traced any more)."""
        if not self._done:
            self._done = not self.missing()
        return self._done

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Record the skill's line events while the block runs (nothing once complete)."""
        if self.complete:
            yield
            return
        previous = sys.gettrace()
        sys.settrace(self._trace_call)
        try:
            yield
        finally:
            sys.settrace(previous)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No tracing of new frames while trusted code runs (the fake tools, their draws)."""
        previous = sys.gettrace()
        if previous is None:
            yield
            return
        sys.settrace(None)
        try:
            yield
        finally:
            sys.settrace(previous)

    def _trace_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != self._filename:
            return None  # trusted code runs untraced
        return self._trace_line

    def _trace_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines.add(frame.f_lineno)
        return self._trace_line

    def describe_missing(self) -> str:
        """``line 12 (`raise SkillPrecondition(...)`), line 15 (...)`` for a failure message."""
        missing = self.missing()
        shown = [f"line {start} (`{self.spans[start][2]}`)" for start in missing[:_SHOWN]]
        if len(missing) > _SHOWN:
            shown.append(f"and {len(missing) - _SHOWN} more")
        return ", ".join(shown)
