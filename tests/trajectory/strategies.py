"""Hypothesis strategies for trajectories (shared by the property tests of this directory)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from skills_runtime.trajectory import OrphanResult, Outcome, ToolCall, ToolSchema, Trajectory

_KEYS = st.one_of(
    st.text(max_size=8),
    # Names the native format reserves: metadata under them must survive a round trip too.
    st.sampled_from(
        [
            "task_id",
            "id",
            "instruction",
            "steps",
            "tool_schemas",
            "outcome",
            "orphan_results",
            "metadata",
            "split",
            "reward",
            "success",
            "tool",
            "arguments",
            "result",
            "paired",
            "requestor",
        ]
    ),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS, children, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(_KEYS, json_values, max_size=4)
names = st.text(min_size=1, max_size=12)

tool_calls = st.builds(
    ToolCall,
    name=names,
    arguments=json_objects,
    result=json_values,
    is_error=st.booleans(),
    call_id=st.none() | st.text(max_size=10),
    mutates=st.none() | st.booleans(),
    raw_arguments=st.none() | st.text(max_size=10),
    paired=st.booleans(),
    metadata=json_objects,
)

tool_schemas = st.builds(
    ToolSchema,
    name=names,
    description=st.text(max_size=20),
    parameters=json_objects,
    mutates=st.none() | st.booleans(),
)

orphan_results = st.builds(
    OrphanResult,
    call_id=st.text(max_size=10),
    result=json_values,
    is_error=st.booleans(),
    position=st.integers(min_value=0, max_value=100),
)

trajectories = st.builds(
    Trajectory,
    id=names,
    task=st.text(max_size=30),
    calls=st.lists(tool_calls, max_size=4).map(tuple),
    outcome=st.sampled_from(Outcome),
    tool_schemas=st.lists(tool_schemas, max_size=2).map(tuple),
    orphan_results=st.lists(orphan_results, max_size=2).map(tuple),
    metadata=json_objects,
)
