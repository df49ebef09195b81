"""SK119: no public attributes that reach interpreter internals or format-string tricks."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import DENIED_ATTRIBUTES
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK119"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.nodes:
        if isinstance(node, cst.Attribute) and node.attr.value in DENIED_ATTRIBUTES:
            # A tool may legitimately be called `format`; tools.NAME is SK107/SK108's to judge.
            if isinstance(node.value, cst.Name) and node.value.value == "tools":
                continue
            name = node.attr.value
            yield ctx.finding(
                CODE,
                node.attr,
                f"attribute `.{name}` is not allowed: {DENIED_ATTRIBUTES[name]}",
                hint='use an f-string (f"{value}") instead of str.format',
            )


RULE = Rule(CODE, "no attributes that reach interpreter internals", _check)
