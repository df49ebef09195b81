"""SK111: default-deny syntax: every node must be of an allowed type.

Allowed statements: the function definition, ``=``, augmented assignment, expression statements,
``return``, ``if``/``elif``/``else``, ``for``, ``while`` (judged by SK113), ``break``,
``continue``, ``pass``, ``raise``, ``try``/``except``/``else``/``finally``, module-level imports
(judged by SK109). Allowed expressions: names, attributes, calls, subscripts and slices, string /
number / f-string literals, list / tuple / dict / set displays and comprehensions, generator
expressions, unary / binary / boolean operations, comparisons and conditional expressions.
Everything else (``lambda``, ``class``, decorators, ``async``/``await``, ``yield``, ``with``,
``global``/``nonlocal``, ``del``, ``assert``, ``:=``, ``match``, ``...``, annotated assignments,
nested functions, ``except*``, complex literals, type aliases and parameters) is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["ALLOWED_NODE_TYPES", "RULE"]

CODE = "SK111"

ALLOWED_NODE_TYPES: frozenset[type[cst.CSTNode]] = frozenset(
    {
        # structure
        cst.Module,
        cst.SimpleStatementLine,
        cst.SimpleStatementSuite,
        cst.IndentedBlock,
        cst.FunctionDef,
        cst.Parameters,
        cst.Param,
        cst.ParamStar,
        cst.Annotation,
        # statements
        cst.Expr,
        cst.Assign,
        cst.AssignTarget,
        cst.AugAssign,
        cst.Return,
        cst.If,
        cst.Else,
        cst.For,
        cst.While,
        cst.Break,
        cst.Continue,
        cst.Pass,
        cst.Raise,
        cst.Try,
        cst.ExceptHandler,
        cst.Finally,
        cst.Import,
        cst.ImportFrom,
        cst.ImportAlias,
        cst.AsName,
        # expressions
        cst.Name,
        cst.Attribute,
        cst.Call,
        cst.Arg,
        cst.Subscript,
        cst.SubscriptElement,
        cst.Index,
        cst.Slice,
        cst.Integer,
        cst.Float,
        cst.SimpleString,
        cst.ConcatenatedString,
        cst.FormattedString,
        cst.FormattedStringExpression,
        cst.FormattedStringText,
        cst.List,
        cst.Tuple,
        cst.Dict,
        cst.Set,
        cst.Element,
        cst.StarredElement,
        cst.DictElement,
        cst.StarredDictElement,
        cst.ListComp,
        cst.SetComp,
        cst.DictComp,
        cst.GeneratorExp,
        cst.CompFor,
        cst.CompIf,
        cst.BinaryOperation,
        cst.BooleanOperation,
        cst.UnaryOperation,
        cst.Comparison,
        cst.ComparisonTarget,
        cst.IfExp,
        # brackets
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)

# Operators, punctuation and whitespace carry no behaviour of their own.
_TRIVIA_MODULES = frozenset({"libcst._nodes.op", "libcst._nodes.whitespace"})

_MESSAGES: dict[type[cst.CSTNode], tuple[str, str]] = {
    cst.Lambda: ("`lambda` is not allowed", "use a comprehension or inline the expression"),
    cst.ClassDef: ("classes are not allowed", "return a dict instead of an object"),
    cst.Decorator: ("decorators are not allowed", "remove the decorator"),
    cst.Await: ("`await` is not allowed", "skills are synchronous; call tools directly"),
    cst.Yield: ("`yield` is not allowed", "build a list and return it"),
    cst.With: ("`with` is not allowed", "skills hold no resources; call tools directly"),
    cst.Global: ("`global` is not allowed", "keep state in local variables"),
    cst.Nonlocal: ("`nonlocal` is not allowed", "keep state in local variables"),
    cst.Del: ("`del` is not allowed", "build a new value instead"),
    cst.Assert: (
        "`assert` is not allowed",
        'raise SkillPrecondition("...") with a message instead',
    ),
    cst.NamedExpr: ("`:=` is not allowed", "assign on its own line"),
    cst.AnnAssign: ("annotated assignments are not allowed", "drop the annotation: `x = ...`"),
    cst.Ellipsis: ("`...` is not allowed", "write the code, or `pass`"),
    cst.TryStar: ("`except*` is not allowed", "use a plain `except`"),
    cst.Imaginary: ("complex numbers are not allowed", "JSON has no complex numbers"),
    cst.Asynchronous: ("`async` is not allowed", "skills are synchronous: use `def` and `for`"),
}


def _check(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.nodes:
        kind = type(node)
        if kind.__module__ in _TRIVIA_MODULES:
            continue
        if kind not in ALLOWED_NODE_TYPES:
            message, hint = _MESSAGES.get(
                kind, (f"`{kind.__name__}` syntax is not allowed in a skill", "see docs/checks.md")
            )
            yield ctx.finding(CODE, node, message, hint=hint)
        elif isinstance(node, cst.FunctionDef) and ctx.parents.get(node) is not ctx.module:
            yield ctx.finding(
                CODE, node, "nested functions are not allowed", hint="inline the code"
            )


RULE = Rule(CODE, "default-deny syntax: only allowed node types", _check)
