"""Helper namespaces for skills: named functions only, returning plain data, never modules.

Raw modules leak ``sys``/``os``/builtins through public attributes (``re.enum.sys``,
``json.codecs.builtins``, ``datetime.sys``), so skills get :class:`~sandbox.guards.Namespace`
objects that carry exactly the functions listed here.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import math as _math
import re as _re
from typing import Any

from sandbox.guards import Namespace

__all__ = ["NAMESPACES"]

_MATH_NAMES = [
    "acos",
    "asin",
    "atan",
    "atan2",
    "ceil",
    "comb",
    "copysign",
    "cos",
    "degrees",
    "dist",
    "e",
    "exp",
    "fabs",
    "factorial",
    "floor",
    "fmod",
    "fsum",
    "gcd",
    "hypot",
    "inf",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isqrt",
    "lcm",
    "log",
    "log10",
    "log1p",
    "log2",
    "modf",
    "nan",
    "perm",
    "pi",
    "pow",
    "prod",
    "radians",
    "remainder",
    "sin",
    "sqrt",
    "tan",
    "tau",
    "trunc",
]


def _dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``json.dumps`` without hooks: plain JSON text of plain data."""
    return _json.dumps(value, indent=indent, sort_keys=sort_keys, allow_nan=False)


def _loads(text: str) -> Any:
    """``json.loads`` without hooks."""
    if not isinstance(text, str):
        raise TypeError("json.loads expects a str")
    return _json.loads(text)


def _flags(flags: int) -> int:
    if type(flags) is not int:
        raise TypeError("regex flags must be an int, e.g. re.IGNORECASE")
    return flags


def _match_data(match: _re.Match[str] | None) -> dict[str, Any] | None:
    if match is None:
        return None
    return {
        "match": match.group(0),
        "groups": list(match.groups()),
        "named": match.groupdict(),
        "start": match.start(),
        "end": match.end(),
    }


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return value


def _match(pattern: str, text: str, flags: int = 0) -> dict[str, Any] | None:
    """Match at the start; returns ``{"match","groups","named","start","end"}`` or ``None``."""
    return _match_data(_re.match(_text(pattern, "pattern"), _text(text, "text"), _flags(flags)))


def _search(pattern: str, text: str, flags: int = 0) -> dict[str, Any] | None:
    """Search anywhere; returns match data like ``match``."""
    return _match_data(_re.search(_text(pattern, "pattern"), _text(text, "text"), _flags(flags)))


def _fullmatch(pattern: str, text: str, flags: int = 0) -> dict[str, Any] | None:
    """Match the whole text; returns match data like ``match``."""
    return _match_data(_re.fullmatch(_text(pattern, "pattern"), _text(text, "text"), _flags(flags)))


def _findall(pattern: str, text: str, flags: int = 0) -> list[Any]:
    """All non-overlapping matches (strings, or tuples of groups as lists)."""
    found = _re.findall(_text(pattern, "pattern"), _text(text, "text"), _flags(flags))
    return [list(item) if isinstance(item, tuple) else item for item in found]


def _sub(pattern: str, repl: str, text: str, count: int = 0, flags: int = 0) -> str:
    """Replace matches with a replacement *string* (callables would receive Match objects)."""
    return _re.sub(
        _text(pattern, "pattern"),
        _text(repl, "repl"),
        _text(text, "text"),
        count=int(count),
        flags=_flags(flags),
    )


def _split(pattern: str, text: str, maxsplit: int = 0, flags: int = 0) -> list[str]:
    """Split text by a pattern."""
    return _re.split(
        _text(pattern, "pattern"), _text(text, "text"), maxsplit=int(maxsplit), flags=_flags(flags)
    )


def _date(value: str) -> _dt.date:
    return _dt.date.fromisoformat(_text(value, "date"))


def _datetime(value: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(_text(value, "datetime"))


def _today() -> str:
    """Today's date in UTC as ``YYYY-MM-DD``."""
    return _dt.datetime.now(_dt.UTC).date().isoformat()


def _now() -> str:
    """The current UTC time, to the second, as an ISO 8601 string.

    Whole seconds only: a finer clock would let a skill time what it cannot see — a tool call
    answered by the sandbox's bridge or by the verifier's fakes (telling tests from production),
    or a helper that an earlier call in the same worker left warm. Business rules need dates and
    seconds, not microseconds.
    """
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _add_days(date: str, days: int) -> str:
    """An ISO date plus ``days`` days, as an ISO date."""
    return (_date(date) + _dt.timedelta(days=int(days))).isoformat()


def _days_between(start: str, end: str) -> int:
    """Whole days from ``start`` to ``end`` (ISO dates)."""
    return (_date(end) - _date(start)).days


def _weekday(date: str) -> int:
    """Day of the week of an ISO date, Monday 0 to Sunday 6."""
    return _date(date).weekday()


def _parse(value: str) -> dict[str, int]:
    """Fields of an ISO date or datetime: year, month, day, hour, minute, second."""
    moment = _datetime(value)
    return {
        "year": moment.year,
        "month": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "minute": moment.minute,
        "second": moment.second,
    }


def _format(value: str, pattern: str) -> str:
    """Format an ISO date or datetime with ``strftime`` codes."""
    return _datetime(value).strftime(_text(pattern, "pattern"))


def _timestamp(value: str) -> float:
    """Seconds since the epoch of an ISO datetime (naive values are taken as UTC)."""
    moment = _datetime(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return moment.timestamp()


def _from_timestamp(seconds: float) -> str:
    """The UTC ISO datetime of a timestamp."""
    return _dt.datetime.fromtimestamp(float(seconds), _dt.UTC).isoformat()


NAMESPACES: dict[str, Namespace] = {
    "math": Namespace("math", {name: getattr(_math, name) for name in _MATH_NAMES}),
    "json": Namespace("json", {"dumps": _dumps, "loads": _loads}),
    "re": Namespace(
        "re",
        {
            "match": _match,
            "search": _search,
            "fullmatch": _fullmatch,
            "findall": _findall,
            "sub": _sub,
            "split": _split,
            "escape": _re.escape,
            "IGNORECASE": int(_re.IGNORECASE),
            "MULTILINE": int(_re.MULTILINE),
            "DOTALL": int(_re.DOTALL),
            "VERBOSE": int(_re.VERBOSE),
        },
    ),
    "dates": Namespace(
        "dates",
        {
            "today": _today,
            "now": _now,
            "add_days": _add_days,
            "days_between": _days_between,
            "weekday": _weekday,
            "parse": _parse,
            "format": _format,
            "timestamp": _timestamp,
            "from_timestamp": _from_timestamp,
        },
    ),
}
