"""Search: BM25 over names, summaries, parameters and tasks; safe query text; embeddings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill_registry import Registry, State
from skill_registry.search import fts_query, terms_of
from tests.registry.helpers import PROVENANCE, add, pass_gates, schema_of, source_of


def promote(registry: Registry, name: str, summary: str, **kwargs: object) -> None:
    record = add(registry, name, summary=summary, **kwargs)  # type: ignore[arg-type]
    pass_gates(registry, record)
    registry.promote(name, actor="a", reason="r")


def test_search_ranks_the_skill_whose_name_and_summary_match(registry: Registry) -> None:
    promote(registry, "cancel_pending_order", "Cancel a pending order and refund it")
    promote(registry, "exchange_delivered_items", "Exchange delivered items for other variants")
    promote(registry, "update_address", "Change the shipping address of a pending order")
    hits = registry.search("exchange the delivered items of my order")
    assert hits[0].name == "exchange_delivered_items"
    assert hits[0].state is State.PROMOTED


def test_search_finds_skills_by_the_task_text_of_their_trajectories(registry: Registry) -> None:
    trajectory = {"id": "t1", "task": "My keyboard arrived broken, swap it for a new one"}
    promote(registry, "exchange_items", "Exchange items", trajectories=[trajectory])
    promote(registry, "cancel_order", "Cancel an order")
    assert registry.search("keyboard broken")[0].name == "exchange_items"


def test_search_finds_skills_by_parameter_names(registry: Registry) -> None:
    record = registry.add_version(
        "lookup",
        source=source_of("lookup"),
        schema=schema_of("zip_code"),
        summary="Find a customer",
        provenance=PROVENANCE,
    )
    assert registry.search("zip", states=None)[0].version == record.version


def test_search_returns_only_the_requested_states(registry: Registry) -> None:
    add(registry, "draft_skill", summary="Refund an order")
    promote(registry, "promoted_skill", "Refund an order quickly")
    assert [h.name for h in registry.search("refund order")] == ["promoted_skill"]
    assert {h.name for h in registry.search("refund order", states=None)} == {
        "draft_skill",
        "promoted_skill",
    }
    assert [h.name for h in registry.search("refund order", states=["draft"])] == ["draft_skill"]


def test_search_gives_one_hit_per_skill(registry: Registry) -> None:
    add(registry, "refund", summary="Refund an order")
    add(registry, "refund", body="return {}", summary="Refund an order, second try")
    hits = registry.search("refund", states=None)
    assert [h.name for h in hits] == ["refund"]


def test_search_follows_state_changes(registry: Registry) -> None:
    promote(registry, "refund", "Refund an order")
    registry.deprecate("refund", actor="a", reason="replaced")
    assert registry.search("refund") == []
    assert registry.search("refund", states=["deprecated"])[0].name == "refund"


def test_search_blends_reliability_into_the_score(registry: Registry) -> None:
    promote(registry, "refund_a", "Refund an order")
    promote(registry, "refund_b", "Refund an order")
    for _ in range(5):
        registry.record_outcome("refund_b", version=1, success=True, duration_seconds=0.1)
    assert [h.name for h in registry.search("refund order")] == ["refund_b", "refund_a"]


def test_a_query_without_words_returns_nothing(registry: Registry) -> None:
    promote(registry, "refund", "Refund an order")
    assert registry.search('"*" - : () ') == []
    assert registry.search("refund", k=0) == []


def test_fts_syntax_in_the_query_is_neutralised() -> None:
    assert terms_of('NEAR(refund "order"*) AND OR -x: cancel_order camelCase') == [
        "near", "refund", "order", "and", "or", "x", "cancel", "camel", "case",
    ]  # fmt: skip
    assert fts_query("a", None) == '("a")'


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with Registry.open(tmp_path_factory.mktemp("search") / "r.db") as registry:
        promote(registry, "refund", "Refund an order")
        yield registry


_FRAGMENTS = [*"\"'*-:()^{}[]+.,;!?~ \t\n_0", "NEAR", "AND", "OR", "NOT", "refund", "é", "order"]


@settings(max_examples=200)
@given(query=st.lists(st.sampled_from(_FRAGMENTS), max_size=20).map("".join) | st.text(max_size=40))
def test_search_never_raises_on_any_query_text(searchable: Registry, query: str) -> None:
    hits = searchable.search(query, states=None)
    assert all(hit.name == "refund" for hit in hits)


class ConceptEmbedder:
    """A tiny deterministic embedder: words map onto a few concept axes (synonyms share one)."""

    name = "concepts-v1"
    _CONCEPTS: ClassVar[dict[str, int]] = {
        "refund": 0, "reimburse": 0, "money": 0, "back": 0,
        "address": 1, "shipping": 1, "move": 1,
        "cancel": 2, "stop": 2,
    }  # fmt: skip

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0, 0.0, 0.0, 0.01]
            for word in terms_of(text):
                if word in self._CONCEPTS:
                    vector[self._CONCEPTS[word]] += 1.0
            vectors.append(vector)
        return vectors


def test_an_embedder_finds_synonyms_that_bm25_misses(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "r.db", embedder=ConceptEmbedder()) as registry:
        promote(registry, "refund_payment", "Refund a payment")
        promote(registry, "change_address", "Change the shipping address")
        hits = registry.search("please reimburse me")
        assert hits[0].name == "refund_payment"
        assert hits[0].score > (hits[1].score if len(hits) > 1 else 0.0)


def test_reindex_embeds_versions_stored_without_an_embedder(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Registry.open(path) as registry:
        promote(registry, "refund_payment", "Refund a payment")
    with Registry.open(path, embedder=ConceptEmbedder()) as registry:
        assert registry.search("reimburse") == []
        assert registry.reindex_embeddings() == 1
        assert registry.reindex_embeddings() == 0
        assert registry.search("reimburse")[0].name == "refund_payment"
