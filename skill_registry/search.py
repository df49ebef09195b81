"""Search: FTS5 BM25 over what a skill does and the tasks it was learned from, optionally
blended with embeddings and reliability.

Two indexes: ``search_index`` holds one document per version (BM25 weights: name 8, summary 4,
parameters 2, docstring 1.5); ``search_tasks`` holds one document per (version, source
trajectory) with that trajectory's task text. A version is ranked by its best-matching past
tasks (nearest neighbours over the instructions it was learned from, the mean of the best
three) blended with the match of its own text; a long instruction shares most words with
every procedure's text, while the tasks a procedure was learned from say what it is for.

User text never reaches FTS5 as syntax: it is cut into word tokens and each token is quoted, so
quotes, ``*``, ``-``, ``:``, parentheses, ``NEAR``, ``AND``/``OR`` are plain words. Stopwords
are dropped; candidates are the documents matching two or more terms (an ``OR`` of pairwise
``AND``s, fast at 100k skills), then every candidate is scored with all terms. The state filter
is a column filter inside the same FTS5 query.
"""

from __future__ import annotations

import math
import re
import sqlite3
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .model import SearchHit, State

__all__ = [
    "Embedder",
    "SearchWeights",
    "content_terms",
    "decode_vector",
    "encode_vector",
    "fts_queries",
    "fts_query",
    "index_fields",
    "index_tasks",
    "set_index_state",
    "terms_of",
]

_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MAX_TERMS = 32
_MAX_TASK_TEXT = 4000


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; any model will do (the registry stores and compares them)."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, all of the same length."""
        ...


@dataclass(frozen=True)
class SearchWeights:
    """How the final score blends its parts (all in [0, 1]).

    Attributes:
        semantic: Weight of the cosine similarity when an embedder is configured (the BM25 part
            gets ``1 - semantic``).
        reliability: How much the reliability mean can move the score: the blended score is
            multiplied by ``1 - reliability + reliability * mean``.
        candidates: How many BM25 hits are re-ranked (at least ``4 * k``); ``instances``
            times as many task documents.
        fields: Weight of a skill's own text (name, summary, docstring, parameters) against
            its best-matching source tasks, for skills that have source tasks.
        instances: How many best-matching source tasks are averaged per skill.
    """

    semantic: float = 0.5
    reliability: float = 0.2
    candidates: int = 50
    fields: float = 0.25
    instances: int = 3


def terms_of(text: str, *, limit: int | None = _MAX_TERMS) -> list[str]:
    """The safe search terms of ``text``: lowercased words, snake_case and camelCase split.

    Args:
        text: Any text.
        limit: Keep at most this many distinct terms (None: all).
    """
    terms: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(_CAMEL.sub(" ", text)):
        term = word.lower()
        if term not in seen:
            seen.add(term)
            terms.append(term)
        if limit is not None and len(terms) >= limit:
            break
    return terms


_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "hello",
        "hi",
        "how",
        "i",
        "if",
        "i'm",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "let",
        "like",
        "me",
        "my",
        "need",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "up",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "want",
    ]
)
_PAIR_TERMS = 8
_SMALL_INDEX = 5000


def content_terms(text: str) -> list[str]:
    """The terms a query searches for: stopwords dropped (unless nothing else is left), then
    at most 32 terms, so a long instruction keeps its content words."""
    every = terms_of(text, limit=None)
    content = [term for term in every if term not in _STOPWORDS]
    return (content or every)[:_MAX_TERMS]


def _state_filter(states: Iterable[State] | None) -> str:
    if states is None:
        return ""
    return " AND state : (" + " OR ".join(f'"{s.value}"' for s in states) + ")"


def fts_query(text: str, states: Iterable[State] | None) -> str | None:
    """An FTS5 MATCH expression: any term of ``text`` in ``states``; None when no terms."""
    terms = content_terms(text)
    if not terms:
        return None
    return "(" + " OR ".join(f'"{term}"' for term in terms) + ")" + _state_filter(states)


def fts_queries(text: str, states: Iterable[State] | None) -> list[tuple[str, float]]:
    """The MATCH expressions to try in order, each with the factor that makes its BM25 scores
    comparable to those of the plain ``OR`` query.

    With three or more content words, documents matching at least two of them come first: an
    ``OR`` of pairwise ``AND``s scores the same documents far faster than ranking every document
    that shares one common word (BM25 sums over phrases, so each term counts ``n - 1`` times).
    """
    states = None if states is None else tuple(states)
    plain = fts_query(text, states)
    if plain is None:
        return []
    terms = content_terms(text)[:_PAIR_TERMS]
    if len(terms) < 3:
        return [(plain, 1.0)]
    pairs = " OR ".join(f'("{a}" AND "{b}")' for i, a in enumerate(terms) for b in terms[i + 1 :])
    return [("(" + pairs + ")" + _state_filter(states), float(len(terms) - 1)), (plain, 1.0)]


def _parameter_names(schema: Mapping[str, Any]) -> list[str]:
    for candidate in (schema.get("parameters"), schema):
        if isinstance(candidate, Mapping):
            properties = candidate.get("properties")
            if isinstance(properties, Mapping):
                return [str(name) for name in properties]
    return []


def index_fields(
    *, name: str, summary: str, docstring: str, schema: Mapping[str, Any], tasks: Sequence[str]
) -> dict[str, str]:
    """The text of each search column for one version."""
    task_text = "\n".join(tasks)[:_MAX_TASK_TEXT]
    return {
        "name": " ".join(terms_of(name)) + " " + name,
        "summary": summary,
        "docstring": docstring,
        "params": " ".join(" ".join(terms_of(p)) for p in _parameter_names(schema)),
        "tasks": task_text,
    }


def embedding_text(fields: Mapping[str, str]) -> str:
    """The text embedded for one version (name, summary, parameters, docstring, tasks)."""
    order = ("name", "summary", "params", "docstring", "tasks")
    return "\n".join(fields[key] for key in order if fields[key])


def encode_vector(vector: Sequence[float]) -> bytes:
    """A unit-normalised float32 BLOB (cosine similarity becomes a dot product)."""
    norm = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
    return struct.pack(f"<{len(vector)}f", *(x / norm for x in vector))


def decode_vector(blob: bytes) -> tuple[float, ...]:
    """The floats stored by ``encode_vector``."""
    return struct.unpack(f"<{len(blob) // 4}f", blob)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def run_search(
    connection: sqlite3.Connection,
    query: str,
    *,
    k: int,
    states: Sequence[State] | None,
    weights: SearchWeights,
    query_vector: Sequence[float] | None,
) -> list[SearchHit]:
    """Rank versions for ``query``; at most one hit per skill name (its best version).

    A version's lexical score blends two normalised BM25 scores: the mean of its
    ``weights.instances`` best-matching source tasks (missing ones count zero, so a procedure
    seen once weighs less than one seen often) and its own text (name, summary, docstring,
    parameters) with weight ``weights.fields``. A version without indexed tasks is scored by
    its own text alone.
    """
    limit = max(k * 4, weights.candidates)
    fields = _bm25(connection, "search_index", query, states, limit)
    task_scores = _bm25(connection, "search_tasks", query, states, limit * weights.instances)
    instances = _instance_scores(connection, task_scores, weights.instances)
    semantic: dict[int, float] = {}
    if query_vector is not None:
        semantic = _semantic_scores(connection, query_vector, states)
    ids = set(fields) | set(instances) | {i for i, score in semantic.items() if score > 0}
    if not ids:
        return []
    with_tasks = instances.keys() | _versions_with_tasks(connection, set(fields) - set(instances))
    best_field = max(fields.values(), default=0.0) or 1.0
    best_instance = max(instances.values(), default=0.0) or 1.0
    blend = weights.semantic if query_vector is not None else 0.0
    hits: dict[str, SearchHit] = {}
    rows = connection.execute(
        "SELECT id, skill, version, summary, state, successes, failures FROM versions "
        f"WHERE id IN ({','.join('?' * len(ids))})",
        sorted(ids),
    ).fetchall()
    for row_id, skill, version, summary, state, successes, failures in rows:
        lexical = fields.get(row_id, 0.0) / best_field
        if row_id in with_tasks:
            lexical = weights.fields * lexical + (1 - weights.fields) * (
                instances.get(row_id, 0.0) / best_instance
            )
        score = (1 - blend) * lexical + blend * max(semantic.get(row_id, 0.0), 0.0)
        mean = (successes + 1) / (successes + failures + 2)
        score *= 1 - weights.reliability + weights.reliability * mean
        hit = SearchHit(
            name=skill, version=version, score=score, summary=summary, state=State(state)
        )
        previous = hits.get(skill)
        if previous is None or hit.score > previous.score:
            hits[skill] = hit
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.name, -h.version))
    return ranked[:k]


def _bm25(
    connection: sqlite3.Connection,
    table: str,
    query: str,
    states: Sequence[State] | None,
    limit: int,
) -> dict[int, float]:
    """BM25 (higher is better) of up to ``limit`` rows of ``table`` for the query's terms.

    Up to ``_SMALL_INDEX`` documents every match is ranked with all terms. Beyond, ranking
    every document that shares one common word is too slow: the queries of ``fts_queries`` run
    in order until ``limit`` rows are found, each row keeping its score from the first query
    that found it (scaled to the plain ``OR`` query).
    """
    plan = fts_queries(query, states)
    if not plan:
        return {}
    # The rowids come from these ordinary tables, where max() is one b-tree lookup.
    source = "versions" if table == "search_index" else "search_task_docs"
    size = connection.execute(f"SELECT max(id) FROM {source}").fetchone()[0] or 0
    if size <= _SMALL_INDEX:
        plan = plan[-1:]
    scores: dict[int, float] = {}
    for match, factor in plan:
        if len(scores) >= limit:
            break
        for rowid, rank in connection.execute(
            f"SELECT rowid, rank FROM {table} WHERE {table} MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        ):
            scores.setdefault(int(rowid), -float(rank) / factor)
    return scores


def _instance_scores(
    connection: sqlite3.Connection, task_scores: Mapping[int, float], instances: int
) -> dict[int, float]:
    """Per version: the sum of its ``instances`` best task scores divided by ``instances``."""
    if not task_scores:
        return {}
    per_version: dict[int, list[float]] = {}
    ids = sorted(task_scores)
    for doc_id, version_id in connection.execute(
        f"SELECT id, version_id FROM search_task_docs WHERE id IN ({','.join('?' * len(ids))})",
        ids,
    ):
        per_version.setdefault(int(version_id), []).append(task_scores[int(doc_id)])
    return {
        version_id: math.fsum(sorted(scores, reverse=True)[:instances]) / instances
        for version_id, scores in per_version.items()
    }


def _versions_with_tasks(connection: sqlite3.Connection, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return {
        int(row[0])
        for row in connection.execute(
            "SELECT DISTINCT version_id FROM search_task_docs "
            f"WHERE version_id IN ({','.join('?' * len(ids))})",
            sorted(ids),
        )
    }


def index_tasks(connection: sqlite3.Connection, version_id: int, state: State) -> int:
    """Index the task text of every source trajectory of a version not indexed yet.

    Returns:
        How many task documents were added.
    """
    rows = connection.execute(
        "SELECT s.digest, t.task FROM version_sources s JOIN trajectories t ON t.digest = s.digest "
        "WHERE s.version_id = ? AND t.task != '' AND NOT EXISTS (SELECT 1 FROM search_task_docs d "
        "WHERE d.version_id = s.version_id AND d.digest = s.digest) ORDER BY s.position",
        (version_id,),
    ).fetchall()
    for digest, task in rows:
        doc_id = connection.execute(
            "INSERT INTO search_task_docs (version_id, digest) VALUES (?, ?)", (version_id, digest)
        ).lastrowid
        connection.execute(
            "INSERT INTO search_tasks (rowid, task, state) VALUES (?, ?, ?)",
            (doc_id, task[:_MAX_TASK_TEXT], state.value),
        )
    return len(rows)


def set_index_state(connection: sqlite3.Connection, version_id: int, state: State) -> None:
    """Move a version's search documents (its own and its tasks') to ``state``."""
    connection.execute(
        "UPDATE search_index SET state = ? WHERE rowid = ?", (state.value, version_id)
    )
    connection.execute(
        "UPDATE search_tasks SET state = ? WHERE rowid IN "
        "(SELECT id FROM search_task_docs WHERE version_id = ?)",
        (state.value, version_id),
    )


def _semantic_scores(
    connection: sqlite3.Connection, query_vector: Sequence[float], states: Sequence[State] | None
) -> dict[int, float]:
    # A linear scan in pure Python: fine for thousands of skills; beyond that, an ANN index.
    target = decode_vector(encode_vector(query_vector))
    sql = "SELECT e.version_id, e.vector FROM embeddings e JOIN versions v ON v.id = e.version_id"
    params: list[Any] = [len(target)]
    sql += " WHERE e.dimensions = ?"
    if states is not None:
        sql += f" AND v.state IN ({','.join('?' * len(states))})"
        params.extend(s.value for s in states)
    return {
        int(i): _dot(decode_vector(blob), target) for i, blob in connection.execute(sql, params)
    }
