"""A cheap scan that runs BEFORE parsing, so hostile input can neither crash nor hang the host.

libcst's native parser overflows its stack (a segmentation fault, not an exception) on a few
thousand nested brackets, also inside f-string replacement fields, and backtracks for tens of
seconds on long operator chains such as ``a[0][0]...``. This module bounds source size, bracket
depth (f-string fields included), indentation depth and tokens per logical line with one linear
pass over the characters, tracking strings and f-strings as the tokenizer does. Estimates err on
the high side: a miscount can only refuse a source, never let a deeper one through.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sandbox.display import is_default_ignorable
from skills_runtime.checking.policy import CheckPolicy
from skills_runtime.checking.report import Finding

__all__ = ["position_of", "prescan"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_STRING_PREFIXES = frozenset({"r", "u", "b", "f", "br", "rb", "fr", "rf"})
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(")]}")


def position_of(source: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``source[index]``; ``\\r\\n``, ``\\r`` and ``\\n`` end lines."""
    line = 1
    start = 0
    for match in _NEWLINE.finditer(source, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


@dataclass
class _Frame:
    kind: str  # "b" bracket, "f" f-string text, "F" f-string field, "s" format spec
    closing: str = ""
    triple: bool = False


class _TooDeep(Exception):
    def __init__(self, index: int, message: str, hint: str, *, code: str = "SK003") -> None:
        super().__init__(message)
        self.code = code
        self.index = index
        self.message = message
        self.hint = hint


def prescan(source: str, *, policy: CheckPolicy) -> Finding | None:
    """The first reason ``source`` must not reach the parser, or ``None`` when it may.

    Args:
        source: The skill source text.
        policy: Supplies the size, bracket, indentation and line-token caps.

    Returns:
        A finding (SK002 too large, SK003 too deeply nested or too long a line, SK004 not
        clean text, SK005 a bidirectional control or an invisible character), or ``None``.
    """
    limit = policy.max_source_bytes
    if len(source) > limit:  # a str never has more characters than UTF-8 bytes
        return _too_large(len(source.encode("utf-8", "surrogatepass")), limit)
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError as error:
        line, column = position_of(source, error.start)
        return Finding(
            "SK004",
            f"the source is not valid text: {source[error.start]!r} cannot be encoded as UTF-8",
            line,
            column,
            hint="save the file as UTF-8 and remove undecodable bytes",
        )
    if size > limit:
        return _too_large(size, limit)
    control = _CONTROL.search(source)
    if control is not None:
        line, column = position_of(source, control.start())
        return Finding(
            "SK004",
            f"the source contains the control character {control.group()!r}",
            line,
            column,
            hint="remove it; only tab, newline, carriage return and form feed are allowed",
        )
    invisible = _invisible(source)
    if invisible is not None:
        return invisible
    try:
        _Scanner(source, policy).run()
    except _TooDeep as too_deep:
        line, column = position_of(source, too_deep.index)
        return Finding(too_deep.code, too_deep.message, line, column, hint=too_deep.hint)
    return None


def _invisible(source: str) -> Finding | None:
    """SK005: a bidirectional control or another invisible character written raw in the source.

    They make code read differently from what it does: a right-to-left override moves the end
    of a comment over the code after it, a zero-width space makes two names look alike
    (Trojan Source, CVE-2021-42574). Inside a string, the escape (``"\\u202e"``) says the same
    and shows.
    """
    if source.isascii():
        return None
    for index, char in enumerate(source):
        if char.isascii():
            continue
        if not is_default_ignorable(char) and (
            char.isprintable() or unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        ):
            continue
        line, column = position_of(source, index)
        kind = "bidirectional control" if char in _BIDI else "invisible character"
        return Finding(
            "SK005",
            f"the source contains the {kind} U+{ord(char):04X} "
            f"({unicodedata.name(char, 'unnamed')})",
            line,
            column,
            hint=f"remove it; in a string, write it as an escape (\\u{ord(char):04x}) so it "
            "shows; such characters make code read differently from what it does (Trojan Source, "
            "CVE-2021-42574)",
        )
    return None


def _too_large(size: int, limit: int) -> Finding:
    return Finding(
        "SK002",
        f"the source is {size} bytes, more than the limit of {limit}",
        1,
        1,
        hint="a skill is one small function; split the procedure or raise max_source_bytes",
    )


class _Scanner:
    """One pass over the characters; raises ``_TooDeep`` at the first cap exceeded."""

    def __init__(self, source: str, policy: CheckPolicy) -> None:
        self.source = source
        self.policy = policy
        self.stack: list[_Frame] = []
        self.indents = [0]
        self.tokens = 0
        self.line_start = 0  # index where the current logical line starts
        self.elifs = 0
        self.total_tokens = 0

    def run(self) -> None:
        source = self.source
        n = len(source)
        i = self._indentation(0)
        while i < n:
            top = self.stack[-1] if self.stack else None
            if top is not None and top.kind in "fs":
                i = self._in_fstring_text(i, top)
            else:
                i = self._in_code(i, top)
        self._end_logical_line(n)

    def _push(self, frame: _Frame, index: int) -> None:
        self.stack.append(frame)
        if len(self.stack) > self.policy.max_bracket_depth:
            raise _TooDeep(
                index,
                f"brackets nest more than {self.policy.max_bracket_depth} levels deep",
                "flatten the expression into several assignments",
            )

    def _count_token(self, index: int) -> None:
        self.tokens += 1
        self.total_tokens += 1
        if self.total_tokens > self.policy.max_tokens:
            raise self._too_many_tokens(index)
        if self.tokens > self.policy.max_line_tokens:
            raise _TooDeep(
                self.line_start,
                f"a logical line has more than {self.policy.max_line_tokens} tokens",
                "split the statement into several shorter ones",
            )

    def _count_layout(self, index: int) -> None:
        # A line break or a comment is a node of the concrete tree too (``EmptyLine``,
        # ``Newline``, ``Comment``): 60,000 blank lines cost the parser and the metadata passes
        # as much as 60,000 names. They count towards the source's tokens, not a line's.
        self.total_tokens += 1
        if self.total_tokens > self.policy.max_tokens:
            raise self._too_many_tokens(index)

    def _too_many_tokens(self, index: int) -> _TooDeep:
        return _TooDeep(
            index,
            f"the source has more than {self.policy.max_tokens} tokens (line breaks and "
            "comments count)",
            "a skill is one small function; split the procedure or raise max_tokens",
            code="SK002",
        )

    def _count_elif(self, index: int) -> None:
        self.elifs += 1
        if self.elifs > self.policy.max_elif:
            raise _TooDeep(
                index,
                f"more than {self.policy.max_elif} `elif` branches (each nests the tree deeper)",
                "look the value up in a dict instead of chaining elif",
            )

    def _in_code(self, i: int, top: _Frame | None) -> int:
        source = self.source
        char = source[i]
        if char in " \t\f":
            return i + 1
        if char == "#":
            self._count_layout(i)
            newline = _NEWLINE.search(source, i)
            return len(source) if newline is None else newline.start()
        if char in "\r\n":
            self._count_layout(i)
            end = i + 2 if source.startswith("\r\n", i) else i + 1
            if top is None:
                self._end_logical_line(i)
                return self._indentation(end)
            return end
        if char == "\\" and i + 1 < len(source) and source[i + 1] in "\r\n":
            self._count_layout(i)
            return i + (3 if source.startswith("\r\n", i + 1) else 2)
        if char in "'\"":
            return self._string(i, "")
        if char.isalnum() or char == "_" or ord(char) > 127:
            j = i
            while j < len(source) and (
                source[j].isalnum() or source[j] == "_" or ord(source[j]) > 127
            ):
                j += 1
            word = source[i:j]
            if j < len(source) and source[j] in "'\"" and word.lower() in _STRING_PREFIXES:
                return self._string(j, word.lower())
            self._count_token(i)
            if word == "elif":
                self._count_elif(i)
            return j
        self._count_token(i)
        if char in _OPENERS:
            self._push(_Frame("b", _OPENERS[char]), i)
        elif char in _CLOSERS:
            if top is not None and top.kind in "bF":
                self.stack.pop()
        elif char == ":" and top is not None and top.kind == "F":
            self._push(_Frame("s"), i)  # the format spec of a replacement field
        return i + 1

    def _string(self, i: int, prefix: str) -> int:
        source = self.source
        quote = source[i]
        triple = source.startswith(quote * 3, i)
        closing = quote * 3 if triple else quote
        self._count_token(i)
        if "f" in prefix:
            self._push(_Frame("f", closing, triple), i)
            return i + len(closing)
        j = i + len(closing)
        while j < len(source):
            if source[j] == "\\":
                j += 2
            elif source.startswith(closing, j):
                return j + len(closing)
            elif not triple and source[j] in "\r\n":
                return j  # unterminated: the parser reports it
            else:
                j += 1
        return len(source)

    def _in_fstring_text(self, i: int, top: _Frame) -> int:
        source = self.source
        char = source[i]
        if top.kind == "f" and source.startswith(top.closing, i):
            self.stack.pop()
            return i + len(top.closing)
        if char == "\\":
            return i + 2
        if char == "{":
            if top.kind == "f" and source.startswith("{{", i):
                return i + 2
            self._push(_Frame("F"), i)
            return i + 1
        if char == "}":
            if top.kind == "s":
                self.stack.pop()  # the spec ...
                if self.stack and self.stack[-1].kind == "F":
                    self.stack.pop()  # ... and its field
                return i + 1
            return i + (2 if source.startswith("}}", i) else 1)
        if char in "\r\n" and not self._in_triple():
            # An unterminated single-line f-string: drop its frames, the parser reports it.
            while self.stack and self.stack[-1].kind in "fsF":
                self.stack.pop()
            return i
        return i + 1

    def _in_triple(self) -> bool:
        for frame in reversed(self.stack):
            if frame.kind == "f":
                return frame.triple
        return False

    def _end_logical_line(self, index: int) -> None:
        self.tokens = 0
        self.line_start = index

    def _indentation(self, i: int) -> int:
        """Measure the indentation of the line starting at ``i``; return where its code starts."""
        source = self.source
        width = 0
        j = i
        while j < len(source) and source[j] in " \t\f":
            if source[j] == " ":
                width += 1
            elif source[j] == "\t":
                width = (width // 8 + 1) * 8
            else:
                width = 0
            j += 1
        self.line_start = j
        if j >= len(source) or source[j] in "#\r\n":
            return j  # blank and comment-only lines do not indent
        if width > self.indents[-1]:
            self.indents.append(width)
            if len(self.indents) - 1 > self.policy.max_indent_depth:
                raise _TooDeep(
                    j,
                    f"blocks are indented more than {self.policy.max_indent_depth} levels deep",
                    "return early or move inner blocks into fewer levels",
                )
        else:
            while len(self.indents) > 1 and width < self.indents[-1]:
                self.indents.pop()
        return j
