"""SK122: values read from the source (defaults, docstrings) survive the trip as JSON and text.

A default becomes part of the skill's JSON Schema, and the docstring its description: both are
stored in the registry, exported to every provider format and shown to people and models. A
value that cannot be written as JSON (an integer past 64 bits, a lone surrogate) would crash
whatever serialises it later, far from the cause; a docstring carrying control or invisible
characters (written as escapes, so they do not show in the source) would reach every terminal
and prompt. Both are refused here, with the value's place in the source.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.literals import (
    NOT_A_LITERAL,
    json_problem,
    literal_value,
    text_problem,
)
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK122"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.functions:
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.default is None:
                continue
            value = literal_value(param.default)
            problem = None if value is NOT_A_LITERAL else json_problem(value)
            if problem is not None:
                yield ctx.finding(
                    CODE,
                    param.default,
                    f"the default of {param.name.value!r} is {problem}",
                    hint="use a value JSON carries as it is: a 64-bit integer, a finite float, "
                    "valid Unicode text",
                )
        docstring = _docstring(function)
        if docstring is None:
            continue
        node, text = docstring
        problem = text_problem(text)
        if problem is not None:
            yield ctx.finding(
                CODE,
                node,
                f"the docstring of {function.name.value!r} holds {problem}",
                hint="write the docstring as plain text: no control, invisible or bidirectional "
                "characters, no lone surrogates",
            )


def _docstring(function: cst.FunctionDef) -> tuple[cst.CSTNode, str] | None:
    try:
        text = function.get_docstring(clean=False)
    except (ValueError, SyntaxError, MemoryError):
        return None
    if text is None:
        return None
    body = function.body
    node = body.body[0] if isinstance(body, cst.IndentedBlock) and body.body else function
    return node, text


RULE = Rule(CODE, "defaults and docstrings are values JSON and a terminal carry as is", _check)
