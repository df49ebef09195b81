"""SK103: the signature's shape: ``tools`` first, no ``*args``/``**kwargs``, literal defaults."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.literals import NOT_A_LITERAL, json_problem, literal_value
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule
from skills_runtime.checking.typeexpr import TypeExpr, type_expression

__all__ = ["RULE"]

CODE = "SK103"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    function = ctx.public
    if function is None:
        return
    params = function.params
    if params.posonly_params:
        yield ctx.finding(
            CODE,
            params.posonly_params[0],
            "positional-only parameters (`/`) are not allowed",
            hint="remove the `/`: skills are called with keyword arguments",
        )
    ordered = [*params.posonly_params, *params.params]
    first = ordered[0] if ordered else None
    if first is None or first.name.value != TOOLS_PARAMETER:
        yield ctx.finding(
            CODE,
            first if first is not None else function,
            f"the first parameter of {function.name.value!r} must be `tools`",
            hint=f"write def {function.name.value}(tools, ...)",
        )
    else:
        yield from _tools_parameter(ctx, first)
    if isinstance(params.star_arg, cst.Param):
        yield ctx.finding(
            CODE,
            params.star_arg,
            f"`*{params.star_arg.name.value}` is not allowed",
            hint="declare each argument as a typed parameter, or take a list[...]",
        )
    if params.star_kwarg is not None:
        yield ctx.finding(
            CODE,
            params.star_kwarg,
            f"`**{params.star_kwarg.name.value}` is not allowed",
            hint="declare each argument as a typed parameter, or take a dict[str, Any]",
        )
    for param in [*ordered[1:], *params.kwonly_params]:
        if param.name.value == TOOLS_PARAMETER:
            yield ctx.finding(
                CODE, param, "`tools` must be the first parameter", hint="move it first"
            )
        if param.default is not None:
            yield from _default(ctx, param, param.default)


def _tools_parameter(ctx: RuleContext, param: cst.Param) -> Iterator[Finding]:
    if param.annotation is not None:
        names = ctx.qualified_names(param.annotation.annotation)
        if names != {"typing.Any"}:
            yield ctx.finding(
                CODE,
                param.annotation,
                "`tools` must be unannotated or annotated `Any`",
                hint="write `tools` or `tools: Any`",
            )
    if param.default is not None:
        yield ctx.finding(CODE, param, "`tools` must not have a default", hint="remove the default")


def _default(ctx: RuleContext, param: cst.Param, default: cst.BaseExpression) -> Iterator[Finding]:
    name = param.name.value
    value = literal_value(default)
    if value is NOT_A_LITERAL:
        yield ctx.finding(
            CODE,
            default,
            f"the default of {name!r} is `{ctx.code_of(default)}`, not a string, number, bool "
            "or None literal",
            hint=f"use a literal, or `{name}: T | None = None` and build the value in the body",
        )
        return
    if param.annotation is None or json_problem(value) is not None:
        return  # SK122 reports a value JSON cannot carry (it may not even print)
    expected = type_expression(param.annotation.annotation, ctx.qualified_names)
    if isinstance(expected, TypeExpr) and not jsonschema.Draft202012Validator(
        expected.schema()
    ).is_valid(value):
        yield ctx.finding(
            CODE,
            default,
            f"the default of {name!r} is {value!r}, which is not a {expected.text()}",
            hint="make the default match the annotation",
        )


RULE = Rule(CODE, "`tools` first; no *args/**kwargs or `/`; defaults are matching literals", _check)
