"""SK109: imports only from the allow-list, judged by qualified name, never aliased."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from libcst.helpers import get_full_name_for_node

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK109"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    allowed = ctx.policy.allowed_imports
    hint = f"import only {sorted(allowed)} as `from MODULE import NAME`"
    for node in ctx.nodes:
        if not isinstance(node, cst.Import | cst.ImportFrom):
            continue
        if ctx.function_of(node) is not None:
            yield ctx.finding(CODE, node, "imports inside a function are not allowed", hint=hint)
            continue
        if isinstance(node, cst.Import):
            for alias in node.names:
                yield from _alias(ctx, alias, get_full_name_for_node(alias.name) or "", hint)
            continue
        if node.relative:
            yield ctx.finding(CODE, node, "relative imports are not allowed", hint=hint)
            continue
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        if isinstance(node.names, cst.ImportStar):
            yield ctx.finding(CODE, node, f"`from {module} import *` is not allowed", hint=hint)
            continue
        for alias in node.names:
            yield from _alias(ctx, alias, f"{module}.{get_full_name_for_node(alias.name)}", hint)


def _alias(
    ctx: RuleContext, alias: cst.ImportAlias, qualified: str, hint: str
) -> Iterator[Finding]:
    if qualified not in ctx.policy.allowed_imports:
        yield ctx.finding(CODE, alias, f"import of {qualified!r} is not allowed", hint=hint)
    if alias.asname is not None:
        bound = get_full_name_for_node(alias.asname.name)
        if bound != qualified.rsplit(".", 1)[-1] or isinstance(alias.name, cst.Attribute):
            yield ctx.finding(
                CODE,
                alias,
                f"{qualified!r} is imported as {bound!r}; an alias hides what a name is",
                hint="import the name without `as`",
            )


RULE = Rule(CODE, "imports only from the allow-list, by qualified name, unaliased", _check)
