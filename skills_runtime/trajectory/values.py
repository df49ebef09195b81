"""JSON values as evidence: which values are distinctive, and every place inside a value.

Data flow is found by seeing a value again: an id in one call's answer used as the next call's
argument. Only *distinctive* values count: ``1``, ``True``, ``""`` or ``"USA"`` appear everywhere
and prove nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

__all__ = ["Path", "is_distinctive", "states", "walk"]

Path = tuple[str | int, ...]


def is_distinctive(value: Any) -> bool:
    """Whether a value is specific enough that seeing it twice means data flowed.

    Identifiers (``"#W2378156"``, ``"credit_card_9513926"``, ``"4202497723"``), e-mails and longer
    phrases qualify; booleans, small numbers and short words do not.
    """
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return abs(value) >= 1000
    if isinstance(value, float):
        return abs(value) >= 1000 or value != int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) < 4:
            return False
        if any(ch.isdigit() or ch in "@#_" for ch in text):
            return True
        return len(text) >= 8
    return False


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) inside a JSON value, parents before children, in document order."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def states(answer: str, value: object) -> bool:
    """Whether the answer text states ``value`` as a whole word (``13`` in "has 13 lines", not in
    "2013"); a value must say something: no booleans, no one-letter texts."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    text = (
        value
        if isinstance(value, str)
        else (str(int(value)) if value == int(value) else str(value))
    )
    if len(text.strip()) < (1 if isinstance(value, int | float) else 2):
        return False
    start = answer.find(text)
    while start >= 0:
        before = answer[start - 1] if start else " "
        after = answer[start + len(text)] if start + len(text) < len(answer) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = answer.find(text, start + 1)
    return False
