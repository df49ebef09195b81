"""What the registry's queries see of a database: one small interface, two implementations.

Every operation of the registry runs its SQL through a ``Connection`` inside a transaction the
backend opened (``_db`` for SQLite, ``_postgres`` for PostgreSQL). Queries are written once, with
``?`` placeholders and SQL both databases accept (``INSERT ... ON CONFLICT``, ``RETURNING``); what
differs lives here and in the search index each backend brings:

- ``lock`` is appended to the read of a skill's row inside a write transaction. SQLite has one
  writer at a time, so it is empty; PostgreSQL writers run concurrently, so it takes the row lock
  that serialises every change to one skill (its versions, lifecycle, counters and audit lines).
- ``search`` indexes versions and finds candidate rows: FTS5 (``_index``) or tsvector
  (``_pg_index``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

from .model import State

__all__ = ["Connection", "Cursor", "SearchIndex", "SqliteConnection"]


class Cursor(Protocol):
    """The result of one statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class SearchIndex(Protocol):
    """How one backend keeps and queries the search rows of versions."""

    def index_versions(
        self,
        connection: Connection,
        versions: Sequence[tuple[int, State, Mapping[str, str] | None]],
    ) -> int:
        """Index each ``(version id, state, fields)``: the version's own text (when ``fields`` is
        given and it has no row yet) and the task text of every source trajectory not indexed
        yet; returns how many rows were added."""
        ...

    def set_state(self, connection: Connection, version_id: int, state: State) -> None:
        """Move a version's search rows to ``state``."""
        ...

    def document_frequencies(self, connection: Connection, terms: Sequence[str]) -> list[int]:
        """How many rows hold each term (after the index's stemming), in ``terms`` order."""
        ...

    def candidate_rows(
        self,
        connection: Connection,
        terms: Sequence[str],
        *,
        states: Sequence[State] | None,
        per_kind: Mapping[str, int],
        enough: int,
    ) -> list[tuple[str, int, float]]:
        """(kind, version id, BM25 score, higher is better) of the best rows of each kind."""
        ...


class Connection(Protocol):
    """A connection inside a transaction, as the registry's queries use it."""

    dialect: Literal["sqlite", "postgresql"]
    lock: str
    search: SearchIndex

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, Any]:
        """A condition that ``column`` is one of ``ids``, and its one parameter (any number of
        ids, and one statement text whatever their number, so the server can keep its plan)."""
        ...

    def executemany_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Run ``sql`` once per row; the first row each run returned (None when none), in order.

        PostgreSQL sends the statements in one pipeline (no round trip per row)."""
        ...


class SqliteConnection:
    """A ``sqlite3`` connection seen through ``Connection``."""

    dialect: Literal["sqlite", "postgresql"] = "sqlite"
    lock = ""

    def __init__(self, raw: sqlite3.Connection) -> None:
        from ._index import FTS5_INDEX  # the index module queries through this interface

        self.raw = raw
        self.search: SearchIndex = FTS5_INDEX

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, Any]:
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(ids))

    def executemany_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        # In-process: a statement costs microseconds, so one at a time is as fast as any batch.
        return [self.raw.execute(sql, row).fetchone() for row in rows]
