"""SK104: every parameter (but ``tools``) and every return is annotated."""

from __future__ import annotations

from collections.abc import Iterator

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK104"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.functions:
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            name = param.name.value
            if param.annotation is None and not (
                name == TOOLS_PARAMETER and function is ctx.public
            ):
                yield ctx.finding(
                    CODE,
                    param,
                    f"parameter {name!r} of {function.name.value!r} has no annotation",
                    hint=f"annotate it, e.g. `{name}: str`",
                )
        if function.returns is None:
            yield ctx.finding(
                CODE,
                function.name,
                f"function {function.name.value!r} has no return annotation",
                hint="add one, e.g. `-> dict[str, Any]` or `-> None`",
            )


RULE = Rule(CODE, "every parameter and the return are annotated", _check)
