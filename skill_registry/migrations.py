"""The schema, as one ordered list of migrations shared by SQLite and PostgreSQL.

A migration is a list of steps. Most steps are the same SQL on both databases (the column types
are written as SQLite spells them and translated for PostgreSQL by ``postgresql_ddl``); a step
marked for one database covers what only that one has: FTS5 tables and the conversions of SQLite
files written by earlier versions on one side, the tsvector search tables on the other. A
PostgreSQL registry never held data at an early schema (the backend arrived at schema 4), so the
data conversions of migrations 2 and 3 have nothing to convert there.

Each migration runs inside the write transaction that records it in ``schema_migrations``, so a
crash leaves the registry at the previous version. On SQLite ``PRAGMA user_version`` mirrors the
latest applied migration and ``PRAGMA application_id`` marks the file as ours.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .errors import IncompatibleRegistry

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = [
    "APPLICATION_ID",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "Step",
    "migrate",
    "postgresql_ddl",
    "schema_version",
]

APPLICATION_ID = 0x534B424B
"""``PRAGMA application_id`` of a skillbank registry ("SKBK")."""

Dialect = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Step:
    """SQL statements of one migration, for both databases or for one (``only``)."""

    sql: str
    only: Dialect | None = None


@dataclass(frozen=True)
class Migration:
    """One schema step: its number, a name for humans and the steps it runs, in order."""

    version: int
    name: str
    steps: tuple[Step, ...]

    def sql(self, dialect: Dialect) -> list[str]:
        """The statements this migration runs on ``dialect``, in order."""
        statements = []
        for step in self.steps:
            if step.only in (None, dialect):
                text = postgresql_ddl(step.sql) if dialect == "postgresql" else step.sql
                statements.extend(_statements(text))
        return statements


_V1 = Step("""
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at REAL NOT NULL
);
CREATE TABLE skills (
    name TEXT PRIMARY KEY,
    current_version INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    skill TEXT NOT NULL REFERENCES skills(name),
    version INTEGER NOT NULL CHECK (version >= 1),
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    schema_json TEXT NOT NULL,
    summary TEXT NOT NULL,
    docstring TEXT NOT NULL,
    tools_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('draft', 'candidate', 'verified', 'promoted', 'deprecated', 'rejected')),
    synthesizer TEXT NOT NULL,
    synthesizer_version TEXT NOT NULL,
    parent_version INTEGER,
    gated_by_json TEXT NOT NULL DEFAULT '[]',
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    UNIQUE (skill, version),
    UNIQUE (skill, content_hash)
);
CREATE INDEX versions_by_state ON versions(state);
CREATE TABLE trajectories (
    digest TEXT PRIMARY KEY,
    trajectory_id TEXT NOT NULL,
    task TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX trajectories_by_source ON trajectories(source, created_at);
CREATE TABLE version_sources (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    trajectory_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (version_id, position),
    UNIQUE (version_id, digest)
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('check', 'verify')),
    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
    report_json TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX reports_by_hash ON reports(content_hash, kind, id);
CREATE TABLE regression_cases (
    id INTEGER PRIMARY KEY,
    skill TEXT NOT NULL REFERENCES skills(name),
    case_digest TEXT NOT NULL,
    case_json TEXT NOT NULL,
    added_in_version INTEGER NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (skill, case_digest)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    skill TEXT NOT NULL REFERENCES skills(name),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX audit_by_skill ON audit_log(skill, id);
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    success INTEGER NOT NULL CHECK (success IN (0, 1)),
    duration REAL NOT NULL,
    at REAL NOT NULL,
    trajectory_digest TEXT REFERENCES trajectories(digest)
);
CREATE INDEX outcomes_by_version ON outcomes(version_id);
""")
_V1_FTS5 = Step(
    """
CREATE VIRTUAL TABLE search_index USING fts5(
    name, summary, docstring, params, tasks, state,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_index(search_index, rank) VALUES ('rank', 'bm25(8.0, 4.0, 1.5, 2.0, 1.0, 0.0)');
""",
    only="sqlite",
)

# Migration 2: what a skill depends on (tools and their schemas), embedding vectors, and a floor
# below which reports no longer count for a version sent back for re-verification.
_V2 = Step("""
ALTER TABLE versions ADD COLUMN evidence_after INTEGER NOT NULL DEFAULT 0;
CREATE TABLE version_tools (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    tool TEXT NOT NULL,
    PRIMARY KEY (tool, version_id)
);
CREATE TABLE tool_schemas (
    tool TEXT PRIMARY KEY,
    schema_hash TEXT NOT NULL,
    schema_json TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE embeddings (
    version_id INTEGER PRIMARY KEY REFERENCES versions(id),
    model TEXT NOT NULL,
    dimensions INTEGER NOT NULL,
    vector BLOB NOT NULL
);
""")
_V2_BACKFILL = Step(
    """
INSERT OR IGNORE INTO version_tools (version_id, tool)
    SELECT versions.id, json_each.value FROM versions, json_each(versions.tools_json);
""",
    only="sqlite",
)

# Migration 3: instance-based search. Each source trajectory's task text becomes its own FTS5
# document (``search_tasks``, rowid = ``search_task_docs.id``), so a skill is ranked by its
# best-matching past tasks instead of one concatenated text; the skill-level index keeps name,
# summary, docstring and parameters in its rank (the ``tasks`` column stays for embedding text).
# Files written before native ``task_id``/``instruction`` keys were read get their task texts
# from the stored trajectory bodies.
_V3_TASK_TEXTS = Step(
    """
UPDATE trajectories SET task = CASE
        WHEN json_type(body, '$.task') IS NOT NULL THEN
            CASE WHEN json_type(body, '$.task') = 'text' THEN json_extract(body, '$.task')
            ELSE '' END
        WHEN json_type(body, '$.instruction') = 'text' THEN json_extract(body, '$.instruction')
        ELSE '' END
    WHERE task = '' AND json_valid(body);
""",
    only="sqlite",
)
_V3 = Step("""
CREATE TABLE search_task_docs (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    digest TEXT NOT NULL,
    UNIQUE (version_id, digest)
);
""")
_V3_FTS5 = Step(
    """
CREATE VIRTUAL TABLE search_tasks USING fts5(
    task, state,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_tasks(search_tasks, rank) VALUES ('rank', 'bm25(1.0, 0.0)');
INSERT INTO search_task_docs (version_id, digest)
    SELECT s.version_id, s.digest FROM version_sources s
    JOIN trajectories t ON t.digest = s.digest
    WHERE t.task != '' ORDER BY s.version_id, s.position;
INSERT INTO search_tasks (rowid, task, state)
    SELECT d.id, substr(t.task, 1, 4000), v.state FROM search_task_docs d
    JOIN trajectories t ON t.digest = d.digest JOIN versions v ON v.id = d.version_id;
INSERT INTO search_index(search_index, rank) VALUES ('rank', 'bm25(8.0, 4.0, 1.5, 2.0, 0.0, 0.0)');
""",
    only="sqlite",
)

# Migration 4: one search table for both kinds of search rows, so a search is one query.
# ``search_rows`` allocates row ids and records which (version, digest) pairs are indexed ('' for
# the skill row). On SQLite ``search_docs`` is an FTS5 table holding a ``skill`` row per version
# and a ``task`` row per indexed source task; ``kind``, ``version_id`` and ``state`` are UNINDEXED
# (read back, filtered in SQL, no posting lists); ``search_terms`` (fts5vocab) gives document
# frequencies for query planning. The embedding text is rebuilt from ``versions`` and
# ``trajectories``, so the old tables go.
_V4 = Step("""
CREATE TABLE search_rows (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    digest TEXT NOT NULL,
    UNIQUE (version_id, digest)
);
""")
_V4_FTS5 = Step(
    """
CREATE VIRTUAL TABLE search_docs USING fts5(
    name, summary, docstring, params, task, kind UNINDEXED, version_id UNINDEXED, state UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_docs(search_docs, rank) VALUES ('rank', 'bm25(8.0, 4.0, 1.5, 2.0, 1.0)');
CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_docs, 'row');
INSERT INTO search_rows (version_id, digest) SELECT rowid, '' FROM search_index ORDER BY rowid;
INSERT INTO search_docs (rowid, name, summary, docstring, params, task, kind, version_id, state)
    SELECT r.id, s.name, s.summary, s.docstring, s.params, '', 'skill', r.version_id, v.state
    FROM search_rows r JOIN search_index s ON s.rowid = r.version_id
    JOIN versions v ON v.id = r.version_id;
INSERT INTO search_rows (version_id, digest)
    SELECT version_id, digest FROM search_task_docs ORDER BY id;
INSERT INTO search_docs (rowid, name, summary, docstring, params, task, kind, version_id, state)
    SELECT r.id, '', '', '', '', substr(t.task, 1, 4000), 'task', r.version_id, v.state
    FROM search_rows r JOIN trajectories t ON t.digest = r.digest
    JOIN versions v ON v.id = r.version_id WHERE r.digest != '';
DROP TABLE search_tasks;
DROP TABLE search_index;
""",
    only="sqlite",
)
# On PostgreSQL ``search_docs`` keeps one tsvector per row (the skill columns weighted A name,
# B summary, C parameters, D docstring; a task row's text alone) with its token count, under a
# GIN index; ``search_terms`` counts the rows of each kind holding each lexeme and
# ``search_kinds`` the rows and tokens of each kind, for BM25 (``_pg_index``). Text is stemmed by
# the ``skillbank`` configuration: PostgreSQL's English Snowball stemmer with no stopword list
# (as FTS5's porter tokenizer keeps every word; queries drop their own stopwords).
_V4_TSVECTOR = Step(
    """
CREATE TEXT SEARCH DICTIONARY skillbank_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION skillbank (PARSER = pg_catalog.default);
ALTER TEXT SEARCH CONFIGURATION skillbank ADD MAPPING FOR asciiword, word, numword, asciihword,
    hword, numhword, hword_asciipart, hword_part, hword_numpart, email, protocol, url, host,
    url_path, file, sfloat, float, int, uint, version, tag, entity WITH skillbank_stem;
CREATE TABLE search_docs (
    id BIGINT PRIMARY KEY REFERENCES search_rows(id),
    kind TEXT NOT NULL CHECK (kind IN ('skill', 'task')),
    version_id BIGINT NOT NULL REFERENCES versions(id),
    state TEXT NOT NULL,
    document TSVECTOR NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE INDEX search_docs_by_document ON search_docs USING GIN (document);
CREATE INDEX search_docs_by_version ON search_docs(version_id);
CREATE TABLE search_terms (
    kind TEXT NOT NULL,
    term TEXT NOT NULL,
    documents INTEGER NOT NULL,
    PRIMARY KEY (term, kind)
);
CREATE TABLE search_kinds (
    kind TEXT PRIMARY KEY,
    documents INTEGER NOT NULL,
    tokens INTEGER NOT NULL
);
""",
    only="postgresql",
)
_V4_DROP = Step("DROP TABLE search_task_docs;")

# Migration 5: free-form provenance details (a JSON object) beside the fixed provenance columns.
_V5 = Step("""
ALTER TABLE versions ADD COLUMN provenance_json TEXT NOT NULL DEFAULT '{}';
""")

# Migration 6: guard refusals. A call a skill's own guard stopped (``SkillPrecondition``) is kept
# apart from plain successes and failures, so a reviewer sees a version that refuses everything.
_V6 = Step("""
ALTER TABLE versions ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcomes ADD COLUMN refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1));
""")

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "skills, versions, reports, audit log, outcomes, search index", (_V1, _V1_FTS5)),
    Migration(
        2, "tool dependencies, tool schemas, embeddings, evidence floor", (_V2, _V2_BACKFILL)
    ),
    Migration(
        3,
        "one search document per source task; task texts of native records",
        (_V3_TASK_TEXTS, _V3, _V3_FTS5),
    ),
    Migration(
        4,
        "one search table for skill and task rows; term statistics",
        (_V4, _V4_FTS5, _V4_TSVECTOR, _V4_DROP),
    ),
    Migration(5, "provenance details", (_V5,)),
    Migration(6, "guard refusals per outcome and per version", (_V6,)),
)
LATEST_VERSION = MIGRATIONS[-1].version

_POSTGRESQL_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
)


def postgresql_ddl(sql: str) -> str:
    """``sql`` with SQLite's column types spelled as PostgreSQL's: rowid keys become identity
    columns, integers 64-bit, ``REAL`` (a double in SQLite) ``DOUBLE PRECISION``, ``BLOB``
    ``BYTEA``."""
    for pattern, replacement in _POSTGRESQL_TYPES:
        sql = pattern.sub(replacement, sql)
    return sql


def _statements(sql: str) -> list[str]:
    # executescript() would COMMIT our transaction; split on complete statements instead.
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]


def schema_version(connection: Connection) -> int:
    """The latest migration applied (0 for a new registry)."""
    if connection.dialect == "sqlite":
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    exists = connection.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
    if exists is None:
        return 0
    return int(
        connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
    )


def migrate(connection: Connection, *, path: str, target: int = LATEST_VERSION) -> int:
    """Apply the pending migrations up to ``target`` inside the caller's write transaction.

    Returns:
        The schema version after migrating.

    Raises:
        IncompatibleRegistry: when the registry's schema is newer than this code knows.
    """
    current = schema_version(connection)
    if current > LATEST_VERSION:
        raise IncompatibleRegistry(
            f"registry {path!r} has schema version {current}, newer than the {LATEST_VERSION} "
            "this skillbank knows; upgrade skillbank to open it"
        )
    sqlite = connection.dialect == "sqlite"
    if current == 0 and sqlite:
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            for statement in migration.sql(connection.dialect):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, time.time()),
            )
            if sqlite:
                connection.execute(f"PRAGMA user_version = {migration.version}")
            current = migration.version
    return current
