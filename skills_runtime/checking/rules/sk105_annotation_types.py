"""SK105: annotations come from the allow-list of type expressions (never strings)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule
from skills_runtime.checking.typeexpr import TypeProblem, type_expression

__all__ = ["RULE"]

CODE = "SK105"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.functions:
        params = function.params
        annotations: list[cst.Annotation] = [
            param.annotation
            for param in [*params.posonly_params, *params.params, *params.kwonly_params]
            if param.annotation is not None
            # The tools annotation is SK103's to judge.
            and not (param.name.value == TOOLS_PARAMETER and function is ctx.public)
        ]
        if function.returns is not None:
            annotations.append(function.returns)
        for annotation in annotations:
            result = type_expression(annotation.annotation, ctx.qualified_names)
            if isinstance(result, TypeProblem):
                yield ctx.finding(CODE, result.node, result.message, hint=result.hint)


RULE = Rule(CODE, "annotations are allowed type expressions", _check)
