"""A skill parameter and a host tool parameter of the same type get byte-identical schemas.

Skills are read from the libcst tree (never evaluated); host tools from their evaluated hints.
Both front-ends build schemas with ``skills_runtime.schema_types``.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources import skill
from test_signature import MAPPING

from skills_runtime.checking import check, signature_of
from skills_runtime.export.pytypes import type_schema
from skills_runtime.schema_types import enum_of, nullable, scalar_schema

HEADER = "from typing import Any, Literal, Optional\n"
NAMESPACE = {"Any": Any, "Literal": Literal, "Optional": Optional}


def skill_schema(annotation: str) -> str:
    source = skill(params=f"tools, order_id: {annotation}", header=HEADER)
    (parameter,) = signature_of(source).parameters
    return json.dumps(parameter.schema)


def host_schema(annotation: str) -> str:
    # The test's own text, evaluated as a host application evaluates its hints.
    return json.dumps(type_schema(eval(annotation, NAMESPACE)))


@pytest.mark.parametrize("annotation", [m[0] for m in MAPPING])
def test_each_allowed_annotation_gives_the_same_schema_for_a_skill_and_a_host_tool(
    annotation: str,
) -> None:
    assert skill_schema(annotation) == host_schema(annotation)


def _optional(inner: str) -> st.SearchStrategy[tuple[str, bool]]:
    forms = [f"{inner} | None", f"None | {inner}", f"Optional[{inner}]"]
    return st.sampled_from(forms).map(lambda text: (text, True))


def _by_type(value: object) -> tuple[str, object]:
    return (type(value).__name__, value)


_LITERAL_VALUES = st.one_of(
    st.text(alphabet="ab_ Z", max_size=4), st.integers(-300, 300), st.booleans()
)
# One order per set of values: typing caches unions by equal (set-like) Literal arguments, so an
# evaluated ``Literal[1, 'a'] | None`` can come back holding an earlier ``Literal['a', 1]``.
_LITERALS = st.lists(_LITERAL_VALUES, min_size=1, max_size=4).map(
    lambda values: (f"Literal[{', '.join(map(repr, sorted(values, key=_by_type)))}]", False)
)


_ATOMS = st.sampled_from(["str", "int", "float", "bool", "Any"]).map(lambda text: (text, False))

# (annotation text, whether it already admits None: such a type is not made optional again)
TYPES = st.recursive(
    st.one_of(_ATOMS, _LITERALS, st.just(("None", True))),
    lambda inner: st.one_of(
        inner.map(lambda t: (f"list[{t[0]}]", False)),
        inner.map(lambda t: (f"dict[str, {t[0]}]", False)),
        inner.flatmap(lambda t: st.just(t) if t[1] else _optional(t[0])),
    ),
    max_leaves=6,
)


@settings(suppress_health_check=[HealthCheck.too_slow])  # each example parses a module
@given(TYPES)
def test_every_allowed_type_expression_gives_the_same_schema_on_both_sides(
    annotation: tuple[str, bool],
) -> None:
    text, _ = annotation
    assert skill_schema(text) == host_schema(text)


def test_a_literal_lists_each_value_once_and_keeps_one_and_true_apart() -> None:
    assert enum_of(["a", "a", 1, True]) == {
        "type": ["boolean", "integer", "string"],
        "enum": ["a", 1, True],
    }


def test_nullable_spells_a_plain_type_as_a_type_list_and_leaves_any_alone() -> None:
    assert nullable(scalar_schema("int")) == {"type": ["integer", "null"]}
    assert nullable({}) == {}


@pytest.mark.parametrize("values", ["1.5", "None", "-True", "b'x'", "-'a'", "f'{1}'"])
def test_a_literal_takes_only_string_integer_and_bool_values(values: str) -> None:
    source = skill(params=f"tools, order_id: Literal[{values}]", header=HEADER)
    assert "SK105" in check(source).codes
