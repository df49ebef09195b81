"""Semantic mutations of a skill's source, built with libcst: how the gates are measured.

Each operator makes one small, plausible mistake in the body of the skill's function (never in
its signature or docstring, never in the text of an error message):

- ``constant``: a literal changes (a string gains a suffix, an integer grows by one, a boolean
  flips);
- ``swap_arguments``: two keyword arguments of a tool call exchange their values;
- ``drop_call`` / ``duplicate_call``: a statement that calls a tool is removed / repeated;
- ``off_by_one``: an integer index ``x[i]`` becomes ``x[i + 1]``;
- ``data_flow``: a subscript key ``x["a"]`` becomes another key (one used elsewhere in the skill or
  given as ``sibling_keys``, e.g. keys of the recorded results): the wrong path through a result;
- ``flip_comparison``: ``==``/``!=``, ``<``/``>=``, ``>``/``<=``, ``in``/``not in`` swap;
- ``negate_guard``: the condition of an ``if`` whose body raises is negated.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

__all__ = ["OPERATORS", "Mutant", "mutants"]

OPERATORS = (
    "constant",
    "swap_arguments",
    "drop_call",
    "duplicate_call",
    "off_by_one",
    "data_flow",
    "flip_comparison",
    "negate_guard",
)

_FLIPS: dict[type[cst.BaseCompOp], type[cst.BaseCompOp]] = {
    cst.Equal: cst.NotEqual,
    cst.NotEqual: cst.Equal,
    cst.LessThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.LessThan,
    cst.GreaterThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.GreaterThan,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
}


@dataclass(frozen=True)
class Mutant:
    """One mutated source: which operator, what it changed, where."""

    operator: str
    description: str
    line: int
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"operator": self.operator, "description": self.description, "line": self.line}


@dataclass(frozen=True)
class _Site:
    operator: str
    node: cst.CSTNode
    replacement: cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.BaseStatement]
    description: str


def mutants(source: str, *, sibling_keys: Sequence[str] = ()) -> list[Mutant]:
    """Every single-site mutant of the skill's function body, deduplicated, in source order.

    Args:
        source: A skill source (one public function).
        sibling_keys: Extra subscript keys the ``data_flow`` operator may switch to.

    Returns:
        The mutants whose source differs from ``source``.
    """
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module)
    collector = _Collector(sibling_keys)
    wrapper.visit(collector)
    positions = wrapper.resolve(PositionProvider)
    seen = {source}
    found = []
    for site in collector.sites:
        mutated = wrapper.module.visit(_Replace(site)).code
        if mutated in seen or not _parses(mutated):
            continue
        seen.add(mutated)
        found.append(
            Mutant(site.operator, site.description, positions[site.node].start.line, mutated)
        )
    return found


class _Replace(cst.CSTTransformer):
    def __init__(self, site: _Site) -> None:
        self.site = site

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        if original_node is self.site.node:
            return self.site.replacement
        return updated_node


class _Collector(cst.CSTVisitor):
    """Finds mutation sites inside function bodies, skipping docstrings and raise statements."""

    def __init__(self, sibling_keys: Sequence[str]) -> None:
        self.sites: list[_Site] = []
        self.depth = 0
        self.raising = 0
        self.keys: list[str] = list(dict.fromkeys(sibling_keys))
        self.subscript_keys: set[int] = set()  # the data_flow operator's sites, not constants

    def add(
        self,
        operator: str,
        node: cst.CSTNode,
        replacement: cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.BaseStatement],
        description: str,
    ) -> None:
        if self.depth and not self.raising:
            self.sites.append(_Site(operator, node, replacement, description))

    # -- scope ------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        # Keys used anywhere in the skill are the first candidates for a wrong data-flow path.
        for key in _subscript_keys(node):
            if key not in self.keys:
                self.keys.insert(0, key)
        body = node.body
        if isinstance(body, cst.IndentedBlock):
            for statement in body.body[_docstring_len(body) :]:
                statement.visit(self)
        return False

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Raise(self, node: cst.Raise) -> None:
        self.raising += 1

    def leave_Raise(self, original_node: cst.Raise) -> None:
        self.raising -= 1

    # -- statements -------------------------------------------------------------------------

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        call = _tool_call_in(node)
        if call is None:
            return
        self.add("drop_call", node, cst.RemoveFromParent(), f"drop the call of {call}")
        self.add(
            "duplicate_call",
            node,
            cst.FlattenSentinel([node, node.deep_clone()]),
            f"call {call} twice",
        )

    def visit_If(self, node: cst.If) -> None:
        if _raises(node.body):
            negated = cst.UnaryOperation(
                operator=cst.Not(),
                expression=node.test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]),
            )
            self.add("negate_guard", node.test, negated, "negate the guard's condition")

    # -- expressions ------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        name = _tool_name(node)
        keywords = [arg for arg in node.args if arg.keyword is not None]
        if name is None or len(keywords) < 2:
            return
        for first, second in itertools.pairwise(keywords):
            if first.keyword is None or second.keyword is None:  # pragma: no cover - filtered
                continue
            swapped = [
                arg.with_changes(value=second.value)
                if arg is first
                else arg.with_changes(value=first.value)
                if arg is second
                else arg
                for arg in node.args
            ]
            self.add(
                "swap_arguments",
                node,
                node.with_changes(args=swapped),
                f"swap {first.keyword.value} and {second.keyword.value} of {name}",
            )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and id(node) not in self.subscript_keys:
            self.add(
                "constant",
                node,
                cst.SimpleString(repr(value + "_x")),
                f"change the constant {value!r}",
            )

    def visit_Integer(self, node: cst.Integer) -> None:
        self.add(
            "constant",
            node,
            cst.Integer(str(int(node.value, 0) + 1)),
            f"change the constant {node.value}",
        )

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in ("True", "False"):
            flipped = "False" if node.value == "True" else "True"
            self.add("constant", node, cst.Name(flipped), f"change {node.value} to {flipped}")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        index = node.slice[0].slice.value
        if isinstance(index, cst.Integer):
            bumped = cst.Integer(str(int(index.value, 0) + 1))
            self.add(
                "off_by_one",
                index,
                bumped,
                f"index [{index.value}] becomes [{bumped.value}]",
            )
        elif isinstance(index, cst.SimpleString) and isinstance(index.evaluated_value, str):
            key = index.evaluated_value
            self.subscript_keys.add(id(index))
            other = next((candidate for candidate in self.keys if candidate != key), None)
            if other is not None:
                self.add(
                    "data_flow",
                    index,
                    cst.SimpleString(repr(other)),
                    f"read [{key!r}] from [{other!r}] instead",
                )

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            flipped = _FLIPS.get(type(target.operator))
            if flipped is None:
                continue
            replaced = [
                item.with_changes(operator=flipped()) if item is target else item
                for item in node.comparisons
            ]
            self.add(
                "flip_comparison",
                node,
                node.with_changes(comparisons=replaced),
                f"flip {type(target.operator).__name__} to {flipped.__name__}",
            )


def _parses(source: str) -> bool:
    # Removing the only statement of a block leaves no valid program: not a mutant to measure.
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _docstring_len(body: cst.IndentedBlock) -> int:
    if body.body and isinstance(body.body[0], cst.SimpleStatementLine):
        first = body.body[0].body[0] if body.body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            return 1
    return 0


def _tool_name(node: cst.Call) -> str | None:
    func = node.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "tools"
    ):
        return func.attr.value
    return None


def _tool_call_in(statement: cst.SimpleStatementLine) -> str | None:
    found: list[str] = []

    class _Find(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = _tool_name(node)
            if name is not None:
                found.append(name)

    statement.visit(_Find())
    return found[0] if found else None


def _raises(body: cst.BaseSuite) -> bool:
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return False
    last = body.body[-1]
    return isinstance(last, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Raise) for small in last.body
    )


def _subscript_keys(node: cst.CSTNode) -> list[str]:
    keys: list[str] = []

    class _Keys(cst.CSTVisitor):
        def visit_Subscript(self, sub: cst.Subscript) -> None:
            for element in sub.slice:
                index = element.slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                    value = index.value.evaluated_value
                    if isinstance(value, str) and value not in keys:
                        keys.append(value)

    node.visit(_Keys())
    return sorted(keys)
