"""The bridge's quick schema check: it may only say yes where jsonschema says yes."""

from __future__ import annotations

from typing import Any

import jsonschema
from hypothesis import assume, given
from hypothesis import strategies as st

from sandbox import Tool
from sandbox.schema_fast import compile_plain, plainly_valid

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), children, max_size=3)
    ),
    max_leaves=8,
)
_type_names = st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array"])
_schemas = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "type": _type_names | st.lists(_type_names, min_size=1, max_size=3),
            "enum": st.lists(st.none() | st.booleans() | st.integers(-2, 2) | st.text(max_size=2)),
            "description": st.text(max_size=3),
            "minimum": st.integers(-3, 3),
        },
    )
    | st.just(True),
    lambda children: st.fixed_dictionaries(
        {},
        optional={
            "type": st.just("object"),
            "properties": st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=3),
            "required": st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True),
            "additionalProperties": st.booleans() | children,
            "items": children,
            "anyOf": st.lists(children, min_size=1, max_size=3),
        },
    ),
    max_leaves=6,
)


def _valid(schema: Any, value: Any) -> bool:
    return jsonschema.validators.validator_for(schema)(schema).is_valid(value)


@given(_schemas, _json)
def test_a_quick_yes_is_always_a_yes_of_jsonschema(schema: Any, value: Any) -> None:
    if plainly_valid(schema, value):
        assert _valid(schema, value)


@given(_json)
def test_schemas_it_does_not_know_are_left_to_jsonschema(value: Any) -> None:
    for schema in (
        {"type": "string", "pattern": "^a"},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}},
        {"oneOf": [{"type": "string"}]},
        {"type": "array", "items": [{"type": "string"}]},
    ):
        assert not plainly_valid(schema, value)


def test_arguments_of_a_plain_tool_schema_are_known_valid() -> None:
    schema = {
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "description": "the order"},
            "quantity": {"type": "integer"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
        },
        "required": ["order_id"],
        "additionalProperties": False,
    }
    assert plainly_valid(schema, {"order_id": "A1", "quantity": 2, "note": None, "tags": ["a"]})


def test_values_it_is_unsure_of_are_left_to_jsonschema() -> None:
    integer = {"type": "integer"}
    assert not plainly_valid(integer, 1.0)  # drafts differ; jsonschema decides
    assert not plainly_valid(integer, True)  # a boolean is not an integer
    assert not plainly_valid({"enum": [1]}, True)  # True == 1 in Python, not in JSON
    assert not plainly_valid({"enum": [[1]]}, [1])
    assert not plainly_valid({"type": "object", "additionalProperties": False}, {"x": 1})


_odd_rules = st.none() | st.integers() | st.text(max_size=2) | st.lists(st.integers(), max_size=2)


@given(
    st.dictionaries(
        st.sampled_from(["type", "properties", "required", "items", "enum", "anyOf", "not"]),
        _odd_rules,
        max_size=3,
    ),
    _json,
)
def test_rules_of_odd_shapes_get_no_wrong_yes(schema: Any, value: Any) -> None:
    # A tool's schema is checked against the meta-schema when the tool is made: only valid
    # schemas ever reach the quick check.
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.exceptions.SchemaError:
        assume(False)
    if compile_plain(schema)(value):
        assert _valid(schema, value)


def test_a_tool_compiles_its_schema_once() -> None:
    tool = Tool("t", lambda a: a, {"type": "object", "properties": {"a": {"type": "string"}}})
    assert tool.plain_check is tool.plain_check
    assert tool.plain_check({"a": "x"})
    assert not tool.plain_check({"a": 1})
