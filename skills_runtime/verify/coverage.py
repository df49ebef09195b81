"""Which statements of the skill ran during a verification: the harness's own line events.

A gate that never runs a line cannot vouch for it: a skill that crashes right after its first
tool call, or whose guard raises on a path no example takes, would pass every property. So the
session records, for every call of the skill (replays, generated examples, determinism reruns),
the lines of the restricted code that executed (``sys.settrace`` on frames of the skill's own
filename only; trusted code is not traced), and the report fails unless every statement of the
skill ran at least once. Tracing stops as soon as every statement was reached, so a covered skill
pays for it only in its first examples.

A line that ran did not necessarily run whole: the other arm of a conditional expression
(``a if c else crash()``), the operands after the first of ``and``/``or``, the body of a lambda
and the element or condition of a comprehension run only when their expression gets there. So
these *branch expressions* are covered too, by the positions of the instructions that ran
(opcode events, while some branch expression is still unreached; Python 3.11 gives every
instruction its source span, ``co_positions``). Expressions inside f-strings are left out: their
positions are not reliable before Python 3.12.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType, FrameType
from typing import Any

from sandbox.annotations import strip_annotations

__all__ = ["StatementCoverage", "branch_spans", "statement_spans"]

Span = tuple[int, int, int, int]
"""First line, first column, last line, end column of an expression (as ``ast`` counts them)."""

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


def branch_spans(source: str) -> dict[Span, str]:
    """Every branch expression inside the module's functions: span → its text (cut).

    Taken from the annotation-free tree the sandbox compiles, whose nodes keep the positions of
    the typed source, as the running code does (annotations never run, so hold no branch).
    """
    try:
        tree = strip_annotations(ast.parse(source))
    except Exception:  # does not parse: the compiler refuses it and nothing runs to cover
        return {}
    in_fstring = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
    }
    spans: dict[Span, str] = {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        starts = Counter(node.lineno for node in ast.walk(function) if isinstance(node, ast.stmt))
        for node in ast.walk(function):
            for part in [*_branches(node), *_shared_line(node, starts)]:
                if id(part) in in_fstring or part.end_lineno is None:
                    continue
                span = (part.lineno, part.col_offset, part.end_lineno, part.end_col_offset or 0)
                text = ast.get_source_segment(source, part) or ""
                spans[span] = " ".join(text.split())[:60]
    return spans


def _branches(node: ast.AST) -> list[ast.expr]:
    """The parts of ``node`` that may not run when ``node`` does."""
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.BoolOp):
        return list(node.values[1:])
    if isinstance(node, ast.Lambda):
        return [node.body]
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return [node.elt, *_generators(node.generators)]
    if isinstance(node, ast.DictComp):
        return [node.key, node.value, *_generators(node.generators)]
    return []


def _shared_line(node: ast.AST, starts: Counter[int]) -> list[ast.expr]:
    """A statement's expression when the statement shares its first line with another one.

    Line events cannot tell ``if c: crash()`` or ``a = f(); crash()`` from the header or the
    statement before it on the same line, so such a statement is covered by the positions of its
    own instructions. Statements without an expression (``pass``, ``break``) compile to no
    instruction of their own and are left to the line.
    """
    if not isinstance(node, ast.stmt) or starts[node.lineno] < 2:
        return []
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return []  # a bare constant compiles to nothing
    if isinstance(node, ast.Expr | ast.Assign | ast.AugAssign | ast.AnnAssign):
        return [node.value] if node.value is not None else []
    if isinstance(node, ast.Return) and node.value is not None:
        return [node.value]
    if isinstance(node, ast.Raise) and node.exc is not None:
        return [node.exc]
    return []


def _generators(generators: list[ast.comprehension]) -> list[ast.expr]:
    # The first iterable always runs; the conditions, and the iterables of nested loops, may not.
    parts: list[ast.expr] = [condition for generator in generators for condition in generator.ifs]
    parts.extend(generator.iter for generator in generators[1:])
    return parts


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
        self.branches = branch_spans(source)
        self.lines: set[int] = set()
        self._filename = filename
        self._done = not self.spans and not self.branches
        self._executed: set[tuple[CodeType, int]] = set()  # (code, instruction offset) that ran
        self._reached: set[Span] = set()
        self._positions: dict[CodeType, list[Any]] = {}

    def missing(self) -> list[int]:
        """Start lines of the statements no call has reached yet, in order."""
        return [
            start
            for start, (first, last, _text) in sorted(self.spans.items())
            if not any(line in self.lines for line in range(first, last + 1))
        ]

    def missing_branches(self) -> list[Span]:
        """Spans of the branch expressions no call has reached yet, in order."""
        self._resolve()
        return sorted(span for span in self.branches if span not in self._reached)

    @property
    def complete(self) -> bool:
        """Every statement and branch expression was reached (then nothing is traced any more)."""
        if not self._done:
            self._done = not self.missing() and not self.missing_branches()
        return self._done

    def _resolve(self) -> None:
        """Turn the instructions that ran into the branch expressions they belong to."""
        pending = [span for span in self.branches if span not in self._reached]
        if not pending or not self._executed:
            return
        for code, offset in self._executed:
            positions = self._positions.get(code)
            if positions is None:
                positions = self._positions[code] = list(code.co_positions())
            index = offset // 2
            if index >= len(positions):
                continue
            line, end_line, column, end_column = positions[index]
            if line is None or end_line is None or column is None or end_column is None:
                continue
            for span in pending:
                if (span[0], span[1]) <= (line, column) and (end_line, end_column) <= (
                    span[2],
                    span[3],
                ):
                    self._reached.add(span)
            pending = [span for span in pending if span not in self._reached]
            if not pending:
                break
        self._executed.clear()

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
        if self.branches and len(self._reached) < len(self.branches):
            frame.f_trace_opcodes = True  # positions of instructions: branch expressions
        return self._trace_line

    def _trace_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            self._executed.add((frame.f_code, frame.f_lasti))
        elif event == "line":
            self.lines.add(frame.f_lineno)
        return self._trace_line

    def describe_missing(self) -> str:
        """``line 12 (`raise SkillPrecondition(...)`), line 15 (...)`` for a failure message."""
        missing = self.missing()
        shown = [f"line {start} (`{self.spans[start][2]}`)" for start in missing[:_SHOWN]]
        branches = self.missing_branches()
        missing_count = len(missing) + len(branches)
        shown.extend(
            f"line {span[0]}, column {span[1] + 1} (`{self.branches[span]}`)"
            for span in branches[: max(0, _SHOWN - len(shown))]
        )
        if missing_count > _SHOWN:
            shown.append(f"and {missing_count - _SHOWN} more")
        return ", ".join(shown)
