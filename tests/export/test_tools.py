"""Host toolsets: schemas from signatures, validation, calls, sandbox grants, loading by name."""

from __future__ import annotations

from typing import Any, Literal

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from export import hosttools
from skills_runtime.errors import ConfigurationError, InvalidArgument
from skills_runtime.export.pytypes import UnsupportedType, type_schema
from skills_runtime.tools import Toolset, load_toolset, to_json_value


def test_schema_is_derived_from_signature_and_docstring() -> None:
    tool = hosttools.toolset.get("find_user_id")
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "first_name": {"type": "string", "description": "The customer's first name."},
            "last_name": {"type": "string", "description": "The customer's last name."},
        },
        "required": ["first_name", "last_name"],
        "additionalProperties": False,
    }
    assert tool.description == "Find a customer's user id by name."
    assert tool.returns == {"type": "string"}


def test_optional_parameters_carry_defaults_and_are_not_required() -> None:
    toolset = Toolset.from_functions([hosttools.plain_lookup], name="x")
    schema = toolset.get("plain_lookup").parameters
    assert schema["required"] == ["key"]
    assert schema["properties"]["limit"] == {
        "type": "integer",
        "description": "How many results at most.",
        "default": 3,
    }


def test_literal_and_nullable_annotations_map_to_enum_and_any_of() -> None:
    assert type_schema(Literal["a", "b"]) == {"type": "string", "enum": ["a", "b"]}
    assert type_schema(int | None) == {"type": ["integer", "null"]}
    assert type_schema(list[str] | None) == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    }
    assert type_schema(dict[str, list[float]]) == {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "number"}},
    }
    assert type_schema(Any) == {}


def test_unsupported_annotation_is_a_configuration_error_naming_the_parameter() -> None:
    def bad(when: complex) -> None:
        """Bad."""

    with pytest.raises(UnsupportedType, match="parameter 'when' of tool 'bad'"):
        Toolset.from_functions([bad])


def test_mutates_marker_is_kept_in_the_declaration() -> None:
    schemas = {schema.name: schema for schema in hosttools.toolset.schemas()}
    assert schemas["cancel_order"].mutates is True
    assert schemas["get_order_details"].mutates is False


def test_describe_gives_openai_function_tools() -> None:
    described = hosttools.toolset.describe()
    assert [d["function"]["name"] for d in described] == list(hosttools.toolset.names)
    assert all(d["type"] == "function" for d in described)


def test_call_validates_arguments_before_running() -> None:
    with pytest.raises(InvalidArgument, match="'maybe' is not one of"):
        hosttools.toolset.call("cancel_order", {"order_id": "#W1", "reason": "maybe"})
    with pytest.raises(InvalidArgument, match="required"):
        hosttools.toolset.call("get_order_details", {})


def test_async_tools_are_awaited() -> None:
    result = hosttools.toolset.call("cancel_order", {"order_id": "#W1", "reason": "mistake"})
    assert result == "cancelled #W1 (mistake)"


def test_unknown_tool_lists_the_tools_there_are() -> None:
    with pytest.raises(InvalidArgument, match=r"no tool 'nope'.*find_user_id"):
        hosttools.toolset.call("nope", {})


def test_sandbox_tools_grant_only_the_requested_tools() -> None:
    granted = hosttools.toolset.sandbox_tools(["get_order_details"])
    assert [tool.name for tool in granted] == ["get_order_details"]
    assert granted[0].function(order_id="#W2")["status"] == "delivered"
    with pytest.raises(InvalidArgument):
        hosttools.toolset.sandbox_tools(["rm_rf"])


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("export.hosttools:toolset", ["find_user_id", "get_order_details", "cancel_order"]),
        ("export.hosttools:as_list", ["plain_lookup"]),
        ("export.hosttools:as_mapping", ["lookup"]),
    ],
)
def test_load_toolset_accepts_toolsets_lists_and_mappings(spec: str, names: list[str]) -> None:
    assert list(load_toolset(spec).names) == names


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz:tools", "cannot import module 'no_such_module_xyz'"),
        ("export.hosttools:missing", "has no attribute 'missing'"),
        ("export.hosttools:not_tools", "got int"),
        ("export.hosttools", "expected MODULE:ATTRIBUTE"),
    ],
)
def test_load_toolset_explains_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_toolset(spec)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@given(json_values)
def test_tool_results_round_trip_as_json(value: Any) -> None:
    assert to_json_value(value) == value


@given(st.text(max_size=8), st.integers(min_value=0, max_value=5))
def test_valid_arguments_always_pass_the_derived_schema(key: str, limit: int) -> None:
    tool = Toolset.from_functions([hosttools.plain_lookup]).get("plain_lookup")
    jsonschema.validate({"key": key, "limit": limit}, tool.parameters)
    assert tool.call({"key": key, "limit": limit}) == [key] * limit


def test_the_sandbox_tools_of_a_toolset_are_built_once_and_shared_by_calls() -> None:
    from export import hosttools

    first = hosttools.toolset.sandbox_tools(["get_order_details", "find_user_id"])
    again = hosttools.toolset.sandbox_tools(["find_user_id"])
    assert again[0] is first[1]
    assert [tool.name for tool in first] == ["get_order_details", "find_user_id"]
