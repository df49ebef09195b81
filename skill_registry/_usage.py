"""What happens after promotion: outcomes, reliability, kept trajectories, tool schema changes."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _queries as q
from .errors import InvalidRecord
from .model import OutcomeRecord, Reliability, State, TrajectoryRecord, VersionRecord
from .stats import reliability as posterior

if TYPE_CHECKING:
    from ._connection import Connection
    from .policy import Policy
    from .store import Backend

__all__ = ["UsageMixin"]

_REQUIRED_USE_KEYS = {"version", "success", "duration_seconds"}
_USE_KEYS = _REQUIRED_USE_KEYS | {"trajectory", "refused"}


class UsageMixin:
    """Outcome recording, reliability and tool-schema tracking of ``Registry``."""

    _db: Backend
    policy: Policy

    def _reliability(self, successes: int, failures: int, refusals: int = 0) -> Reliability:
        stats = posterior(successes, failures, quantile=self.policy.credible_quantile)
        return dataclasses.replace(stats, refusals=refusals) if refusals else stats

    def record_outcome(
        self,
        name: str,
        *,
        version: int,
        success: bool,
        duration_seconds: float,
        trajectory: Mapping[str, Any] | None = None,
        refused: bool = False,
    ) -> OutcomeRecord:
        """Record one use of a version; the policy may then promote or demote it (audit-logged).

        Args:
            name: The skill.
            version: The version that ran.
            success: Whether the call achieved what it was called for.
            duration_seconds: Wall time of the call.
            trajectory: The tool calls of this use, kept for re-learning.
            refused: The skill's own guard stopped the call (counted in
                ``Reliability.refusals`` whether or not it counts as a success).
        """
        return self._db.write(
            self._outcome_work(
                name,
                version=version,
                success=success,
                duration_seconds=duration_seconds,
                trajectory=trajectory,
                refused=refused,
            )
        )

    def record_outcomes(self, uses: Iterable[Mapping[str, Any]]) -> list[OutcomeRecord]:
        """Record many uses in one transaction (one disk sync instead of one per use).

        Each use is a mapping of :meth:`record_outcome`'s arguments (``name``, ``version``,
        ``success``, ``duration_seconds``, optional ``trajectory`` and ``refused``); they are
        recorded in order, with the policy applied after each. All or none are stored: one
        that cannot be recorded (an unknown version, a bad value) fails the whole call.
        """
        works = []
        for index, use in enumerate(uses):
            if not isinstance(use, Mapping):
                raise InvalidRecord(f"use {index} must be a mapping, got {type(use).__name__}")
            arguments = dict(use)
            name = arguments.pop("name", None)
            unknown = set(arguments) - _USE_KEYS
            if not isinstance(name, str) or unknown or not set(arguments) >= _REQUIRED_USE_KEYS:
                raise InvalidRecord(
                    f"use {index} must have name, version, success and duration_seconds (and "
                    f"optionally trajectory, refused); got {sorted(use)}"
                )
            works.append(self._outcome_work(name, **arguments))
        return self._db.write(lambda connection: [work(connection) for work in works])

    def _outcome_work(
        self,
        name: str,
        *,
        version: int,
        success: bool,
        duration_seconds: float,
        trajectory: Mapping[str, Any] | None = None,
        refused: bool = False,
    ) -> Callable[[Connection], OutcomeRecord]:
        """The checked arguments of one use, as the work of a write transaction."""
        if not isinstance(success, bool):
            raise InvalidRecord(f"success must be a bool, got {success!r}")
        if not isinstance(refused, bool):
            raise InvalidRecord(f"refused must be a bool, got {refused!r}")
        if (
            not isinstance(duration_seconds, int | float)
            or not math.isfinite(duration_seconds)
            or duration_seconds < 0
        ):
            raise InvalidRecord(
                f"duration_seconds must be a finite number >= 0, got {duration_seconds!r}"
            )
        kept = None
        if trajectory is not None:
            kept = q.trajectory_row(trajectory, source=f"outcome:{name}@{version}")

        def work(connection: Connection) -> OutcomeRecord:
            row = q.version_row(connection, name, version)
            now = time.time()
            if kept is not None:
                connection.execute(
                    q.INSERT_TRAJECTORY,
                    (*kept, now),
                )
            outcome_id = connection.execute(
                "INSERT INTO outcomes (version_id, success, duration, at, trajectory_digest, "
                "refused) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    row[0],
                    int(success),
                    float(duration_seconds),
                    now,
                    kept and kept[0],
                    int(refused),
                ),
            ).fetchone()[0]
            column = "successes" if success else "failures"
            connection.execute(
                f"UPDATE versions SET {column} = {column} + 1, refusals = refusals + ? "
                "WHERE id = ?",
                (int(refused), row[0]),
            )
            self._apply_policy(connection, row)
            return OutcomeRecord(
                id=outcome_id,
                name=name,
                version=version,
                success=success,
                duration_seconds=float(duration_seconds),
                at=now,
                trajectory_digest=kept[0] if kept else None,
                refused=refused,
            )

        return work

    def _apply_policy(self, connection: Connection, row: tuple[Any, ...]) -> None:
        successes, failures = connection.execute(
            "SELECT successes, failures FROM versions WHERE id = ?", (row[0],)
        ).fetchone()
        decided = self.policy.decision(State(row[9]), successes, failures)
        if decided is None:
            return
        stats = self._reliability(successes, failures)
        if decided is State.CANDIDATE:
            q.set_state(
                connection,
                row,
                State.CANDIDATE,
                action="auto-demote",
                actor="policy",
                reason=f"reliability lower bound {stats.lower_bound:.3f} < "
                f"{self.policy.demote_below_lower_bound} after {stats.uses} uses",
            )
            return
        latest = q.gate(connection, row)
        if all(entry is not None and entry[1] for entry in latest.values()):
            q.set_state(
                connection,
                row,
                State.PROMOTED,
                action="auto-promote",
                actor="policy",
                reason=f"{stats.successes} successes, reliability lower bound "
                f"{stats.lower_bound:.3f} >= {self.policy.promote_min_lower_bound}",
            )

    def reliability(self, name: str, *, version: int | None = None) -> Reliability:
        """The Beta posterior of a version's success rate (the current version when None)."""

        def work(connection: Connection) -> tuple[int, int, int]:
            row = q.version_row(connection, name, version)
            counts = connection.execute(
                "SELECT successes, failures, refusals FROM versions WHERE id = ?", (row[0],)
            ).fetchone()
            return int(counts[0]), int(counts[1]), int(counts[2])

        return self._reliability(*self._db.read(work))

    def record_trajectory(
        self, trajectory_json: Mapping[str, Any], *, source: str
    ) -> TrajectoryRecord:
        """Keep a trajectory (e.g. captured from a skill call) for re-learning; deduplicated."""
        if not isinstance(source, str) or not source:
            raise InvalidRecord(f"source must be a non-empty string, got {source!r}")
        row = q.trajectory_row(trajectory_json, source=source)

        def work(connection: Connection) -> TrajectoryRecord:
            connection.execute(
                q.INSERT_TRAJECTORY,
                (*row, time.time()),
            )
            stored = connection.execute(
                f"SELECT {_TRAJECTORY_COLUMNS} FROM trajectories WHERE digest = ?", (row[0],)
            ).fetchone()
            return _trajectory_of(tuple(stored))

        return self._db.write(work)

    def trajectories(
        self, *, source: str | None = None, limit: int | None = None
    ) -> list[TrajectoryRecord]:
        """Kept trajectories, oldest first (only those from ``source`` when given)."""
        sql = f"SELECT {_TRAJECTORY_COLUMNS} FROM trajectories"
        params: list[Any] = []
        if source is not None:
            sql += " WHERE source = ?"
            params.append(source)
        sql += " ORDER BY created_at, digest"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._db.read(lambda c: c.execute(sql, params).fetchall())
        return [_trajectory_of(tuple(row)) for row in rows]

    def source_trajectories(
        self, name: str, *, version: int | None = None
    ) -> list[TrajectoryRecord]:
        """The stored full trajectories a version was learned from, in provenance order."""

        def work(connection: Connection) -> list[TrajectoryRecord]:
            row = q.version_row(connection, name, version)
            return [
                _trajectory_of(tuple(r))
                for r in connection.execute(
                    "SELECT t.digest, t.trajectory_id, t.task, t.source, t.body, t.created_at FROM "
                    "version_sources s JOIN trajectories t ON t.digest = s.digest "
                    "WHERE s.version_id = ? ORDER BY s.position",
                    (row[0],),
                )
            ]

        return self._db.read(work)

    def tool_schema_changed(self, tool: str, schema: Mapping[str, Any]) -> list[VersionRecord]:
        """Record ``tool``'s schema; when it differs from the stored one, send every verified or
        promoted version that calls the tool back to ``candidate`` for re-verification.

        The first schema seen for a tool is only recorded. Returns the demoted versions.
        """
        if not isinstance(tool, str) or not tool:
            raise InvalidRecord(f"tool must be a non-empty name, got {tool!r}")
        if not isinstance(schema, Mapping):
            raise InvalidRecord(f"schema of tool {tool!r} must be a JSON object")
        schema_json = q.canonical_json(dict(schema))
        new_hash = q.sha256(schema_json)

        def work(connection: Connection) -> list[VersionRecord]:
            stored = connection.execute(
                f"SELECT schema_hash FROM tool_schemas WHERE tool = ?{connection.lock}", (tool,)
            ).fetchone()
            connection.execute(
                "INSERT INTO tool_schemas (tool, schema_hash, schema_json, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (tool) DO UPDATE SET schema_hash = "
                "excluded.schema_hash, schema_json = excluded.schema_json, "
                "updated_at = excluded.updated_at",
                (tool, new_hash, schema_json, time.time()),
            )
            if (
                stored is None
                or stored[0] == new_hash
                or not self.policy.demote_on_tool_schema_change
            ):
                return []
            gated = (State.PROMOTED.value, State.VERIFIED.value)
            found = connection.execute(
                "SELECT skill, version FROM versions WHERE id IN (SELECT version_id FROM "
                "version_tools WHERE tool = ?) AND state IN (?, ?) ORDER BY skill, version",
                (tool, *gated),
            ).fetchall()
            demoted = []
            for skill, version in found:
                # Read again under the skill's lock (taken in name order, so two such
                # transactions never wait on each other in a cycle): a concurrent writer may
                # have moved it meanwhile.
                row = q.version_row(connection, skill, version)
                if row[9] not in gated:
                    continue
                new_row = q.set_state(
                    connection,
                    row,
                    State.CANDIDATE,
                    action="tool-schema-changed",
                    actor="policy",
                    reason=f"tool {tool!r} changed its schema "
                    f"({stored[0][:12]}… → {new_hash[:12]}…); re-verify",
                )
                demoted.append(new_row)
            return [q.record_of(connection, r) for r in demoted]

        return self._db.write(work)


_TRAJECTORY_COLUMNS = "digest, trajectory_id, task, source, body, created_at"


def _trajectory_of(row: tuple[Any, ...]) -> TrajectoryRecord:
    digest, trajectory_id, task, source, body, created_at = row
    return TrajectoryRecord(
        id=trajectory_id,
        digest=digest,
        task=task,
        source=source,
        trajectory=json.loads(body),
        created_at=created_at,
    )
