"""A quick yes for tool arguments of the common schema shapes; every other answer is jsonschema's.

The bridge checks every tool call a skill makes against the tool's JSON Schema. ``jsonschema``
gets the answer and the message right for any schema, but walks even a two-property object
through its generic machinery (tens of microseconds a call, more than the rest of the bridge).
Tool schemas are nearly always plain: an object of typed properties, some required, perhaps
nullable (``anyOf`` with ``null``), arrays of those, enums of scalars.

:func:`plainly_valid` says ``True`` only when the arguments certainly satisfy the schema under
the keywords it knows, checked the way the JSON Schema specification defines them; for any
keyword it does not know, and for every value it is unsure of (a float where an integer is
wanted, an enum of containers), it says ``False``, which means *ask jsonschema*. So it can make
a call faster, never let through arguments that jsonschema would refuse, and never change a
message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PlainCheck", "compile_plain", "plainly_valid"]

PlainCheck = Callable[[Any], bool]
"""``plainly_valid`` of one schema, made once: ``check(value)``."""

_ANNOTATIONS = frozenset(
    ("title", "description", "default", "examples", "$comment", "$schema", "deprecated")
)
"""Keywords that say something about a value but assert nothing."""

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),  # a float like 1.0 is left to jsonschema (drafts disagree on it)
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
_SCALARS = (str, int, float, bool, type(None))


def plainly_valid(schema: Any, value: Any) -> bool:
    """Whether ``value`` (decoded JSON) certainly satisfies ``schema``; ``False``: not known.

    Compiles the schema for this one answer: callers that check many values against one schema
    keep :func:`compile_plain`'s check instead (``Tool.plain_check`` does).
    """
    return compile_plain(schema)(value)


# The schema is fixed while its values are checked, so the walk over its keywords (and every
# ``isinstance`` of its parts) is done once: :func:`compile_plain` returns a closure that walks
# only the value.


def _yes(value: Any) -> bool:
    return True


def _no(value: Any) -> bool:
    return False


def compile_plain(schema: Any) -> PlainCheck:
    """A check equal to ``lambda value: plainly_valid(schema, value)``, made once."""
    try:
        return _compile(schema)
    except RecursionError:
        return _no  # nested past the stack: jsonschema answers (as plainly_valid would say)


def _compile(schema: Any) -> PlainCheck:
    if schema is True:
        return _yes
    if not isinstance(schema, Mapping):
        return _no
    checks: list[PlainCheck] = []
    for keyword, rule in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "additionalProperties":
            checks.append(_compile_additional(rule, schema.get("properties", {})))
            continue
        compiler = _COMPILERS.get(keyword)
        if compiler is None:
            return _no
        check = compiler(rule)
        if check is _no:
            return _no
        checks.append(check)
    checks = [check for check in checks if check is not _yes]
    if not checks:
        return _yes
    if len(checks) == 1:
        return checks[0]
    return _all_of(tuple(checks))


def _all_of(checks: tuple[PlainCheck, ...]) -> PlainCheck:
    def check(value: Any) -> bool:
        return all(one(value) for one in checks)

    return check


def _compile_type(rule: Any) -> PlainCheck:
    names = (rule,) if isinstance(rule, str) else rule
    if not isinstance(names, list | tuple):
        return _no
    kinds = frozenset(
        kind for name in names if isinstance(name, str) for kind in _TYPES.get(name, ())
    )
    return lambda value: type(value) in kinds


def _compile_properties(rule: Any) -> PlainCheck:
    if not isinstance(rule, Mapping):
        return _no
    nested = {key: _compile(sub) for key, sub in rule.items()}
    nested = {key: check for key, check in nested.items() if check is not _yes}

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        for key, item in value.items():
            one = nested.get(key)
            if one is not None and not one(item):
                return False
        return True

    return check


def _compile_required(rule: Any) -> PlainCheck:
    if not isinstance(rule, list | tuple):
        return _no
    keys = tuple(rule)
    if not all(isinstance(key, str) for key in keys):
        return lambda value: type(value) is not dict
    return lambda value: type(value) is not dict or all(key in value for key in keys)


def _compile_additional(rule: Any, properties: Any) -> PlainCheck:
    if rule is True:
        return _yes
    if not isinstance(properties, Mapping):
        return lambda value: type(value) is not dict
    known = properties
    if rule is False:
        return lambda value: type(value) is not dict or all(key in known for key in value)
    if not isinstance(rule, Mapping):
        return lambda value: type(value) is not dict
    extra = _compile(rule)
    return lambda value: (
        type(value) is not dict
        or all(extra(item) for key, item in value.items() if key not in known)
    )


def _compile_items(rule: Any) -> PlainCheck:
    if not isinstance(rule, Mapping) and rule is not True:
        return _no
    item = _compile(rule)
    if item is _yes:
        return _yes
    return lambda value: type(value) is not list or all(item(one) for one in value)


def _compile_enum(rule: Any) -> PlainCheck:
    if not isinstance(rule, list | tuple):
        return _no
    options = tuple(rule)
    return lambda value: (
        type(value) in _SCALARS
        and any(type(option) is type(value) and option == value for option in options)
    )


def _compile_any_of(rule: Any) -> PlainCheck:
    if not isinstance(rule, list | tuple) or not rule:
        return _no
    branches = tuple(_compile(branch) for branch in rule)
    if _yes in branches:
        return _yes
    return lambda value: any(branch(value) for branch in branches)


_COMPILERS: dict[str, Callable[[Any], PlainCheck]] = {
    "type": _compile_type,
    "properties": _compile_properties,
    "required": _compile_required,
    "items": _compile_items,
    "enum": _compile_enum,
    "anyOf": _compile_any_of,
}
