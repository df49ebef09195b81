"""SK108: every tool called is granted by the policy (when the policy names the grant)."""

from __future__ import annotations

from collections.abc import Iterator

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule
from skills_runtime.checking.tools_use import tool_use

__all__ = ["RULE"]

CODE = "SK108"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    granted = ctx.policy.granted_tools
    if granted is None:
        return
    for name, call in tool_use(ctx).calls:
        if name not in granted:
            yield ctx.finding(
                CODE,
                call,
                f"tool {name!r} is not granted; granted: {sorted(granted)}",
                hint="call a granted tool, or grant this one",
            )


RULE = Rule(CODE, "only granted tools are called", _check)
