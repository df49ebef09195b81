"""The pure lifecycle table: allowed moves, refusals naming the alternatives, gate evidence."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill_registry import InvalidTransition, State
from skill_registry.lifecycle import (
    GATED_STATES,
    TRANSITIONS,
    allowed_transitions,
    check_transition,
    is_allowed,
    missing_evidence,
    path_to,
)


def test_every_state_has_an_entry_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(State)


def test_the_happy_path_is_allowed_step_by_step() -> None:
    path = [State.DRAFT, State.CANDIDATE, State.VERIFIED, State.PROMOTED, State.DEPRECATED]
    for before, after in itertools.pairwise(path):
        assert is_allowed(before, after)


def test_an_invalid_transition_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(InvalidTransition, match="allowed from 'draft'") as caught:
        check_transition("get_order", 1, State.DRAFT, State.PROMOTED)
    assert caught.value.allowed == ("candidate", "rejected")
    assert "'get_order' version 1" in str(caught.value)


@given(st.sampled_from(State), st.sampled_from(State))
def test_check_transition_agrees_with_the_table(before: State, after: State) -> None:
    if after in TRANSITIONS[before]:
        check_transition("s", 1, before, after)
    else:
        with pytest.raises(InvalidTransition):
            check_transition("s", 1, before, after)


def test_only_verified_and_promoted_are_gated() -> None:
    assert {State.VERIFIED, State.PROMOTED} == GATED_STATES
    assert missing_evidence(State.DEPRECATED, check_passed=None, verify_passed=None) == ()


def test_missing_evidence_names_absent_and_failed_reports() -> None:
    assert missing_evidence(State.PROMOTED, check_passed=None, verify_passed=False) == (
        "no check report",
        "the latest verify report failed",
    )
    assert missing_evidence(State.VERIFIED, check_passed=True, verify_passed=True) == ()


def test_promotion_path_walks_forward_through_the_gated_states() -> None:
    assert path_to(State.DRAFT, State.PROMOTED) == (
        State.CANDIDATE,
        State.VERIFIED,
        State.PROMOTED,
    )
    assert path_to(State.DEPRECATED, State.PROMOTED) == (State.PROMOTED,)
    assert path_to(State.REJECTED, State.PROMOTED) == ()


@given(st.sampled_from(State))
def test_allowed_transitions_never_include_staying_put(state: State) -> None:
    assert state not in allowed_transitions(state)
