"""Search operations of the registry: BM25 (+ embeddings, + reliability) and vector upkeep."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import RegistryError
from .model import SearchHit, State
from .search import (
    Embedder,
    SearchWeights,
    embedding_text,
    encode_vector,
    index_fields,
    run_search,
)

if TYPE_CHECKING:
    from ._connection import Connection
    from .store import Backend

__all__ = ["SearchMixin", "store_vector"]


class SearchMixin:
    """``search`` and embedding upkeep of ``Registry``."""

    _db: Backend
    embedder: Embedder | None
    search_weights: SearchWeights

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        states: Sequence[State | str] | None = (State.PROMOTED,),
    ) -> list[SearchHit]:
        """Skills ranked for a task description; never raises on odd query text.

        Args:
            query: Free text; any characters (FTS5 syntax is neutralised).
            k: How many hits at most (one per skill).
            states: Only versions in these states; None for every state.
        """
        if k <= 0:
            return []
        wanted = None if states is None else tuple(State(s) for s in states)
        vector = self._embed([query]) if self.embedder is not None and query.strip() else None
        return self._db.read(
            lambda c: run_search(
                c,
                query,
                k=k,
                states=wanted,
                weights=self.search_weights,
                query_vector=vector[0] if vector else None,
            )
        )

    def reindex_embeddings(self) -> int:
        """Embed every version that has no vector from the current embedder; returns how many."""
        if self.embedder is None:
            return 0
        model = self._embedder_name()
        rows = self._db.read(lambda c: _unembedded(c, model))
        if not rows:
            return 0
        texts = [embedding_text(fields) for _, fields in rows]
        vectors = self._embed(texts) or []

        def work(connection: Connection) -> int:
            for row, vector in zip(rows, vectors, strict=True):
                store_vector(connection, row[0], vector, model)
            return len(rows)

        return self._db.write(work)

    def _embedder_name(self) -> str:
        return str(getattr(self.embedder, "name", type(self.embedder).__qualname__))

    def _embed(self, texts: list[str]) -> list[list[float]] | None:
        if self.embedder is None:
            return None
        vectors = self.embedder.embed(texts)
        if len(vectors) != len(texts) or any(
            not v or not all(isinstance(x, int | float) and math.isfinite(x) for x in v)
            for v in vectors
        ):
            raise RegistryError(
                f"embedder {self._embedder_name()!r} must return one non-empty vector of finite "
                f"floats per text; got {len(vectors)} vectors for {len(texts)} texts"
            )
        return [list(map(float, v)) for v in vectors]


def store_vector(
    connection: Connection, version_id: int, vector: Sequence[float], model: str
) -> None:
    connection.execute(
        "INSERT INTO embeddings (version_id, model, dimensions, vector) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (version_id) DO UPDATE SET model = excluded.model, "
        "dimensions = excluded.dimensions, vector = excluded.vector",
        (version_id, model, len(vector), encode_vector(vector)),
    )


def _unembedded(connection: Connection, model: str) -> list[tuple[int, dict[str, str]]]:
    """The versions without a vector from ``model``, with the text fields add_version embeds."""
    found = []
    for version_id, name, summary, docstring, schema_json in connection.execute(
        "SELECT v.id, v.skill, v.summary, v.docstring, v.schema_json FROM versions v "
        "LEFT JOIN embeddings e ON e.version_id = v.id "
        "WHERE e.version_id IS NULL OR e.model != ? ORDER BY v.id",
        (model,),
    ).fetchall():
        tasks = [
            str(row[0])
            for row in connection.execute(
                "SELECT t.task FROM version_sources s JOIN trajectories t ON t.digest = s.digest "
                "WHERE s.version_id = ? ORDER BY s.position",
                (version_id,),
            )
        ]
        fields = index_fields(
            name=name,
            summary=summary,
            docstring=docstring,
            schema=json.loads(schema_json),
            tasks=tasks,
        )
        found.append((int(version_id), fields))
    return found
