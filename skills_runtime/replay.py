"""Replay: run a skill against tools that answer from a recorded trajectory.

A replay case is a trajectory seen from a skill's side: the arguments the skill is called with, the
tool calls the trajectory made (with their results), and the value the skill must return. During a
replay, :class:`RecordedTools` answers every read from the recording (a read is answerable when the
recording holds a call of that tool with exactly those arguments; a read recorded again after a
write answers as it did at that point of the procedure) and checks every write against the
recorded writes, in order. The verdict comes from what the dispatcher observed, never from what
the skill says about itself: a skill that catches the error raised for an unexpected call
still fails.

The same cases serve three purposes: verifying a new skill against its own source trajectories,
the regression suite that travels with a skill across versions, and held-out evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.trajectory.model import canonical_json
from skills_runtime.trajectory.values import states

__all__ = [
    "RecordedCall",
    "RecordedTools",
    "ReplayCase",
    "ReplayOutcome",
    "ReplayToolError",
]


class ReplayToolError(Exception):
    """Raised to the skill when a recorded call failed, or a call has no recorded answer."""


@dataclass(frozen=True)
class RecordedCall:
    """One tool call of a recording: what was asked and what the tool answered."""

    name: str
    arguments: Mapping[str, Any]
    result: Any = None
    is_error: bool = False
    mutates: bool = False

    @property
    def key(self) -> str:
        """The identity of the request: tool name and canonical arguments."""
        return _request_key(self.name, canonical_json(dict(self.arguments)))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arguments": dict(self.arguments),
            "result": self.result,
            "is_error": self.is_error,
            "mutates": self.mutates,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedCall:
        return cls(
            name=str(data["name"]),
            arguments=dict(data.get("arguments") or {}),
            result=data.get("result"),
            is_error=bool(data.get("is_error", False)),
            mutates=bool(data.get("mutates", False)),
        )


@dataclass(frozen=True)
class ReplayCase:
    """A skill call that must reproduce a recording: same writes, in order, and the same result."""

    trajectory_id: str
    arguments: Mapping[str, Any]
    calls: tuple[RecordedCall, ...]
    expected_result: Any = None
    check_result: bool = True
    answer_text: str = ""
    """What the agent answered, when the case is a request that only answered: a returned
    value the answer states (``13`` in "has 13 lines") passes as well as the recorded result."""

    @property
    def writes(self) -> tuple[RecordedCall, ...]:
        """The recorded calls that change the world, in order."""
        return tuple(call for call in self.calls if call.mutates)

    def to_json(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "arguments": dict(self.arguments),
            "calls": [call.to_json() for call in self.calls],
            "expected_result": self.expected_result,
            "check_result": self.check_result,
            **({"answer_text": self.answer_text} if self.answer_text else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReplayCase:
        return cls(
            trajectory_id=str(data["trajectory_id"]),
            arguments=dict(data.get("arguments") or {}),
            calls=tuple(RecordedCall.from_json(call) for call in data.get("calls") or ()),
            expected_result=data.get("expected_result"),
            check_result=bool(data.get("check_result", True)),
            answer_text=str(data.get("answer_text") or ""),
        )


@dataclass(frozen=True)
class ReplayOutcome:
    """The verdict of one replay, with every reason it failed."""

    trajectory_id: str
    passed: bool
    reasons: tuple[str, ...] = ()
    calls_made: tuple[tuple[str, str], ...] = ()
    writes_expected: int = 0
    writes_made: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "calls_made": [{"name": name, "arguments": args} for name, args in self.calls_made],
            "writes_expected": self.writes_expected,
            "writes_made": self.writes_made,
        }


@dataclass
class RecordedTools:
    """A tool dispatcher ``(name, arguments) -> result`` that answers from a recording.

    Args:
        calls: The recording.
        error_type: The exception raised to the skill for a failed or unanswerable call; the
            sandbox passes its own ``ToolError`` so the skill sees the error it can catch.
    """

    calls: Sequence[RecordedCall]
    error_type: Callable[[str], BaseException] = ReplayToolError
    made: list[tuple[str, str]] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    _next_write: int = 0

    def __post_init__(self) -> None:
        self._writes = [call for call in self.calls if call.mutates]
        # A read may be recorded more than once, answering differently after a write: each
        # answer is kept with the number of writes made before it (its epoch).
        self._reads: dict[str, list[tuple[int, RecordedCall]]] = {}
        epoch = 0
        for call in self.calls:
            if call.mutates:
                epoch += 1
            else:
                self._reads.setdefault(call.key, []).append((epoch, call))
        self._write_names = {call.name for call in self._writes}

    def _read(self, key: str) -> RecordedCall:
        """The recorded answer to a read as the state stands now: the latest one recorded with
        no more writes made than the skill has made, else the first one."""
        answers = self._reads[key]
        current = [call for epoch, call in answers if epoch <= self._next_write]
        return current[-1] if current else answers[0][1]

    def __call__(self, name: str, arguments: Mapping[str, Any]) -> Any:
        arguments_json = canonical_json(dict(arguments))
        self.made.append((name, arguments_json))
        key = _request_key(name, arguments_json)
        if name in self._write_names or key not in self._reads:
            return self._write(name, key, arguments_json)
        return self._answer(self._read(key))

    def _write(self, name: str, key: str, arguments_json: str) -> Any:
        if self._next_write >= len(self._writes):
            if key in self._reads:  # a tool used for reads and writes alike: answer the read
                return self._answer(self._read(key))
            self.mismatches.append(
                f"unexpected call {name}({arguments_json}): not in the recording"
            )
            raise self.error_type(f"no recorded answer for {name}({arguments_json})")
        expected = self._writes[self._next_write]
        if expected.key != key:
            if key in self._reads:
                return self._answer(self._read(key))
            self.mismatches.append(
                f"write #{self._next_write + 1}: expected {expected.name}"
                f"({canonical_json(dict(expected.arguments))}), got {name}({arguments_json})"
            )
            raise self.error_type(f"no recorded answer for {name}({arguments_json})")
        self._next_write += 1
        return self._answer(expected)

    def _answer(self, call: RecordedCall) -> Any:
        if call.is_error:
            raise self.error_type(str(call.result))
        return call.result

    def outcome(
        self,
        case: ReplayCase,
        *,
        returned: Any = None,
        failure: str | None = None,
    ) -> ReplayOutcome:
        """Judge a finished run of ``case``: what was returned, or why the run itself failed."""
        reasons = list(self.mismatches)
        if failure is not None:
            reasons.append(failure)
        missing = self._writes[self._next_write :]
        if missing:
            names = ", ".join(call.name for call in missing)
            reasons.append(f"{len(missing)} recorded write(s) never made: {names}")
        if (
            failure is None
            and case.check_result
            and canonical_json(returned) != canonical_json(case.expected_result)
            and not (case.answer_text and states(case.answer_text, returned))
        ):
            reasons.append(
                f"returned {_preview(returned)}, expected {_preview(case.expected_result)}"
            )
        return ReplayOutcome(
            trajectory_id=case.trajectory_id,
            passed=not reasons,
            reasons=tuple(reasons),
            calls_made=tuple(self.made),
            writes_expected=len(self._writes),
            writes_made=self._next_write,
        )


def _preview(value: Any, *, limit: int = 200) -> str:
    text = canonical_json(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _request_key(name: str, arguments_json: str) -> str:
    return f"{name}:{arguments_json}"
