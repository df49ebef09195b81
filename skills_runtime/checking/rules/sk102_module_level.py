"""SK102: nothing runs at module level: only a docstring, allowed imports and the function."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK102"


def _is_docstring(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    expression = statement.body[0]
    return isinstance(expression, cst.Expr) and isinstance(
        expression.value, cst.SimpleString | cst.ConcatenatedString
    )


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for index, statement in enumerate(ctx.module.body):
        if isinstance(statement, cst.FunctionDef) or _is_import_line(statement):
            continue
        if index == 0 and _is_docstring(statement):
            continue
        yield ctx.finding(
            CODE,
            statement,
            f"module-level statement `{ctx.code_of(statement).strip()}` is not allowed",
            hint="only a module docstring, allowed imports and the function may sit at module "
            "level; move the code into the function",
        )


RULE = Rule(CODE, "no side effects at module level", _check)
