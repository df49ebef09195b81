"""SK117: each function's cyclomatic complexity fits the budget."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE", "complexity"]

CODE = "SK117"

_BRANCHES = (cst.If, cst.For, cst.While, cst.ExceptHandler, cst.IfExp, cst.CompFor, cst.CompIf)


def complexity(ctx: RuleContext, function: cst.FunctionDef) -> int:
    """1 + branches (``if``/``elif``, loops, ``except``, conditional expressions,
    comprehension clauses) + boolean operators."""
    total = 1
    for node in ctx.nodes_in(function.body):
        if isinstance(node, (*_BRANCHES, cst.BooleanOperation)):
            total += 1
    return total


def _check(ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.policy.max_complexity
    for function in ctx.functions:
        value = complexity(ctx, function)
        if value > limit:
            yield ctx.finding(
                CODE,
                function.name,
                f"{function.name.value!r} has cyclomatic complexity {value}, more than the "
                f"budget of {limit}",
                hint="split the procedure into simpler skills",
            )


RULE = Rule(CODE, "cyclomatic complexity at most max_complexity", _check)
