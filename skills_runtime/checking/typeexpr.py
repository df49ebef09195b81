"""The allow-list of type expressions, read from the libcst tree and mapped to JSON Schema.

Annotations of untrusted code are never evaluated: each annotation node is matched against a
small grammar (``str int float bool None Any list[T] dict[str, T] Literal[...] T | None
Optional[T]``), with names judged by their qualified name, so ``import os as typing`` or a
shadowed ``str`` cannot pass as the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

import libcst as cst

from skills_runtime.checking.literals import NOT_A_LITERAL, json_problem, literal_value
from skills_runtime.schema_types import (
    any_schema,
    array_of,
    enum_of,
    nullable,
    object_of,
    scalar_schema,
)

__all__ = ["ALLOWED_TYPES_TEXT", "TypeExpr", "TypeProblem", "type_expression"]

#: How the allow-list reads in messages and hints.
ALLOWED_TYPES_TEXT = (
    "str, int, float, bool, None, Any, list[T], dict[str, T], Literal[...], T | None, Optional[T]"
)

Kind = Literal["str", "int", "float", "bool", "none", "any", "list", "dict", "literal", "optional"]
LiteralValue = str | int | bool

_ATOMS: dict[str, Kind] = {
    "builtins.str": "str",
    "builtins.int": "int",
    "builtins.float": "float",
    "builtins.bool": "bool",
    "builtins.None": "none",
    "typing.Any": "any",
}
_GENERICS: dict[str, Kind] = {
    "builtins.list": "list",
    "builtins.dict": "dict",
    "typing.Literal": "literal",
    "typing.Optional": "optional",
}


@dataclass(frozen=True)
class TypeExpr:
    """One allowed type expression.

    Attributes:
        kind: Which form it is.
        args: Item type of ``list``, value type of ``dict``, inner type of ``optional``.
        values: The values of a ``Literal``.
    """

    kind: Kind
    args: tuple[TypeExpr, ...] = ()
    values: tuple[LiteralValue, ...] = ()

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the values this type accepts (a fresh dict)."""
        if self.kind == "any":
            return any_schema()
        if self.kind == "list":
            return array_of(self.args[0].schema())
        if self.kind == "dict":
            return object_of(self.args[0].schema())
        if self.kind == "literal":
            return enum_of(self.values)
        if self.kind == "optional":
            return nullable(self.args[0].schema())
        return scalar_schema("None" if self.kind == "none" else self.kind)

    def text(self) -> str:
        """The canonical source text (``list[str] | None``)."""
        if self.kind == "none":
            return "None"
        if self.kind == "any":
            return "Any"
        if self.kind == "list":
            return f"list[{self.args[0].text()}]"
        if self.kind == "dict":
            return f"dict[str, {self.args[0].text()}]"
        if self.kind == "literal":
            return f"Literal[{', '.join(repr(value) for value in self.values)}]"
        if self.kind == "optional":
            return f"{self.args[0].text()} | None"
        return self.kind


@dataclass(frozen=True)
class TypeProblem:
    """Why an annotation is outside the allow-list, and the node to point at."""

    message: str
    node: cst.CSTNode
    hint: str


QualifiedNames = Callable[[cst.CSTNode], frozenset[str]]


def type_expression(
    node: cst.BaseExpression, qualified_names: QualifiedNames
) -> TypeExpr | TypeProblem:
    """Match an annotation node against the allow-list.

    Args:
        node: The annotation expression (``Annotation.annotation``).
        qualified_names: The qualified names a ``Name`` or ``Attribute`` node resolves to.

    Returns:
        The type, or the problem that keeps it off the allow-list.
    """
    if isinstance(node, cst.Name) and node.value == "None":
        return TypeExpr("none")  # ``None`` cannot be rebound, so its spelling is enough
    if isinstance(node, cst.Name | cst.Attribute):
        kind = _resolve(node, qualified_names, _ATOMS)
        if kind is not None:
            return TypeExpr(kind)
        if _resolve(node, qualified_names, _GENERICS) is not None:
            return _problem(node, "needs type arguments", "write list[str] or dict[str, Any]")
        return _problem(node, "is not an allowed type", f"use one of: {ALLOWED_TYPES_TEXT}")
    if isinstance(node, cst.Subscript):
        return _subscript(node, qualified_names)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union(node, qualified_names)
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
        return TypeProblem(
            "string annotations are not allowed",
            node,
            "write the annotation without quotes",
        )
    return _problem(node, "is not an allowed type", f"use one of: {ALLOWED_TYPES_TEXT}")


def _resolve(
    node: cst.CSTNode, qualified_names: QualifiedNames, table: dict[str, Kind]
) -> Kind | None:
    names = qualified_names(node)
    kinds = {table.get(name) for name in names}
    # An ambiguous name (bound differently on different paths) is not trusted.
    if len(kinds) == 1:
        return kinds.pop()
    return None


def _subscript(node: cst.Subscript, qualified_names: QualifiedNames) -> TypeExpr | TypeProblem:
    kind = _resolve(node.value, qualified_names, _GENERICS)
    if kind is None:
        return _problem(
            node.value, "cannot take type arguments", f"use one of: {ALLOWED_TYPES_TEXT}"
        )
    items: list[cst.BaseExpression] = []
    for element in node.slice:
        if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
            return _problem(node, "has a slice where a type belongs", "write list[str]")
        items.append(element.slice.value)
    if kind == "literal":
        return _literal(node, items)
    if kind == "list":
        if len(items) != 1:
            return _problem(node, "takes exactly one item type", "write list[str]")
        return _wrap("list", type_expression(items[0], qualified_names))
    if kind == "dict":
        if len(items) != 2:
            return _problem(node, "takes a key and a value type", "write dict[str, Any]")
        key = type_expression(items[0], qualified_names)
        if isinstance(key, TypeProblem):
            return key
        if key.kind != "str":
            return _problem(
                items[0],
                "is not allowed as a key type",
                "JSON keys are strings: write dict[str, T]",
            )
        return _wrap("dict", type_expression(items[1], qualified_names))
    if len(items) != 1:
        return _problem(node, "takes exactly one type", "write Optional[str] or str | None")
    return _optional(node, type_expression(items[0], qualified_names))


def _union(node: cst.BinaryOperation, qualified_names: QualifiedNames) -> TypeExpr | TypeProblem:
    left, right = node.left, node.right
    if isinstance(left, cst.Name) and left.value == "None":
        left, right = right, left
    if not (isinstance(right, cst.Name) and right.value == "None"):
        return _problem(node, "is a union other than T | None", "only T | None unions are allowed")
    return _optional(node, type_expression(left, qualified_names))


def _optional(node: cst.CSTNode, inner: TypeExpr | TypeProblem) -> TypeExpr | TypeProblem:
    if isinstance(inner, TypeExpr) and inner.kind in ("optional", "none"):
        return _problem(node, "makes an already optional type optional", "write T | None once")
    return _wrap("optional", inner)


def _wrap(kind: Kind, inner: TypeExpr | TypeProblem) -> TypeExpr | TypeProblem:
    if isinstance(inner, TypeProblem):
        return inner
    return TypeExpr(kind, (inner,))


def _literal(node: cst.Subscript, items: list[cst.BaseExpression]) -> TypeExpr | TypeProblem:
    values: list[LiteralValue] = []
    for item in items:
        value = _literal_value(item)
        if value is None:
            return _problem(
                item, "is not allowed in Literal[...]", "use string, integer or bool literals"
            )
        problem = json_problem(value)
        if problem is not None:
            return _problem(
                item,
                f"is {problem}",
                "use values JSON carries as they are: 64-bit integers, valid Unicode text",
            )
        values.append(value)
    if not values:
        return _problem(node, "needs at least one value", 'write Literal["a", "b"]')
    return TypeExpr("literal", values=tuple(values))


def _literal_value(node: cst.BaseExpression) -> LiteralValue | None:
    """A ``str``, ``int`` or ``bool`` literal (no ``None``, no ``float``: not Literal values)."""
    value = literal_value(node)
    if value is NOT_A_LITERAL or value is None or isinstance(value, float):
        return None
    return cast(LiteralValue, value)


def _problem(node: cst.CSTNode, what: str, hint: str) -> TypeProblem:
    text = cst.Module([]).code_for_node(node)
    if len(text) > 60:
        text = text[:57] + "..."
    return TypeProblem(f"annotation {text!r} {what}", node, hint)
