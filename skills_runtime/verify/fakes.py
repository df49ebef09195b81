"""Fake tools for property tests: answers shaped like recorded ones, consistent within an example.

A real tool cannot be called while verifying (it would change the world), and a random JSON value
would make every skill fail on its first subscript. So a fake answers from a *world*: the recording
of one replay case. Asked ``get_order_details(order_id="#W9")``, it takes the recorded call of that
tool in its world (the one whose arguments are closest), and rewrites the recorded answer so that
the values the recording was asked about become the values asked now: the recorded order id
becomes ``"#W9"``, the recorded customer's name becomes the generated name. Ids therefore flow from
the inputs into results and on into later calls, the way they do against a real backend, and a
guard such as ``order["user_id"] != user_id`` is exercised both ways across worlds.

Answers are a pure function of (world, inputs, tool name, arguments): the same call asked twice in
one example gets the same answer, and a run repeated for the determinism property sees the same
values (only the order of keys in objects may be reversed, which no JSON tool promises).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from skills_runtime.replay import RecordedCall, ReplayCase, ReplayToolError
from skills_runtime.trajectory.model import canonical_json

__all__ = ["FakeTools", "reverse_keys"]

_MIN_SUBSTITUTED = 3
"""Shorter strings ("1", "ok") are too common to be identities: they are never rewritten."""


def reverse_keys(value: Any) -> Any:
    """The same JSON value with the keys of every object in reverse order."""
    if isinstance(value, dict):
        return {key: reverse_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reverse_keys(item) for item in value]
    return value


class FakeTools:
    """A tool dispatcher ``(name, arguments) -> result`` answering from one recorded world.

    Args:
        cases: The recordings; each one is a world.
        world: Which case answers (taken modulo the number of cases).
        inputs: The arguments the skill was called with in this example.
        error_type: Raised to the skill for a recorded failure or a tool never recorded.
        reversed_keys: Answer with object keys in reverse order (for the determinism property).
    """

    def __init__(
        self,
        cases: Sequence[ReplayCase],
        *,
        world: int,
        inputs: Mapping[str, Any],
        error_type: Callable[[str], BaseException] = ReplayToolError,
        reversed_keys: bool = False,
    ) -> None:
        self._cases = list(cases)
        self._world = world % len(self._cases) if self._cases else 0
        self._error_type = error_type
        self._reversed = reversed_keys
        self._base: dict[str, str] = {}
        if self._cases:
            _pair_strings(self._cases[self._world].arguments, inputs, self._base)

    @property
    def world_id(self) -> str | None:
        """The trajectory id of the recording this fake answers from."""
        return self._cases[self._world].trajectory_id if self._cases else None

    def __call__(self, name: str, arguments: Mapping[str, Any]) -> Any:
        recorded = self._recorded(name, arguments)
        if recorded is None:
            raise self._error_type(f"tool {name!r} has no recorded answer to imitate")
        mapping = dict(self._base)
        _pair_strings(recorded.arguments, arguments, mapping)
        answer = _substitute(recorded.result, mapping)
        if recorded.is_error:
            raise self._error_type(str(answer))
        return reverse_keys(answer) if self._reversed else answer

    def _recorded(self, name: str, arguments: Mapping[str, Any]) -> RecordedCall | None:
        # The world itself first, then the other recordings in a fixed rotation.
        count = len(self._cases)
        for offset in range(count):
            case = self._cases[(self._world + offset) % count]
            candidates = [call for call in case.calls if call.name == name]
            if candidates:
                return max(candidates, key=lambda call: _closeness(call.arguments, arguments))
        return None


def _closeness(recorded: Mapping[str, Any], asked: Mapping[str, Any]) -> int:
    # max() keeps the first of equally close calls, so ties resolve to recording order.
    return sum(
        1
        for key, value in asked.items()
        if key in recorded and canonical_json(recorded[key]) == canonical_json(value)
    )


def _pair_strings(recorded: Any, current: Any, mapping: dict[str, str]) -> None:
    """Pair the string leaves of two structurally aligned values: recorded → current."""
    if isinstance(recorded, str) and isinstance(current, str):
        if len(recorded) >= _MIN_SUBSTITUTED and recorded != current:
            mapping.setdefault(recorded, current)
    elif isinstance(recorded, Mapping) and isinstance(current, Mapping):
        for key in recorded:
            if key in current:
                _pair_strings(recorded[key], current[key], mapping)
    elif isinstance(recorded, list) and isinstance(current, list):
        for old, new in zip(recorded, current, strict=False):
            _pair_strings(old, new, mapping)


def _substitute(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {mapping.get(key, key): _substitute(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, mapping) for item in value]
    return value
