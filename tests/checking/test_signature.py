"""The schema comes from the signature (allow-list, no evaluation); arguments are checked on it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sources import EXCHANGE, skill

from skills_runtime.checking import signature_of, validate_arguments
from skills_runtime.errors import InvalidArgument, InvalidInput

LITERAL = "from typing import Any, Literal, Optional\n"

MAPPING: list[tuple[str, dict[str, Any]]] = [
    ("str", {"type": "string"}),
    ("int", {"type": "integer"}),
    ("float", {"type": "number"}),
    ("bool", {"type": "boolean"}),
    ("None", {"type": "null"}),
    ("Any", {}),
    ("list[str]", {"type": "array", "items": {"type": "string"}}),
    ("list[Any]", {"type": "array", "items": {}}),
    ("dict[str, int]", {"type": "object", "additionalProperties": {"type": "integer"}}),
    (
        "dict[str, list[float]]",
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}}},
    ),
    ("Literal['a', 'b']", {"type": "string", "enum": ["a", "b"]}),
    ("Literal[1, -2]", {"type": "integer", "enum": [1, -2]}),
    ("Literal['a', 1]", {"type": ["integer", "string"], "enum": ["a", 1]}),
    ("str | None", {"type": ["string", "null"]}),
    ("None | int", {"type": ["integer", "null"]}),
    ("Optional[bool]", {"type": ["boolean", "null"]}),
    ("Literal['x'] | None", {"type": ["string", "null"], "enum": ["x", None]}),
    (
        "list[str] | None",
        {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
    ),
    ("Any | None", {}),
]


@pytest.mark.parametrize(("annotation", "schema"), MAPPING, ids=[m[0] for m in MAPPING])
def test_each_allowed_annotation_maps_to_its_json_schema(
    annotation: str, schema: dict[str, Any]
) -> None:
    source = skill(params=f"tools, order_id: {annotation}", header=LITERAL)
    (parameter,) = signature_of(source).parameters
    assert parameter.schema == schema
    assert parameter.annotation_text == annotation


@pytest.mark.parametrize(
    "annotation",
    ["'str'", "tuple[str]", "dict[int, str]", "str | int", "object", "list", "os.path"],
)
def test_annotations_outside_the_allow_list_are_refused(annotation: str) -> None:
    with pytest.raises(InvalidInput, match="order_id"):
        signature_of(skill(params=f"tools, order_id: {annotation}"))


def test_aliased_names_are_judged_by_what_they_are() -> None:
    with pytest.raises(InvalidInput):
        signature_of(skill(header="from os import path as Any\n"))


def test_the_signature_reads_names_descriptions_defaults_and_tools() -> None:
    signature = signature_of(EXCHANGE)
    assert signature.name == "exchange_delivered_items"
    assert signature.summary == "Exchange delivered items of a customer's order for other variants."
    assert "Learned from: tau2-retail-0" in signature.description
    assert "Args:" not in signature.description
    assert signature.returns_description == "The order after the exchange."
    assert signature.returns_schema == {"type": "object", "additionalProperties": {}}
    assert signature.tools_called == (
        "find_user_id_by_name_zip",
        "get_order_details",
        "exchange_delivered_order_items",
    )
    new_items = signature.parameter("new_item_ids")
    assert new_items.description == "Replacement items, one per item in the same order."
    mode = signature.parameter("mode")
    assert (mode.required, mode.default) == (False, "careful")


def test_parameters_schema_is_a_closed_object_with_descriptions_and_defaults() -> None:
    schema = signature_of(EXCHANGE).parameters_schema
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == [
        "first_name",
        "last_name",
        "zip",
        "order_id",
        "item_ids",
        "new_item_ids",
        "payment_method_id",
    ]
    assert schema["properties"]["note"] == {
        "type": ["string", "null"],
        "description": "A note for the log.",
        "default": None,
    }
    assert schema["properties"]["zip"]["description"] == "The customer's zip code."


def test_to_json_is_plain_json() -> None:
    import json

    document = signature_of(EXCHANGE).to_json()
    assert json.loads(json.dumps(document)) == document
    assert document["parameters_schema"]["additionalProperties"] is False


@pytest.mark.parametrize(
    "source",
    [
        "from typing import Any\n",
        skill(after="\n\ndef other(tools) -> None:\n    pass\n"),
        skill(params="order_id: str"),
        skill(params="tools, order_id"),
        skill(params="tools, order_id: str = []"),
        skill(params="tools, order_id: str = 3"),
        skill(params="tools, *order_id: str"),
        skill(returns=""),
        "def f(:\n",
        "(" * 100_000,
    ],
)
def test_sources_without_one_valid_public_function_raise_invalid_input(source: str) -> None:
    with pytest.raises(InvalidInput):
        signature_of(source)


def test_annotations_are_never_evaluated() -> None:
    # Evaluating this annotation would raise; reading it from the tree just refuses it.
    source = skill(params="tools, order_id: list[1 / 0]")
    with pytest.raises(InvalidInput, match="not an allowed type"):
        signature_of(source)


def test_validate_arguments_fills_defaults_and_keeps_given_values() -> None:
    signature = signature_of(EXCHANGE)
    given_arguments = {
        "first_name": "Ada",
        "last_name": "L",
        "zip": "1",
        "order_id": "#W1",
        "item_ids": ["1"],
        "new_item_ids": ["2"],
        "payment_method_id": "p",
    }
    filled = validate_arguments(signature, given_arguments)
    assert filled == {**given_arguments, "note": None, "mode": "careful"}
    assert "note" not in given_arguments  # the input is not mutated


@pytest.mark.parametrize(
    ("arguments", "pieces"),
    [
        ({"order_id": 7}, ["'order_id'", "str", "7 (int)", "pass a value"]),
        ({}, ["needs argument 'order_id'", "str"]),
        ({"order_id": "a", "extra": 1}, ["no parameter 'extra'", "['order_id']"]),
    ],
)
def test_invalid_arguments_name_the_parameter_the_type_and_the_value(
    arguments: dict[str, Any], pieces: list[str]
) -> None:
    signature = signature_of(skill())
    with pytest.raises(InvalidArgument) as raised:
        validate_arguments(signature, arguments)
    for piece in pieces:
        assert piece in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_nested_type_errors_point_into_the_value() -> None:
    signature = signature_of(skill(params="tools, order_id: list[str]"))
    with pytest.raises(InvalidArgument, match=r"order_id\[1\]"):
        validate_arguments(signature, {"order_id": ["a", 2]})


def test_bool_is_not_accepted_as_an_integer() -> None:
    signature = signature_of(skill(params="tools, order_id: int"))
    with pytest.raises(InvalidArgument):
        validate_arguments(signature, {"order_id": True})
    assert validate_arguments(signature, {"order_id": 3}) == {"order_id": 3}


def test_non_dict_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="JSON object"):
        validate_arguments(signature_of(skill()), ["a"])  # type: ignore[arg-type]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(_JSON)
def test_validation_accepts_exactly_the_strings_for_a_str_parameter(value: Any) -> None:
    signature = signature_of(skill())
    if isinstance(value, str):
        assert validate_arguments(signature, {"order_id": value}) == {"order_id": value}
    else:
        with pytest.raises(InvalidArgument):
            validate_arguments(signature, {"order_id": value})
