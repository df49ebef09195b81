"""SK110: no underscore or dunder names or attributes (``_x``, ``__class__``, ``obj._private``)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK110"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    helpers = ctx.helper_names
    for node in ctx.nodes:
        if not isinstance(node, cst.Name):
            continue
        name = node.value
        # A lone `_` is the conventional throwaway loop variable and reaches nothing.
        if not name.startswith("_") or name == "_":
            continue
        parent = ctx.parents.get(node)
        is_attribute = isinstance(parent, cst.Attribute) and parent.attr is node
        if name in helpers and not is_attribute:
            continue
        kind = "dunder" if name.startswith("__") else "underscore"
        if is_attribute:
            message = f"{kind} attribute `.{name}` is not allowed"
        else:
            message = f"{kind} name {name!r} is not allowed"
        yield ctx.finding(
            CODE,
            node,
            message,
            hint="underscore names reach interpreter internals; use a plain public name",
        )


RULE = Rule(CODE, "no underscore or dunder names or attributes", _check)
