"""How a function uses its ``tools`` parameter: the calls it makes and every other use."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ExpressionContext

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.names import TOOLS_PARAMETER

__all__ = ["ToolMisuse", "ToolUse", "tool_use"]


@dataclass(frozen=True, eq=False)
class ToolMisuse:
    """A use of ``tools`` other than ``tools.NAME(kw=value, ...)``."""

    node: cst.CSTNode
    message: str
    hint: str


@dataclass(frozen=True, eq=False)
class ToolUse:
    """The tool calls of the module's functions and the misuses of ``tools``.

    Attributes:
        calls: ``(tool name, call node)`` in source order.
        misuses: Uses of ``tools`` that are not a keyword-argument call of one of its attributes.
    """

    calls: tuple[tuple[str, cst.Call], ...]
    misuses: tuple[ToolMisuse, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct tool names in order of first call."""
        return tuple(dict.fromkeys(name for name, _ in self.calls))


_CALL_HINT = "call tools only as tools.NAME(argument=value, ...)"


def tool_use(ctx: RuleContext) -> ToolUse:
    """Classify every ``tools`` name inside the module's functions."""
    calls: list[tuple[str, cst.Call]] = []
    misuses: list[ToolMisuse] = []
    for node in ctx.nodes:
        if not (isinstance(node, cst.Name) and node.value == TOOLS_PARAMETER):
            continue
        parent = ctx.parents.get(node)
        if _not_a_reference(node, parent) or ctx.function_of(node) is None:
            continue
        if ctx.in_annotation(node):
            continue
        context = ctx.expression_context(node)
        if isinstance(parent, cst.Param):
            continue  # the parameter itself (SK103 judges where it sits)
        if context in (ExpressionContext.STORE, ExpressionContext.DEL):
            misuses.append(
                ToolMisuse(node, "`tools` is rebound or deleted", "never assign to `tools`")
            )
            continue
        grandparent = ctx.parents.get(parent) if parent is not None else None
        if (
            isinstance(parent, cst.Attribute)
            and parent.value is node
            and isinstance(grandparent, cst.Call)
            and grandparent.func is parent
            and ctx.expression_context(parent) == ExpressionContext.LOAD
        ):
            name = parent.attr.value
            if any(arg.keyword is None or arg.star for arg in grandparent.args):
                misuses.append(
                    ToolMisuse(
                        grandparent,
                        f"tool {name!r} is called with positional or unpacked arguments",
                        "pass every argument by keyword: tools.NAME(argument=value)",
                    )
                )
            calls.append((name, grandparent))
            continue
        misuses.append(ToolMisuse(node, _describe(ctx, node, parent), _CALL_HINT))
    return ToolUse(calls=tuple(calls), misuses=tuple(misuses))


def _not_a_reference(node: cst.Name, parent: cst.CSTNode | None) -> bool:
    """``x.tools`` and ``f(tools=...)`` spell the word without referring to the parameter."""
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return True
    return isinstance(parent, cst.Arg) and parent.keyword is node


def _describe(ctx: RuleContext, node: cst.Name, parent: cst.CSTNode | None) -> str:
    if isinstance(parent, cst.Attribute):
        if ctx.expression_context(parent) in (ExpressionContext.STORE, ExpressionContext.DEL):
            return f"`{ctx.code_of(parent)}` assigns or deletes an attribute of `tools`"
        return f"`{ctx.code_of(parent)}` reads an attribute of `tools` without calling it"
    if isinstance(parent, cst.Subscript):
        return "`tools` is subscripted"
    if isinstance(parent, cst.Arg):
        return "`tools` is passed as an argument"
    if isinstance(parent, cst.Call):
        return "`tools` itself is called"
    return "`tools` is stored or used as a value"
