"""Failed calls told from their results when the log carries no flag (OpenAI logs never do)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.trajectory import ToolCall
from skills_runtime.trajectory.failures import failure_of, reads_as_failure


@pytest.mark.parametrize(
    "result",
    [
        "Error: No such file or directory: 'x'",
        "error: user not found",
        "[ERROR] backend unavailable",
        "ValueError: invalid literal for int()",
        "requests.exceptions.HTTPError: 503",
        "Traceback (most recent call last):\n  File ...",
        "Permission denied: '/etc/shadow'",
        "No such ticket: HD-9",
        "Not found",
        "Cannot cancel a delivered order",
        "HTTP 404 Not Found",
        "500 Internal Server Error",
        {"error": "not found"},
        {"error": {"code": 404}, "status": 404},
        {"success": False, "reason": "locked"},
        {"status": "error", "message": "x"},
    ],
)
def test_a_result_that_opens_like_an_error_is_a_failure(result: Any) -> None:
    assert reads_as_failure(result) is not None


@pytest.mark.parametrize(
    "result",
    [
        "Transfer successful",
        "errors found: 0",
        "Invalidated 3 cache entries",
        "The error log is empty",
        "404",
        {"error": None, "data": [1, 2]},
        {"id": "T-1", "status": "open", "error_rate": 0.2},
        {"tickets": [], "total": 0},
        [],
        None,
        12,
    ],
)
def test_a_result_that_merely_mentions_errors_is_not_a_failure(result: Any) -> None:
    assert reads_as_failure(result) is None


def test_the_sources_own_flag_comes_first() -> None:
    call = ToolCall(name="x", arguments={}, result="fine", is_error=True)
    assert failure_of(call) == "the source marks it as an error"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_any_json_result_is_judged_without_raising(result: Any) -> None:
    found = reads_as_failure(result)
    assert found is None or (isinstance(found, str) and len(found) <= 90)


def test_a_long_hostile_text_is_judged_on_its_opening_only() -> None:
    assert reads_as_failure("a" + "\t" * 200_000 + "Error") is None
    assert reads_as_failure("Error: " + "x" * 1_000_000) is not None
