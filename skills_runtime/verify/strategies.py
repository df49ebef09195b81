"""JSON Schema → hypothesis strategies, mixed with values observed in real trajectories.

``hypothesis-jsonschema`` does not work with current hypothesis, so the mapping is written here for
the subset of JSON Schema that skill signatures and tool declarations use: ``type`` (one or a
list), ``enum``, ``const``, ``anyOf``/``oneOf``, strings (length, pattern), integers and numbers
(bounds), arrays (items, length, uniqueness), objects (properties, required,
``additionalProperties``) and local ``$ref`` into ``$defs``. A keyword outside that subset is
ignored, which can only make generated values *less* constrained than the schema; the verifier
validates every value it generates with ``jsonschema`` before using it, so an ignored keyword costs
examples, never correctness.

Observed values make generated inputs realistic: an order id seen in a trajectory reaches the skill
far more often than a random string would, so guards and data flow are exercised, not just the
"not found" path. Inputs *near* the observed ones come third: an observed value with one small
edit (a character changed, added or dropped, a number off by a little, a list missing or
repeating an element, an object missing a key), so the skill also meets the almost-right values
real callers send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from skills_runtime.trajectory.model import canonical_json

__all__ = ["arguments_strategy", "json_values", "strategy_for_schema"]

_MAX_STRING = 12
_MAX_ITEMS = 4

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 #_-.@:/'\"\\\n\té߀中😀"
"""Characters of generated strings. A fixed alphabet, not all of Unicode: building hypothesis'
full character map costs about a second of CPU in every fresh worker process, which would be
half of a verification's budget. ASCII, quotes, escapes, whitespace and a few multi-byte
characters keep the cases that break string handling."""


def _text(*, min_size: int = 0, max_size: int = _MAX_STRING) -> st.SearchStrategy[str]:
    return st.text(alphabet=ALPHABET, min_size=min_size, max_size=max_size)


def json_values(*, max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Any JSON value, kept small (for schemas that say nothing, such as ``{}`` or ``Any``)."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-1000, 1000)
        | st.floats(allow_nan=False, allow_infinity=False, width=32)
        | _text()
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(_text(max_size=6), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def strategy_for_schema(
    schema: Mapping[str, Any] | bool,
    *,
    observed: Sequence[Any] = (),
    root: Mapping[str, Any] | None = None,
) -> st.SearchStrategy[Any]:
    """A strategy for values valid against ``schema``, favouring the ``observed`` ones.

    Args:
        schema: A JSON Schema (the subset described in the module docstring).
        observed: Values seen for this schema in real trajectories; those valid against the
            schema are drawn as often as generated ones.
        root: The document ``$ref`` pointers resolve against (defaults to ``schema``).

    Returns:
        A strategy whose values are JSON-serialisable.
    """
    if schema is True:
        schema = {}
    if schema is False:
        return st.nothing()
    base = _strategy(schema, root if root is not None else schema)
    seen = _distinct(observed)
    if not seen:
        return base
    return st.one_of(st.sampled_from(seen), st.sampled_from(seen).flatmap(_near), base)


def arguments_strategy(
    parameters_schema: Mapping[str, Any],
    *,
    observed: Mapping[str, Sequence[Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for a skill: one value per parameter of an ``object`` schema.

    Required parameters are always present; optional ones are sometimes left out so their
    defaults are exercised. Each parameter mixes its observed values in.
    """
    observed = observed or {}
    properties: Mapping[str, Any] = parameters_schema.get("properties") or {}
    required = set(parameters_schema.get("required") or ())
    fixed: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, sub in properties.items():
        strategy = strategy_for_schema(sub, observed=observed.get(name, ()), root=parameters_schema)
        (fixed if name in required else optional)[name] = strategy
    return st.fixed_dictionaries(fixed, optional=optional)


def _near(value: Any) -> st.SearchStrategy[Any]:
    """Values one small edit away from an observed ``value`` (same type)."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int):
        return st.integers(-3, 3).map(lambda delta: value + delta)
    if isinstance(value, float):
        return st.floats(-0.5, 0.5, allow_nan=False).map(lambda delta: value * (1 + delta))
    if isinstance(value, str):
        return _edited_text(value)
    if isinstance(value, list) and value:
        indices = st.integers(0, len(value) - 1)
        return st.one_of(
            indices.map(lambda i: value[:i] + value[i + 1 :]),  # one element fewer
            indices.map(lambda i: [*value[: i + 1], value[i], *value[i + 1 :]]),  # repeated
            st.just(list(reversed(value))),
        )
    if isinstance(value, dict) and value:
        keys = sorted(value)
        return st.sampled_from(keys).map(lambda k: {key: v for key, v in value.items() if key != k})
    return st.just(value)


def _edited_text(value: str) -> st.SearchStrategy[str]:
    characters = st.sampled_from(ALPHABET)
    if not value:
        return characters
    positions = st.integers(0, len(value) - 1)
    return st.one_of(
        st.tuples(positions, characters).map(lambda p: value[: p[0]] + p[1] + value[p[0] + 1 :]),
        st.tuples(positions, characters).map(lambda p: value[: p[0]] + p[1] + value[p[0] :]),
        positions.map(lambda i: value[:i] + value[i + 1 :]),
        st.just(value.upper() if value != value.upper() else value.lower()),
        st.just(value.strip() if value != value.strip() else f" {value} "),
    )


def _distinct(values: Sequence[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(canonical_json(value), value)
    # Sorted by spelling so the strategy does not depend on the order trajectories were read in.
    return [seen[key] for key in sorted(seen)]


def _strategy(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return _strategy(_resolve(schema["$ref"], root), root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches = [
                _strategy(_merge(schema, branch, keyword), root) for branch in schema[keyword]
            ]
            return st.one_of(branches)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_strategy({**schema, "type": one}, root) for one in kind])
    if kind is None:
        kind = _implied_type(schema)
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        return json_values()
    return builder(schema, root)


def _merge(parent: Mapping[str, Any], branch: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    # Sibling keywords (a description, a default) apply to every branch.
    merged = {key: value for key, value in parent.items() if key not in (keyword, "default")}
    merged.update(branch)
    return merged


def _implied_type(schema: Mapping[str, Any]) -> str | None:
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        return {}  # remote references are never fetched: any value is drawn, then validated
    node: Any = root
    for part in ref[2:].split("/"):
        node = (
            node.get(part.replace("~1", "/").replace("~0", "~"), {})
            if isinstance(node, Mapping)
            else {}
        )
    return node if isinstance(node, Mapping) else {}


def _string(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    min_size = int(schema.get("minLength", 0))
    max_size = int(schema.get("maxLength", max(min_size, _MAX_STRING)))
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], alphabet=ALPHABET).filter(
            lambda s: min_size <= len(s) <= max_size
        )
    return _text(min_size=min_size, max_size=max_size)


def _integer(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + 1
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - 1
    low = None if low is None else int(-(-low // 1))  # ceil for a float bound
    high = None if high is None else int(high // 1)
    return st.integers(min_value=low, max_value=high)


def _number(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    return st.floats(
        min_value=low,
        max_value=high,
        exclude_min="exclusiveMinimum" in schema and "minimum" not in schema,
        exclude_max="exclusiveMaximum" in schema and "maximum" not in schema,
        allow_nan=False,
        allow_infinity=False,
    ) | (st.integers(min_value=_int_bound(low, up=True), max_value=_int_bound(high, up=False)))


def _int_bound(bound: Any, *, up: bool) -> int | None:
    if bound is None:
        return None
    whole = int(bound // 1)
    # Integers are valid numbers; stay strictly inside exclusive float bounds.
    return whole + 1 if up else (whole if whole < bound else whole - 1)


def _array(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    items = schema.get("items", {})
    element = _strategy(items if isinstance(items, Mapping) else {}, root)
    min_size = int(schema.get("minItems", 0))
    max_size = int(schema.get("maxItems", max(min_size, _MAX_ITEMS)))
    if schema.get("uniqueItems"):
        return st.lists(element, min_size=min_size, max_size=max_size, unique_by=canonical_json)
    return st.lists(element, min_size=min_size, max_size=max_size)


def _object(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    fixed = {name: _strategy(sub, root) for name, sub in properties.items() if name in required}
    optional = {
        name: _strategy(sub, root) for name, sub in properties.items() if name not in required
    }
    for name in required - set(properties):
        fixed[name] = json_values()
    known = st.fixed_dictionaries(fixed, optional=optional)
    extra = schema.get("additionalProperties")
    if not isinstance(extra, Mapping):
        # Absent or boolean: no extra keys; generated objects stay as small as the schema allows.
        return known
    keys = _text(min_size=1, max_size=8).filter(lambda key: key not in properties)
    extras = st.dictionaries(keys, _strategy(extra, root), max_size=3)
    return st.tuples(known, extras).map(lambda pair: {**pair[1], **pair[0]})


def _null(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    return st.none()


def _boolean(schema: Mapping[str, Any], root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    return st.booleans()


_BUILDERS = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
    "array": _array,
    "object": _object,
}
