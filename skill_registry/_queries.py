"""Low-level reads and writes shared by the registry's operations (run inside a transaction)."""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import lifecycle
from .errors import GateNotPassed, InvalidRecord, UnknownSkillError, UnknownVersionError
from .model import AuditEntry, Provenance, ReportRecord, State, TrajectoryRef, VersionRecord

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = [
    "INSERT_TRAJECTORY",
    "VERSION_COLUMNS",
    "audit",
    "canonical_json",
    "current_version",
    "gate",
    "record_of",
    "require_gate",
    "set_state",
    "sha256",
    "skill_row",
    "trajectory_row",
    "version_row",
]

INSERT_TRAJECTORY = (
    "INSERT INTO trajectories (digest, trajectory_id, task, body, source, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)

VERSION_COLUMNS = (
    "id, skill, version, content_hash, source, schema_json, summary, docstring, tools_json, state, "
    "synthesizer, synthesizer_version, parent_version, gated_by_json, created_at, provenance_json"
)


def canonical_json(value: Any) -> str:
    """The one JSON spelling used for digests (sorted keys, compact, UTF-8 kept)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


def trajectory_row(trajectory: Mapping[str, Any], *, source: str) -> tuple[str, str, str, str, str]:
    """(digest, id, task text, canonical JSON body, source) of a trajectory to keep.

    Raises:
        InvalidRecord: not a JSON object, or not JSON-serialisable.
    """
    if not isinstance(trajectory, Mapping):
        raise InvalidRecord(f"a trajectory must be a JSON object, got {type(trajectory).__name__}")
    try:
        body = canonical_json(dict(trajectory))
    except (TypeError, ValueError) as error:
        raise InvalidRecord(f"trajectory is not JSON-serialisable: {error}") from error
    digest = sha256(body)
    # Native trajectory files spell these ``task_id`` / ``instruction``; accept both.
    trajectory_id = trajectory.get("id", trajectory.get("task_id"))
    task = trajectory.get("task", trajectory.get("instruction"))
    return (
        digest,
        trajectory_id if isinstance(trajectory_id, str) and trajectory_id else digest[:16],
        task if isinstance(task, str) else "",
        body,
        source,
    )


def skill_row(connection: Connection, name: str) -> tuple[Any, ...]:
    """The ``skills`` row of ``name``; inside a write transaction, locked until it ends.

    Every write that changes a skill reads its row first, so concurrent writers of one skill
    take turns (on SQLite, where one writer runs at a time, there is nothing to lock).

    Raises:
        UnknownSkillError: naming close matches among the stored names.
    """
    row = connection.execute(
        f"SELECT name, current_version, created_at FROM skills WHERE name = ?{connection.lock}",
        (name,),
    ).fetchone()
    if row is None:
        names = [r[0] for r in connection.execute("SELECT name FROM skills ORDER BY name")]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {close}?" if close else f"; {len(names)} skills are stored"
        raise UnknownSkillError(f"no skill named {name!r}{hint}", close_matches=close)
    return tuple(row)


def current_version(connection: Connection, name: str) -> int:
    """The current version number of ``name`` (raises ``UnknownSkillError``)."""
    return int(skill_row(connection, name)[1])


def version_row(connection: Connection, name: str, version: int | None) -> tuple[Any, ...]:
    """The ``versions`` row of ``name`` at ``version`` (the current one when None).

    Raises:
        UnknownSkillError: no such skill.
        UnknownVersionError: the skill exists but not that version.
    """
    current = current_version(connection, name)
    if version is None:
        version = current
    row = connection.execute(
        f"SELECT {VERSION_COLUMNS} FROM versions WHERE skill = ? AND version = ?", (name, version)
    ).fetchone()
    if row is None:
        stored = [
            r[0]
            for r in connection.execute(
                "SELECT version FROM versions WHERE skill = ? ORDER BY version", (name,)
            )
        ]
        raise UnknownVersionError(
            f"skill {name!r} has no version {version!r}; stored versions: {stored}"
        )
    return tuple(row)


def record_of(connection: Connection, row: tuple[Any, ...]) -> VersionRecord:
    """A ``VersionRecord`` from a row selected with ``VERSION_COLUMNS``."""
    (
        row_id,
        skill,
        version,
        content_hash,
        source,
        schema_json,
        summary,
        docstring,
        tools_json,
        state,
        synthesizer,
        synthesizer_version,
        parent_version,
        gated_by_json,
        created_at,
        provenance_json,
    ) = row
    sources = tuple(
        TrajectoryRef(id=tid, digest=digest)
        for tid, digest in connection.execute(
            "SELECT trajectory_id, digest FROM version_sources WHERE version_id = ? "
            "ORDER BY position",
            (row_id,),
        )
    )
    current = current_version(connection, skill)
    return VersionRecord(
        name=skill,
        version=version,
        content_hash=content_hash,
        source=source,
        schema=json.loads(schema_json),
        summary=summary,
        docstring=docstring,
        tools=tuple(json.loads(tools_json)),
        state=State(state),
        provenance=Provenance(
            synthesizer=synthesizer,
            synthesizer_version=synthesizer_version,
            source_trajectories=sources,
            parent_version=parent_version,
            details=json.loads(provenance_json),
        ),
        gated_by=tuple(json.loads(gated_by_json)),
        created_at=created_at,
        is_current=current == version,
    )


def audit(
    connection: Connection,
    *,
    name: str,
    version: int,
    action: str,
    from_state: State | None,
    to_state: State,
    actor: str,
    reason: str,
) -> None:
    """Append one line to the audit log."""
    connection.execute(
        "INSERT INTO audit_log (at, skill, version, action, from_state, to_state, actor, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            time.time(),
            name,
            version,
            action,
            from_state and from_state.value,
            to_state.value,
            actor,
            reason,
        ),
    )


def audit_entry(row: tuple[Any, ...]) -> AuditEntry:
    """An ``AuditEntry`` from an ``audit_log`` row (all columns, in order)."""
    row_id, at, skill, version, action, from_state, to_state, actor, reason = row
    return AuditEntry(
        id=row_id,
        at=at,
        name=skill,
        version=version,
        action=action,
        from_state=State(from_state) if from_state is not None else None,
        to_state=State(to_state),
        actor=actor,
        reason=reason,
    )


def report_of(row: tuple[Any, ...]) -> ReportRecord:
    """A ``ReportRecord`` from a ``reports`` row (all columns, in order)."""
    row_id, content_hash, kind, passed, report_json, created_at = row
    return ReportRecord(
        id=row_id,
        content_hash=content_hash,
        kind=kind,
        passed=bool(passed),
        report=json.loads(report_json),
        created_at=created_at,
    )


def gate(connection: Connection, row: tuple[Any, ...]) -> dict[str, tuple[int, bool] | None]:
    """The latest check and verify reports that count for a version: kind → (report id, passed).

    Reports at the version's content hash count when they are newer than the version's evidence
    floor (raised when the version is sent back to ``candidate`` for re-verification).
    """
    floor = connection.execute("SELECT evidence_after FROM versions WHERE id = ?", (row[0],))
    after = int(floor.fetchone()[0])
    latest: dict[str, tuple[int, bool] | None] = {}
    for kind in ("check", "verify"):
        found = connection.execute(
            "SELECT id, passed FROM reports WHERE content_hash = ? AND kind = ? AND id > ? "
            "ORDER BY id DESC LIMIT 1",
            (row[3], kind, after),
        ).fetchone()
        latest[kind] = (int(found[0]), bool(found[1])) if found else None
    return latest


def require_gate(connection: Connection, row: tuple[Any, ...], to_state: State) -> tuple[int, ...]:
    """The ids of the reports that let ``row`` enter ``to_state`` (empty when not gated).

    Raises:
        GateNotPassed: naming what is missing at the version's content hash.
    """
    if to_state not in lifecycle.GATED_STATES:
        return ()
    latest = gate(connection, row)
    check, verify = latest["check"], latest["verify"]
    missing = lifecycle.missing_evidence(
        to_state,
        check_passed=None if check is None else check[1],
        verify_passed=None if verify is None else verify[1],
    )
    if (
        missing
        and connection.execute(
            "SELECT evidence_after FROM versions WHERE id = ?", (row[0],)
        ).fetchone()[0]
    ):
        missing = tuple(f"{item} since it was sent back for re-verification" for item in missing)
    if missing:
        raise GateNotPassed(
            f"skill {row[1]!r} version {row[2]} cannot become {to_state.value!r}: "
            f"{', '.join(missing)} at content hash {row[3][:12]}…; run the check and the "
            "verification and record passing reports with record_report()",
            missing=missing,
        )
    return tuple(entry[0] for entry in (check, verify) if entry is not None)


def set_state(
    connection: Connection,
    row: tuple[Any, ...],
    to_state: State,
    *,
    action: str,
    actor: str,
    reason: str,
) -> tuple[Any, ...]:
    """Move one version to ``to_state`` (table and gate enforced), audit it, return the new row.

    Promotion also supersedes (deprecates) any other promoted version of the skill and makes
    this version current.
    """
    row_id, name, version, from_state = row[0], row[1], row[2], State(row[9])
    lifecycle.check_transition(name, version, from_state, to_state)
    evidence = require_gate(connection, row, to_state)
    if to_state is State.PROMOTED:
        for other in connection.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions WHERE skill = ? AND state = ? AND id != ?",
            (name, State.PROMOTED.value, row_id),
        ).fetchall():
            set_state(
                connection,
                tuple(other),
                State.DEPRECATED,
                action="supersede",
                actor=actor,
                reason=f"superseded by version {version}: {reason}",
            )
        connection.execute("UPDATE skills SET current_version = ? WHERE name = ?", (version, name))
    if to_state is State.CANDIDATE and from_state is not State.DRAFT:
        # Sent back for re-verification: only reports recorded from now on count.
        connection.execute(
            "UPDATE versions SET evidence_after = (SELECT coalesce(max(id), 0) FROM reports) "
            "WHERE id = ?",
            (row_id,),
        )
    if evidence:
        connection.execute(
            "UPDATE versions SET state = ?, gated_by_json = ? WHERE id = ?",
            (to_state.value, json.dumps(list(evidence)), row_id),
        )
    else:
        connection.execute("UPDATE versions SET state = ? WHERE id = ?", (to_state.value, row_id))
    connection.search.set_state(connection, row_id, to_state)
    audit(
        connection,
        name=name,
        version=version,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        reason=reason,
    )
    return (
        *row[:9],
        to_state.value,
        *row[10:13],
        json.dumps(list(evidence)) if evidence else row[13],
        *row[14:],
    )
