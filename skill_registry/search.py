"""Search: BM25 over what a skill does and the tasks it was learned from, optionally
blended with embeddings and reliability.

One FTS5 table (``_index``) holds a ``skill`` row per version (BM25 weights: name 8, summary 4,
parameters 2, docstring 1.5) and a ``task`` row per (version, source trajectory) with that
trajectory's task text. A version is ranked by its best-matching past tasks (nearest neighbours
over the instructions it was learned from, the mean of the best three) blended with the match of
its own text; a long instruction shares most words with every procedure's text, while the tasks
a procedure was learned from say what it is for. One ``MATCH`` query returns the best rows of
both kinds; its expression is planned from the terms' document frequencies (``_index.plan``).

User text never reaches FTS5 as syntax: it is cut into word tokens and each token is quoted, so
quotes, ``*``, ``-``, ``:``, parentheses, ``NEAR``, ``AND``/``OR`` are plain words. Stopwords
are dropped; the state filter is a condition on an UNINDEXED column of the same query.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .model import SearchHit, State

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = [
    "Embedder",
    "SearchWeights",
    "content_terms",
    "decode_vector",
    "encode_vector",
    "fts_query",
    "index_fields",
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
    connection: Connection,
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
    its own text alone. Both come from one query of the backend's index (``candidate_rows``).
    """
    limit = max(k * 4, weights.candidates)
    fields: dict[int, float] = {}
    tasks: dict[int, list[float]] = {}
    for kind, version_id, score in connection.search.candidate_rows(
        connection,
        content_terms(query),
        states=states,
        per_kind={"skill": limit, "task": limit * weights.instances},
        enough=k,
    ):
        if kind == "skill":
            fields[version_id] = score
        else:
            tasks.setdefault(version_id, []).append(score)
    instances = {
        version_id: math.fsum(sorted(scores, reverse=True)[: weights.instances]) / weights.instances
        for version_id, scores in tasks.items()
    }
    semantic: dict[int, float] = {}
    if query_vector is not None:
        semantic = _semantic_scores(connection, query_vector, states)
    ids = set(fields) | set(instances) | {i for i, score in semantic.items() if score > 0}
    if not ids:
        return []
    best_field = max(fields.values(), default=0.0) or 1.0
    best_instance = max(instances.values(), default=0.0) or 1.0
    blend = weights.semantic if query_vector is not None else 0.0
    hits: dict[str, SearchHit] = {}
    chosen, parameter = connection.in_ids("v.id", sorted(ids))
    # Whether a version has task rows decides how its score blends (one query for both).
    rows = connection.execute(
        "SELECT v.id, v.skill, v.version, v.summary, v.state, v.successes, v.failures, "
        "EXISTS (SELECT 1 FROM search_rows r WHERE r.version_id = v.id AND r.digest != '') "
        f"FROM versions v WHERE {chosen}",
        (parameter,),
    ).fetchall()
    for row_id, skill, version, summary, state, successes, failures, with_tasks in rows:
        lexical = fields.get(row_id, 0.0) / best_field
        if with_tasks:
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


def _semantic_scores(
    connection: Connection, query_vector: Sequence[float], states: Sequence[State] | None
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
