"""Strict-mode conversions, the strict-rule checker, null → default mapping, provider-safe names."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.errors import UnknownSkill
from skills_runtime.export.names import TOOL_NAME, NameMap, tool_name
from skills_runtime.export.strict import (
    anthropic_strict,
    openai_strict,
    openai_strict_violations,
    restore_defaults,
)

SKILL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "description": "The order.", "pattern": "^#W"},
        "reason": {"type": "string", "enum": ["no longer needed", "mistake"]},
        "item_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "limit": {"type": "integer", "default": 3, "minimum": 1},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
    },
    "required": ["order_id", "reason", "item_ids"],
    "additionalProperties": False,
}


def test_openai_strict_makes_every_property_required_and_optional_ones_nullable() -> None:
    result = openai_strict(SKILL_SCHEMA)
    assert result.strict
    schema = result.schema
    assert schema["required"] == list(SKILL_SCHEMA["properties"])
    assert schema["properties"]["limit"]["type"] == ["integer", "null"]
    assert schema["properties"]["mode"]["enum"] == ["a", "b", None]
    assert schema["properties"]["order_id"]["type"] == "string"  # required stays non-null
    assert openai_strict_violations(schema) == []


def test_unsupported_keywords_move_into_descriptions() -> None:
    schema = openai_strict(SKILL_SCHEMA).schema
    assert "pattern" not in schema["properties"]["order_id"]
    assert 'pattern: "^#W"' in schema["properties"]["order_id"]["description"]
    assert "default (when null): 3" in schema["properties"]["limit"]["description"]
    assert "minItems: 1" in schema["properties"]["item_ids"]["description"]


def test_the_checker_names_each_broken_rule() -> None:
    problems = openai_strict_violations(SKILL_SCHEMA)
    assert any("'required' must list every property" in p for p in problems)
    assert any("keyword 'pattern'" in p for p in problems)
    assert any("keyword 'default'" in p for p in problems)
    loose = {"type": "object", "properties": {"x": {}}, "required": ["x"]}
    problems = openai_strict_violations(loose)
    assert any("additionalProperties: false" in p for p in problems)
    assert any("parameters.x: needs a type" in p for p in problems)
    assert openai_strict_violations({"type": "array", "items": {"type": "string"}}) == [
        "parameters: the root must be a JSON object schema"
    ]


def test_free_form_maps_have_no_strict_form_and_say_why() -> None:
    schema = {
        "type": "object",
        "properties": {"extra": {"type": "object", "additionalProperties": {"type": "string"}}},
        "required": ["extra"],
        "additionalProperties": False,
    }
    result = openai_strict(schema)
    assert not result.strict
    assert "map with free keys" in result.reason
    assert result.schema == schema
    assert not anthropic_strict(schema).strict


def test_anthropic_strict_keeps_optional_parameters_optional() -> None:
    result = anthropic_strict(SKILL_SCHEMA)
    assert result.strict
    assert result.schema["required"] == SKILL_SCHEMA["required"]
    assert result.schema["additionalProperties"] is False
    assert "minimum" not in result.schema["properties"]["limit"]
    assert result.schema["properties"]["order_id"]["pattern"] == "^#W"


def test_null_for_an_optional_parameter_maps_back_to_its_default() -> None:
    sent = {"order_id": "#W1", "reason": "mistake", "item_ids": ["1"], "limit": None, "note": None}
    restored = restore_defaults(sent, SKILL_SCHEMA)
    assert "limit" not in restored  # the default applies
    assert restored["note"] is None  # null is a real value of a nullable parameter
    assert restore_defaults(sent, SKILL_SCHEMA, mode="loose") == sent


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@st.composite
def property_schemas(draw: st.DrawFn) -> dict[str, Any]:
    leaf = draw(
        st.sampled_from(
            [
                {"type": "string"},
                {"type": "integer", "minimum": 0},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "string", "enum": ["x", "y"]},
                {"type": "array", "items": {"type": "string"}},
                {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            ]
        )
    )
    if draw(st.booleans()):
        leaf = {**leaf, "description": draw(st.text(max_size=10))}
    return leaf


@st.composite
def object_schemas(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), unique=True, max_size=5))
    properties = {name: draw(property_schemas()) for name in names}
    required = [name for name in names if draw(st.booleans())]
    for name in names:
        if name not in required and draw(st.booleans()):
            properties[name]["default"] = None if "anyOf" in properties[name] else "d"
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


@given(object_schemas())
def test_every_typed_schema_converts_to_one_that_passes_the_strict_checker(
    schema: dict[str, Any],
) -> None:
    result = openai_strict(schema)
    assert result.strict
    assert openai_strict_violations(result.schema) == []
    jsonschema.Draft202012Validator.check_schema(result.schema)


@given(object_schemas(), st.data())
def test_arguments_valid_for_the_original_stay_valid_for_the_strict_schema(
    schema: dict[str, Any], data: st.DataObject
) -> None:
    strict = openai_strict(schema).schema
    arguments = {
        name: None for name in schema["properties"] if name not in schema["required"]
    }  # a strict model sends null for what it leaves out
    for name in schema["required"]:
        prop = schema["properties"][name]
        arguments[name] = _example(prop, data)
    jsonschema.validate(arguments, strict)


def _example(schema: dict[str, Any], data: st.DataObject) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    values = {
        "string": "s",
        "integer": 1,
        "number": 1.5,
        "boolean": True,
        "array": ["s"],
    }
    return values.get(kind) if kind else None


@given(st.text(min_size=1, max_size=200))
def test_exported_names_always_fit_and_map_back(name: str) -> None:
    exported = tool_name(name)
    assert TOOL_NAME.match(exported)
    names = NameMap([name])
    assert names.skill(exported) == name
    assert tool_name(name) == exported  # deterministic


def test_long_names_are_shortened_with_a_hash_and_do_not_collide() -> None:
    first, second = "a" * 70 + "_one", "a" * 70 + "_two"
    assert tool_name(first) != tool_name(second)
    assert len(tool_name(first)) == 64
    assert tool_name("cancel_order") == "cancel_order"


def test_an_unknown_shortened_name_is_refused_with_a_next_step() -> None:
    with pytest.raises(UnknownSkill, match="list the tools again"):
        NameMap().skill(tool_name("b" * 80))
