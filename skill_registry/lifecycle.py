"""The lifecycle of a skill version as a pure transition table (no I/O).

::

    draft ──► candidate ──► verified ──► promoted ──► deprecated
      │           │  ▲          │  │        │  ▲          │
      │           │  └──────────┘  │        │  └──────────┘ (rollback / revival, gated)
      ▼           ▼                ▼        ▼
    rejected ◄────┴──── (also from verified)   candidate (demotion for re-verification)

Entering ``verified`` or ``promoted`` is *gated*: the latest check report and the latest verify
report stored at the version's content hash must both have passed. The registry stores that
evidence; it never produces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .errors import InvalidTransition
from .model import State

__all__ = [
    "GATED_STATES",
    "TRANSITIONS",
    "allowed_transitions",
    "check_transition",
    "is_allowed",
    "missing_evidence",
    "path_to",
]

TRANSITIONS: Mapping[State, frozenset[State]] = MappingProxyType(
    {
        State.DRAFT: frozenset({State.CANDIDATE, State.REJECTED}),
        State.CANDIDATE: frozenset({State.VERIFIED, State.REJECTED}),
        State.VERIFIED: frozenset(
            {State.PROMOTED, State.CANDIDATE, State.DEPRECATED, State.REJECTED}
        ),
        State.PROMOTED: frozenset({State.DEPRECATED, State.CANDIDATE}),
        State.DEPRECATED: frozenset({State.PROMOTED, State.CANDIDATE}),
        State.REJECTED: frozenset({State.DRAFT}),
    }
)
"""For each state, the states a version may move to next."""

GATED_STATES: frozenset[State] = frozenset({State.VERIFIED, State.PROMOTED})
"""States whose entry requires passed check and verify reports at the version's content hash."""


def allowed_transitions(state: State) -> tuple[State, ...]:
    """The states reachable from ``state`` in one move, in lifecycle order."""
    return tuple(s for s in State if s in TRANSITIONS[state])


def is_allowed(from_state: State, to_state: State) -> bool:
    """Whether the table allows moving from ``from_state`` to ``to_state``."""
    return to_state in TRANSITIONS[from_state]


def check_transition(name: str, version: int, from_state: State, to_state: State) -> None:
    """Refuse a move the table does not allow.

    Raises:
        InvalidTransition: naming the version, both states and the allowed targets.
    """
    if is_allowed(from_state, to_state):
        return
    allowed = [s.value for s in allowed_transitions(from_state)]
    raise InvalidTransition(
        f"skill {name!r} version {version} is {from_state.value!r} and cannot become "
        f"{to_state.value!r}; allowed from {from_state.value!r}: {allowed or 'nothing'}",
        allowed=allowed,
    )


def missing_evidence(
    to_state: State, *, check_passed: bool | None, verify_passed: bool | None
) -> tuple[str, ...]:
    """What is missing to enter ``to_state``, given the latest reports (None: no report at all).

    Returns:
        Human-readable items, empty when nothing is missing (or the state is not gated).
    """
    if to_state not in GATED_STATES:
        return ()
    missing: list[str] = []
    for kind, passed in (("check", check_passed), ("verify", verify_passed)):
        if passed is None:
            missing.append(f"no {kind} report")
        elif not passed:
            missing.append(f"the latest {kind} report failed")
    return tuple(missing)


_FORWARD = (State.DRAFT, State.CANDIDATE, State.VERIFIED, State.PROMOTED)


def path_to(from_state: State, to_state: State) -> tuple[State, ...]:
    """The shortest sequence of moves from ``from_state`` to ``to_state`` (empty when equal).

    Only used to walk a version forward (``promote`` from ``candidate`` passes ``verified``);
    a direct move is preferred. Returns an empty tuple when no path exists.
    """
    if from_state == to_state:
        return ()
    if is_allowed(from_state, to_state):
        return (to_state,)
    if from_state in _FORWARD and to_state in _FORWARD:
        start, end = _FORWARD.index(from_state), _FORWARD.index(to_state)
        if start < end:
            return _FORWARD[start + 1 : end + 1]
    return ()
