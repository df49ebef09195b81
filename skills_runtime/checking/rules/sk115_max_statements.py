"""SK115: each function fits the statement budget."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK115"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.policy.max_statements
    for function in ctx.functions:
        statements = [
            node
            for node in ctx.nodes_in(function.body)
            if isinstance(node, cst.BaseSmallStatement | cst.BaseCompoundStatement)
        ]
        if len(statements) > limit:
            yield ctx.finding(
                CODE,
                statements[limit],
                f"{function.name.value!r} has {len(statements)} statements, more than the "
                f"budget of {limit}",
                hint="a skill is one focused procedure; split it",
            )


RULE = Rule(CODE, "at most max_statements statements per function", _check)
