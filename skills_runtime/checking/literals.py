"""JSON values written as literals (parameter defaults), read from the tree without evaluation.

A value read from a source goes on into schemas, the registry and every export format as JSON,
so :func:`json_problem` says whether it survives that trip: integers within 64 bits (an int
of 20,000 hex digits is a valid literal, but past Python's int-to-str limit and past what any
JSON reader holds), finite floats, strings that are valid Unicode (an escape such as
``"\\ud800"`` makes a lone surrogate, which UTF-8 cannot encode). :func:`text_problem` does the
same for prose shown to people and models (docstrings).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import libcst as cst

from sandbox.display import is_default_ignorable

__all__ = ["NOT_A_LITERAL", "json_problem", "literal_value", "text_problem"]

_INT_BITS = 63
"""Integers must fit a signed 64-bit integer: what JSON readers and tool APIs hold exactly."""

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


def json_problem(value: Any) -> str | None:
    """Why ``value`` (a literal read from a source) cannot travel as JSON, or ``None``.

    The message never renders the value itself (a huge int cannot even be printed).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if not -(2**_INT_BITS) <= value < 2**_INT_BITS:
            return (
                f"an integer of {value.bit_length()} bits, outside the 64-bit range that JSON "
                "readers hold exactly"
            )
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "a float that is not finite (JSON has no inf/nan)"
    if isinstance(value, str):
        return _surrogate(value)
    return f"a {type(value).__name__}, which is not a JSON scalar"


def text_problem(text: str) -> str | None:
    """Why ``text`` (a docstring) is not clean prose for a person or a model, or ``None``.

    Refused: lone surrogates, control characters other than newline and tab, invisible format
    characters (bidirectional controls, zero-width characters) and every other character that
    displays as nothing (Hangul fillers, variation selectors: text can be hidden in a run of
    them): written as escapes in a string they are invisible in the source yet reach every
    terminal and prompt.
    """
    surrogate = _surrogate(text)
    if surrogate is not None:
        return surrogate
    if text.isascii() and text.isprintable():
        return None
    for index, char in enumerate(text):
        if char in "\n\t" or (char.isascii() and char.isprintable()):
            continue
        if is_default_ignorable(char) or (
            not char.isprintable() and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")
        ):
            return f"the character U+{ord(char):04X} at position {index}"
    return None


def _surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (
            f"a string with the lone surrogate U+{ord(text[error.start]):04X}, which is not "
            "valid Unicode"
        )
    return None
