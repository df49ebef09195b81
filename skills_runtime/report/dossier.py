"""Everything a reviewer needs about one skill version, gathered from the registry as JSON values.

A :class:`Dossier` is what ``skillbank show`` prints and what the HTML report renders: the source,
the signature's schema, where the version came from (with the task texts of its source
trajectories), the latest check and verify reports stored at its content hash, the regression cases
that travel with the skill, its reliability and its audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from skill_registry import Registry

__all__ = ["Dossier", "dossier", "library"]


@dataclass(frozen=True)
class Dossier:
    """One skill version as a reviewer sees it (every field a JSON value)."""

    name: str
    version: int
    state: str
    is_current: bool
    content_hash: str
    summary: str
    docstring: str
    source: str
    schema: dict[str, Any]
    tools: list[str]
    provenance: dict[str, Any]
    trajectories: list[dict[str, Any]] = field(default_factory=list)
    """Source trajectories: ``id``, ``digest``, the ``task`` text and the tool ``calls`` (each
    ``name`` and ``arguments``) when the registry kept the trajectory."""
    versions: list[dict[str, Any]] = field(default_factory=list)
    check: dict[str, Any] | None = None
    """The latest check report at this content hash (``passed``, ``report``), if any."""
    verify: dict[str, Any] | None = None
    """The latest verify report at this content hash (``passed``, ``report``), if any."""
    regression_cases: list[dict[str, Any]] = field(default_factory=list)
    reliability: dict[str, Any] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """This dossier as one JSON object."""
        return asdict(self)

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON Schema object of the arguments.

        The pipeline stores ``{"parameters": ..., "returns": ...}``; a bare parameters object (as
        a hand-made registry may hold) is read as the parameters.
        """
        nested = self.schema.get("parameters")
        if isinstance(nested, dict) and "type" not in self.schema:
            return nested
        return self.schema

    @property
    def returns(self) -> dict[str, Any] | None:
        """The JSON Schema of the return value, when stored."""
        returns = self.schema.get("returns")
        return returns if isinstance(returns, dict) and "type" not in self.schema else None

    @property
    def findings(self) -> list[dict[str, Any]]:
        """The check findings (empty when the version was never checked or had none)."""
        if self.check is None:
            return []
        findings = self.check["report"].get("findings") or []
        return [f for f in findings if isinstance(f, dict)]

    @property
    def failed_properties(self) -> list[dict[str, Any]]:
        """The verify properties that did not hold, each with its falsifying example."""
        return [p for p in _entries(self.verify, "properties") if not p.get("passed", True)]

    @property
    def replays(self) -> list[dict[str, Any]]:
        """The replay outcomes of the latest verification."""
        return _entries(self.verify, "replays")

    @property
    def properties(self) -> list[dict[str, Any]]:
        """Every property result of the latest verification."""
        return _entries(self.verify, "properties")


def _entries(report: Mapping[str, Any] | None, key: str) -> list[dict[str, Any]]:
    if report is None:
        return []
    entries = report["report"].get(key) or []
    return [entry for entry in entries if isinstance(entry, dict)]


def _latest(registry: Registry, content_hash: str, kind: str) -> dict[str, Any] | None:
    matching = [r for r in registry.reports(content_hash) if r.kind == kind]
    if not matching:
        return None
    record = max(matching, key=lambda r: (r.created_at, r.id))
    return {"id": record.id, "passed": record.passed, "report": record.report}


def _calls(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tool calls of a kept trajectory: native records list them as ``steps`` (``tool``)."""
    steps = body.get("steps") or body.get("calls") or []
    calls = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        name = step.get("tool") or step.get("name")
        if name:
            calls.append({"name": str(name), "arguments": dict(step.get("arguments") or {})})
    return calls


def _trajectories(
    registry: Registry, name: str, version: int, refs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The source trajectories: id, digest and task text, one entry per trajectory.

    The registry keeps the full trajectories beside the refs; a ref whose digest names a kept
    trajectory takes that trajectory's own id and task text (native records spell them
    ``task_id`` and ``instruction``), so a trajectory referenced twice is listed once.
    """
    kept = {record.digest: record for record in registry.source_trajectories(name, version=version)}
    entries: dict[str, dict[str, Any]] = {}
    for ref in refs:
        record = kept.get(str(ref.get("digest", "")))
        body = record.trajectory if record is not None else {}
        identity = str(body.get("task_id") or body.get("id") or ref.get("id", ""))
        task = (record.task if record is not None else "") or body.get("instruction") or ""
        entry = entries.setdefault(
            identity, {"id": identity, "digest": ref.get("digest", ""), "task": "", "calls": []}
        )
        entry["task"] = entry["task"] or str(task)
        entry["calls"] = entry["calls"] or _calls(body)
    return list(entries.values())


def dossier(registry: Registry, name: str, *, version: int | None = None) -> Dossier:
    """Gather one version of ``name`` (the current one by default).

    Raises:
        skill_registry.UnknownSkillError: No such skill or version (the message suggests names).
    """
    record = registry.get(name, version=version)
    provenance = record.provenance.to_json()
    return Dossier(
        name=record.name,
        version=record.version,
        state=record.state.value,
        is_current=record.is_current,
        content_hash=record.content_hash,
        summary=record.summary,
        docstring=record.docstring,
        source=record.source,
        schema=dict(record.schema),
        tools=list(record.tools),
        provenance=provenance,
        trajectories=_trajectories(
            registry, name, record.version, list(provenance.get("source_trajectories") or [])
        ),
        versions=[
            {
                "version": v.version,
                "state": v.state.value,
                "content_hash": v.content_hash,
                "is_current": v.is_current,
                "created_at": v.created_at,
            }
            for v in registry.versions(name)
        ],
        check=_latest(registry, record.content_hash, "check"),
        verify=_latest(registry, record.content_hash, "verify"),
        regression_cases=[case.to_json() for case in registry.regression_cases(name)],
        reliability=registry.reliability(name, version=record.version).to_json(),
        audit=[entry.to_json() for entry in registry.audit_log(name)],
    )


def library(registry: Registry, *, states: tuple[str, ...] = ()) -> list[Dossier]:
    """The dossier of the current version of every skill (optionally only in ``states``)."""
    skills = registry.list_skills()
    wanted = set(states)
    return [
        dossier(registry, skill.name)
        for skill in sorted(skills, key=lambda s: s.name)
        if not wanted or skill.state.value in wanted
    ]
