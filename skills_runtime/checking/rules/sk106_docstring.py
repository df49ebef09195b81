"""SK106: a Google-style docstring whose ``Args:`` and ``Returns:`` match the signature."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.docstring import parse_docstring
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK106"


def _docstring_node(function: cst.FunctionDef) -> cst.CSTNode:
    body = function.body
    if isinstance(body, cst.IndentedBlock) and body.body:
        return body.body[0]
    return function


def _check(ctx: RuleContext) -> Iterator[Finding]:
    function = ctx.public
    if function is None:
        return
    name = function.name.value
    text = function.get_docstring(clean=True)
    if text is None:
        yield ctx.finding(
            CODE,
            function.name,
            f"function {name!r} has no docstring",
            hint="add a docstring: a summary line, then `Args:` and `Returns:` sections",
        )
        return
    where = _docstring_node(function)
    docstring = parse_docstring(text)
    if not docstring.summary:
        yield ctx.finding(
            CODE,
            where,
            "the docstring's first line (the summary) is empty",
            hint="start with one sentence",
        )
    params = function.params
    names = [
        param.name.value
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]
        if param.name.value != TOOLS_PARAMETER
    ]
    if names and not docstring.has_args:
        yield ctx.finding(
            CODE, where, "the docstring has no `Args:` section", hint="document every parameter"
        )
    elif names:
        for missing in (n for n in names if n not in docstring.args):
            yield ctx.finding(
                CODE,
                where,
                f"parameter {missing!r} is not documented under `Args:`",
                hint=f"add `{missing}: <what it is>.`",
            )
    for extra in (n for n in docstring.args if n not in names):
        yield ctx.finding(
            CODE,
            where,
            f"`Args:` documents {extra!r}, which is not a parameter",
            hint="remove the entry or fix its name",
        )
    for blank in (n for n in names if n in docstring.args and not docstring.args[n]):
        yield ctx.finding(
            CODE, where, f"`Args:` entry {blank!r} has no description", hint="describe it"
        )
    returns_none = isinstance(function.returns, cst.Annotation) and (
        isinstance(function.returns.annotation, cst.Name)
        and function.returns.annotation.value == "None"
    )
    if not returns_none and not docstring.returns:
        yield ctx.finding(
            CODE,
            where,
            "the docstring has no `Returns:` section (or it is empty)",
            hint="describe the value the skill returns",
        )


RULE = Rule(CODE, "docstring with summary, Args and Returns matching the signature", _check)
