"""SK120 (warning): every parameter of the skill is used."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK120"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    function = ctx.public
    if function is None:
        return
    read = {
        node.value
        for node in ctx.nodes_in(function.body)
        if isinstance(node, cst.Name) and ctx.reads(node)
    }
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        name = param.name.value
        if name not in read and name != TOOLS_PARAMETER:
            yield ctx.finding(
                CODE,
                param,
                f"parameter {name!r} is never used",
                hint="remove it, or use it: every parameter is asked of the caller",
                severity="warning",
            )


RULE = Rule(CODE, "parameters are used (warning)", _check)
