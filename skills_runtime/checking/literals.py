"""JSON values written as literals (parameter defaults), read from the tree without evaluation."""

from __future__ import annotations

from typing import Any

import libcst as cst

__all__ = ["NOT_A_LITERAL", "literal_value"]

#: Returned when a node is not a JSON literal (``None`` is a valid literal value).
NOT_A_LITERAL: Any = object()


def literal_value(node: cst.BaseExpression) -> Any:
    """The JSON value a scalar literal node denotes, or ``NOT_A_LITERAL``.

    Args:
        node: A default value expression.

    Returns:
        A ``str``, ``int``, ``float``, ``bool`` or ``None``; ``NOT_A_LITERAL`` for anything else
        (containers included: a mutable default would be shared between calls).
    """
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return NOT_A_LITERAL
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError, MemoryError):
            return NOT_A_LITERAL
        return value if isinstance(value, str) else NOT_A_LITERAL
    negative = False
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        negative, node = True, node.expression
    number: int | float
    try:
        if isinstance(node, cst.Integer):
            number = int(node.value.replace("_", ""), 0)
        elif isinstance(node, cst.Float):
            number = float(node.value.replace("_", ""))
        else:
            return NOT_A_LITERAL
    except ValueError:  # e.g. more digits than int() converts
        return NOT_A_LITERAL
    if number != number or number in (float("inf"), float("-inf")):
        return NOT_A_LITERAL  # not representable in JSON
    return -number if negative else number
