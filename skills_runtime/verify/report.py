"""What a verification found, as data: replay outcomes, property results, the sandbox's verdict.

Everything here is frozen and JSON-serialisable: the report is computed inside the sandbox worker,
crosses the process boundary as JSON and is stored in the registry beside the skill version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skills_runtime.replay import ReplayOutcome

__all__ = ["PropertyResult", "VerificationReport", "VerifySettings", "replay_outcome_from_json"]

SEARCHED = (
    "within_limits",
    "no_unexpected_exception",
    "tool_calls_match_schemas",
    "returns_match_schema",
    "deterministic",
)
"""The properties checked over generated inputs, in the order a failure is attributed."""

COVERAGE = "reaches_every_statement"
"""Checked over every call of the session (replays and generated examples): each statement of
the skill ran at least once."""

PROPERTY_NAMES = (*SEARCHED, COVERAGE)
"""Every property of a report, in the order they are listed."""


@dataclass(frozen=True)
class VerifySettings:
    """How hard to look: fixed so that a verification gives the same report every time it runs.

    Args:
        max_examples: Generated inputs per property run. 40 keeps the median verification of a
            real skill under 2 s on a busy 2-core machine (see ``docs/benchmarks.md``).
        call_seconds: Wall-clock budget of one skill call inside the worker.
        max_tool_calls: Tool calls one skill call may make before it counts as runaway.
        wall_seconds: Budget of the whole verification process (the sandbox kills it beyond).
        cpu_seconds: CPU budget of the whole verification process.
        memory_mb: Address-space limit of the verification process.
        check_determinism: Run every example twice and compare calls and result.
    """

    max_examples: int = 40
    call_seconds: float = 2.0
    max_tool_calls: int = 200
    wall_seconds: float = 120.0
    cpu_seconds: float = 100.0
    memory_mb: int = 1024
    check_determinism: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "max_examples": self.max_examples,
            "call_seconds": self.call_seconds,
            "max_tool_calls": self.max_tool_calls,
            "wall_seconds": self.wall_seconds,
            "cpu_seconds": self.cpu_seconds,
            "memory_mb": self.memory_mb,
            "check_determinism": self.check_determinism,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerifySettings:
        known = {key: data[key] for key in cls().to_json() if key in data}
        return cls(**known)


@dataclass(frozen=True)
class PropertyResult:
    """One property over generated inputs: held for ``examples`` inputs, or a shrunk counterexample.

    ``falsifying_example`` holds the minimal input hypothesis found (``arguments``, the recorded
    ``world`` the fake tools answered from, and the ``tool_calls`` the skill made on it).
    """

    name: str
    passed: bool
    examples: int = 0
    falsifying_example: Mapping[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "examples": self.examples,
            "falsifying_example": (
                None if self.falsifying_example is None else dict(self.falsifying_example)
            ),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PropertyResult:
        example = data.get("falsifying_example")
        return cls(
            name=str(data["name"]),
            passed=bool(data["passed"]),
            examples=int(data.get("examples", 0)),
            falsifying_example=dict(example) if isinstance(example, Mapping) else None,
            error=None if data.get("error") is None else str(data["error"]),
        )


def replay_outcome_from_json(data: Mapping[str, Any]) -> ReplayOutcome:
    """The inverse of :meth:`ReplayOutcome.to_json`."""
    return ReplayOutcome(
        trajectory_id=str(data["trajectory_id"]),
        passed=bool(data["passed"]),
        reasons=tuple(str(reason) for reason in data.get("reasons") or ()),
        calls_made=tuple(
            (str(call["name"]), str(call["arguments"])) for call in data.get("calls_made") or ()
        ),
        writes_expected=int(data.get("writes_expected", 0)),
        writes_made=int(data.get("writes_made", 0)),
    )


@dataclass(frozen=True)
class VerificationReport:
    """The verdict of one verification.

    ``passed`` is True only when the sandbox run finished (``status == "ok"``), every replay
    passed and every property held. ``reasons`` says why not, one line per problem.
    """

    passed: bool
    replays: tuple[ReplayOutcome, ...] = ()
    properties: tuple[PropertyResult, ...] = ()
    seconds: float = 0.0
    status: str = "ok"
    reasons: tuple[str, ...] = ()
    settings: VerifySettings = field(default_factory=VerifySettings)

    @property
    def failed_properties(self) -> tuple[PropertyResult, ...]:
        return tuple(result for result in self.properties if not result.passed)

    @property
    def failed_replays(self) -> tuple[ReplayOutcome, ...]:
        return tuple(outcome for outcome in self.replays if not outcome.passed)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "status": self.status,
            "reasons": list(self.reasons),
            "seconds": self.seconds,
            "replays": [outcome.to_json() for outcome in self.replays],
            "properties": [result.to_json() for result in self.properties],
            "settings": self.settings.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerificationReport:
        return cls(
            passed=bool(data["passed"]),
            status=str(data.get("status", "ok")),
            reasons=tuple(str(reason) for reason in data.get("reasons") or ()),
            seconds=float(data.get("seconds", 0.0)),
            replays=tuple(replay_outcome_from_json(item) for item in data.get("replays") or ()),
            properties=tuple(
                PropertyResult.from_json(item) for item in data.get("properties") or ()
            ),
            settings=VerifySettings.from_json(data.get("settings") or {}),
        )
