"""JSON Schema → strategy mapping: every generated value is valid against its schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.verify.strategies import arguments_strategy, strategy_for_schema

SCHEMAS: list[dict[str, Any]] = [
    {"type": "string"},
    {"type": "string", "minLength": 2, "maxLength": 5},
    {"type": "string", "pattern": "^#W[0-9]{7}$"},
    {"type": "integer", "minimum": -3, "maximum": 40},
    {"type": "integer", "exclusiveMinimum": 0},
    {"type": "number", "minimum": 0.5, "exclusiveMaximum": 10},
    {"type": "boolean"},
    {"type": "null"},
    {"type": ["string", "null"]},
    {"enum": ["pending", "delivered", 3]},
    {"const": "fixed"},
    {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "string"}}]},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    {"type": "array", "items": {"enum": [1, 2, 3, 4]}, "uniqueItems": True},
    {
        "type": "object",
        "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["id"],
        "additionalProperties": False,
    },
    {"type": "object", "additionalProperties": {"type": "number"}},
    {
        "type": "object",
        "properties": {"item": {"$ref": "#/$defs/item"}},
        "required": ["item"],
        "$defs": {"item": {"type": "object", "properties": {"sku": {"type": "string"}}}},
    },
    {},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: str(schema)[:40])
@settings(max_examples=25)
@given(data=st.data())
def test_generated_values_are_valid_against_their_schema(
    schema: dict[str, Any], data: st.DataObject
) -> None:
    value = data.draw(strategy_for_schema(schema))
    jsonschema.validate(value, schema)


@settings(max_examples=30)
@given(data=st.data())
def test_arguments_always_hold_required_parameters_and_valid_values(data: st.DataObject) -> None:
    schema = {
        "type": "object",
        "properties": {
            "order_id": {"type": "string"},
            "item_ids": {"type": "array", "items": {"type": "string"}},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
        "required": ["order_id", "item_ids"],
    }
    arguments = data.draw(arguments_strategy(schema, observed={"order_id": ["#W0000001"]}))
    assert {"order_id", "item_ids"} <= set(arguments)
    jsonschema.validate(arguments, schema)


def test_observed_values_are_drawn_as_they_were_seen() -> None:
    strategy = strategy_for_schema({"type": "string"}, observed=["#W2378156"])
    seen: set[str] = set()

    @settings(max_examples=60, database=None)
    @given(strategy)
    def collect(value: str) -> None:
        seen.add(value)

    collect()
    assert "#W2378156" in seen


def test_a_false_schema_generates_nothing() -> None:
    assert strategy_for_schema(False).is_empty
