"""SK112: every name read in a function is bound there or an allowed builtin (default-deny)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from libcst.metadata import ExpressionContext

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import ALLOWED_BUILTINS, DENIED_BUILTINS
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK112"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    allowed = ALLOWED_BUILTINS | ctx.policy.extra_builtins | ctx.helper_names
    for function in ctx.functions:
        names = [node for node in ctx.nodes_in(function) if isinstance(node, cst.Name)]
        bound = {
            node.value
            for node in names
            if ctx.expression_context(node) == ExpressionContext.STORE and node is not function.name
        }
        for node in names:
            if not ctx.reads(node):
                continue
            name = node.value
            if name in bound or ctx.in_annotation(node):
                continue
            if name in DENIED_BUILTINS:
                yield ctx.finding(
                    CODE,
                    node,
                    f"builtin {name!r} is not allowed: it {DENIED_BUILTINS[name]}",
                    hint="skills compute on JSON values and reach the world only through tools",
                )
            elif name not in allowed:
                yield ctx.finding(
                    CODE,
                    node,
                    f"name {name!r} is neither bound in {function.name.value!r} nor an allowed "
                    "builtin",
                    hint="assign it first, take it as a parameter, or use an allowed builtin "
                    "(see docs/checks.md)",
                )


RULE = Rule(CODE, "names are local, parameters or allowed builtins", _check)
