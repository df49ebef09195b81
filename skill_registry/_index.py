"""The SQLite search index: one FTS5 table of skill-text rows and past-task rows; the query plan.

``search_docs`` holds, per version, one ``skill`` row (name, summary, docstring, parameters) and
one ``task`` row per source trajectory with a task text; ``kind``, ``version_id`` and ``state``
are UNINDEXED columns, so one ``MATCH`` returns every row with what ranking needs and the state
filter costs no posting list. ``search_rows`` allocates the rowids and remembers which
(version, trajectory digest) pairs are indexed ('' for the skill row).

FTS5 ranks every row its expression matches, and BM25 costs about a microsecond per row and
phrase, so the expression is planned from document frequencies (``search_terms``, an fts5vocab
table): when the query's terms occur in few rows, every row with any term is ranked; otherwise
candidates must contain the rarest terms (the fewest that bring the expected row count under a
budget, assuming independence) and are ranked with all terms. The rarest terms carry most of the
BM25 weight, so the best-scoring rows are the ones kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .model import State

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = [
    "FTS5_INDEX",
    "IN_LIST_SIZE",
    "candidate_rows",
    "document_frequencies",
    "index_versions",
    "plan_terms",
    "set_index_state",
]

_MAX_TASK_TEXT = 4000
ROW_BUDGET = 1000
"""Expected rows one search ranks at most (beyond it, candidates need the rarest terms)."""


def index_versions(
    connection: Connection, versions: Sequence[tuple[int, State, Mapping[str, str] | None]]
) -> int:
    """Index versions: each one's own text (when its fields are given and it has no row yet) and
    the task text of every source trajectory not indexed yet.

    Args:
        connection: Inside the caller's write transaction.
        versions: ``(versions.id, lifecycle state, search.index_fields of the version or None)``.

    Returns:
        How many rows were added.
    """
    added = 0
    tasks = unindexed_tasks(connection, [version_id for version_id, _, _ in versions])
    for version_id, state, fields in versions:
        if fields is not None:
            created = connection.execute(
                "INSERT INTO search_rows (version_id, digest) VALUES (?, '') "
                "ON CONFLICT DO NOTHING RETURNING id",
                (version_id,),
            ).fetchone()
            if created is not None:
                connection.execute(
                    "INSERT INTO search_docs (rowid, name, summary, docstring, params, task, "
                    "kind, version_id, state) VALUES (?, ?, ?, ?, ?, '', 'skill', ?, ?)",
                    (
                        created[0],
                        fields["name"],
                        fields["summary"],
                        fields["docstring"],
                        fields["params"],
                        version_id,
                        state.value,
                    ),
                )
                added += 1
        for digest, task in tasks.get(version_id, ()):
            row_id = connection.execute(
                "INSERT INTO search_rows (version_id, digest) VALUES (?, ?) RETURNING id",
                (version_id, digest),
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO search_docs (rowid, name, summary, docstring, params, task, kind, "
                "version_id, state) VALUES (?, '', '', '', '', ?, 'task', ?, ?)",
                (row_id, task[:_MAX_TASK_TEXT], version_id, state.value),
            )
            added += 1
    return added


IN_LIST_SIZE = 500
"""Values per ``IN (...)`` list: far below either database's limit on parameters."""


def unindexed_tasks(
    connection: Connection, version_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    """Per version, (digest, task text) of its source trajectories with a task and no search
    row, in source order."""
    found: dict[int, list[tuple[str, str]]] = {}
    unique = sorted(set(version_ids))
    for start in range(0, len(unique), IN_LIST_SIZE):
        chunk = unique[start : start + IN_LIST_SIZE]
        for version_id, digest, task in connection.execute(
            "SELECT s.version_id, s.digest, t.task FROM version_sources s JOIN trajectories t "
            f"ON t.digest = s.digest WHERE s.version_id IN ({','.join('?' * len(chunk))}) "
            "AND t.task != '' AND NOT EXISTS (SELECT 1 FROM search_rows r "
            "WHERE r.version_id = s.version_id AND r.digest = s.digest) "
            "ORDER BY s.version_id, s.position",
            chunk,
        ).fetchall():
            found.setdefault(int(version_id), []).append((str(digest), str(task)))
    return found


def set_index_state(connection: Connection, version_id: int, state: State) -> None:
    """Move a version's search rows (its own and its tasks') to ``state``."""
    connection.execute(
        "UPDATE search_docs SET state = ? WHERE rowid IN "
        "(SELECT id FROM search_rows WHERE version_id = ?)",
        (state.value, version_id),
    )


def document_frequencies(connection: Connection, terms: Sequence[str]) -> list[int]:
    """How many rows contain each term (after the index's own stemming), in ``terms`` order.

    The stems come from the same tokenizer: the terms are written, one per row, to a
    connection-private temporary FTS5 table whose vocabulary is read back (nothing reaches the
    registry file).
    """
    if not terms:
        return []
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms USING fts5(term, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_stems "
        "USING fts5vocab(temp, query_terms, 'instance')"
    )
    connection.execute("DELETE FROM temp.query_terms")
    connection.executemany(
        "INSERT INTO temp.query_terms (rowid, term) VALUES (?, ?)",
        [(i, term) for i, term in enumerate(terms)],
    )
    stems: dict[int, set[str]] = {}
    for stem, doc in connection.execute("SELECT term, doc FROM temp.query_stems"):
        stems.setdefault(int(doc), set()).add(str(stem))
    every = sorted(set().union(*stems.values())) if stems else []
    counts: dict[str, int] = {}
    if every:
        counts = dict(
            connection.execute(
                f"SELECT term, doc FROM search_terms WHERE term IN ({','.join('?' * len(every))})",
                every,
            ).fetchall()
        )
    connection.execute("DELETE FROM temp.query_terms")
    # A term of several tokens is a phrase: it occurs at most as often as its rarest token.
    return [min((counts.get(s, 0) for s in stems.get(i, ())), default=0) for i in range(len(terms))]


def _quoted(terms: Sequence[str], operator: str) -> str:
    return "(" + f" {operator} ".join(f'"{term}"' for term in terms) + ")"


def plan_terms(
    terms: Sequence[str], frequencies: Sequence[int], rows: int
) -> tuple[list[str], list[list[str]]]:
    """Which rows to rank, whatever the index: (the terms present, in query order; the sets of
    rare terms a candidate must hold, best first). No required sets means every row holding any
    term is ranked (the terms occur in few rows); otherwise each later set has one rare term
    fewer, for when the earlier one finds too few rows. Terms found nowhere are left out (they
    match no row, so they change no score)."""
    present = sorted(
        ((df, i, term) for i, (term, df) in enumerate(zip(terms, frequencies, strict=True)) if df),
    )
    in_order = [term for _, _, term in sorted(present, key=lambda p: p[1])]
    if not present or min(rows, sum(df for df, _, _ in present)) <= ROW_BUDGET:
        return in_order, []
    expected, needed = float(rows), 0
    for df, _, _ in present:
        expected *= df / max(rows, 1)
        needed += 1
        if expected <= ROW_BUDGET:
            break
    return in_order, [[term for _, _, term in present[:n]] for n in range(needed, 0, -1)][:2]


def plan(terms: Sequence[str], frequencies: Sequence[int], rows: int) -> list[str]:
    """The FTS5 MATCH expressions to try, best first (``plan_terms``)."""
    present, required = plan_terms(terms, frequencies, rows)
    if not present:
        return []
    alternatives = _quoted(present, "OR")
    if not required:
        # Each term once per kind of row: BM25 then counts a term's rows (its IDF) within the
        # task column and within the skill columns separately, as two indexes would. Column
        # filters decode position lists, which is cheap only while few rows match.
        return [f"(task : {alternatives} OR {{name summary docstring params}} : {alternatives})"]
    return [f"{_quoted(rare, 'AND')} AND {alternatives}" for rare in required]


def candidate_rows(
    connection: Connection,
    terms: Sequence[str],
    *,
    states: Sequence[State] | None,
    per_kind: Mapping[str, int],
    enough: int,
) -> list[tuple[str, int, float]]:
    """(kind, version id, BM25, higher is better) of the best rows of each kind for ``terms``.

    Args:
        connection: Inside a read transaction.
        terms: Safe search terms (``search.content_terms``).
        states: Only rows of versions in these states; None for all.
        per_kind: How many rows of each kind (``skill``, ``task``) to keep.
        enough: Fewer distinct versions than this makes the plan's next expression run.
    """
    rows = int(connection.execute("SELECT max(id) FROM search_rows").fetchone()[0] or 0)
    expressions = plan(terms, document_frequencies(connection, terms), rows)
    state_sql, parameters = "", []
    if states is not None:
        state_sql = f" AND state IN ({','.join('?' * len(states))})"
        parameters = [s.value for s in states]
    found: list[tuple[str, int, float]] = []
    for expression in expressions:
        found = [
            (str(kind), int(version_id), -float(rank))
            for kind, version_id, rank in connection.execute(
                "SELECT kind, version_id, rank FROM (SELECT kind, version_id, rank, "
                "row_number() OVER (PARTITION BY kind ORDER BY rank) AS place FROM search_docs "
                f"WHERE search_docs MATCH ?{state_sql}) "
                "WHERE place <= CASE kind WHEN 'skill' THEN ? ELSE ? END",
                (expression, *parameters, per_kind.get("skill", 0), per_kind.get("task", 0)),
            )
        ]
        if len({version_id for _, version_id, _ in found}) >= enough:
            break
    return found


class Fts5Index:
    """The ``SearchIndex`` of SQLite registries: this module's functions."""

    index_versions = staticmethod(index_versions)
    set_state = staticmethod(set_index_state)
    document_frequencies = staticmethod(document_frequencies)
    candidate_rows = staticmethod(candidate_rows)


FTS5_INDEX = Fts5Index()
