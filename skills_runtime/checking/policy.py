"""What the static checker allows: a frozen policy passed explicitly to ``check``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_ALLOWED_IMPORTS", "CheckPolicy"]

#: Qualified names a skill may import by default (``from typing import Any, Literal``).
DEFAULT_ALLOWED_IMPORTS: frozenset[str] = frozenset({"typing.Any", "typing.Literal"})


@dataclass(frozen=True, kw_only=True)
class CheckPolicy:
    """The rules' knobs. Everything not allowed here is a finding (default-deny).

    Attributes:
        granted_tools: Tool names a skill may call as ``tools.NAME(...)``; ``None`` allows any
            name (calls must still go through ``tools``).
        allowed_imports: Qualified names that may be imported (``"typing.Any"``); an import is
            judged by what it resolves to, never by the name it is bound to.
        allow_helpers: Whether private module-level helper functions (``_name``) may sit beside
            the one public function.
        allow_while: Whether ``while`` loops are allowed at all. Even then a constant-true
            condition is a finding; a non-constant condition is bounded only by the sandbox.
        extra_builtins: Callable builtin names the sandbox provides beyond the default
            allow-list (see ``skills_runtime.checking.names``).
        max_source_bytes: Larger sources are refused before parsing (SK002).
        max_tokens: Sources with more tokens are refused before parsing (SK002): parsing and
            metadata cost grows with the number of nodes (a synthesized skill has ~500 tokens).
        max_bracket_depth: Deeper bracket nesting is refused before parsing (SK003).
        max_indent_depth: Deeper indentation is refused before parsing (SK003).
        max_line_tokens: Longer logical lines are refused before parsing (SK003): very long
            operator chains make the parser recurse or backtrack for a long time.
        max_elif: More ``elif`` branches are refused before parsing (SK003): each one nests the
            tree a level deeper.
        max_lines: Budget of source lines (SK114).
        max_statements: Budget of statements in a function (SK115).
        max_nesting_depth: Budget of nested blocks (``if``/``for``/``while``/``try``) (SK116).
        max_complexity: Budget of cyclomatic complexity of a function (SK117).
        max_loops: Budget of loops, comprehensions included, in a function (SK118).
        max_seconds: Time budget of one check (SK006), in CPU seconds of the thread that
            checks (what the source costs the host; wall time would also count the other
            work of a loaded machine and refuse honest sources there). The caps above keep
            every check of an accepted source far below it (see ``bench/checker.py``); the
            budget is the backstop
            that turns anything slower into a finding instead of a host that hangs. It is
            looked at between the parse, the metadata passes and each rule.
    """

    granted_tools: frozenset[str] | None = None
    allowed_imports: frozenset[str] = field(default=DEFAULT_ALLOWED_IMPORTS)
    allow_helpers: bool = False
    allow_while: bool = False
    extra_builtins: frozenset[str] = frozenset()
    max_source_bytes: int = 65_536
    max_tokens: int = 2_000
    max_bracket_depth: int = 32
    max_indent_depth: int = 16
    max_line_tokens: int = 600
    max_elif: int = 50
    max_lines: int = 300
    max_statements: int = 120
    max_nesting_depth: int = 4
    max_complexity: int = 15
    max_loops: int = 6
    max_seconds: float = 10.0

    def __post_init__(self) -> None:
        # Accept any iterable of names from callers, but store frozensets so the policy is hashable.
        for name in ("granted_tools", "allowed_imports", "extra_builtins"):
            value: Iterable[str] | None = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                if isinstance(value, str):
                    raise TypeError(f"CheckPolicy.{name} must be a collection of names, not a str")
                object.__setattr__(self, name, frozenset(value))
        for name in (
            "max_source_bytes",
            "max_tokens",
            "max_bracket_depth",
            "max_indent_depth",
            "max_line_tokens",
            "max_elif",
            "max_lines",
            "max_statements",
            "max_nesting_depth",
            "max_complexity",
            "max_loops",
        ):
            value_int = getattr(self, name)
            if isinstance(value_int, bool) or not isinstance(value_int, int) or value_int < 1:
                raise ValueError(
                    f"CheckPolicy.{name} must be a positive integer, got {value_int!r}"
                )
        seconds = self.max_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
            raise ValueError(f"CheckPolicy.max_seconds must be a number above 0, got {seconds!r}")
