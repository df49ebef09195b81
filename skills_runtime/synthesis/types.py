"""Types of parameters and results: observed JSON values joined over a small lattice.

The lattice is the allow-list the static checker accepts in skill signatures::

    Any
     ├── T | None            (optional: None joined with anything)
     ├── float ── int        (int ⊔ float = float)
     ├── str ── Literal[...] (a JSON-schema enum narrows str to its members)
     ├── bool
     ├── list[T]             (elements joined)
     └── dict[str, T]        (values joined; records of mixed fields become dict[str, Any])

Anything else joins to ``Any``. JSON schemas of tool arguments refine the observed type: an
``enum`` becomes ``Literal[...]`` with every member the schema allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["JsonType", "admits", "join", "of_schema", "of_value", "of_values", "refine"]


@dataclass(frozen=True)
class JsonType:
    """A type expression of the allow-list. ``kind`` is one of
    ``never any none str int float bool literal list dict optional``."""

    kind: str
    args: tuple[JsonType, ...] = ()
    literals: tuple[str | int, ...] = ()

    def render(self) -> str:
        """The annotation as source: ``list[str]``, ``Literal["a", "b"]``, ``str | None``."""
        if self.kind in ("never", "any"):
            return "Any"
        if self.kind in ("str", "int", "float", "bool"):
            return self.kind
        if self.kind == "none":
            return "None"
        if self.kind == "literal":
            return "Literal[" + ", ".join(_literal(value) for value in self.literals) + "]"
        if self.kind == "list":
            return f"list[{self.args[0].render()}]"
        if self.kind == "dict":
            return f"dict[str, {self.args[0].render()}]"
        inner = self.args[0]
        return f"{inner.render()} | None" if inner.kind not in ("any", "never") else "Any"


def _literal(value: str | int) -> str:
    return (
        repr(value).replace("'", '"')
        if isinstance(value, str) and '"' not in value
        else repr(value)
    )


NEVER = JsonType("never")
ANY = JsonType("any")
NONE = JsonType("none")


def of_value(value: Any) -> JsonType:
    """The most precise type of one JSON value."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return JsonType("bool")
    if isinstance(value, int):
        return JsonType("int")
    if isinstance(value, float):
        return JsonType("float")
    if isinstance(value, str):
        return JsonType("str")
    if isinstance(value, list):
        return JsonType("list", (_join_all(value),))
    if isinstance(value, dict):
        return JsonType("dict", (_join_all(value.values()),))
    return ANY


def _join_all(values: Iterable[Any]) -> JsonType:
    # Empty collections have elements of the bottom type, so [] joins with [1] to list[int].
    result = NEVER
    for value in values:
        result = join(result, of_value(value))
    return result


def of_values(values: Iterable[Any]) -> JsonType:
    """The join of the types of every value (``Any`` for none at all)."""
    result = _join_all(values)
    return ANY if result.kind == "never" else result


def join(left: JsonType, right: JsonType) -> JsonType:
    """The least upper bound of two types in the lattice."""
    if left == right:
        return left
    if left.kind == "never":
        return right
    if right.kind == "never":
        return left
    if ANY in (left, right):
        return ANY
    if left.kind == "none" or right.kind == "none":
        other = right if left.kind == "none" else left
        if other.kind == "optional":
            return other
        return JsonType("optional", (other,))
    if left.kind == "optional" or right.kind == "optional":
        inner_left = left.args[0] if left.kind == "optional" else left
        inner_right = right.args[0] if right.kind == "optional" else right
        inner = join(inner_left, inner_right)
        return inner if inner.kind == "any" else JsonType("optional", (inner,))
    if {left.kind, right.kind} == {"int", "float"}:
        return JsonType("float")
    if left.kind == "literal" and right.kind == "literal":
        merged = tuple(dict.fromkeys(left.literals + right.literals))
        return JsonType("literal", literals=merged)
    if {left.kind, right.kind} == {"literal", "str"}:
        return JsonType("str")
    if left.kind == right.kind and left.kind in ("list", "dict"):
        return JsonType(left.kind, (join(left.args[0], right.args[0]),))
    return ANY


def of_schema(schema: Mapping[str, Any]) -> JsonType | None:
    """The type a JSON schema declares, when it declares one this lattice can say."""
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        members = schema["enum"]
        if all(
            isinstance(m, str) or (isinstance(m, int) and not isinstance(m, bool)) for m in members
        ):
            return JsonType("literal", literals=tuple(members))
    alternatives = schema.get("anyOf", schema.get("oneOf"))
    if isinstance(alternatives, list) and alternatives:
        # ``anyOf: [X, {"type": "null"}]`` is how pydantic and MCP servers write ``X | None``.
        real = [a for a in alternatives if not (isinstance(a, Mapping) and a.get("type") == "null")]
        if len(real) == 1 and isinstance(real[0], Mapping):
            inner = of_schema(real[0])
            if inner is None:
                return None
            return JsonType("optional", (inner,)) if len(real) < len(alternatives) else inner
        return None
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind and len(kind) == 2:
        inner = of_schema({**schema, "type": next(k for k in kind if k != "null")})
        return JsonType("optional", (inner,)) if inner is not None else None
    simple = {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "null": "none",
    }
    if isinstance(kind, str) and kind in simple:
        return JsonType(simple[kind])
    if kind == "array":
        items = schema.get("items")
        inner = of_schema(items) if isinstance(items, Mapping) else None
        return JsonType("list", (inner or ANY,))
    if kind == "object":
        return JsonType("dict", (ANY,))
    return None


def refine(values: Iterable[Any], schema: Mapping[str, Any] | None) -> JsonType:
    """The type of observed values, sharpened by what the tool's schema declares.

    The schema wins when it admits every observed value (it knows enum members and number kinds
    the sample never showed); otherwise the observed join stands.
    """
    seen = list(values)
    observed = of_values(seen)
    declared = of_schema(schema) if schema else None
    if declared is not None and declared.kind == "optional" and None not in seen:
        declared = declared.args[0]  # every trace passed a value: the parameter takes one
    if declared is None or declared.kind == "any":
        return observed
    if declared.kind in ("list", "dict") and declared.args[0].kind == "any":
        return observed if observed.kind == declared.kind else declared
    if all(admits(declared, value) for value in seen):
        return declared
    return observed


def admits(annotation: JsonType, value: Any) -> bool:
    """Whether a JSON value belongs to the type."""
    kind = annotation.kind
    if kind == "any":
        return True
    if kind == "never":
        return False
    if kind == "optional":
        return value is None or admits(annotation.args[0], value)
    if kind == "literal":
        return not isinstance(value, bool) and value in annotation.literals
    if kind == "list":
        return isinstance(value, list) and all(admits(annotation.args[0], v) for v in value)
    if kind == "dict":
        return isinstance(value, dict) and all(
            isinstance(k, str) and admits(annotation.args[0], v) for k, v in value.items()
        )
    return join(annotation, of_value(value)) == annotation
