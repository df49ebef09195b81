"""Rendering: a plan becomes a typed Python module, built with libcst nodes.

The module holds ``from typing import ...`` when the signature needs it and exactly one public
function whose first parameter is ``tools``. Tools are called as ``tools.NAME(arg=value)`` with
keyword arguments; guards raise ``SkillPrecondition``, a builtin the sandbox gives skill code;
loops are plain ``for`` statements over a list, with an ``if ... in ...`` filter when needed.
Lines longer than 100 characters are split the way ``ruff format`` splits them (one item per
line, magic trailing comma), so the output is stable under the formatter.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import libcst as cst

from skills_runtime.synthesis.indexing import (
    IndexNeed,
    index_needs,
    lengths_sentence,
    need_message,
    statement_exprs,
)
from skills_runtime.synthesis.lift import Path
from skills_runtime.synthesis.plan import (
    Branch,
    CallStep,
    Choice,
    Const,
    ElementRef,
    Expr,
    Guard,
    Loop,
    ParamRef,
    Plan,
    Required,
    ResultRef,
    Statement,
)
from skills_runtime.synthesis.prose import (
    Part,
    does,
    expected_sentence,
    guard_message,
    guards_sentence,
    required_message,
    returns,
)

__all__ = ["literal_source", "render"]

_WIDTH = 100
_INDENT = "    "
SOURCES_SHOWN = 12
"""Source ids a docstring names; the registry's provenance keeps every one. A skill learned at
volume has hundreds (a sample of up to 256 runs per family, several families when merged), which
would bury the code a reviewer reads and push it past the checker's line budget."""


def literal_source(value: Any) -> str:
    """Python source for a JSON value, strings in double quotes as ``ruff format`` writes them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal_source(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{literal_source(str(k))}: {literal_source(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def _expr(expr: Expr, *, quote: str = '"') -> cst.BaseExpression:
    if isinstance(expr, ParamRef):
        return cst.Name(expr.name)
    if isinstance(expr, Const):
        return cst.parse_expression(literal_source(expr.value))
    if isinstance(expr, ElementRef):
        return _subscripts(cst.Name(expr.var), expr.path, quote=quote)
    return _subscripts(cst.Name(expr.var), expr.path, quote=quote)


def _subscripts(
    node: cst.BaseExpression, path: Sequence[str | int], *, quote: str = '"'
) -> cst.BaseExpression:
    for part in path:
        if isinstance(part, int):
            index: cst.BaseExpression = cst.Integer(str(part))
        elif quote == '"':
            index = cst.SimpleString(json.dumps(part, ensure_ascii=False))
        else:
            index = cst.SimpleString(repr(part))
        node = cst.Subscript(node, [cst.SubscriptElement(cst.Index(index))])
    return node


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _broken(depth: int, *, last: bool) -> cst.ParenthesizedWhitespace:
    # One item per line: the item is indented one level deeper than the statement holding it.
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        indent=True,
        last_line=cst.SimpleWhitespace("" if last else _INDENT),
    )


def _call(tool: str, args: Sequence[tuple[str, Expr]], *, prefix_len: int) -> cst.Call:
    func = cst.Attribute(cst.Name("tools"), cst.Name(tool))
    tight = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    flat = cst.Call(func, [cst.Arg(_expr(e), keyword=cst.Name(n), equal=tight) for n, e in args])
    if prefix_len + len(_code(flat)) <= _WIDTH or not args:
        return flat
    items = []
    for k, (name, expr) in enumerate(args):
        comma = cst.Comma(whitespace_after=_broken(0, last=k == len(args) - 1))
        items.append(
            cst.Arg(
                _expr(expr),
                keyword=cst.Name(name),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                comma=comma,
            )
        )
    return cst.Call(func, items, whitespace_before_args=_broken(0, last=False))


def _loop(loop: Loop) -> cst.BaseStatement:
    depth = 2 if loop.where is None else 3
    inner = _statement(loop.call, depth=depth)
    if loop.where is not None:
        path, within = loop.where
        test = cst.Comparison(
            _subscripts(cst.Name(loop.var), path), [cst.ComparisonTarget(cst.In(), _expr(within))]
        )
        inner = cst.If(test, cst.IndentedBlock([inner]))
    return cst.For(cst.Name(loop.var), _expr(loop.source), cst.IndentedBlock([inner]))


def _call_statement(
    step: CallStep,
    args: tuple[tuple[str, Expr], ...],
    optional: list[tuple[str, ParamRef]],
    *,
    depth: int,
) -> cst.BaseStatement:
    """``var = tools.tool(...)``; with optional arguments, one branch per given-or-left-out."""
    if optional:
        (name, param), rest = optional[0], optional[1:]
        test = cst.Comparison(
            cst.Name(param.name), [cst.ComparisonTarget(cst.Is(), cst.Name("None"))]
        )
        without = _call_statement(step, args, rest, depth=depth + 1)
        with_it = _call_statement(step, (*args, (name, param)), rest, depth=depth + 1)
        return cst.If(
            test,
            cst.IndentedBlock([without]),
            orelse=cst.Else(cst.IndentedBlock([with_it])),
        )
    target = step.var
    prefix = depth * len(_INDENT) + (len(target) + 3 if target else 0)
    call = _call(step.tool, args, prefix_len=prefix)
    if target is None:
        return cst.SimpleStatementLine([cst.Expr(call)])
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(target))], call)])


def _given(names: tuple[str, ...], *, depth: int) -> cst.BaseExpression:
    """``a is not None and b is not None``; one test per line, in parentheses, when too long."""
    tests = [
        cst.Comparison(cst.Name(name), [cst.ComparisonTarget(cst.IsNot(), cst.Name("None"))])
        for name in names
    ]
    test: cst.BaseExpression = tests[0]
    for more in tests[1:]:
        test = cst.BooleanOperation(test, cst.And(), more)
    if depth * len(_INDENT) + len("elif ") + len(_code(test)) + 1 <= _WIDTH:
        return test
    test = tests[0]
    for more in tests[1:]:
        newline = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            indent=True,
            last_line=cst.SimpleWhitespace(_INDENT),
        )
        test = cst.BooleanOperation(test, cst.And(whitespace_before=newline), more)
    return test.with_changes(
        lpar=[cst.LeftParen(whitespace_after=_broken(0, last=False))],
        rpar=[cst.RightParen(whitespace_before=_broken(0, last=True))],
    )


def _raise_precondition(text: str, *, depth: int) -> cst.SimpleStatementLine:
    message = _message((text,))
    call: cst.BaseExpression = cst.Call(cst.Name("SkillPrecondition"), [cst.Arg(message)])
    if (depth + 1) * len(_INDENT) + len("raise ") + len(_code(call)) > _WIDTH:
        call = cst.Call(
            cst.Name("SkillPrecondition"),
            [cst.Arg(message, comma=cst.Comma(whitespace_after=_broken(0, last=True)))],
            whitespace_before_args=_broken(0, last=False),
        )
    return cst.SimpleStatementLine([cst.Raise(call)])


def _choice(
    branches: tuple[Branch, ...],
    *,
    depth: int,
    stop: str = "",
    checked: dict[tuple[str, Path], int],
) -> cst.If:
    """``if a is not None: ... elif b is not None: ... else: ...`` (a branch needing nothing
    given comes last and is the ``else``)."""
    first, rest = branches[0], branches[1:]
    # Each branch is a block of its own: a length checked in one holds in no other.
    inner = _block(first.body, depth=depth + 1, checked=dict(checked))
    orelse: cst.If | cst.Else | None = None
    if len(rest) == 1 and not rest[0].when:
        body = _block(rest[0].body, depth=depth + 1, checked=dict(checked))
        orelse = cst.Else(cst.IndentedBlock(body))
    elif rest:
        orelse = _choice(rest, depth=depth, stop=stop, checked=checked)
    elif stop:
        orelse = cst.Else(cst.IndentedBlock([_raise_precondition(stop, depth=depth)]))
    return cst.If(_given(first.when, depth=depth), cst.IndentedBlock(inner), orelse=orelse)


def _block(
    steps: Sequence[Statement], *, depth: int, checked: dict[tuple[str, Path], int]
) -> list[cst.BaseStatement]:
    """The statements of one block, each preceded by the length checks of the list elements
    it reads (``checked``: the lists already checked in this block, updated)."""
    body: list[cst.BaseStatement] = []
    for step in steps:
        body += [
            _length_check(need, depth=depth) for need in index_needs(statement_exprs(step), checked)
        ]
        body.append(_statement(step, depth=depth, checked=checked))
    return body


def _length_check(need: IndexNeed, *, depth: int) -> cst.If:
    """``if len(user["orders"]) < 1: raise SkillPrecondition("user has no orders")``."""
    listed = _subscripts(cst.Name(need.var), need.path)
    test = cst.Comparison(
        cst.Call(cst.Name("len"), [cst.Arg(listed)]),
        [cst.ComparisonTarget(cst.LessThan(), cst.Integer(str(need.index + 1)))],
    )
    raised = _raise_precondition(need_message(need), depth=depth)
    return cst.If(test, cst.IndentedBlock([raised]))


def _statement(
    step: Statement, *, depth: int = 1, checked: dict[tuple[str, Path], int] | None = None
) -> cst.BaseStatement:
    if isinstance(step, Loop):
        return _loop(step)
    if isinstance(step, CallStep):
        return _call_statement(step, tuple(step.args), list(step.optional), depth=depth)
    if isinstance(step, Choice):
        return _choice(
            step.branches, depth=depth, stop=step.stop, checked={} if checked is None else checked
        )
    if isinstance(step, Required):
        return _required(step, depth=depth)
    return _guard(step, depth=depth)


def _required(step: Required, *, depth: int) -> cst.If:
    """``if user_id is None: raise SkillPrecondition("give user_id, or ... to find it")``."""
    test = cst.Comparison(cst.Name(step.param), [cst.ComparisonTarget(cst.Is(), cst.Name("None"))])
    raised = _raise_precondition(required_message(step), depth=depth)
    return cst.If(test, cst.IndentedBlock([raised]))


def _guard(step: Guard, *, depth: int) -> cst.BaseStatement:
    message = _message(guard_message(step))
    test = cst.Comparison(
        _expr(step.subject), [cst.ComparisonTarget(cst.NotEqual(), _expr(step.expected))]
    )
    call = cst.Call(cst.Name("SkillPrecondition"), [cst.Arg(message)])
    if (depth + 1) * len(_INDENT) + len("raise ") + len(_code(call)) > _WIDTH:
        closing = _broken(0, last=True)
        call = cst.Call(
            cst.Name("SkillPrecondition"),
            [cst.Arg(message, whitespace_after_arg=closing)],
            whitespace_before_args=_broken(0, last=False),
        )
    raise_ = cst.Raise(call)
    return cst.If(test, cst.IndentedBlock([cst.SimpleStatementLine([raise_])]))


def _message(parts: Sequence[Part]) -> cst.BaseExpression:
    """A plain string when the message is only text, else an f-string showing values with !r."""
    if all(isinstance(part, str) for part in parts):
        return cst.SimpleString(json.dumps("".join(str(p) for p in parts), ensure_ascii=False))
    pieces: list[cst.BaseFormattedStringContent] = []
    for part in parts:
        if isinstance(part, str):
            text = json.dumps(part, ensure_ascii=False)[1:-1]
            pieces.append(cst.FormattedStringText(text.replace("{", "{{").replace("}", "}}")))
        else:
            pieces.append(cst.FormattedStringExpression(_expr(part, quote="'"), conversion="r"))
    return cst.FormattedString(pieces, start='f"', end='"')


def _unbroken(text: str) -> str:
    # A quoted value ('no longer needed') stays on one line: wrapping inside it misreads.
    return re.sub(
        r"(?<![\w'])'[^'\n]{1,40}'(?![\w'])", lambda m: m.group().replace(" ", "\0"), text
    )


def _wrap(text: str, *, initial: str = "", subsequent: str = "") -> list[str]:
    lines = textwrap.wrap(
        _unbroken(" ".join(text.split())),
        width=_WIDTH - len(_INDENT),
        initial_indent=initial,
        subsequent_indent=subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [initial.rstrip()]
    return [line.replace("\0", " ") for line in lines]


def _docstring(plan: Plan, summary: str, detail: str, sources: Sequence[str]) -> str:
    lines = _wrap(summary)
    guards = list(plan.guards)
    about = " ".join(
        part
        for part in (
            detail,
            does(plan),
            guards_sentence(guards),
            lengths_sentence(plan),
            expected_sentence(plan),
        )
        if part
    )
    lines += ["", *_wrap(about)]
    if plan.params:
        lines += ["", "Args:"]
        for param in plan.params:
            lines += _wrap(
                f"{param.name}: {param.description}", initial=_INDENT, subsequent=_INDENT * 2
            )
    lines += ["", "Returns:", *_wrap(returns(plan), initial=_INDENT, subsequent=_INDENT * 2)]
    lines += ["", *_wrap(_learned_from(sources), subsequent=_INDENT)]
    body = "\n".join((_INDENT + line) if line else "" for line in lines)
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""' + body[len(_INDENT) :] + "\n" + _INDENT + '"""'


def _learned_from(sources: Sequence[str]) -> str:
    shown = ", ".join(sources[:SOURCES_SHOWN])
    more = len(sources) - SOURCES_SHOWN
    if more <= 0:
        return f"Learned from: {shown}."
    runs = "run" if more == 1 else "runs"
    return f"Learned from: {shown} and {more} more {runs} (the registry names them all)."


def _signature(name: str, plan: Plan) -> tuple[cst.Parameters, cst.BaseParenthesizableWhitespace]:
    params = [cst.Param(cst.Name("tools"))] + [
        cst.Param(
            cst.Name(p.name),
            cst.Annotation(cst.parse_expression(p.type.render())),
            default=cst.Name("None") if p.optional else None,
            equal=cst.AssignEqual() if p.optional else cst.MaybeSentinel.DEFAULT,
        )
        for p in plan.params
    ]
    returns = plan.return_type.render()
    flat = cst.Parameters(params)
    if len(f"def {name}({_code(flat)}) -> {returns}:") <= _WIDTH:
        return flat, cst.SimpleWhitespace("")
    broken = [
        p.with_changes(comma=cst.Comma(whitespace_after=_broken(0, last=k == len(params) - 1)))
        for k, p in enumerate(params)
    ]
    return cst.Parameters(broken), _broken(0, last=False)


def render(name: str, plan: Plan, *, summary: str, sources: Sequence[str], detail: str = "") -> str:
    """The module source of a skill named ``name`` that runs ``plan``.

    Args:
        name: The function's name.
        plan: What it does.
        summary: The docstring's one-line summary.
        sources: The ids of the units it was learned from.
        detail: A sentence that opens the docstring's body (the write's whole description when
            the summary shortened it).
    """
    parameters, opening = _signature(name, plan)
    docstring = cst.SimpleStatementLine(
        [cst.Expr(cst.SimpleString(_docstring(plan, summary, detail, sources)))]
    )
    body: list[cst.BaseStatement] = [docstring]
    checked: dict[tuple[str, Path], int] = {}
    body += _block(plan.body, depth=1, checked=checked)
    returned: cst.BaseExpression = cst.Name(plan.returns)
    if plan.answer is not None:
        kind, path = plan.answer
        answered = ResultRef(plan.returns, path)
        body += [_length_check(need, depth=1) for need in index_needs((answered,), checked)]
        returned = _subscripts(returned, path)
        if kind == "count":
            returned = cst.Call(cst.Name("len"), [cst.Arg(returned)])
    body.append(cst.SimpleStatementLine([cst.Return(returned)]))
    function = cst.FunctionDef(
        name=cst.Name(name),
        params=parameters,
        body=cst.IndentedBlock(body),
        returns=cst.Annotation(cst.parse_expression(plan.return_type.render())),
        whitespace_before_params=opening,
    )
    annotations = " ".join([p.type.render() for p in plan.params] + [plan.return_type.render()])
    wanted = [n for n in ("Any", "Literal") if n in annotations]
    statements: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = []
    if wanted:
        names = [cst.ImportAlias(cst.Name(n)) for n in wanted]
        statements.append(cst.SimpleStatementLine([cst.ImportFrom(cst.Name("typing"), names)]))
        function = function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    statements.append(function)
    return cst.Module(body=statements).code
