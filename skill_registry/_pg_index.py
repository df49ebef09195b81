"""The PostgreSQL search index: tsvector rows under a GIN index, ranked with BM25.

The rows are those of SQLite's FTS5 table (``_index``): per version one ``skill`` row (name,
summary, parameters and docstring as tsvector weights A, B, C, D) and one ``task`` row per
source trajectory with a task text. PostgreSQL's own ``ts_rank`` knows nothing of how rare a
term is, and a long instruction shares its common words with every procedure, so rows are ranked
with the same Okapi BM25 as FTS5 (k1 = 1.2, b = 0.75; column weights name 8, summary 4,
parameters 2, docstring 1.5), computed in SQL from each row's positions (``unnest(tsvector)``)
and from document frequencies kept per kind of row (``search_terms``, ``search_kinds``): a
term's rarity among task rows and among skill rows counts separately, as two indexes would.

Text reaches PostgreSQL as the words FTS5's tokenizer would cut (letters and digits, diacritics
removed), so both backends index and query the same words; the ``skillbank`` text search
configuration stems them (English Snowball, no stopwords). Which rows are ranked is planned as
on SQLite (``_index.plan_terms``): every row holding any term while they are few, otherwise only
rows holding the rarest terms, found through the GIN index.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ._index import plan_terms, unindexed_tasks
from .model import State

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["TSVECTOR_INDEX", "TsvectorIndex", "words"]

_WORD = re.compile(r"[^\W_]+")
_MAX_TASK_TEXT = 4000
_K1, _B = 1.2, 0.75

# The new rows of a batch, one array per column, become documents in one statement each:
# the text of each column is stemmed into the tsvector (skill rows weigh their columns A-D),
# and its length (``tokens``) is counted from the positions, as BM25 needs it.
_INSERT_DOCUMENTS = """
INSERT INTO search_docs (id, kind, version_id, state, document, tokens)
SELECT id, kind, version_id, state, d,
    (SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest(d))
FROM (
    SELECT id, kind, version_id, state, {document} AS d
    FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], {texts}) AS
        rows(id, kind, version_id, state, {columns})
) AS made
RETURNING kind, tokens, tsvector_to_array(document)
"""
_SKILL_DOCUMENT = _INSERT_DOCUMENTS.format(
    document="setweight(to_tsvector('skillbank', a), 'A') || "
    "setweight(to_tsvector('skillbank', b), 'B') || setweight(to_tsvector('skillbank', c), 'C') "
    "|| setweight(to_tsvector('skillbank', e), 'D')",
    texts="?::text[], ?::text[], ?::text[], ?::text[]",
    columns="a, b, c, e",
)
_TASK_DOCUMENT = _INSERT_DOCUMENTS.format(
    document="to_tsvector('skillbank', a)", texts="?::text[]", columns="a"
)
# BM25 of each candidate row: for every query lexeme the row holds, its weighted frequency (in
# skill rows each position counts by its label's weight, in task rows 1), saturated by k1 and
# normalised by the row's length against its kind's average; then the best rows of each kind.
# Only C functions run per row (no subquery per lexeme), so a thousand candidates cost little.
_RANK = f"""
WITH terms AS (
    SELECT * FROM unnest(?::text[], ?::float8[], ?::float8[]) AS t(lexeme, skill_idf, task_idf)
), matched AS (
    SELECT d.id, d.kind, d.version_id, d.tokens, u.lexeme, CASE WHEN d.kind = 'task'
        THEN cardinality(u.weights)::float8
        ELSE 8.0 * cardinality(array_positions(u.weights, 'A'))
            + 4.0 * cardinality(array_positions(u.weights, 'B'))
            + 2.0 * cardinality(array_positions(u.weights, 'C'))
            + 1.5 * cardinality(array_positions(u.weights, 'D')) END AS frequency
    FROM search_docs d, unnest(d.document) AS u
    WHERE d.document @@ ?::tsquery AND u.lexeme = ANY(?::text[]){{state_filter}}
), scored AS (
    SELECT m.kind, m.version_id, sum(
        CASE WHEN m.kind = 'task' THEN t.task_idf ELSE t.skill_idf END
        * m.frequency * {_K1 + 1}
        / (m.frequency + {_K1} * ({1 - _B} + {_B} * m.tokens
           / CASE WHEN m.kind = 'task' THEN ?::float8 ELSE ?::float8 END))) AS score
    FROM matched m JOIN terms t ON t.lexeme = m.lexeme
    GROUP BY m.id, m.kind, m.version_id
)
SELECT kind, version_id, score FROM (
    SELECT kind, version_id, score,
        row_number() OVER (PARTITION BY kind ORDER BY score DESC, version_id) AS place
    FROM scored
) AS ranked WHERE place <= CASE kind WHEN 'skill' THEN ? ELSE ? END
"""


def words(text: str) -> str:
    """``text`` as FTS5's ``unicode61 remove_diacritics 2`` tokenizer cuts it: runs of letters
    and digits, diacritics removed, joined by spaces (so PostgreSQL's parser sees plain words, not
    e-mail addresses, URLs or hyphenated compounds)."""
    if not text.isascii():  # ASCII has no diacritics: skip the per-character pass
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))


# What planning a search needs, in one round trip: each query term's lexeme (the first, in
# lexeme order, should a term have several), how many rows of each kind hold it, and each
# kind's row and token totals.
_STATISTICS = """
WITH stems AS (
    SELECT q.position, min(u.lexeme) AS lexeme
    FROM unnest(?::text[]) WITH ORDINALITY AS q(term, position),
        unnest(to_tsvector('skillbank', q.term)) AS u
    GROUP BY q.position
)
SELECT s.position, s.lexeme, t.kind, t.documents, NULL::bigint
FROM stems s LEFT JOIN search_terms t ON t.term = s.lexeme
UNION ALL
SELECT NULL, NULL, kind, documents, tokens FROM search_kinds
"""


def _statistics(
    connection: Connection, terms: Sequence[str]
) -> tuple[list[str | None], dict[tuple[str, str], int], dict[str, tuple[int, int]]]:
    """(each term's lexeme or None, rows holding a lexeme by (kind, lexeme), (rows, tokens) by
    kind) for ``terms``."""
    lexemes: list[str | None] = [None] * len(terms)
    counts: dict[tuple[str, str], int] = {}
    kinds: dict[str, tuple[int, int]] = {}
    for position, lexeme, kind, documents, tokens in connection.execute(
        _STATISTICS, ([words(term) for term in terms],)
    ):
        if position is None:
            kinds[str(kind)] = (int(documents), int(tokens))
            continue
        lexemes[int(position) - 1] = str(lexeme)
        if kind is not None:
            counts[(str(kind), str(lexeme))] = int(documents)
    return lexemes, counts, kinds


def _new_rows(
    connection: Connection, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """Allocate ``search_rows`` ids for the (version id, digest) pairs that have none yet."""
    if not keys:
        return {}
    return {
        (int(version_id), str(digest)): int(row_id)
        for row_id, version_id, digest in connection.execute(
            "INSERT INTO search_rows (version_id, digest) SELECT * FROM unnest(?::bigint[], "
            "?::text[]) ON CONFLICT DO NOTHING RETURNING id, version_id, digest",
            ([version_id for version_id, _ in keys], [digest for _, digest in keys]),
        )
    }


def _documents(
    connection: Connection,
    statement: str,
    ids: Sequence[tuple[tuple[int, str], int]],
    kind: str,
    states: Mapping[int, State],
    texts: Sequence[Sequence[str]],
) -> list[tuple[str, int, list[str]]]:
    """Insert the documents of new rows of one kind; (kind, tokens, lexemes) of each."""
    return [
        (str(made_kind), int(tokens), list(lexemes))
        for made_kind, tokens, lexemes in connection.execute(
            statement,
            (
                [row_id for _, row_id in ids],
                [kind] * len(ids),
                [version_id for (version_id, _), _ in ids],
                [states[version_id].value for (version_id, _), _ in ids],
                *texts,
            ),
        )
    ]


def _count(connection: Connection, added: Sequence[tuple[str, int, list[str]]]) -> None:
    """Add new rows to the document frequencies (per kind and lexeme) and the kind totals.

    One statement each, in key order: two writers indexing at once lock the shared counter rows
    in the same order, so they wait for each other but never deadlock.
    """
    terms: dict[tuple[str, str], int] = {}
    kinds: dict[str, tuple[int, int]] = {}
    for kind, tokens, lexemes in added:
        for lexeme in set(lexemes):
            terms[(lexeme, kind)] = terms.get((lexeme, kind), 0) + 1
        documents, total = kinds.get(kind, (0, 0))
        kinds[kind] = (documents + 1, total + tokens)
    ordered = sorted(terms.items())
    connection.execute(
        "INSERT INTO search_terms (term, kind, documents) SELECT * FROM "
        "unnest(?::text[], ?::text[], ?::bigint[]) ON CONFLICT (term, kind) "
        "DO UPDATE SET documents = search_terms.documents + excluded.documents",
        (
            [term for (term, _), _ in ordered],
            [kind for (_, kind), _ in ordered],
            [count for _, count in ordered],
        ),
    )
    for kind, (documents, tokens) in sorted(kinds.items()):
        connection.execute(
            "INSERT INTO search_kinds (kind, documents, tokens) VALUES (?, ?, ?) "
            "ON CONFLICT (kind) DO UPDATE SET documents = search_kinds.documents + "
            "excluded.documents, tokens = search_kinds.tokens + excluded.tokens",
            (kind, documents, tokens),
        )


def _tsquery(lexemes: Sequence[str], operator: str) -> str:
    return f" {operator} ".join("'" + lexeme.replace("'", "''") + "'" for lexeme in lexemes)


def _idf(rows: int, holding: int) -> float:
    # FTS5's BM25 IDF, floored the same way so a very common term still counts a little.
    value = math.log((rows - holding + 0.5) / (holding + 0.5))
    return value if value > 0 else 1e-6


class TsvectorIndex:
    """The ``SearchIndex`` of PostgreSQL registries."""

    def index_versions(
        self,
        connection: Connection,
        versions: Sequence[tuple[int, State, Mapping[str, str] | None]],
    ) -> int:
        # Set-based: the row ids of a batch in one statement, its documents in one per kind,
        # the document frequencies of all its rows in one more (counting version by version
        # would update the same counter rows once per version, each update a new row version).
        tasks = unindexed_tasks(connection, [version_id for version_id, _, _ in versions])
        states = {version_id: state for version_id, state, _ in versions}
        fields = {version_id: f for version_id, _, f in versions if f is not None}
        skill_rows = _new_rows(connection, [(version_id, "") for version_id in fields])
        task_rows = _new_rows(
            connection,
            [
                (version_id, digest)
                for version_id in states
                for digest, _ in tasks.get(version_id, ())
            ],
        )
        texts = {
            (version_id, digest): task
            for version_id in states
            for digest, task in tasks.get(version_id, ())
        }
        added: list[tuple[str, int, list[str]]] = []  # kind, tokens, lexemes of each new row
        if skill_rows:
            ids = list(skill_rows.items())
            added += _documents(
                connection,
                _SKILL_DOCUMENT,
                ids,
                "skill",
                states,
                [
                    [words(fields[version_id][key]) for (version_id, _), _ in ids]
                    for key in ("name", "summary", "params", "docstring")
                ],
            )
        if task_rows:
            ids = list(task_rows.items())
            added += _documents(
                connection,
                _TASK_DOCUMENT,
                ids,
                "task",
                states,
                [[words(texts[key][:_MAX_TASK_TEXT]) for key, _ in ids]],
            )
        if added:
            _count(connection, added)
        return len(added)

    def set_state(self, connection: Connection, version_id: int, state: State) -> None:
        connection.execute(
            "UPDATE search_docs SET state = ? WHERE version_id = ?", (state.value, version_id)
        )

    def document_frequencies(self, connection: Connection, terms: Sequence[str]) -> list[int]:
        lexemes, counts, _ = _statistics(connection, terms)
        return [
            0
            if lexeme is None
            else counts.get(("skill", lexeme), 0) + counts.get(("task", lexeme), 0)
            for lexeme in lexemes
        ]

    def candidate_rows(
        self,
        connection: Connection,
        terms: Sequence[str],
        *,
        states: Sequence[State] | None,
        per_kind: Mapping[str, int],
        enough: int,
    ) -> list[tuple[str, int, float]]:
        lexemes, counts, kinds = _statistics(connection, terms)
        total = sum(documents for documents, _ in kinds.values())
        # Terms are planned by their lexemes; two words with one stem are one term.
        unique = list(dict.fromkeys(lexeme for lexeme in lexemes if lexeme))
        frequencies = [counts.get(("skill", x), 0) + counts.get(("task", x), 0) for x in unique]
        present, required = plan_terms(unique, frequencies, total)
        if not present:
            return []
        averages = {
            kind: (tokens / documents if documents else 1.0) or 1.0
            for kind, (documents, tokens) in kinds.items()
        }
        idf = {
            kind: [_idf(kinds.get(kind, (0, 0))[0], counts.get((kind, x), 0)) for x in present]
            for kind in ("skill", "task")
        }
        state_filter, state_values = "", []
        if states is not None:
            state_filter = " AND d.state = ANY(?::text[])"
            state_values = [[s.value for s in states]]
        query = _RANK.format(state_filter=state_filter)
        # The candidates' query and its lexemes come before the state values in the statement.
        expressions = [_tsquery(rare, "&") for rare in required] or [_tsquery(present, "|")]
        found: list[tuple[str, int, float]] = []
        for expression in expressions:
            found = [
                (str(kind), int(version_id), float(score or 0.0))
                for kind, version_id, score in connection.execute(
                    query,
                    (
                        present,
                        idf["skill"],
                        idf["task"],
                        expression,
                        present,
                        *state_values,
                        averages.get("task", 1.0),
                        averages.get("skill", 1.0),
                        per_kind.get("skill", 0),
                        per_kind.get("task", 0),
                    ),
                )
            ]
            if len({version_id for _, version_id, _ in found}) >= enough:
                break
        return found


TSVECTOR_INDEX = TsvectorIndex()
