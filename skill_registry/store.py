"""The registry: skills, versions, provenance, reports, lifecycle and search, in one SQLite file
or in a PostgreSQL database shared by many machines.

Every operation is one transaction (with its audit lines and automatic policy decisions), so it is
atomic, concurrent writers from many processes never lose an update, and a process killed
mid-write leaves every committed operation in place. SQLite runs one writer at a time
(``BEGIN IMMEDIATE``); PostgreSQL runs writers concurrently, each change to a skill holding the
lock of that skill's row, and retries a transaction the server aborted to keep them serial.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from . import _queries as q
from ._adding import Prepared, StoreVector, add_batch, add_one, prepare
from ._db import Database
from ._evidence import EvidenceMixin
from ._searching import SearchMixin, store_vector
from ._usage import UsageMixin
from ._validate import text
from .errors import InvalidRecord, InvalidTransition
from .lifecycle import allowed_transitions, path_to
from .migrations import schema_version
from .model import (
    AuditEntry,
    NewVersion,
    Provenance,
    SkillSummary,
    State,
    VersionRecord,
)
from .policy import Policy
from .search import Embedder, SearchWeights, embedding_text

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["Registry"]

T = TypeVar("T")

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
_BATCH = 500
_ANALYZE_AFTER = 5000  # versions in one import; fewer change the statistics little


class Backend(Protocol):
    """A database the registry runs its transactions on (``_db`` SQLite, ``_postgres``)."""

    @property
    def location(self) -> str:
        """Where the registry is, for messages (a path, or a URL without its password)."""
        ...

    def write(self, work: Callable[[Connection], T]) -> T: ...

    def read(self, work: Callable[[Connection], T]) -> T: ...

    def generation(self) -> Hashable | None:
        """A value that changes whenever anyone commits (None when there is no cheap one)."""
        ...

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
        if isinstance(tools, str):
            raise InvalidRecord(f"tools must be a sequence of tool names, got {tools!r}")
        item = prepare(
            NewVersion(
                name=name,
                source=source,
                schema=schema,
                summary=summary,
                docstring=docstring,
                tools=tuple(tools),
                provenance=provenance,
                trajectories=tuple(trajectories),
            )
        )
        store = self._vectors([item])
        return self._db.write(lambda connection: add_one(connection, item, store))

    def add_versions(self, versions: Iterable[NewVersion]) -> list[VersionRecord]:
        """Store many versions, as ``add_version`` of each in order would: the bulk import.

        Every version is checked before any is written. They are then written in batches of
        500, one transaction each, every kind of row of a batch at once (a batch costs a few
        round trips to a PostgreSQL server, where ``add_version`` costs a few dozen per
        version). Each batch is all or nothing; should one fail (say, the server went away),
        the batches before it stay stored and the error's note says how many versions they
        hold: adding the same versions again stores the rest, since a source already stored for
        its skill adds nothing. After a large import PostgreSQL's planner statistics are
        refreshed (``ANALYZE``), so search plans for the new size at once.

        Returns:
            One record per given version, in order, as ``add_version`` would have returned it
            at that point of the import (a source already stored returns the stored version as
            it is at the end of its batch).

        Raises:
            InvalidRecord: a version's arguments are wrong (the message names which version);
                nothing was written.
        """
        items: list[Prepared] = []
        for index, version in enumerate(versions):
            try:
                items.append(prepare(version))
            except InvalidRecord as error:
                raise InvalidRecord(f"version {index} of the import: {error}") from error
        records: list[VersionRecord] = []
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            store = self._vectors(batch)

            def work(connection: Connection) -> list[VersionRecord]:
                return add_batch(connection, batch, store)  # noqa: B023  (runs before the next)

            try:
                records += self._db.write(work)
            except BaseException as error:
                if records:
                    error.add_note(
                        f"skill_registry: {len(records)} of {len(items)} versions were stored "
                        "before this error; add the same versions again to store the rest"
                    )
                raise
        if len(items) >= _ANALYZE_AFTER:
            self._db.write(_refresh_statistics)
        return records

    def _vectors(self, items: Sequence[Prepared]) -> StoreVector:
        """Embed the items (before any transaction: a model may be slow); what stores a vector."""
        vectors = self._embed([embedding_text(item.fields) for item in items])
        if vectors is None:
            return lambda connection, position, version_id: None
        model = self._embedder_name()

        def store(connection: Connection, position: int, version_id: int) -> None:
            store_vector(connection, version_id, vectors[position], model)

        return store

    def get(self, name: str, *, version: int | None = None) -> VersionRecord:
        """One version of ``name`` (the current version when ``version`` is None).

        Raises:
            UnknownSkillError: no such skill (the message names close matches).
            UnknownVersionError: no such version.
        """
        return self._db.read(lambda c: q.record_of(c, q.version_row(c, name, version)))

    def generation(self) -> Hashable | None:
        """A value equal to an earlier one only when nothing was committed in between, by
        this process or another; None when the database has no cheap way to tell (PostgreSQL).

        A cache of what it read keeps the generation it read it under, taken *before* the
        reads: while it is unchanged the cache is current, with no read at all.
        """
        return self._db.generation()

    def head(self, name: str) -> tuple[int, State]:
        """The current version number of ``name`` and its state, in one small read.

        Versions never change once stored (only their state does), so a caller that keeps a
        loaded :class:`VersionRecord` can tell from this whether it is still the current one,
        whoever changed the registry (another thread, process or machine), without loading it
        again.

        Raises:
            UnknownSkillError: no such skill (the message names close matches).
        """

        def work(connection: Connection) -> tuple[int, State]:
            row = connection.execute(
                "SELECT s.current_version, v.state FROM skills s JOIN versions v "
                "ON v.skill = s.name AND v.version = s.current_version WHERE s.name = ?",
                (name,),
            ).fetchone()
            if row is None:
                # The long way raises the right error, naming close matches.
                full = q.version_row(connection, name, None)
                return int(full[2]), State(full[9])
            return int(row[0]), State(row[1])

        return self._db.read(work)

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


def _refresh_statistics(connection: Connection) -> None:
    if connection.dialect == "postgresql":
        connection.execute(
            "ANALYZE skills, versions, version_sources, search_rows, search_docs, search_terms"
        )
    else:
        connection.execute("PRAGMA optimize")


def _latest(connection: Connection, name: str) -> int:
    q.skill_row(connection, name)
    return int(
        connection.execute("SELECT max(version) FROM versions WHERE skill = ?", (name,)).fetchone()[
            0
        ]
    )
