"""Strict-mode schemas: the JSON Schema subsets OpenAI and Anthropic enforce with ``strict: true``.

OpenAI strict function calling requires, in every object: ``additionalProperties: false``, every
property listed in ``required``, and only a small set of keywords. So an optional parameter becomes
required *and nullable*, and a ``null`` sent for it means "use the default"
(:func:`restore_defaults` undoes the mapping before a call runs). Keywords outside the subset
(``default``, ``minLength``, ``pattern``, ``format``, ...) move into the description, where the
model still reads them.

Some schemas have no strict form: a free-form map (``dict[str, X]``) or an untyped value (``Any``).
Such a tool is exported non-strict, and :class:`StrictSchema` says why.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "OPENAI_STRICT_KEYWORDS",
    "StrictSchema",
    "anthropic_strict",
    "openai_strict",
    "openai_strict_violations",
    "restore_defaults",
]

#: Keywords OpenAI strict mode accepts (everything else moves into descriptions).
OPENAI_STRICT_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "description",
        "title",
        "$ref",
        "$defs",
    }
)
#: Keywords Anthropic strict tool use does not enforce (moved into descriptions).
_ANTHROPIC_UNSUPPORTED = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)


@dataclass(frozen=True)
class StrictSchema:
    """The outcome of a strict conversion.

    Attributes:
        schema: The converted schema (the loose original when ``strict`` is False).
        strict: Whether ``schema`` satisfies the provider's strict rules.
        reason: Why no strict form exists (empty when ``strict``).
    """

    schema: dict[str, Any]
    strict: bool
    reason: str = ""


class _NoStrictForm(Exception):
    pass


def openai_strict(schema: Mapping[str, Any]) -> StrictSchema:
    """Convert a parameters schema to OpenAI's strict subset (or say why it has none)."""
    try:
        converted = _openai_node(copy.deepcopy(dict(schema)), path="parameters")
    except _NoStrictForm as error:
        return StrictSchema(copy.deepcopy(dict(schema)), strict=False, reason=str(error))
    return StrictSchema(converted, strict=True)


def _openai_node(node: dict[str, Any], *, path: str) -> dict[str, Any]:
    if not node:
        raise _NoStrictForm(f"{path} accepts any JSON value, which strict mode cannot express")
    moved = {key: node.pop(key) for key in list(node) if key not in OPENAI_STRICT_KEYWORDS}
    if "anyOf" in node:
        node["anyOf"] = [
            _openai_node(dict(option), path=f"{path}|{index}")
            for index, option in enumerate(node["anyOf"])
        ]
    if node.get("type") == "array" or "items" in node:
        items = node.get("items")
        if not isinstance(items, dict):
            raise _NoStrictForm(f"{path} is an array without a typed item schema")
        node["items"] = _openai_node(dict(items), path=f"{path}[]")
    if node.get("type") == "object":
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        if not properties and extra not in (None, False):
            raise _NoStrictForm(f"{path} is a map with free keys, which strict mode cannot express")
        properties = dict(properties or {})
        required = set(node.get("required", ()))
        converted: dict[str, Any] = {}
        for key, value in properties.items():
            child = _openai_node(dict(value), path=f"{path}.{key}")
            converted[key] = child if key in required else _nullable(child)
        node["properties"] = converted
        node["required"] = list(converted)
        node["additionalProperties"] = False
    _describe(node, moved)
    return node


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """The schema accepting also ``null`` (an optional parameter, made required)."""
    if _accepts_null(node):
        return node
    description = node.pop("description", None)
    if "enum" in node and isinstance(node.get("type"), str):
        node = {**node, "type": [node["type"], "null"], "enum": [*node["enum"], None]}
    elif isinstance(node.get("type"), str) and set(node) == {"type"}:
        node = {"type": [node["type"], "null"]}
    elif "anyOf" in node:
        node = {**node, "anyOf": [*node["anyOf"], {"type": "null"}]}
    else:
        node = {"anyOf": [node, {"type": "null"}]}
    if description is not None:
        node["description"] = description
    return node


def _accepts_null(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_accepts_null(option) for option in node.get("anyOf", ()))


def _describe(node: dict[str, Any], moved: Mapping[str, Any]) -> None:
    if not moved:
        return
    notes = []
    for key, value in moved.items():
        if key == "default":
            notes.append(f"default (when null): {_show(value)}")
        else:
            notes.append(f"{key}: {_show(value)}")
    text = "; ".join(notes)
    existing = node.get("description")
    node["description"] = f"{existing} ({text})" if existing else f"({text})"


def _show(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def openai_strict_violations(schema: Mapping[str, Any], *, path: str = "parameters") -> list[str]:
    """Every way ``schema`` breaks OpenAI's strict-mode rules (empty when it complies).

    The rules: the root is an object; every object lists all its properties in ``required`` and
    has ``additionalProperties: false``; only keywords of :data:`OPENAI_STRICT_KEYWORDS`; every
    node has a ``type``, ``anyOf``, ``enum``, ``const`` or ``$ref``; arrays have typed ``items``.
    """
    problems: list[str] = []
    if path == "parameters" and schema.get("type") != "object":
        problems.append(f"{path}: the root must be a JSON object schema")
    _violations(schema, path, problems)
    return problems


def _violations(node: Mapping[str, Any], path: str, problems: list[str]) -> None:
    for key in node:
        if key not in OPENAI_STRICT_KEYWORDS:
            problems.append(f"{path}: keyword {key!r} is not supported in strict mode")
    if not any(key in node for key in ("type", "anyOf", "enum", "const", "$ref")):
        problems.append(f"{path}: needs a type (strict mode has no 'any value')")
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds:
        properties = node.get("properties")
        if not isinstance(properties, Mapping):
            problems.append(f"{path}: an object needs 'properties'")
            properties = {}
        if node.get("additionalProperties") is not False:
            problems.append(f"{path}: an object needs additionalProperties: false")
        required = node.get("required")
        if not isinstance(required, list) or set(required) != set(properties):
            problems.append(f"{path}: 'required' must list every property: {sorted(properties)}")
        for key, child in properties.items():
            _violations(child, f"{path}.{key}", problems)
    if "array" in kinds:
        items = node.get("items")
        if not isinstance(items, Mapping):
            problems.append(f"{path}: an array needs an 'items' schema")
        else:
            _violations(items, f"{path}[]", problems)
    for index, option in enumerate(node.get("anyOf", ())):
        _violations(option, f"{path}|{index}", problems)


def anthropic_strict(schema: Mapping[str, Any]) -> StrictSchema:
    """Convert a parameters schema for Anthropic strict tool use (``strict: true`` on the tool).

    Objects get ``additionalProperties: false``; constraint keywords Anthropic does not enforce
    move into descriptions; optional parameters stay optional (Anthropic does not require them).
    """
    try:
        converted = _anthropic_node(copy.deepcopy(dict(schema)), path="input_schema")
    except _NoStrictForm as error:
        return StrictSchema(copy.deepcopy(dict(schema)), strict=False, reason=str(error))
    return StrictSchema(converted, strict=True)


def _anthropic_node(node: dict[str, Any], *, path: str) -> dict[str, Any]:
    if not node:
        raise _NoStrictForm(f"{path} accepts any JSON value, which strict mode cannot express")
    moved = {key: node.pop(key) for key in list(node) if key in _ANTHROPIC_UNSUPPORTED}
    if "anyOf" in node:
        node["anyOf"] = [_anthropic_node(dict(o), path=path) for o in node["anyOf"]]
    if isinstance(node.get("items"), dict):
        node["items"] = _anthropic_node(dict(node["items"]), path=f"{path}[]")
    if node.get("type") == "object":
        properties = node.get("properties")
        if not properties and node.get("additionalProperties") not in (None, False):
            raise _NoStrictForm(f"{path} is a map with free keys, which strict mode cannot express")
        node["properties"] = {
            key: _anthropic_node(dict(value), path=f"{path}.{key}")
            for key, value in (properties or {}).items()
        }
        node["additionalProperties"] = False
    _describe(node, moved)
    return node


def restore_defaults(
    arguments: Mapping[str, Any],
    schema: Mapping[str, Any],
    *,
    mode: Literal["strict", "loose"] = "strict",
) -> dict[str, Any]:
    """Undo the strict mapping: drop ``null`` sent for an optional parameter that rejects null.

    The parameter then takes its default when the call runs. A parameter whose own schema accepts
    ``null`` keeps the ``null`` (it means null). ``mode="loose"`` returns the arguments unchanged.
    """
    if mode == "loose":
        return dict(arguments)
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    restored: dict[str, Any] = {}
    for key, value in arguments.items():
        declared = properties.get(key)
        if value is None and key not in required and declared and not _accepts_null(declared):
            continue
        restored[key] = value
    return restored
