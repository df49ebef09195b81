"""Adding versions: one at a time (``add_version``) or many in batches (``add_versions``).

Both store the same rows: the source trajectories, the skill's row (locked for the rest of the
transaction), the version as a ``draft``, its sources, tools, search rows, vector and audit line;
a new version becomes current unless the current one is promoted. A source whose content hash
equals a stored version of the same skill adds no version: new source trajectories are linked to
the stored one.

A batch writes each kind of row for all its versions at once: one statement per kind on SQLite
(statements cost microseconds in-process) and one pipelined batch per kind on PostgreSQL, so a
batch of hundreds of versions costs a few round trips instead of a few dozen per version. The
skills' rows are locked in name order, as two batches touching the same skills must take them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _queries as q
from ._index import IN_LIST_SIZE
from ._validate import check_name, json_object, text
from .errors import InvalidRecord
from .model import NewVersion, Provenance, State, TrajectoryRef, VersionRecord
from .search import index_fields

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["Prepared", "add_batch", "add_one", "prepare"]

_INSERT_SKILL = (
    "INSERT INTO skills (name, current_version, created_at) VALUES (?, 1, ?) ON CONFLICT DO NOTHING"
)
_INSERT_VERSION = (
    "INSERT INTO versions (skill, version, content_hash, source, schema_json, summary, "
    "docstring, tools_json, state, synthesizer, synthesizer_version, parent_version, "
    "created_at, provenance_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_INSERT_TOOL = "INSERT INTO version_tools (version_id, tool) VALUES (?, ?) ON CONFLICT DO NOTHING"


@dataclass(frozen=True)
class Prepared:
    """A version's arguments, checked and turned into the values its rows hold."""

    name: str
    source: str
    content_hash: str
    schema_json: str
    summary: str
    docstring: str
    tools: tuple[str, ...]
    provenance: Provenance
    details_json: str
    trajectories: tuple[tuple[str, str, str, str, str], ...]
    refs: tuple[TrajectoryRef, ...]
    fields: Mapping[str, str]

    def version_values(self, version: int, now: float) -> tuple[Any, ...]:
        """The ``versions`` row of this version as ``version`` (in ``_INSERT_VERSION`` order)."""
        return (
            self.name,
            version,
            self.content_hash,
            self.source,
            self.schema_json,
            self.summary,
            self.docstring,
            json.dumps(list(self.tools)),
            State.DRAFT.value,
            self.provenance.synthesizer,
            self.provenance.synthesizer_version,
            self.provenance.parent_version,
            now,
            self.details_json,
        )

    def record(self, version: int, now: float, *, is_current: bool) -> VersionRecord:
        """The record of this version as a new draft, without reading it back."""
        return VersionRecord(
            name=self.name,
            version=version,
            content_hash=self.content_hash,
            source=self.source,
            schema=json.loads(self.schema_json),
            summary=self.summary,
            docstring=self.docstring,
            tools=self.tools,
            state=State.DRAFT,
            provenance=Provenance(
                synthesizer=self.provenance.synthesizer,
                synthesizer_version=self.provenance.synthesizer_version,
                source_trajectories=self.refs,
                parent_version=self.provenance.parent_version,
                details=json.loads(self.details_json),
            ),
            gated_by=(),
            created_at=now,
            is_current=is_current,
        )


def prepare(item: NewVersion) -> Prepared:
    """Check one version's arguments (``add_version``'s rules) and derive what gets stored.

    Raises:
        InvalidRecord: naming the argument that is wrong.
    """
    if not isinstance(item, NewVersion):
        raise InvalidRecord(f"each version must be a NewVersion, got {type(item).__name__}")
    check_name(item.name)
    text(item.source, "source", empty=False)
    schema_json = json_object(item.schema, "schema")
    text(item.summary, "summary")
    text(item.docstring, "docstring")
    tools = item.tools
    if isinstance(tools, str) or not all(isinstance(t, str) and t for t in tools):
        raise InvalidRecord(f"tools must be a sequence of tool names, got {tools!r}")
    provenance = item.provenance
    if not isinstance(provenance, Provenance):
        raise InvalidRecord(f"provenance must be a Provenance, got {type(provenance).__name__}")
    text(provenance.synthesizer, "provenance.synthesizer", empty=False)
    details_json = json_object(provenance.details, "provenance.details")
    if isinstance(item.trajectories, Mapping | str):
        raise InvalidRecord("trajectories must be a sequence of trajectory JSON objects")
    rows = tuple(q.trajectory_row(t, source="learning") for t in item.trajectories)
    return Prepared(
        name=item.name,
        source=item.source,
        content_hash=q.sha256(item.source),
        schema_json=schema_json,
        summary=item.summary,
        docstring=item.docstring,
        tools=tuple(dict.fromkeys(tools)),
        provenance=provenance,
        details_json=details_json,
        trajectories=rows,
        refs=tuple(_merge_refs(provenance.source_trajectories, rows)),
        fields=index_fields(
            name=item.name,
            summary=item.summary,
            docstring=item.docstring,
            schema=item.schema,
            tasks=[row[2] for row in rows],
        ),
    )


StoreVector = Callable[["Connection", int, int], None]
"""Stores the vector of the item at a position of the batch for a version id (or nothing)."""


def add_one(
    connection: Connection, item: Prepared, store_vector: StoreVector, *, position: int = 0
) -> VersionRecord:
    """Store one version (or link new sources to the stored version with its content hash)."""
    now = time.time()
    connection.executemany(q.INSERT_TRAJECTORY, [(*row, now) for row in item.trajectories])
    # A new skill's row first (a no-op when it exists), then its lock: concurrent writers of
    # one skill take turns from here on.
    new_skill = (
        connection.execute(_INSERT_SKILL + " RETURNING name", (item.name, now)).fetchone()
        is not None
    )
    skill = q.skill_row(connection, item.name)
    existing = connection.execute(
        f"SELECT {q.VERSION_COLUMNS} FROM versions WHERE skill = ? AND content_hash = ?",
        (item.name, item.content_hash),
    ).fetchone()
    if existing is not None:
        _link_sources(connection, existing[0], item.refs)
        connection.search.index_versions(connection, [(existing[0], State(existing[9]), None)])
        return q.record_of(connection, tuple(existing))
    if item.provenance.parent_version is not None:
        q.version_row(connection, item.name, item.provenance.parent_version)
    version = 1
    if not new_skill:
        version = 1 + int(
            connection.execute(
                "SELECT max(version) FROM versions WHERE skill = ?", (item.name,)
            ).fetchone()[0]
        )
    row_id = connection.execute(_INSERT_VERSION, item.version_values(version, now)).fetchone()[0]
    _link_sources(connection, row_id, item.refs)
    connection.executemany(_INSERT_TOOL, [(row_id, tool) for tool in item.tools])
    connection.search.index_versions(connection, [(row_id, State.DRAFT, item.fields)])
    store_vector(connection, position, row_id)
    if not new_skill:
        current = q.version_row(connection, item.name, int(skill[1]))
        if State(current[9]) is not State.PROMOTED:
            connection.execute(
                "UPDATE skills SET current_version = ? WHERE name = ?", (version, item.name)
            )
    q.audit(
        connection,
        name=item.name,
        version=version,
        action="create",
        from_state=None,
        to_state=State.DRAFT,
        actor=item.provenance.synthesizer,
        reason=_created(version, item.content_hash),
    )
    return q.record_of(connection, q.version_row(connection, item.name, version))


def add_batch(
    connection: Connection, items: Sequence[Prepared], store_vector: StoreVector
) -> list[VersionRecord]:
    """Store ``items`` as ``add_one`` would one after another, each kind of row at once."""
    now = time.time()
    trajectories = {row[0]: row for item in items for row in item.trajectories}
    connection.executemany(q.INSERT_TRAJECTORY, [(*row, now) for row in trajectories.values()])
    names = sorted({item.name for item in items})
    connection.executemany(_INSERT_SKILL, [(name, now) for name in names])
    current, state_of, latest, by_hash = _stored(connection, names)
    was_current = dict(current)

    # Which items are new versions (numbered in order) and which repeat a stored source.
    planned: list[tuple[int, Prepared, int]] = []  # position in the batch, item, version
    made_current: set[int] = set()  # positions whose version became current when added
    repeats: list[int] = []
    for position, item in enumerate(items):
        if (item.name, item.content_hash) in by_hash:
            repeats.append(position)
            continue
        parent = item.provenance.parent_version
        if parent is not None and (item.name, parent) not in state_of:
            q.version_row(connection, item.name, parent)  # raises UnknownVersionError
        version = latest.get(item.name, 0) + 1
        latest[item.name] = by_hash[(item.name, item.content_hash)] = version
        state_of[(item.name, version)] = State.DRAFT
        if state_of.get((item.name, current.get(item.name, 0))) is not State.PROMOTED:
            current[item.name] = version
            made_current.add(position)
        planned.append((position, item, version))

    ids = [
        int(row[0])
        for row in connection.executemany_returning(
            _INSERT_VERSION, [item.version_values(version, now) for _, item, version in planned]
        )
    ]
    connection.executemany(
        "INSERT INTO version_sources (version_id, position, trajectory_id, digest) "
        "VALUES (?, ?, ?, ?)",
        [
            (row_id, index, ref.id, ref.digest)
            for row_id, (_, item, _) in zip(ids, planned, strict=True)
            for index, ref in enumerate(item.refs)
        ],
    )
    connection.executemany(
        _INSERT_TOOL,
        [
            (row_id, tool)
            for row_id, (_, item, _) in zip(ids, planned, strict=True)
            for tool in item.tools
        ],
    )
    connection.search.index_versions(
        connection,
        [
            (row_id, State.DRAFT, item.fields)
            for row_id, (_, item, _) in zip(ids, planned, strict=True)
        ],
    )
    for row_id, (position, _, _) in zip(ids, planned, strict=True):
        store_vector(connection, position, row_id)
    connection.executemany(
        "UPDATE skills SET current_version = ? WHERE name = ?",
        [(v, name) for name, v in sorted(current.items()) if v != was_current.get(name)],
    )
    connection.executemany(
        "INSERT INTO audit_log (at, skill, version, action, from_state, to_state, actor, "
        "reason) VALUES (?, ?, ?, 'create', NULL, ?, ?, ?)",
        [
            (
                now,
                item.name,
                version,
                State.DRAFT.value,
                item.provenance.synthesizer,
                _created(version, item.content_hash),
            )
            for _, item, version in planned
        ],
    )
    records: dict[int, VersionRecord] = {
        position: item.record(version, now, is_current=position in made_current)
        for position, item, version in planned
    }
    for position in repeats:  # rare in an import: the one-at-a-time path links their sources
        records[position] = add_one(connection, items[position], store_vector, position=position)
    return [records[position] for position in range(len(items))]


def _stored(
    connection: Connection, names: Sequence[str]
) -> tuple[
    dict[str, int], dict[tuple[str, int], State], dict[str, int], dict[tuple[str, str], int]
]:
    """Lock the skills' rows (in name order) and read their versions: (current version by name,
    state by (name, version), latest version by name, version by (name, content hash))."""
    current: dict[str, int] = {}
    state_of: dict[tuple[str, int], State] = {}
    latest: dict[str, int] = {}
    by_hash: dict[tuple[str, str], int] = {}
    for start in range(0, len(names), IN_LIST_SIZE):
        chunk = names[start : start + IN_LIST_SIZE]
        marks = ",".join("?" * len(chunk))
        for name, version in connection.execute(
            f"SELECT name, current_version FROM skills WHERE name IN ({marks}) "
            f"ORDER BY name{connection.lock}",
            chunk,
        ).fetchall():
            current[str(name)] = int(version)
        for name, version, content_hash, state in connection.execute(
            f"SELECT skill, version, content_hash, state FROM versions WHERE skill IN ({marks})",
            chunk,
        ).fetchall():
            state_of[(str(name), int(version))] = State(state)
            latest[str(name)] = max(latest.get(str(name), 0), int(version))
            by_hash[(str(name), str(content_hash))] = int(version)
    return current, state_of, latest, by_hash


def _created(version: int, content_hash: str) -> str:
    return f"added version {version} ({content_hash[:12]}…)"


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
