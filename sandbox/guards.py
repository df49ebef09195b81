"""Guards RestrictedPython calls for attribute, item, write, iteration and in-place operations.

Attribute access is default-deny: an attribute is readable only when it is listed for the exact
type of the object (str, list, dict... methods), or the object is one of the sandbox's own
namespaces or tool objects. Functions, types, modules, generators, frames and everything else
expose no attributes at all, so ``__globals__``/``gi_frame``/``mro`` walks end at the first dot.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from sandbox.proxy import SkillTools

__all__ = [
    "GUARDS",
    "Namespace",
    "guarded_getattr",
    "guarded_getitem",
    "guarded_hasattr",
    "guarded_write",
]

_STR = frozenset(
    [
        "capitalize",
        "casefold",
        "center",
        "count",
        "endswith",
        "expandtabs",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isascii",
        "isdecimal",
        "isdigit",
        "isidentifier",
        "islower",
        "isnumeric",
        "isprintable",
        "isspace",
        "istitle",
        "isupper",
        "join",
        "ljust",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rfind",
        "rindex",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
        "zfill",
    ]
)
_LIST = frozenset(
    [
        "append",
        "clear",
        "copy",
        "count",
        "extend",
        "index",
        "insert",
        "pop",
        "remove",
        "reverse",
        "sort",
    ]
)
_DICT = frozenset(
    ["clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"]
)
_SET = frozenset(
    [
        "add",
        "clear",
        "copy",
        "difference",
        "difference_update",
        "discard",
        "intersection",
        "intersection_update",
        "isdisjoint",
        "issubset",
        "issuperset",
        "pop",
        "remove",
        "symmetric_difference",
        "symmetric_difference_update",
        "union",
        "update",
    ]
)
_FROZENSET = frozenset(
    [
        "copy",
        "difference",
        "intersection",
        "isdisjoint",
        "issubset",
        "issuperset",
        "symmetric_difference",
        "union",
    ]
)
_INT = frozenset(
    ["bit_length", "bit_count", "conjugate", "denominator", "imag", "numerator", "real"]
)
_FLOAT = frozenset(["as_integer_ratio", "conjugate", "imag", "is_integer", "real"])

_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: _STR,
    list: _LIST,
    dict: _DICT,
    set: _SET,
    frozenset: _FROZENSET,
    tuple: frozenset({"count", "index"}),
    int: _INT,
    bool: _INT,
    float: _FLOAT,
    range: frozenset({"start", "stop", "step", "count", "index"}),
}

_MISSING = object()


class Namespace:
    """A small read-only object carrying named helper functions (never a raw module).

    Args:
        name: How the namespace is called inside skills, for messages.
        members: The names and values skill code may read.
    """

    __slots__ = ("_members", "_name")

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        self._name = name
        self._members = dict(members)

    def lookup(self, attr: str) -> Any:
        """Return a member or raise ``AttributeError`` naming what exists."""
        try:
            return self._members[attr]
        except KeyError:
            raise AttributeError(
                f"{self._name} has no helper {attr!r}; available: {sorted(self._members)}"
            ) from None

    def members(self) -> tuple[Any, ...]:
        """Every member (for the harness; skill code reaches members by name only)."""
        return tuple(self._members.values())

    def __repr__(self) -> str:
        return f"<{self._name} helpers>"


def guarded_getattr(obj: object, name: object, default: Any = _MISSING) -> Any:
    """Read an attribute that is explicitly allowed, else raise ``AttributeError``."""
    if type(name) is not str:
        raise TypeError("attribute names must be strings")
    try:
        return _getattr(obj, name)
    except AttributeError:
        if default is _MISSING:
            raise
        return default


def _getattr(obj: object, name: str) -> Any:
    kind = type(obj)
    if not name.startswith("_"):
        if kind is Namespace:
            return obj.lookup(name)  # type: ignore[attr-defined]
        if kind is SkillTools:
            return obj.lookup_tool(name)  # type: ignore[attr-defined]
        allowed = _ATTRIBUTES.get(kind)
        if allowed is not None and name in allowed:
            return getattr(obj, name)
        if isinstance(obj, BaseException) and name == "args":
            return obj.args
    raise AttributeError(f"attribute {name!r} of {kind.__name__} is not available in skills")


def guarded_hasattr(obj: object, name: object) -> bool:
    """``hasattr`` that answers for the guarded view of the object."""
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


_ITEM_TYPES = (dict, list, tuple, str, range)


def guarded_getitem(obj: object, key: object) -> Any:
    """Index or slice a plain data value."""
    if type(obj) not in _ITEM_TYPES:
        raise TypeError(f"{type(obj).__name__} values cannot be indexed in skills")
    return obj[key]  # type: ignore[index]


def guarded_write(obj: object) -> Any:
    """Allow item assignment and deletion on dicts and lists only (never on other objects)."""
    if type(obj) in (dict, list):
        return obj
    raise TypeError(f"{type(obj).__name__} values cannot be modified in skills")


def guarded_iter(obj: object) -> Iterator[Any]:
    """Iterate a value (objects without attributes leak nothing through iteration)."""
    return iter(obj)  # type: ignore[call-overload, no-any-return]


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}


def guarded_inplace(op: str, target: Any, value: Any) -> Any:
    """Apply an augmented assignment operator."""
    return _INPLACE[op](target, value)


def guarded_apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call with star-arguments (the guards already apply inside ``function``)."""
    return function(*args, **kwargs)


#: Names RestrictedPython's transformed code expects in its globals.
GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_write_": guarded_write,
    "_getiter_": guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": guarded_inplace,
    "_apply_": guarded_apply,
}
