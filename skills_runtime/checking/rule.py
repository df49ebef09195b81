"""The shape of a rule: a stable code, a title, and a function from the context to findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding

__all__ = ["Rule"]


@dataclass(frozen=True)
class Rule:
    """One check. Each lives in its own module under ``skills_runtime.checking.rules``.

    Attributes:
        code: The stable code of every finding it reports (``SK101``).
        title: One line saying what it requires (listed in docs/checks.md).
        check: Reads the context and yields findings; it must not raise for any parsed source.
    """

    code: str
    title: str
    check: Callable[[RuleContext], Iterable[Finding]]
