"""SK113: ``while`` loops are off by default; when allowed, never with a constant-true condition.

``for`` over a finite value is the bounded loop a skill needs. With ``allow_while=True`` a
``while`` whose condition is not constant-true passes this rule, but nothing here proves it ends:
the sandbox's CPU and wall-clock limits are the real bound.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.literals import NOT_A_LITERAL, literal_value
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK113"


def _constant_truth(node: cst.BaseExpression) -> bool | None:
    """True or False when the condition is a constant, ``None`` when it depends on data."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = _constant_truth(node.expression)
        return None if inner is None else not inner
    if isinstance(node, cst.List | cst.Tuple | cst.Set | cst.Dict):
        return bool(node.elements) or None  # an empty display is false, a full one true
    value = literal_value(node)
    if value is NOT_A_LITERAL:
        return None
    return bool(value)


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.nodes:
        if not isinstance(node, cst.While):
            continue
        if not ctx.policy.allow_while:
            yield ctx.finding(
                CODE,
                node,
                "`while` loops are not allowed",
                hint="loop with `for` over a list or `range(n)` so the loop is bounded",
            )
        elif _constant_truth(node.test):
            yield ctx.finding(
                CODE,
                node,
                f"`while {ctx.code_of(node.test)}` never ends by its condition",
                hint="use `for attempt in range(n):` with a bound",
            )


RULE = Rule(CODE, "no while loops (or, if allowed, no constant-true ones)", _check)
