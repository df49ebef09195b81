"""Default-deny source policy, applied before RestrictedPython sees the code.

Size and nesting are capped *before* any parser runs, because deeply nested source can exhaust
the recursive parsers and compilers (they raise ``RecursionError``/``MemoryError`` or crash). Then
the parsed tree is checked against an allow-list of node types: anything not listed (imports,
classes, decorators, generators, async, ``global``, ``with``, ``match``...) is a rejection.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator

from sandbox.annotations import ANNOTATION_ONLY_NAMES
from sandbox.result import Rejection

__all__ = [
    "MAX_AST_DEPTH",
    "MAX_BRACKET_DEPTH",
    "MAX_INDENT_DEPTH",
    "MAX_SOURCE_BYTES",
    "check",
    "precheck",
]

MAX_SOURCE_BYTES = 100_000
MAX_BRACKET_DEPTH = 30
MAX_INDENT_DEPTH = 16
MAX_AST_DEPTH = 80

_ALLOWED: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Module, ast.Expr, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign,
        ast.AugAssign, ast.AnnAssign, ast.For, ast.While, ast.If, ast.Break, ast.Continue,
        ast.Pass, ast.Try, ast.ExceptHandler, ast.Raise, ast.Assert, ast.Delete, ast.BoolOp,
        ast.BinOp, ast.UnaryOp, ast.Lambda, ast.IfExp, ast.Dict, ast.Set, ast.ListComp,
        ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.Compare, ast.Call,
        ast.keyword, ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute,
        ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice, ast.NamedExpr,
        ast.Load, ast.Store, ast.Del, ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div,
        ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift, ast.BitOr, ast.BitXor,
        ast.BitAnd, ast.MatMult, ast.Invert, ast.Not, ast.UAdd, ast.USub, ast.Eq, ast.NotEq,
        ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    }
)  # fmt: skip

_WHY: dict[type[ast.AST], str] = {
    ast.Import: "imports are not allowed; use the provided math, json, re and dates helpers",
    ast.ImportFrom: "imports are not allowed; use the provided math, json, re and dates helpers",
    ast.ClassDef: "class definitions are not allowed; use dicts and lists for data",
    ast.Global: "'global' is not allowed; pass values as arguments",
    ast.Nonlocal: "'nonlocal' is not allowed; return values instead",
    ast.Yield: "generators are not allowed; build and return a list",
    ast.YieldFrom: "generators are not allowed; build and return a list",
    ast.AsyncFunctionDef: "async functions are not allowed; tool calls are synchronous",
    ast.Await: "'await' is not allowed; tool calls are synchronous",
    ast.With: "'with' is not allowed; no context managers are available",
}


def precheck(source: str) -> Rejection | None:
    """Cap size and nesting without running any recursive parser.

    Args:
        source: Python source as written.

    Returns:
        ``None`` when the source may be parsed, else why not.
    """
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        return Rejection(None, f"source is {size} bytes; the limit is {MAX_SOURCE_BYTES}")
    if "\x00" in source:
        return Rejection(None, "source contains a NUL character")
    return _check_nesting(source)


def check(source: str) -> Rejection | None:
    """Check source against the caps and the node allow-list.

    Args:
        source: Annotation-free Python source of a skill module.

    Returns:
        ``None`` when the source may be compiled, else the first reason it may not.
    """
    early = precheck(source)
    if early is not None:
        return early
    try:
        tree = ast.parse(source, filename="<skill>")
    except SyntaxError as exc:
        return Rejection(exc.lineno, f"syntax error: {exc.msg}")
    except (RecursionError, MemoryError, ValueError):
        return Rejection(None, "source is too deeply nested or too large to parse")
    return _check_tree(tree)


def _check_nesting(source: str) -> Rejection | None:
    """Scan tokens (no recursion) for bracket and indentation depth."""
    brackets = 0
    indents = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                brackets += 1
                if brackets > MAX_BRACKET_DEPTH:
                    return Rejection(
                        token.start[0], f"brackets nest deeper than {MAX_BRACKET_DEPTH} levels"
                    )
            elif token.type == tokenize.OP and token.string in ")]}":
                brackets -= 1
            elif token.type == tokenize.INDENT:
                indents += 1
                if indents > MAX_INDENT_DEPTH:
                    return Rejection(
                        token.start[0], f"blocks nest deeper than {MAX_INDENT_DEPTH} levels"
                    )
            elif token.type == tokenize.DEDENT:
                indents -= 1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Tokens seen so far were within the caps; the parser reports the syntax error itself.
        return None
    return None


def _walk_with_depth(tree: ast.AST) -> Iterator[tuple[ast.AST, int]]:
    """Yield every node with its depth, iteratively (the tree may be deep)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _annotation_import(node: ast.ImportFrom) -> bool:
    """``from __future__ import annotations`` or ``from typing import Any, Literal, ...``."""
    if node.level or any(alias.asname is not None for alias in node.names):
        return False
    names = {alias.name for alias in node.names}
    if node.module == "__future__":
        return names == {"annotations"}
    return node.module == "typing" and names <= ANNOTATION_ONLY_NAMES


def _check_tree(tree: ast.AST) -> Rejection | None:
    # Module-level imports that serve only annotations are stripped with them before compiling
    # and never run, so they (and their aliases) are exempt from the node allow-list.
    exempt = {
        id(part)
        for statement in getattr(tree, "body", ())
        if isinstance(statement, ast.ImportFrom) and _annotation_import(statement)
        for part in (statement, *statement.names)
    }
    for node, depth in _walk_with_depth(tree):
        line = getattr(node, "lineno", None)
        if depth > MAX_AST_DEPTH:
            return Rejection(line, f"expressions nest deeper than {MAX_AST_DEPTH} levels")
        kind = type(node)
        if id(node) in exempt:
            continue
        if kind not in _ALLOWED:
            why = _WHY.get(kind, f"{kind.__name__} is not allowed in skills")
            return Rejection(line, why)
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            return Rejection(line, "decorators are not allowed in skills")
    return None
