"""SK121: a function annotated to return a value returns one on every ``return``."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK121"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.functions:
        annotation = function.returns
        if annotation is None:
            continue  # SK104 reports the missing annotation
        expects_value = not (
            isinstance(annotation.annotation, cst.Name) and annotation.annotation.value == "None"
        )
        returns = [node for node in ctx.nodes_in(function.body) if isinstance(node, cst.Return)]
        name = function.name.value
        if not expects_value:
            continue
        for bare in (node for node in returns if node.value is None):
            yield ctx.finding(
                CODE,
                bare,
                f"bare `return` in {name!r}, which is annotated to return a value",
                hint="return the value, or annotate `-> None`",
            )
        if not any(node.value is not None for node in returns):
            yield ctx.finding(
                CODE,
                function.name,
                f"{name!r} is annotated to return a value but never returns one",
                hint="end with `return <value>`, or annotate `-> None`",
            )


RULE = Rule(CODE, "functions annotated with a value return one", _check)
