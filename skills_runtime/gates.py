"""The promotion gate: check, then verify, record both reports, move the version if both passed.

Any source of a skill (the synthesizer, a model, a person) passes through the same gate. The
verification replays the skill's own recordings *and* every regression case stored with the skill
by earlier versions, so an edit that breaks what an earlier version did is named case by case.
The registry enforces the last step: it refuses ``verified`` and ``promoted`` unless passing check
and verify reports exist at the version's exact content hash; this module only produces and
records that evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sandbox
from skill_registry import Provenance, Registry, State, UnknownSkillError, VersionRecord
from skills_runtime.checking import check, signature_of
from skills_runtime.errors import InvalidInput
from skills_runtime.replay import ReplayCase
from skills_runtime.trajectory import parse_tool_schema
from skills_runtime.trajectory.model import canonical_json
from skills_runtime.verify import VerificationReport, VerifySettings, verify

__all__ = [
    "BrokenCase",
    "GateResult",
    "add_edited_version",
    "current_version",
    "regression_suite",
    "run_gates",
    "stored_tool_schemas",
]


@dataclass(frozen=True)
class BrokenCase:
    """A regression case of an earlier version that this version no longer reproduces."""

    trajectory_id: str
    added_in_version: int
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "added_in_version": self.added_in_version,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class GateResult:
    """What the gate found for one version and where it left it.

    ``passed`` means both reports passed and the version is now ``verified`` (or was already
    beyond). ``reasons`` says why not; ``broken_regressions`` names the earlier versions' cases
    this version breaks.
    """

    name: str
    version: int
    content_hash: str
    state: str
    passed: bool
    check: Mapping[str, Any]
    verification: VerificationReport | None
    reasons: tuple[str, ...] = ()
    broken_regressions: tuple[BrokenCase, ...] = ()
    transitions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "content_hash": self.content_hash,
            "state": self.state,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "check": dict(self.check),
            "verify": None if self.verification is None else self.verification.to_json(),
            "broken_regressions": [case.to_json() for case in self.broken_regressions],
            "transitions": list(self.transitions),
        }


def regression_suite(registry: Registry, name: str) -> list[tuple[ReplayCase, int]]:
    """Every replay case stored with skill ``name``, with the version that added it."""
    return [
        (ReplayCase.from_json(stored.case), stored.added_in_version)
        for stored in registry.regression_cases(name)
    ]


def stored_tool_schemas(registry: Registry, name: str) -> dict[str, dict[str, Any]]:
    """The argument schemas of the tools, as declared in the skill's stored source trajectories."""
    schemas: dict[str, dict[str, Any]] = {}
    for record in registry.versions(name):
        for trajectory in registry.source_trajectories(name, version=record.version):
            for declaration in trajectory.trajectory.get("tool_schemas") or ():
                try:  # any declaration shape a trajectory may carry (OpenAI, Anthropic, flat)
                    tool = parse_tool_schema(declaration)
                except InvalidInput:
                    continue
                schemas.setdefault(tool.name, dict(tool.parameters))
    return schemas


def run_gates(
    registry: Registry,
    name: str,
    *,
    version: int | None = None,
    actor: str = "skillbank",
    executor: sandbox.Executor | None = None,
    tool_schemas: Mapping[str, Mapping[str, Any]] | None = None,
    cases: Sequence[ReplayCase] = (),
    settings: VerifySettings = VerifySettings(),  # noqa: B008 - frozen value, safe as a default
) -> GateResult:
    """Check and verify one version, record both reports, and move it as far as they allow.

    ``draft`` moves to ``candidate`` when the check passes, and on to ``verified`` when the
    verification passes too; otherwise the version stays where it is and the result says why.

    Args:
        registry: The registry holding the skill.
        name: The skill.
        version: The version to gate (the latest when None).
        actor: Who the audit log names for the transitions.
        executor: A sandbox executor for the verification worker.
        tool_schemas: Argument schemas of the tools (default: those declared in the skill's
            stored source trajectories).
        cases: Replay cases to check besides the stored regression cases (deduplicated).
        settings: Verification effort and limits.

    Raises:
        skill_registry.UnknownSkillError: no such skill or version.
    """
    record = registry.get(name, version=version) if version is not None else _latest(registry, name)
    report = check(record.source)
    check_json = report.to_json()
    registry.record_report(record.content_hash, kind="check", passed=report.ok, report=check_json)
    reasons = [
        f"check {finding.code} line {finding.line}: {finding.message}" for finding in report.errors
    ]
    suite = _merge(regression_suite(registry, name), cases, record.version)
    verification = None
    broken: list[BrokenCase] = []
    if report.ok:
        schemas = stored_tool_schemas(registry, name)
        schemas.update({key: dict(value) for key, value in (tool_schemas or {}).items()})
        verification = verify(
            record.source,
            cases=[case for case, _ in suite],
            tool_schemas=schemas,
            settings=settings,
            executor=executor,
        )
        registry.record_report(
            record.content_hash,
            kind="verify",
            passed=verification.passed,
            report=verification.to_json(),
        )
        reasons += verification.reasons
        broken = _broken(suite, verification, record.version)
    else:
        reasons.append("verification not run: the check found errors")
    state, moves = _advance(registry, record, report.ok, verification, actor)
    passed = report.ok and verification is not None and verification.passed
    return GateResult(
        name=name,
        version=record.version,
        content_hash=record.content_hash,
        state=state.value,
        passed=passed,
        check=check_json,
        verification=verification,
        reasons=tuple(reasons),
        broken_regressions=tuple(broken),
        transitions=tuple(moves),
    )


def add_edited_version(registry: Registry, name: str, source: str, *, author: str) -> VersionRecord:
    """Register a hand- or model-written source as a new ``draft`` version of ``name``.

    The new version's parent is the skill's current version (none for a new skill) and it keeps
    the parent's source trajectories; it then goes through :func:`run_gates` like any other, which
    replays every regression case of the earlier versions.

    Args:
        registry: The registry.
        name: The skill (created when unknown).
        source: The edited source.
        author: ``"human:<who>"`` or ``"model:<name>"``; a bare name means a person.
    """
    parent = current_version(registry, name)
    try:
        signature = signature_of(source)
        schema: dict[str, Any] = {
            "parameters": dict(signature.parameters_schema),
            "returns": signature.returns_schema,
        }
        summary, description = signature.summary, signature.description
        tools: tuple[str, ...] = tuple(signature.tools_called)
    except Exception:  # unreadable source still gets a version: the gate then reports why
        schema, summary, description, tools = {"parameters": {"type": "object"}}, "", "", ()
    synthesizer = author if author.startswith(("human:", "model:")) else f"human:{author}"
    provenance = Provenance(
        synthesizer=synthesizer,
        source_trajectories=() if parent is None else parent.provenance.source_trajectories,
        parent_version=None if parent is None else parent.version,
    )
    return registry.add_version(
        name,
        source=source,
        schema=schema,
        summary=summary,
        docstring=description,
        tools=tools,
        provenance=provenance,
    )


def _latest(registry: Registry, name: str) -> VersionRecord:
    return registry.versions(name)[-1]


def current_version(registry: Registry, name: str) -> VersionRecord | None:
    """The current version of ``name``, or None when the registry has no such skill."""
    try:
        return registry.get(name)
    except UnknownSkillError:
        return None


def _merge(
    stored: list[tuple[ReplayCase, int]], extra: Sequence[ReplayCase], version: int
) -> list[tuple[ReplayCase, int]]:
    seen = {canonical_json(case.to_json()) for case, _ in stored}
    merged = list(stored)
    for case in extra:
        key = canonical_json(case.to_json())
        if key not in seen:
            seen.add(key)
            merged.append((case, version))
    return merged


def _broken(
    suite: list[tuple[ReplayCase, int]], verification: VerificationReport, version: int
) -> list[BrokenCase]:
    broken = []
    for (_case, added_in), outcome in zip(suite, verification.replays, strict=False):
        if added_in < version and not outcome.passed:
            broken.append(BrokenCase(outcome.trajectory_id, added_in, outcome.reasons))
    return broken


def _advance(
    registry: Registry,
    record: VersionRecord,
    check_ok: bool,
    verification: VerificationReport | None,
    actor: str,
) -> tuple[State, list[str]]:
    state, moves = record.state, []
    if state is State.DRAFT and check_ok:
        registry.transition(
            record.name,
            version=record.version,
            to=State.CANDIDATE,
            actor=actor,
            reason="the static check passed",
        )
        moves.append("draft→candidate")
        state = State.CANDIDATE
    if state is State.CANDIDATE and verification is not None and verification.passed:
        registry.transition(
            record.name,
            version=record.version,
            to=State.VERIFIED,
            actor=actor,
            reason="the check and the verification passed",
        )
        moves.append("candidate→verified")
        state = State.VERIFIED
    return state, moves
