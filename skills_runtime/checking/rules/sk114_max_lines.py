"""SK114: the source fits the line budget."""

from __future__ import annotations

from collections.abc import Iterator

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK114"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    lines = len(ctx.source.splitlines())
    limit = ctx.policy.max_lines
    if lines > limit:
        yield Finding(
            CODE,
            f"the source has {lines} lines, more than the budget of {limit}",
            limit + 1,
            1,
            hint="a skill is one focused procedure; split it",
        )


RULE = Rule(CODE, "at most max_lines source lines", _check)
