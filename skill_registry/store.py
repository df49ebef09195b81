"""The registry: skills, versions, provenance, reports, lifecycle and search, in one SQLite file
or in a PostgreSQL database shared by many machines.

Every operation is one transaction (with its audit lines and automatic policy decisions), so it is
atomic, concurrent writers from many processes never lose an update, and a process killed
mid-write leaves every committed operation in place. SQLite runs one writer at a time
(``BEGIN IMMEDIATE``); PostgreSQL runs writers concurrently, each change to a skill holding the
lock of that skill's row, and retries a transaction the server aborted to keep them serial.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from . import _queries as q
from ._db import Database
from ._evidence import EvidenceMixin
from ._searching import SearchMixin, store_vector
from ._usage import UsageMixin
from ._validate import check_name, json_object, text
from .errors import InvalidRecord, InvalidTransition
from .lifecycle import allowed_transitions, path_to
from .migrations import schema_version
from .model import (
    AuditEntry,
    Provenance,
    SkillSummary,
    State,
    TrajectoryRef,
    VersionRecord,
)
from .policy import Policy
from .search import Embedder, SearchWeights, embedding_text, index_fields

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["Registry"]

T = TypeVar("T")

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")


class Backend(Protocol):
    """A database the registry runs its transactions on (``_db`` SQLite, ``_postgres``)."""

    @property
    def location(self) -> str:
        """Where the registry is, for messages (a path, or a URL without its password)."""
        ...

    def write(self, work: Callable[[Connection], T]) -> T: ...

    def read(self, work: Callable[[Connection], T]) -> T: ...

    def close(self) -> None: ...


class Registry(EvidenceMixin, SearchMixin, UsageMixin):
    """A versioned store of skills; open with ``Registry.open(path)`` and use as a context manager.

    One ``Registry`` serves one process (threads share it behind a lock); open another in each
    process, never share one across ``fork``.
    """

    def __init__(
        self,
        database: Backend,
        *,
        policy: Policy,
        embedder: Embedder | None,
        search_weights: SearchWeights,
    ) -> None:
        self._db = database
        self.policy = policy
        self.embedder = embedder
        self.search_weights = search_weights

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        tenant: str | None = None,
        policy: Policy = Policy(),  # noqa: B008  (a frozen value, safe to share)
        embedder: Embedder | None = None,
        search_weights: SearchWeights = SearchWeights(),  # noqa: B008  (frozen)
        busy_seconds: float = 30.0,
        durable: bool = True,
        create: bool = False,
    ) -> Registry:
        """Open the registry at ``path`` (migrating it when needed); create it only when asked.

        Args:
            path: A SQLite file of ours (with ``create``, also an empty file or a new path in an
                existing directory), or a PostgreSQL URL ``postgresql://[user@]host[:port]/db``
                (libpq's form: ``?host=/run/postgresql`` for a Unix socket, ``sslmode=``...; a
                ``tenant=`` query parameter is the same as the ``tenant`` option). Needs the
                ``postgres`` extra (psycopg 3).
            tenant: PostgreSQL only: the team whose registry this is. Each tenant's registry is
                its own schema (``skillbank_<tenant>``; ``skillbank`` without one) in the same
                database, so teams sharing a server never see each other's skills, reports,
                trajectories or search statistics.
            policy: Automatic promotion and demotion rules.
            embedder: Optional text embedder; its vectors are stored and blended into search.
            search_weights: How search blends BM25, embeddings and reliability.
            busy_seconds: How long a write may wait for other writers before ``RegistryBusy``.
            durable: ``synchronous=FULL`` (survives power loss) rather than ``NORMAL`` (survives
                process crashes only, faster).
            create: Make a new registry when nothing is at ``path``. Without it, a missing or
                empty file raises ``RegistryNotFound`` naming where it looked, so a mistyped
                path never becomes a new, empty registry.

        Raises:
            RegistryNotFound: nothing at ``path`` and ``create`` is false.
            NotARegistry: the path is a directory, not SQLite, or another application's database.
            CorruptRegistry: our file, damaged.
            IncompatibleRegistry: written by a newer skillbank.
            RegistryUnavailable: the path cannot be created or written.
        """
        database: Backend
        if isinstance(path, str) and path.startswith(POSTGRESQL_SCHEMES):
            from ._postgres import PostgresDatabase  # psycopg is an optional dependency

            database = PostgresDatabase(
                path, tenant=tenant, busy_seconds=busy_seconds, create=create
            )
        else:
            if tenant is not None:
                raise InvalidRecord(
                    f"tenant={tenant!r} needs a PostgreSQL registry; a SQLite registry is one "
                    "file per team: give each tenant its own file"
                )
            database = Database(
                Path(path), busy_seconds=busy_seconds, durable=durable, create=create
            )
        return cls(database, policy=policy, embedder=embedder, search_weights=search_weights)

    @property
    def location(self) -> str:
        """Where the registry is: its file, or its PostgreSQL URL (no password) and tenant."""
        return self._db.location

    @property
    def path(self) -> Path | None:
        """The registry file (None for a PostgreSQL registry)."""
        return self._db.path if isinstance(self._db, Database) else None

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def schema_version(self) -> int:
        """The latest migration applied to this registry."""
        return self._db.read(schema_version)

    # -- versions ---------------------------------------------------------------------------

    def add_version(
        self,
        name: str,
        *,
        source: str,
        schema: Mapping[str, Any],
        summary: str,
        docstring: str = "",
        tools: Sequence[str] = (),
        provenance: Provenance,
        trajectories: Sequence[Mapping[str, Any]] = (),
    ) -> VersionRecord:
        """Store a new ``draft`` version of ``name`` (a new skill when the name is unknown).

        Adding a source whose content hash equals a stored version of the same skill returns
        that version unchanged, except that new source trajectories are linked to it.

        Args:
            name: The skill's name.
            source: Typed Python source; its sha256 is the version's content hash.
            schema: JSON Schema object of parameters and return value, as the caller derived it.
            summary: One-line description (searched).
            docstring: The full docstring (searched).
            tools: Names of the tools the source calls.
            provenance: Synthesizer, its version, source trajectory refs, parent version.
            trajectories: The full JSON of the source trajectories (kept for re-learning and
                replay; their refs are added to the provenance).
        """
        check_name(name)
        text(source, "source", empty=False)
        schema_json = json_object(schema, "schema")
        text(summary, "summary")
        text(docstring, "docstring")
        if isinstance(tools, str) or not all(isinstance(t, str) and t for t in tools):
            raise InvalidRecord(f"tools must be a sequence of tool names, got {tools!r}")
        if not isinstance(provenance, Provenance):
            raise InvalidRecord(f"provenance must be a Provenance, got {type(provenance).__name__}")
        text(provenance.synthesizer, "provenance.synthesizer", empty=False)
        details_json = json_object(provenance.details, "provenance.details")
        full = [self._trajectory_row(t, source="learning") for t in trajectories]
        refs = _merge_refs(provenance.source_trajectories, full)
        fields = index_fields(
            name=name,
            summary=summary,
            docstring=docstring,
            schema=schema,
            tasks=[row[2] for row in full],
        )
        vector = self._embed([embedding_text(fields)])
        content_hash = q.sha256(source)
        tool_names = list(dict.fromkeys(tools))

        def work(connection: Connection) -> VersionRecord:
            now = time.time()
            for row in full:
                connection.execute(
                    q.INSERT_TRAJECTORY,
                    (*row, now),
                )
            # A new skill's row first (a no-op when it exists), then its lock: concurrent
            # writers of one skill take turns from here on.
            new_skill = (
                connection.execute(
                    "INSERT INTO skills (name, current_version, created_at) VALUES (?, 1, ?) "
                    "ON CONFLICT DO NOTHING RETURNING name",
                    (name, now),
                ).fetchone()
                is not None
            )
            skill = q.skill_row(connection, name)
            existing = connection.execute(
                f"SELECT {q.VERSION_COLUMNS} FROM versions WHERE skill = ? AND content_hash = ?",
                (name, content_hash),
            ).fetchone()
            if existing is not None:
                _link_sources(connection, existing[0], refs)
                connection.search.index_version(connection, existing[0], state=State(existing[9]))
                return q.record_of(connection, tuple(existing))
            if provenance.parent_version is not None:
                q.version_row(connection, name, provenance.parent_version)
            version = 1
            if not new_skill:
                version = 1 + int(
                    connection.execute(
                        "SELECT max(version) FROM versions WHERE skill = ?", (name,)
                    ).fetchone()[0]
                )
            row_id = connection.execute(
                "INSERT INTO versions (skill, version, content_hash, source, schema_json, summary, "
                "docstring, tools_json, state, synthesizer, synthesizer_version, parent_version, "
                "created_at, provenance_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (
                    name,
                    version,
                    content_hash,
                    source,
                    schema_json,
                    summary,
                    docstring,
                    json.dumps(tool_names),
                    State.DRAFT.value,
                    provenance.synthesizer,
                    provenance.synthesizer_version,
                    provenance.parent_version,
                    now,
                    details_json,
                ),
            ).fetchone()[0]
            _link_sources(connection, row_id, refs)
            connection.executemany(
                "INSERT INTO version_tools (version_id, tool) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(row_id, tool) for tool in tool_names],
            )
            connection.search.index_version(connection, row_id, state=State.DRAFT, fields=fields)
            if vector is not None:
                store_vector(connection, row_id, vector[0], self._embedder_name())
            if not new_skill:
                current = q.version_row(connection, name, int(skill[1]))
                if State(current[9]) is not State.PROMOTED:
                    connection.execute(
                        "UPDATE skills SET current_version = ? WHERE name = ?", (version, name)
                    )
            q.audit(
                connection,
                name=name,
                version=version,
                action="create",
                from_state=None,
                to_state=State.DRAFT,
                actor=provenance.synthesizer,
                reason=f"added version {version} ({content_hash[:12]}…)",
            )
            return q.record_of(connection, q.version_row(connection, name, version))

        return self._db.write(work)

    def get(self, name: str, *, version: int | None = None) -> VersionRecord:
        """One version of ``name`` (the current version when ``version`` is None).

        Raises:
            UnknownSkillError: no such skill (the message names close matches).
            UnknownVersionError: no such version.
        """
        return self._db.read(lambda c: q.record_of(c, q.version_row(c, name, version)))

    def versions(self, name: str) -> list[VersionRecord]:
        """Every version of ``name``, oldest first."""

        def work(connection: Connection) -> list[VersionRecord]:
            q.skill_row(connection, name)
            rows = connection.execute(
                f"SELECT {q.VERSION_COLUMNS} FROM versions WHERE skill = ? ORDER BY version",
                (name,),
            ).fetchall()
            return [q.record_of(connection, tuple(row)) for row in rows]

        return self._db.read(work)

    def list_skills(self, *, state: State | str | None = None) -> list[SkillSummary]:
        """Every skill with its current version (filtered by that version's ``state``)."""
        sql = (
            "SELECT s.name, v.version, v.state, v.summary, v.successes, v.failures, v.refusals "
            "FROM skills s "
            "JOIN versions v ON v.skill = s.name AND v.version = s.current_version"
        )
        params: tuple[str, ...] = ()
        if state is not None:
            sql += " WHERE v.state = ?"
            params = (State(state).value,)
        rows = self._db.read(lambda c: c.execute(sql + " ORDER BY s.name", params).fetchall())
        return [
            SkillSummary(
                name=name,
                version=version,
                state=State(st),
                summary=summary,
                reliability=self._reliability(successes, failures, refusals),
            )
            for name, version, st, summary, successes, failures, refusals in rows
        ]

    # -- lifecycle --------------------------------------------------------------------------

    def transition(
        self, name: str, *, version: int, to: State | str, actor: str, reason: str
    ) -> VersionRecord:
        """Move one version to state ``to`` in one step, audit-logged.

        Raises:
            InvalidTransition: the table does not allow it (the message lists what is allowed).
            GateNotPassed: entering ``verified``/``promoted`` without passed reports.
        """
        target = State(to)
        text(actor, "actor", empty=False)
        text(reason, "reason", empty=False)

        def work(connection: Connection) -> VersionRecord:
            row = q.version_row(connection, name, version)
            row = q.set_state(
                connection, row, target, action="transition", actor=actor, reason=reason
            )
            return q.record_of(connection, row)

        return self._db.write(work)

    def promote(
        self, name: str, *, version: int | None = None, actor: str, reason: str
    ) -> VersionRecord:
        """Promote a version (the latest when None), passing ``candidate``/``verified`` on the way.

        Every step is gated and audit-logged; the promoted version becomes current and a
        previously promoted version is deprecated.
        """
        text(actor, "actor", empty=False)
        text(reason, "reason", empty=False)

        def work(connection: Connection) -> VersionRecord:
            row = q.version_row(
                connection, name, version if version is not None else _latest(connection, name)
            )
            state = State(row[9])
            steps = path_to(state, State.PROMOTED)
            if state is not State.PROMOTED and not steps:
                allowed = [s.value for s in allowed_transitions(state)]
                raise InvalidTransition(
                    f"skill {name!r} version {row[2]} is {state.value!r} and cannot be promoted; "
                    f"allowed from {state.value!r}: {allowed or 'nothing'}",
                    allowed=allowed,
                )
            for step in steps:
                q.require_gate(connection, row, State.PROMOTED)
                row = q.set_state(
                    connection, row, step, action="transition", actor=actor, reason=reason
                )
            return q.record_of(connection, row)

        return self._db.write(work)

    def deprecate(
        self, name: str, *, version: int | None = None, actor: str, reason: str
    ) -> VersionRecord:
        """Deprecate a version (the current one when None)."""
        return self._move(name, version, State.DEPRECATED, actor=actor, reason=reason)

    def reject(
        self, name: str, *, version: int | None = None, actor: str, reason: str
    ) -> VersionRecord:
        """Reject a version (the latest when None)."""
        return self._move(name, version, State.REJECTED, actor=actor, reason=reason, latest=True)

    def _move(
        self,
        name: str,
        version: int | None,
        to: State,
        *,
        actor: str,
        reason: str,
        latest: bool = False,
    ) -> VersionRecord:
        text(actor, "actor", empty=False)
        text(reason, "reason", empty=False)

        def work(connection: Connection) -> VersionRecord:
            number = version
            if number is None and latest:
                number = _latest(connection, name)
            row = q.version_row(connection, name, number)
            row = q.set_state(connection, row, to, action="transition", actor=actor, reason=reason)
            return q.record_of(connection, row)

        return self._db.write(work)

    def rollback(self, name: str, *, to_version: int, actor: str, reason: str) -> VersionRecord:
        """Make an earlier (gated) version current and promoted again, audit-logged.

        Raises:
            InvalidTransition: ``to_version`` is already current, or its state cannot be promoted.
            GateNotPassed: its reports no longer pass.
        """
        text(actor, "actor", empty=False)
        text(reason, "reason", empty=False)

        def work(connection: Connection) -> VersionRecord:
            row = q.version_row(connection, name, to_version)
            current = q.current_version(connection, name)
            if current == to_version:
                raise InvalidTransition(
                    f"skill {name!r} version {to_version} is already current; roll back to "
                    "another version"
                )
            if State(row[9]) is not State.PROMOTED:
                row = q.set_state(
                    connection, row, State.PROMOTED, action="rollback", actor=actor, reason=reason
                )
            connection.execute(
                "UPDATE skills SET current_version = ? WHERE name = ?", (to_version, name)
            )
            return q.record_of(connection, row)

        return self._db.write(work)

    def audit_log(self, name: str | None = None) -> list[AuditEntry]:
        """The audit log (of one skill when ``name`` is given), oldest first."""
        sql = "SELECT id, at, skill, version, action, from_state, to_state, actor, reason"
        sql += " FROM audit_log"
        params: tuple[str, ...] = ()
        if name is not None:
            sql, params = sql + " WHERE skill = ?", (name,)
        rows = self._db.read(lambda c: c.execute(sql + " ORDER BY id", params).fetchall())
        return [q.audit_entry(tuple(row)) for row in rows]


def _latest(connection: Connection, name: str) -> int:
    q.skill_row(connection, name)
    return int(
        connection.execute("SELECT max(version) FROM versions WHERE skill = ?", (name,)).fetchone()[
            0
        ]
    )


def _merge_refs(
    given: Sequence[TrajectoryRef], full: Sequence[tuple[str, str, str, str, str]]
) -> list[TrajectoryRef]:
    refs: dict[str, TrajectoryRef] = {}
    for ref in given:
        if not isinstance(ref, TrajectoryRef):
            raise InvalidRecord(f"source_trajectories must hold TrajectoryRef values, got {ref!r}")
        refs.setdefault(ref.digest, ref)
    for digest, trajectory_id, *_ in full:
        refs.setdefault(digest, TrajectoryRef(id=trajectory_id, digest=digest))
    return list(refs.values())


def _link_sources(connection: Connection, version_id: int, refs: Sequence[TrajectoryRef]) -> None:
    start = connection.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM version_sources WHERE version_id = ?",
        (version_id,),
    ).fetchone()[0]
    position = int(start)
    for ref in refs:
        added = connection.execute(
            "INSERT INTO version_sources (version_id, position, trajectory_id, digest) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING position",
            (version_id, position, ref.id, ref.digest),
        ).fetchone()
        position += added is not None
