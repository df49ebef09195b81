"""SK118: each function has no more loops (comprehension clauses included) than the budget."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK118"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.policy.max_loops
    for function in ctx.functions:
        loops = [
            node
            for node in ctx.nodes_in(function.body)
            if isinstance(node, cst.For | cst.While | cst.CompFor)
        ]
        if len(loops) > limit:
            yield ctx.finding(
                CODE,
                loops[limit],
                f"{function.name.value!r} has {len(loops)} loops, more than the budget of {limit}",
                hint="a skill is one focused procedure; split it",
            )


RULE = Rule(CODE, "at most max_loops loops per function", _check)
