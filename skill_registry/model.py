"""The records the registry returns: frozen values with a ``to_json()`` giving JSON-able dicts.

Identity (row ids, version numbers, timestamps) belongs to the registry; these values only carry
what was stored. Times are POSIX seconds (UTC).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AuditEntry",
    "NewVersion",
    "OutcomeRecord",
    "Provenance",
    "RegressionCase",
    "Reliability",
    "ReportKind",
    "ReportRecord",
    "SearchHit",
    "SkillSummary",
    "State",
    "TrajectoryRecord",
    "TrajectoryRef",
    "VersionRecord",
]

ReportKind = Literal["check", "verify"]


class State(enum.StrEnum):
    """Lifecycle state of one skill version (see ``lifecycle`` for the allowed moves)."""

    DRAFT = "draft"
    CANDIDATE = "candidate"
    VERIFIED = "verified"
    PROMOTED = "promoted"
    DEPRECATED = "deprecated"
    REJECTED = "rejected"


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Record:
    def to_json(self) -> dict[str, Any]:
        """This record as a dict of JSON values (tuples become lists, states strings)."""
        result: dict[str, Any] = _jsonable(self)
        return result


@dataclass(frozen=True)
class TrajectoryRef(_Record):
    """A source trajectory named by its id and the sha256 digest of its canonical JSON."""

    id: str
    digest: str


@dataclass(frozen=True)
class Provenance(_Record):
    """Where a version came from.

    Attributes:
        synthesizer: What wrote the source: a synthesizer's name, ``"model:<name>"`` for a
            language model, ``"human:<who>"`` for a person.
        synthesizer_version: The version of that synthesizer (empty when it has none).
        source_trajectories: The trajectories the version was learned from.
        parent_version: The version this one was derived from, if any.
        details: Whatever else its author wants kept with the version, as a JSON object (a
            synthesizer keeps the tool effects it decided and their evidence here).
    """

    synthesizer: str
    synthesizer_version: str = ""
    source_trajectories: tuple[TrajectoryRef, ...] = ()
    parent_version: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reliability(_Record):
    """Beta(successes + 1, failures + 1) posterior of a version's success rate.

    ``lower_bound`` is the posterior quantile at the policy's credible level (5% by default): the
    success rate is at least this with 95% posterior probability. ``refusals`` counts the uses
    the skill's own guard stopped (``SkillPrecondition``); those before any write are among the
    successes, those after a write among the failures. A version that refuses nearly every call
    looks reliable by the posterior alone: this count is what shows it.
    """

    successes: int
    failures: int
    mean: float
    lower_bound: float
    refusals: int = 0

    @property
    def uses(self) -> int:
        """How many outcomes were recorded."""
        return self.successes + self.failures


@dataclass(frozen=True)
class VersionRecord(_Record):
    """One stored version of a skill.

    ``gated_by`` holds the ids of the check and verify reports that let the version enter
    ``verified`` / ``promoted`` (empty until it did).
    """

    name: str
    version: int
    content_hash: str
    source: str
    schema: dict[str, Any]
    summary: str
    docstring: str
    tools: tuple[str, ...]
    state: State
    provenance: Provenance
    gated_by: tuple[int, ...]
    created_at: float
    is_current: bool


@dataclass(frozen=True)
class NewVersion(_Record):
    """One version to store with ``Registry.add_versions``: ``add_version``'s arguments as a value.

    Attributes:
        name: The skill's name.
        source: Typed Python source; its sha256 is the version's content hash.
        schema: JSON Schema object of parameters and return value.
        summary: One-line description (searched).
        provenance: Synthesizer, its version, source trajectory refs, parent version.
        docstring: The full docstring (searched).
        tools: Names of the tools the source calls.
        trajectories: The full JSON of the source trajectories (kept for re-learning and replay;
            their refs are added to the provenance).
    """

    name: str
    source: str
    schema: Mapping[str, Any]
    summary: str
    provenance: Provenance
    docstring: str = ""
    tools: tuple[str, ...] = ()
    trajectories: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class SkillSummary(_Record):
    """A skill as listed: its current version, that version's state and reliability."""

    name: str
    version: int
    state: State
    summary: str
    reliability: Reliability


@dataclass(frozen=True)
class ReportRecord(_Record):
    """A check or verify report stored for one content hash."""

    id: int
    content_hash: str
    kind: ReportKind
    passed: bool
    report: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class AuditEntry(_Record):
    """One line of the audit log: a version created or moved between states.

    ``action`` is ``"create"``, ``"transition"``, ``"rollback"``, ``"supersede"``,
    ``"auto-promote"``, ``"auto-demote"`` or ``"tool-schema-changed"``; ``from_state`` is None
    for ``"create"``.
    """

    id: int
    at: float
    name: str
    version: int
    action: str
    from_state: State | None
    to_state: State
    actor: str
    reason: str


@dataclass(frozen=True)
class OutcomeRecord(_Record):
    """One recorded use of a skill version (``refused``: the skill's own guard stopped it)."""

    id: int
    name: str
    version: int
    success: bool
    duration_seconds: float
    at: float
    trajectory_digest: str | None
    refused: bool = False


@dataclass(frozen=True)
class RegressionCase(_Record):
    """A replay case that travels with a skill across versions."""

    id: int
    name: str
    case: dict[str, Any]
    added_in_version: int
    created_at: float


@dataclass(frozen=True)
class TrajectoryRecord(_Record):
    """A trajectory kept in full (for incremental learning and rebuilding replay cases)."""

    id: str
    digest: str
    task: str
    source: str
    trajectory: dict[str, Any] = field(repr=False)
    created_at: float


@dataclass(frozen=True)
class SearchHit(_Record):
    """One search result; higher ``score`` is better."""

    name: str
    version: int
    score: float
    summary: str
    state: State
