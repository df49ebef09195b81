"""SK107: ``tools`` is used only as ``tools.NAME(kw=value, ...)``: never passed or stored."""

from __future__ import annotations

from collections.abc import Iterator

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule
from skills_runtime.checking.tools_use import tool_use

__all__ = ["RULE"]

CODE = "SK107"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for misuse in tool_use(ctx).misuses:
        yield ctx.finding(CODE, misuse.node, misuse.message, hint=misuse.hint)


RULE = Rule(CODE, "tools are reached only as tools.NAME(kw=value, ...)", _check)
