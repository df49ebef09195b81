"""SK116: blocks (``if``/``for``/``while``/``try``) nest no deeper than the budget."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK116"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.policy.max_nesting_depth
    for function in ctx.functions:
        for node in ctx.nodes_in(function.body):
            if not isinstance(node, cst.BaseSmallStatement | cst.BaseCompoundStatement):
                continue
            # Each enclosing block below the function's own body is one level (elif adds none).
            blocks = sum(
                isinstance(ancestor, cst.IndentedBlock | cst.SimpleStatementSuite)
                for ancestor in ctx.ancestors(node)
            )
            depth = blocks - 1
            if depth > limit:
                yield ctx.finding(
                    CODE,
                    node,
                    f"blocks nest {depth} levels deep in {function.name.value!r}, more than the "
                    f"budget of {limit}",
                    hint="return early, or invert conditions to flatten the blocks",
                )
                break  # one finding per function is enough to act on


RULE = Rule(CODE, "blocks nest at most max_nesting_depth levels", _check)
